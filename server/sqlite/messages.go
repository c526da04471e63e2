package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"jmcheck/server/im"
)

// SendMessage records a message and returns its msg_id, taken from the
// app's counter so that ids are unique and increase within the app.
// Codes: CodeInvalidUID (unknown user sender or single target),
// CodeNoSuchGroup (unknown group target).
func (s *Store) SendMessage(ctx context.Context, app im.App, m im.Message) (int64, error) {
	var msgID int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if m.FromType == "user" {
			if _, err := userID(ctx, tx, app, m.FromID, im.CodeInvalidUID); err != nil {
				return err
			}
		}
		switch m.TargetType {
		case "single":
			if _, err := userID(ctx, tx, app, m.TargetID, im.CodeInvalidUID); err != nil {
				return err
			}
		case "group":
			if s.opts.Bugs.GroupCheckedByCounter {
				if err := gidBelowCounter(ctx, tx, app, m.GID); err != nil {
					return err
				}
				break
			}
			if _, err := getGroup(ctx, tx, app, m.GID); err != nil {
				return err
			}
		default:
			return im.Errorf(im.CodeInvalid, "unknown target_type %q", m.TargetType)
		}
		err := tx.QueryRowContext(ctx, "UPDATE apps SET next_msg = next_msg + 1 WHERE id = ? RETURNING next_msg - 1", app).Scan(&msgID)
		if err != nil {
			return fmt.Errorf("allocate msg_id: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO messages (app, msg_id, target_type, target_id, from_type, from_id,
			msg_type, create_time, body, ctime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			app, msgID, m.TargetType, m.TargetID, m.FromType, m.FromID, m.MsgType, m.CreateTime, string(m.Body), s.now())
		if err != nil {
			return fmt.Errorf("store message: %w", err)
		}
		if s.opts.Bugs.MsgIDPerTarget {
			return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages WHERE app = ? AND target_type = ? AND target_id = ?",
				app, m.TargetType, m.TargetID).Scan(&msgID)
		}
		return nil
	})
	if err == nil && s.opts.Bugs.RacyMsgIDReadBack {
		msgID, err = s.readBackMax(ctx, "SELECT MAX(msg_id) FROM messages WHERE app = ?", app)
	}
	return msgID, err
}
