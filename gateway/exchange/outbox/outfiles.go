package outbox

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboundFile is one file of transactions waiting in a pull inbox: the
// messages of one batch window, their raw bodies one a line.
type OutboundFile struct {
	// Cursor orders files; pass the last one seen as after.
	Cursor int64
	// FileID names the file (the jti of its signature, and what ack takes).
	FileID      string
	WindowStart time.Time
	ContentType string
	// Messages are the file's transactions in the order of its lines.
	Messages []Message
	// Body is the file: each message's raw body on its own line.
	Body []byte
}

// FileInboxList closes the batch windows of partner that have ended by now
// (each window's waiting transactions become one file) and returns up to
// limit files after cursor after that are not acknowledged, with the cursor
// to pass next time. A transaction that commits after its window's file was
// made goes into a file of its own window on the next call: a file, once
// listed, never changes.
func (s *Store) FileInboxList(ctx context.Context, partner string, window time.Duration, now time.Time, after int64, limit int) ([]OutboundFile, int64, error) {
	if partner == "" || window <= 0 {
		return nil, after, fmt.Errorf("%w: partner and a positive window are required", ErrInvalid)
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var files []OutboundFile
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// The same lock as the message inbox: files are made and cursors
		// handed out in commit order.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, inboxLockClass, partner); err != nil {
			return fmt.Errorf("exchange: inbox lock: %w", err)
		}
		if err := closeWindows(ctx, tx, partner, window, now); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, file_id, window_start FROM outbound_files
			WHERE partner = $1 AND acked_at IS NULL AND id > $2 ORDER BY id LIMIT $3`, partner, after, limit)
		if err != nil {
			return fmt.Errorf("exchange: file inbox: %w", err)
		}
		files, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (OutboundFile, error) {
			var f OutboundFile
			err := row.Scan(&f.Cursor, &f.FileID, &f.WindowStart)
			return f, err
		})
		if err != nil {
			return fmt.Errorf("exchange: file inbox: %w", err)
		}
		for i := range files {
			f := &files[i]
			rows, err := tx.Query(ctx, `SELECT `+messageCols+`, raw_sealed FROM messages
				WHERE outbound_file = $1 ORDER BY id`, f.Cursor)
			if err != nil {
				return fmt.Errorf("exchange: file inbox: %w", err)
			}
			f.Messages, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) { return s.scanWithRaw(row) })
			if err != nil {
				return fmt.Errorf("exchange: file inbox: %w", err)
			}
			var body bytes.Buffer
			for _, m := range f.Messages {
				body.Write(bytes.TrimRight(m.Raw, "\r\n"))
				body.WriteByte('\n')
				f.ContentType = m.ContentType
			}
			f.Body = body.Bytes()
		}
		return nil
	})
	if err != nil {
		return nil, after, err
	}
	next := after
	if len(files) > 0 {
		next = files[len(files)-1].Cursor
	}
	return files, next, nil
}

// closeWindows makes one file of the waiting transactions of each window
// that has ended.
func closeWindows(ctx context.Context, tx pgx.Tx, partner string, window time.Duration, now time.Time) error {
	rows, err := tx.Query(ctx, `SELECT id, created_at FROM messages
		WHERE partner = $1 AND direction = 'out' AND status = 'awaiting_pickup' AND outbound_file IS NULL ORDER BY id`, partner)
	if err != nil {
		return fmt.Errorf("exchange: file windows: %w", err)
	}
	type pending struct {
		id int64
		at time.Time
	}
	waiting, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (pending, error) {
		var p pending
		err := row.Scan(&p.id, &p.at)
		return p, err
	})
	if err != nil {
		return fmt.Errorf("exchange: file windows: %w", err)
	}
	var order []time.Time
	byWindow := map[time.Time][]int64{}
	for _, p := range waiting {
		start := p.at.UTC().Truncate(window)
		if !start.Add(window).After(now) {
			if _, seen := byWindow[start]; !seen {
				order = append(order, start)
			}
			byWindow[start] = append(byWindow[start], p.id)
		}
	}
	for _, start := range order {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO outbound_files (partner, window_start) VALUES ($1, $2) RETURNING id`,
			partner, start).Scan(&id); err != nil {
			return fmt.Errorf("exchange: new file: %w", err)
		}
		fileID := fmt.Sprintf("%s-%s-%d", partner, start.Format("20060102T150405Z"), id)
		if _, err := tx.Exec(ctx, `UPDATE outbound_files SET file_id = $2 WHERE id = $1`, id, fileID); err != nil {
			return fmt.Errorf("exchange: new file: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE messages SET outbound_file = $1 WHERE id = ANY($2)`, id, byWindow[start]); err != nil {
			return fmt.Errorf("exchange: new file: %w", err)
		}
	}
	return nil
}

// FileInboxAck marks the listed files (their file IDs) picked up, with every
// transaction in them. IDs that are not this partner's files are ignored;
// acked counts the files.
func (s *Store) FileInboxAck(ctx context.Context, partner string, fileIDs []string) (acked int, err error) {
	if partner == "" {
		return 0, fmt.Errorf("%w: partner is required", ErrInvalid)
	}
	if len(fileIDs) == 0 {
		return 0, nil
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		ids := func(sql string, args ...any) ([]int64, error) {
			rows, err := tx.Query(ctx, sql, args...)
			if err != nil {
				return nil, fmt.Errorf("exchange: file ack: %w", err)
			}
			out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return nil, fmt.Errorf("exchange: file ack: %w", err)
			}
			return out, nil
		}
		files, err := ids(`UPDATE outbound_files SET acked_at = now()
			WHERE partner = $1 AND acked_at IS NULL AND file_id = ANY($2) RETURNING id`, partner, fileIDs)
		if err != nil {
			return err
		}
		done, err := ids(`UPDATE messages SET status = 'picked_up', updated_at = now()
			WHERE partner = $1 AND direction = 'out' AND status = 'awaiting_pickup' AND outbound_file = ANY($2)
			RETURNING id`, partner, files)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO message_history (message_id, from_status, to_status, actor, note)
			SELECT unnest($1::bigint[]), 'awaiting_pickup', 'picked_up', $2, 'acknowledged by partner in a file'`, done, partner); err != nil {
			return fmt.Errorf("exchange: history: %w", err)
		}
		acked = len(files)
		return nil
	})
	return acked, err
}
