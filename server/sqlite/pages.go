package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"jmcheck/server/im"
)

// A list is paged by OFFSET, which SQLite answers by stepping over every
// skipped index entry: O(start). page_blocks keeps, per block of blockSize
// consecutive ids, how many rows are alive, so a page is found by summing a
// few hundred block counts (which also gives the total) and then skipping
// fewer than blockSize entries inside one block.
const blockSize = 512

// The kinds of list page_blocks counts.
const (
	kindUsers  = 1
	kindGroups = 2
)

// blockDeltas accumulates count changes per block within one transaction.
type blockDeltas map[int64]int64

func (d blockDeltas) add(id, delta int64) { d[id/blockSize] += delta }

// apply writes the accumulated deltas of kind for app, dropping empty blocks.
func (d blockDeltas) apply(ctx context.Context, tx *sql.Tx, app im.App, kind int) error {
	for block, delta := range d {
		if delta == 0 {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO page_blocks (app, kind, block, n) VALUES (?, ?, ?, ?)
			ON CONFLICT (app, kind, block) DO UPDATE SET n = n + excluded.n`, app, kind, block, delta)
		if err != nil {
			return fmt.Errorf("count page block: %w", err)
		}
		if delta < 0 {
			_, err := tx.ExecContext(ctx, "DELETE FROM page_blocks WHERE app = ? AND kind = ? AND block = ? AND n <= 0", app, kind, block)
			if err != nil {
				return fmt.Errorf("drop page block: %w", err)
			}
		}
	}
	return nil
}

// locate returns the total of kind in app and, when start < total, the
// first id of the block holding the row at position start and how many
// rows of that block precede it.
func locate(ctx context.Context, tx *sql.Tx, app im.App, kind int, start int64) (total, fromID, skip int64, err error) {
	rows, err := tx.QueryContext(ctx, "SELECT block, n FROM page_blocks WHERE app = ? AND kind = ? ORDER BY block", app, kind)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read page blocks: %w", err)
	}
	defer rows.Close()
	found := false
	for rows.Next() {
		var block, n int64
		if err := rows.Scan(&block, &n); err != nil {
			return 0, 0, 0, fmt.Errorf("read page blocks: %w", err)
		}
		if !found && start < total+n {
			found = true
			fromID, skip = block*blockSize, start-total
		}
		total += n
	}
	if err := rows.Err(); err != nil {
		return 0, 0, 0, fmt.Errorf("read page blocks: %w", err)
	}
	return total, fromID, skip, nil
}

// page reads one page of a list of kind in app: the total, and up to count
// values from the row at position start on. query selects one column and
// takes (app, fromID, count, skip) in that order; what names the list in
// errors.
func page[T any](ctx context.Context, tx *sql.Tx, app im.App, kind int, start, count int64, query, what string) (int64, []T, error) {
	out := []T{}
	total, fromID, skip, err := locate(ctx, tx, app, kind, start)
	if err != nil || start >= total {
		return total, out, err
	}
	rows, err := tx.QueryContext(ctx, query, app, fromID, count, skip)
	if err != nil {
		return 0, nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return 0, nil, fmt.Errorf("list %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("list %s: %w", what, err)
	}
	return total, out, nil
}
