package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"jmcheck/server/im"
)

// CreateGroup creates a group of at most limit people, owner included.
// Codes: CodeNoSuchUser, CodeGroupFull.
func (s *Store) CreateGroup(ctx context.Context, app im.App, g im.NewGroup, limit int) (im.Group, error) {
	var gid int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		owner, err := userID(ctx, tx, app, g.Owner, im.CodeNoSuchUser)
		if err != nil {
			return err
		}
		ids := make([]int64, len(g.Members))
		for i, m := range g.Members {
			if ids[i], err = userID(ctx, tx, app, m, im.CodeNoSuchUser); err != nil {
				return err
			}
		}
		if 1+len(g.Members) > limit {
			return im.Errorf(im.CodeGroupFull, "a group holds at most %d people, owner included; %d given", limit, 1+len(g.Members))
		}
		if gid, err = s.nextGID(ctx, tx, app); err != nil {
			return err
		}
		if s.opts.Bugs.Utf8mb3 {
			if err := utf8mb3(&g.Name, &g.Desc); err != nil {
				return err
			}
		}
		name := g.Name
		if s.opts.Bugs.GroupNameVarchar32 {
			name = varchar32(name)
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, "INSERT INTO chats (app, gid, owner, name, descr, ctime) VALUES (?, ?, ?, ?, ?, ?)",
			app, gid, owner, name, g.Desc, now)
		if err != nil {
			return fmt.Errorf("create group: %w", err)
		}
		if err := addMembers(ctx, tx, app, gid, ids, now); err != nil {
			return err
		}
		blocks := blockDeltas{}
		blocks.add(gid, 1)
		return blocks.apply(ctx, tx, app, kindGroups)
	})
	if err != nil {
		return im.Group{}, err
	}
	if s.opts.Bugs.RacyGIDReadBack {
		if gid, err = s.readBackMax(ctx, "SELECT MAX(gid) FROM chats WHERE app = ?", app); err != nil {
			return im.Group{}, err
		}
	}
	members := append([]string{}, g.Members...)
	return im.Group{GID: gid, Owner: g.Owner, Name: g.Name, Desc: g.Desc, Members: members}, nil
}

// nextGID takes the app's next gid from its counter, so that a gid is
// never reused even after its group is deleted.
func (s *Store) nextGID(ctx context.Context, tx *sql.Tx, app im.App) (int64, error) {
	var gid int64
	if s.opts.ReuseGIDs {
		err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(gid), 0) + 1 FROM chats WHERE app = ?", app).Scan(&gid)
		if err != nil {
			return 0, fmt.Errorf("allocate gid: %w", err)
		}
		return gid, nil
	}
	err := tx.QueryRowContext(ctx, "UPDATE apps SET next_gid = next_gid + 1 WHERE id = ? RETURNING next_gid - 1", app).Scan(&gid)
	if err != nil {
		return 0, fmt.Errorf("allocate gid: %w", err)
	}
	return gid, nil
}

func addMembers(ctx context.Context, tx *sql.Tx, app im.App, gid int64, ids []int64, now int64) error {
	if len(ids) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO members (app, gid, user, joined) VALUES (?, ?, ?, ?)")
	if err != nil {
		return fmt.Errorf("add members: %w", err)
	}
	defer stmt.Close()
	for _, id := range ids {
		if _, err := stmt.ExecContext(ctx, app, gid, id, now); err != nil {
			return fmt.Errorf("add member: %w", err)
		}
	}
	return nil
}

// groupRow is a group's own row.
type groupRow struct {
	owner     int64
	ownerName string
	name      string
	desc      string
	ctime     int64
}

func getGroup(ctx context.Context, tx *sql.Tx, app im.App, gid int64) (groupRow, error) {
	var g groupRow
	err := tx.QueryRowContext(ctx, `SELECT c.owner, u.username, c.name, c.descr, c.ctime
		FROM chats c JOIN users u ON u.id = c.owner WHERE c.app = ? AND c.gid = ?`, app, gid).
		Scan(&g.owner, &g.ownerName, &g.name, &g.desc, &g.ctime)
	if errors.Is(err, sql.ErrNoRows) {
		return g, im.Errorf(im.CodeNoSuchGroup, "no such group: %d", gid)
	}
	if err != nil {
		return g, fmt.Errorf("get group: %w", err)
	}
	return g, nil
}

// memberRow is one member (owner excluded).
type memberRow struct {
	id     int64
	name   string
	joined int64
}

