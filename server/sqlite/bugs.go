package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"jmcheck/server/im"
)

// Bugs switches on deliberate deviations from spec/PROFILE.md that live in
// the store. They exist only for the server's explore mutants (see
// server.ExploreMutants); the zero value is the conformant store, and with
// every field false no code path below runs. Each field names the one bug
// it plants.
type Bugs struct {
	// KeepDeletedProfiles: DeleteUser keeps the profile fields aside and
	// RegisterUsers gives them back to a user registered with the name.
	KeepDeletedProfiles bool
	// KeepMembershipsOnDelete: DeleteUser soft-deletes the user (its row
	// moves out of the app) and leaves its member rows in place.
	KeepMembershipsOnDelete bool
	// StaleUserGroups: DeleteGroup remembers who was in the group, and
	// UserGroups still answers those gids.
	StaleUserGroups bool
	// MemberCounter: UpdateMembers checks the limit against a per-group
	// counter that adds increment and removals never decrement.
	MemberCounter bool
	// StaleUserTotal: DeleteUser does not decrement the list's page block.
	StaleUserTotal bool
	// MsgIDPerTarget: SendMessage answers the message's number within its
	// target instead of the app's msg_id.
	MsgIDPerTarget bool
	// ReaddKeepsJoinOrder: a member removed and added again gets back its
	// first member row id (join position) and joined time.
	ReaddKeepsJoinOrder bool
	// GroupCheckedByCounter: SendMessage takes a group target to exist when
	// its gid is below the app's gid counter.
	GroupCheckedByCounter bool
	// Utf8mb3: a text column refuses characters outside the BMP; the
	// write fails with an internal error.
	Utf8mb3 bool
	// StarInt32: the star column is 32 bits; a larger star fails the write
	// with an internal error.
	StarInt32 bool
	// NicknameVarchar32: a nickname is stored cut to 32 bytes.
	NicknameVarchar32 bool
	// GroupNameVarchar32: a group name is stored cut to 32 bytes; the
	// created group still carries the whole name.
	GroupNameVarchar32 bool
	// CaseInsensitiveLookup: GetUser, UpdateUser and DeleteUser find the
	// name case-insensitively (the first registered match).
	CaseInsensitiveLookup bool
	// BirthdayDate: the birthday column keeps the date only.
	BirthdayDate bool
	// RacyRegister: RegisterUsers checks which names exist in one
	// transaction, waits, and inserts in another, ignoring conflicts.
	RacyRegister bool
	// RacyMemberLimit: UpdateMembers checks (the limit among the checks)
	// in one transaction, waits, and applies in another without the limit.
	RacyMemberLimit bool
	// RacyProfileWrite: UpdateUser reads the profile, waits, and writes the
	// whole merged profile back in another transaction.
	RacyProfileWrite bool
	// RacyGIDReadBack: CreateGroup waits after its commit and answers the
	// app's highest gid.
	RacyGIDReadBack bool
	// RacyMsgIDReadBack: SendMessage waits after its commit and answers the
	// app's highest msg_id.
	RacyMsgIDReadBack bool
}

// RaceWindow is how long a racy bug waits between its check and its act:
// wide enough that requests started together all fall in it.
const RaceWindow = 10 * time.Millisecond

