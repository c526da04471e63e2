package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"jmcheck/server/im"
)

// RegisterUsers creates the users in order, one transaction for the batch.
// Passwords are hashed before the transaction so the writer is held only
// for the inserts.
func (s *Store) RegisterUsers(ctx context.Context, app im.App, users []im.NewUser) ([]error, error) {
	hashes := make([]string, len(users))
	for i, u := range users {
		h, err := hashPassword(u.Password)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	if s.opts.Bugs.RacyRegister {
		return s.racyRegister(ctx, app, users, hashes)
	}
	results := make([]error, len(users))
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO users (app, username, password, ctime, mtime)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (app, username) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("prepare register: %w", err)
		}
		defer stmt.Close()
		blocks := blockDeltas{}
		for i, u := range users {
			res, err := stmt.ExecContext(ctx, app, u.Username, hashes[i], now, now)
			if err != nil {
				return fmt.Errorf("register %s: %w", u.Username, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				results[i] = im.Errorf(im.CodeUserExists, "user exists: %s", u.Username)
				continue
			}
			id, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("register %s: %w", u.Username, err)
			}
			blocks.add(id, 1)
			if s.opts.Bugs.KeepDeletedProfiles {
				if err := restoreProfile(ctx, tx, app, u.Username, id); err != nil {
					return err
				}
			}
		}
		return blocks.apply(ctx, tx, app, kindUsers)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// GetUser returns a profile. Codes: CodeNoSuchUser.
func (s *Store) GetUser(ctx context.Context, app im.App, username string) (im.User, error) {
	var u im.User
	err := s.read(ctx, func(tx *sql.Tx) error {
		var (
			nickname, avatar, birthday, signature, region, address sql.NullString
			star, gender                                           sql.NullInt64
			ctime, mtime                                           int64
		)
		name, err := s.canonicalName(ctx, tx, app, username)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT username, nickname, avatar, star, birthday, gender,
			signature, region, address, ctime, mtime FROM users WHERE app = ? AND username = ?`, app, name).
			Scan(&u.Username, &nickname, &avatar, &star, &birthday, &gender, &signature, &region, &address, &ctime, &mtime)
		if errors.Is(err, sql.ErrNoRows) {
			return im.Errorf(im.CodeNoSuchUser, "no such user: %s", username)
		}
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		u.Nickname, u.Avatar, u.Birthday = str(nickname), str(avatar), str(birthday)
		u.Signature, u.Region, u.Address = str(signature), str(region), str(address)
		u.Star, u.Gender = num(star), num(gender)
		u.CTime, u.MTime = time.Unix(ctime, 0), time.Unix(mtime, 0)
		return nil
	})
	return u, err
}

func str(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func num(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// UpdateUser applies patch and moves mtime. Codes: CodeNoSuchUser.
func (s *Store) UpdateUser(ctx context.Context, app im.App, username string, p im.UserPatch) error {
	if s.opts.Bugs.RacyProfileWrite {
		return s.racyUpdateUser(ctx, app, username, p)
	}
	if s.opts.Bugs.NicknameVarchar32 && p.Nickname != nil {
		cut := varchar32(*p.Nickname)
		p.Nickname = &cut
	}
	if s.opts.Bugs.BirthdayDate && p.Birthday != nil && len(*p.Birthday) >= len("2006-01-02") {
		date := (*p.Birthday)[:len("2006-01-02")] + " 00:00:00"
		p.Birthday = &date
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		username, err := s.canonicalName(ctx, tx, app, username)
		if err != nil {
			return err
		}
		// A set value is never NULL, so COALESCE keeps exactly the fields
		// the patch leaves out.
		res, err := tx.ExecContext(ctx, `UPDATE users SET
			nickname = COALESCE(?, nickname), avatar = COALESCE(?, avatar), star = COALESCE(?, star),
			birthday = COALESCE(?, birthday), gender = COALESCE(?, gender), signature = COALESCE(?, signature),
			region = COALESCE(?, region), address = COALESCE(?, address), mtime = ?
			WHERE app = ? AND username = ?`,
			p.Nickname, p.Avatar, p.Star, p.Birthday, p.Gender, p.Signature, p.Region, p.Address, s.now(),
			app, username)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return im.Errorf(im.CodeNoSuchUser, "no such user: %s", username)
		}
		if s.opts.Bugs.Utf8mb3 {
			if err := utf8mb3(p.Nickname, p.Avatar, p.Signature, p.Region, p.Address); err != nil {
				return err
			}
		}
		if s.opts.Bugs.StarInt32 {
			return starInt32(p.Star)
		}
		return nil
	})
}

// DeleteUser removes the user from every group and frees the name.
// Codes: CodeNoSuchUser, CodeOwnsGroup.
func (s *Store) DeleteUser(ctx context.Context, app im.App, username string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		username, err := s.canonicalName(ctx, tx, app, username)
		if err != nil {
			return err
		}
		id, err := userID(ctx, tx, app, username, im.CodeNoSuchUser)
		if err != nil {
			return err
		}
		var gid int64
		err = tx.QueryRowContext(ctx, "SELECT gid FROM chats WHERE owner = ? ORDER BY gid LIMIT 1", id).Scan(&gid)
		if err == nil {
			return im.Errorf(im.CodeOwnsGroup, "%s owns group %d: delete the group first", username, gid)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("check owned groups: %w", err)
		}
		if s.opts.Bugs.KeepDeletedProfiles {
			if err := keepProfile(ctx, tx, id); err != nil {
				return err
			}
		}
		if s.opts.Bugs.KeepMembershipsOnDelete {
			if err := softDeleteUser(ctx, tx, id); err != nil {
				return err
			}
		} else {
			if _, err := tx.ExecContext(ctx, "DELETE FROM members WHERE user = ?", id); err != nil {
				return fmt.Errorf("leave groups: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id); err != nil {
				return fmt.Errorf("delete user: %w", err)
			}
		}
		if s.opts.Bugs.StaleUserTotal {
			return nil
		}
		blocks := blockDeltas{}
		blocks.add(id, -1)
		return blocks.apply(ctx, tx, app, kindUsers)
	})
}

// ListUsers returns the total and a page of usernames in registration order.
func (s *Store) ListUsers(ctx context.Context, app im.App, start, count int64) (total int64, names []string, err error) {
	err = s.read(ctx, func(tx *sql.Tx) error {
		total, names, err = page[string](ctx, tx, app, kindUsers, start, count,
			"SELECT username FROM users WHERE app = ? AND id >= ? ORDER BY id LIMIT ? OFFSET ?", "users")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return total, names, nil
}

// UserGroups returns the gids the user owns or belongs to, ascending.
// Codes: CodeNoSuchUser.
func (s *Store) UserGroups(ctx context.Context, app im.App, username string) ([]int64, error) {
	gids := []int64{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		id, err := userID(ctx, tx, app, username, im.CodeNoSuchUser)
		if err != nil {
			return err
		}
		query, args := `SELECT gid FROM chats WHERE owner = ?
			UNION SELECT gid FROM members WHERE user = ? ORDER BY 1`, []any{id, id}
		if s.opts.Bugs.StaleUserGroups {
			query, args = `SELECT gid FROM chats WHERE owner = ? UNION SELECT gid FROM members WHERE user = ?
				UNION SELECT gid FROM bug_user_groups WHERE user = ? ORDER BY 1`, []any{id, id, id}
		}
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("list user groups: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var gid int64
			if err := rows.Scan(&gid); err != nil {
				return fmt.Errorf("list user groups: %w", err)
			}
			gids = append(gids, gid)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return gids, nil
}

// CheckPassword reports whether password is the user's. No endpoint of
// v1-2015 logs a user in; it lets tests prove the hash is real.
func (s *Store) CheckPassword(ctx context.Context, app im.App, username, password string) (bool, error) {
	var stored string
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT password FROM users WHERE app = ? AND username = ?", app, username).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			return im.Errorf(im.CodeNoSuchUser, "no such user: %s", username)
		}
		return err
	})
	if err != nil {
		return false, err
	}
	return checkPassword(stored, password), nil
}