func listMembers(ctx context.Context, tx *sql.Tx, app im.App, gid int64) ([]memberRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT m.user, u.username, m.joined FROM members m JOIN users u ON u.id = m.user
		WHERE m.app = ? AND m.gid = ? ORDER BY m.id`, app, gid)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	var out []memberRow
	for rows.Next() {
		var m memberRow
		if err := rows.Scan(&m.id, &m.name, &m.joined); err != nil {
			return nil, fmt.Errorf("list members: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetGroup returns a group. Codes: CodeNoSuchGroup.
func (s *Store) GetGroup(ctx context.Context, app im.App, gid int64) (im.Group, error) {
	var out im.Group
	err := s.read(ctx, func(tx *sql.Tx) error {
		g, err := getGroup(ctx, tx, app, gid)
		if err != nil {
			return err
		}
		members, err := listMembers(ctx, tx, app, gid)
		if err != nil {
			return err
		}
		out = im.Group{GID: gid, Owner: g.ownerName, Name: g.name, Desc: g.desc, Members: make([]string, len(members))}
		for i, m := range members {
			out.Members[i] = m.name
		}
		return nil
	})
	return out, err
}

// DeleteGroup deletes a group and its memberships. Codes: CodeNoSuchGroup.
func (s *Store) DeleteGroup(ctx context.Context, app im.App, gid int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := getGroup(ctx, tx, app, gid); err != nil {
			return err
		}
		if s.opts.Bugs.StaleUserGroups {
			if err := rememberUserGroups(ctx, tx, app, gid); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM members WHERE app = ? AND gid = ?", app, gid); err != nil {
			return fmt.Errorf("delete members: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM chats WHERE app = ? AND gid = ?", app, gid); err != nil {
			return fmt.Errorf("delete group: %w", err)
		}
		blocks := blockDeltas{}
		blocks.add(gid, -1)
		return blocks.apply(ctx, tx, app, kindGroups)
	})
}

// UpdateMembers removes then adds members; removing a non-member (or an
// unknown name) is a no-op. Codes, in order of precedence:
// CodeNoSuchGroup, CodeInvalid (removing the owner), CodeNoSuchUser,
// CodeAlreadyMember, CodeGroupFull.
func (s *Store) UpdateMembers(ctx context.Context, app im.App, gid int64, add, remove []string, limit int) error {
	if s.opts.Bugs.RacyMemberLimit {
		err := s.read(ctx, func(tx *sql.Tx) error {
			return s.updateMembers(ctx, tx, app, gid, add, remove, limit, false)
		})
		if err != nil {
			return err
		}
		if err := raceWait(ctx); err != nil {
			return err
		}
		limit = math.MaxInt // the bug: checked above, a transaction ago
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		return s.updateMembers(ctx, tx, app, gid, add, remove, limit, true)
	})
}

// updateMembers checks a members update in tx and, when apply, applies it.
func (s *Store) updateMembers(ctx context.Context, tx *sql.Tx, app im.App, gid int64, add, remove []string, limit int, apply bool) error {
	g, err := getGroup(ctx, tx, app, gid)
	if err != nil {
		return err
	}
	for _, name := range remove {
		if name == g.ownerName {
			return im.Errorf(im.CodeInvalid, "cannot remove the owner %s from group %d", name, gid)
		}
	}
	addIDs := make([]int64, len(add))
	for i, name := range add {
		if addIDs[i], err = userID(ctx, tx, app, name, im.CodeNoSuchUser); err != nil {
			return err
		}
	}
	members, err := listMembers(ctx, tx, app, gid)
	if err != nil {
		return err
	}
	current := map[int64]bool{g.owner: true}
	byName := map[string]int64{}
	for _, m := range members {
		current[m.id] = true
		byName[m.name] = m.id
	}
	for i, id := range addIDs {
		if current[id] {
			return im.Errorf(im.CodeAlreadyMember, "%s is already in group %d", add[i], gid)
		}
	}
	var removeIDs []int64
	for _, name := range remove {
		if id, ok := byName[name]; ok {
			removeIDs = append(removeIDs, id)
		}
	}
	size := 1 + len(members) - len(removeIDs) + len(addIDs)
	if s.opts.Bugs.MemberCounter {
		if size, err = countedSize(ctx, tx, app, gid, 1+len(members), len(addIDs)); err != nil {
			return err
		}
	}
	if size > limit {
		return im.Errorf(im.CodeGroupFull, "group %d would hold %d people; the limit is %d, owner included", gid, size, limit)
	}
	if !apply {
		return nil
	}
	if s.opts.Bugs.MemberCounter {
		if err := saveCount(ctx, tx, app, gid, size); err != nil {
			return err
		}
	}
	for _, id := range removeIDs {
		if s.opts.Bugs.ReaddKeepsJoinOrder {
			if err := rememberMember(ctx, tx, app, gid, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM members WHERE app = ? AND gid = ? AND user = ?", app, gid, id); err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
	}
	if s.opts.Bugs.ReaddKeepsJoinOrder {
		return readdMembers(ctx, tx, app, gid, addIDs, s.now())
	}
	return addMembers(ctx, tx, app, gid, addIDs, s.now())
}

// GroupMembers returns the owner then the members in join order.
// Codes: CodeNoSuchGroup.
func (s *Store) GroupMembers(ctx context.Context, app im.App, gid int64) ([]im.Member, error) {
	var out []im.Member
	err := s.read(ctx, func(tx *sql.Tx) error {
		g, err := getGroup(ctx, tx, app, gid)
		if err != nil {
			return err
		}
		members, err := listMembers(ctx, tx, app, gid)
		if err != nil {
			return err
		}
		out = make([]im.Member, 0, 1+len(members))
		out = append(out, im.Member{Username: g.ownerName, Owner: true, Joined: time.Unix(g.ctime, 0)})
		for _, m := range members {
			out = append(out, im.Member{Username: m.name, Joined: time.Unix(m.joined, 0)})
		}
		return nil
	})
	return out, err
}

// ListGroups returns the total and a page of gids, ascending.
func (s *Store) ListGroups(ctx context.Context, app im.App, start, count int64) (total int64, gids []int64, err error) {
	err = s.read(ctx, func(tx *sql.Tx) error {
		total, gids, err = page[int64](ctx, tx, app, kindGroups, start, count,
			"SELECT gid FROM chats WHERE app = ? AND gid >= ? ORDER BY gid LIMIT ? OFFSET ?", "groups")
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return total, gids, nil
}