// raceWait waits RaceWindow, or until ctx ends.
func raceWait(ctx context.Context) error {
	t := time.NewTimer(RaceWindow)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// bugTables are the tables some bugs keep their state in. They are created
// only when such a bug is on, never in a conformant database.
func (b Bugs) bugTables() []string {
	var out []string
	if b.KeepDeletedProfiles {
		out = append(out, `CREATE TABLE IF NOT EXISTS bug_deleted_profiles (
			app INTEGER NOT NULL, username TEXT NOT NULL, nickname TEXT, avatar TEXT, star INTEGER,
			birthday TEXT, gender INTEGER, signature TEXT, region TEXT, address TEXT,
			PRIMARY KEY (app, username))`)
	}
	if b.StaleUserGroups {
		out = append(out, `CREATE TABLE IF NOT EXISTS bug_user_groups (
			user INTEGER NOT NULL, gid INTEGER NOT NULL, PRIMARY KEY (user, gid))`)
	}
	if b.MemberCounter {
		out = append(out, `CREATE TABLE IF NOT EXISTS bug_member_counts (
			app INTEGER NOT NULL, gid INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (app, gid))`)
	}
	if b.ReaddKeepsJoinOrder {
		out = append(out, `CREATE TABLE IF NOT EXISTS bug_left_members (
			app INTEGER NOT NULL, gid INTEGER NOT NULL, user INTEGER NOT NULL, id INTEGER NOT NULL,
			joined INTEGER NOT NULL, PRIMARY KEY (app, gid, user))`)
	}
	return out
}

// createBugTables creates the tables of the bugs that are on.
func (s *Store) createBugTables(ctx context.Context) error {
	for _, ddl := range s.opts.Bugs.bugTables() {
		if err := s.write(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, ddl)
			return err
		}); err != nil {
			return fmt.Errorf("create bug table: %w", err)
		}
	}
	return nil
}

// canonicalName returns the stored name that username looks up:
// username itself, or with CaseInsensitiveLookup the first registered
// name that matches it ignoring ASCII case.
func (s *Store) canonicalName(ctx context.Context, tx *sql.Tx, app im.App, username string) (string, error) {
	if !s.opts.Bugs.CaseInsensitiveLookup {
		return username, nil
	}
	var stored string
	err := tx.QueryRowContext(ctx, "SELECT username FROM users WHERE app = ? AND username = ? COLLATE NOCASE ORDER BY id LIMIT 1",
		app, username).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		return username, nil
	}
	if err != nil {
		return "", fmt.Errorf("look up user: %w", err)
	}
	return stored, nil
}

// errColumnCharset is the Utf8mb3 bug's failed write.
var errColumnCharset = errors.New("incorrect string value: a character outside the BMP in a utf8mb3 column")

// utf8mb3 returns errColumnCharset when a value holds a 4-byte character.
func utf8mb3(values ...*string) error {
	for _, v := range values {
		if v == nil {
			continue
		}
		for _, r := range *v {
			if r > 0xFFFF {
				return errColumnCharset
			}
		}
	}
	return nil
}

// starInt32 fails a star that a 32-bit column cannot hold.
func starInt32(star *int64) error {
	if star != nil && *star > math.MaxInt32 {
		return fmt.Errorf("out of range value for column star: %d", *star)
	}
	return nil
}

// varchar32 cuts v to at most 32 bytes on a character boundary.
func varchar32(v string) string {
	const n = 32
	if len(v) <= n {
		return v
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut]
}

// racyRegister is RegisterUsers with RacyRegister: which names exist is
// decided in one transaction, the inserts run in a later one, and an
// insert that meets a name registered in between is still reported as
// created. Only one row exists either way.
func (s *Store) racyRegister(ctx context.Context, app im.App, users []im.NewUser, hashes []string) ([]error, error) {
	results := make([]error, len(users))
	err := s.read(ctx, func(tx *sql.Tx) error {
		for i, u := range users {
			var one int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM users WHERE app = ? AND username = ?", app, u.Username).Scan(&one)
			switch {
			case err == nil:
				results[i] = im.Errorf(im.CodeUserExists, "user exists: %s", u.Username)
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("check %s: %w", u.Username, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := raceWait(ctx); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.write(ctx, func(tx *sql.Tx) error {
		blocks := blockDeltas{}
		for i, u := range users {
			if results[i] != nil {
				continue
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO users (app, username, password, ctime, mtime)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (app, username) DO NOTHING`, app, u.Username, hashes[i], now, now)
			if err != nil {
				return fmt.Errorf("register %s: %w", u.Username, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // the bug: the check said the name was free
			}
			id, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("register %s: %w", u.Username, err)
			}
			blocks.add(id, 1)
		}
		return blocks.apply(ctx, tx, app, kindUsers)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// keepProfile saves user id's profile fields before it is deleted
// (KeepDeletedProfiles).
func keepProfile(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO bug_deleted_profiles (app, username, nickname, avatar, star,
		birthday, gender, signature, region, address) SELECT app, username, nickname, avatar, star, birthday, gender,
		signature, region, address FROM users WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("keep profile: %w", err)
	}
	return nil
}

// restoreProfile gives the new user id the profile a deleted user of the
// same name left (KeepDeletedProfiles).
func restoreProfile(ctx context.Context, tx *sql.Tx, app im.App, username string, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET (nickname, avatar, star, birthday, gender, signature, region, address) =
		(SELECT nickname, avatar, star, birthday, gender, signature, region, address FROM bug_deleted_profiles
		WHERE app = ? AND username = ?) WHERE id = ?
		AND EXISTS (SELECT 1 FROM bug_deleted_profiles WHERE app = ? AND username = ?)`, app, username, id, app, username)
	if err != nil {
		return fmt.Errorf("restore profile: %w", err)
	}
	return nil
}

// softDeleteUser moves user id out of its app into an app of its own, so
// the name is free and the user is gone from every lookup, but its member
// rows still name it (KeepMembershipsOnDelete).
func softDeleteUser(ctx context.Context, tx *sql.Tx, id int64) error {
	var grave int64
	err := tx.QueryRowContext(ctx, "INSERT INTO apps (key) VALUES (?) RETURNING id", fmt.Sprintf("deleted-user:%d", id)).Scan(&grave)
	if err != nil {
		return fmt.Errorf("soft-delete user: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE users SET app = ? WHERE id = ?", grave, id); err != nil {
		return fmt.Errorf("soft-delete user: %w", err)
	}
	return nil
}

// racyUpdateUser is UpdateUser with RacyProfileWrite: it reads the whole
// profile in one transaction and, a while later, writes the whole merged
// profile back in another, overwriting whatever changed in between.
func (s *Store) racyUpdateUser(ctx context.Context, app im.App, username string, p im.UserPatch) error {
	var cur im.UserPatch
	err := s.read(ctx, func(tx *sql.Tx) error {
		var (
			nickname, avatar, birthday, signature, region, address sql.NullString
			star, gender                                           sql.NullInt64
		)
		err := tx.QueryRowContext(ctx, `SELECT nickname, avatar, star, birthday, gender, signature, region, address
			FROM users WHERE app = ? AND username = ?`, app, username).
			Scan(&nickname, &avatar, &star, &birthday, &gender, &signature, &region, &address)
		if errors.Is(err, sql.ErrNoRows) {
			return im.Errorf(im.CodeNoSuchUser, "no such user: %s", username)
		}
		if err != nil {
			return fmt.Errorf("read profile: %w", err)
		}
		cur = im.UserPatch{Nickname: str(nickname), Avatar: str(avatar), Star: num(star), Birthday: str(birthday),
			Gender: num(gender), Signature: str(signature), Region: str(region), Address: str(address)}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range []struct{ dst, src **string }{{&cur.Nickname, &p.Nickname}, {&cur.Avatar, &p.Avatar},
		{&cur.Birthday, &p.Birthday}, {&cur.Signature, &p.Signature}, {&cur.Region, &p.Region}, {&cur.Address, &p.Address}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	for _, f := range []struct{ dst, src **int64 }{{&cur.Star, &p.Star}, {&cur.Gender, &p.Gender}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	if err := raceWait(ctx); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET nickname = ?, avatar = ?, star = ?, birthday = ?, gender = ?,
			signature = ?, region = ?, address = ?, mtime = ? WHERE app = ? AND username = ?`,
			cur.Nickname, cur.Avatar, cur.Star, cur.Birthday, cur.Gender, cur.Signature, cur.Region, cur.Address, s.now(),
			app, username)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return im.Errorf(im.CodeNoSuchUser, "no such user: %s", username)
		}
		return nil
	})
}

// readBackMax waits, then answers query's one integer: the app's highest
// id, read after the write committed instead of the id the write took
// (RacyGIDReadBack, RacyMsgIDReadBack).
func (s *Store) readBackMax(ctx context.Context, query string, app im.App) (int64, error) {
	if err := raceWait(ctx); err != nil {
		return 0, err
	}
	var id int64
	err := s.read(ctx, func(tx *sql.Tx) error { return tx.QueryRowContext(ctx, query, app).Scan(&id) })
	if err != nil {
		return 0, fmt.Errorf("read back id: %w", err)
	}
	return id, nil
}

// rememberUserGroups notes, before group gid is deleted, that its owner
// and members were in it (StaleUserGroups).
func rememberUserGroups(ctx context.Context, tx *sql.Tx, app im.App, gid int64) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO bug_user_groups (user, gid)
		SELECT owner, gid FROM chats WHERE app = ? AND gid = ? UNION SELECT user, gid FROM members WHERE app = ? AND gid = ?`,
		app, gid, app, gid)
	if err != nil {
		return fmt.Errorf("remember user groups: %w", err)
	}
	return nil
}

// countedSize is the group's size after adding added people as the
// MemberCounter bug counts it: the group's counter, which starts at the
// size the group had on its first update and which removals never lower.
func countedSize(ctx context.Context, tx *sql.Tx, app im.App, gid int64, current, added int) (int, error) {
	n := current
	err := tx.QueryRowContext(ctx, "SELECT n FROM bug_member_counts WHERE app = ? AND gid = ?", app, gid).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read member count: %w", err)
	}
	return n + added, nil
}

// saveCount stores the MemberCounter bug's counter.
func saveCount(ctx context.Context, tx *sql.Tx, app im.App, gid int64, n int) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO bug_member_counts (app, gid, n) VALUES (?, ?, ?)
		ON CONFLICT (app, gid) DO UPDATE SET n = excluded.n`, app, gid, n)
	if err != nil {
		return fmt.Errorf("save member count: %w", err)
	}
	return nil
}

// rememberMember keeps the first member row (join position and time) of
// user in group gid before it is removed (ReaddKeepsJoinOrder).
func rememberMember(ctx context.Context, tx *sql.Tx, app im.App, gid, user int64) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO bug_left_members (app, gid, user, id, joined)
		SELECT app, gid, user, id, joined FROM members WHERE app = ? AND gid = ? AND user = ?`, app, gid, user)
	if err != nil {
		return fmt.Errorf("remember member: %w", err)
	}
	return nil
}

// readdMembers is addMembers under ReaddKeepsJoinOrder: a user who was a
// member before gets its first row id and joined time back (when that id
// is still free).
func readdMembers(ctx context.Context, tx *sql.Tx, app im.App, gid int64, ids []int64, now int64) error {
	for _, user := range ids {
		var rowID, joined int64
		err := tx.QueryRowContext(ctx, `SELECT l.id, l.joined FROM bug_left_members l WHERE l.app = ? AND l.gid = ? AND l.user = ?
			AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id = l.id)`, app, gid, user).Scan(&rowID, &joined)
		if errors.Is(err, sql.ErrNoRows) {
			if err := addMembers(ctx, tx, app, gid, []int64{user}, now); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("re-add member: %w", err)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO members (id, app, gid, user, joined) VALUES (?, ?, ?, ?, ?)", rowID, app, gid, user, joined)
		if err != nil {
			return fmt.Errorf("re-add member: %w", err)
		}
	}
	return nil
}

// gidBelowCounter takes a group to exist when its gid was ever handed out
// (GroupCheckedByCounter).
func gidBelowCounter(ctx context.Context, tx *sql.Tx, app im.App, gid int64) error {
	var next int64
	if err := tx.QueryRowContext(ctx, "SELECT next_gid FROM apps WHERE id = ?", app).Scan(&next); err != nil {
		return fmt.Errorf("read gid counter: %w", err)
	}
	if gid >= next {
		return im.Errorf(im.CodeNoSuchGroup, "no such group: %d", gid)
	}
	return nil
}
