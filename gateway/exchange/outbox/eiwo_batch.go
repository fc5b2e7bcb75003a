package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// HeldDocument is an e-IWO document waiting for its employer's file.
type HeldDocument struct {
	MessageID   int64
	SenderMsgID string // the tracking number
	Raw         []byte
}

// FileBuilder frames an employer's held documents into one file, in q (the
// transaction that marks them sent in it): it draws the control numbers and
// returns the file to enqueue.
type FileBuilder func(ctx context.Context, q Querier, partner string, docs []HeldDocument) (Outbound, error)

// BuildEIWOFiles sends, for every employer whose oldest held document has
// waited window or longer, all of that employer's held documents in one file:
// the file is enqueued like any outbound message (push or pull), and each
// document is marked as carried by it, in one transaction per employer.
// Replicas share the work: an employer's documents locked by another replica
// are skipped. It returns the number of files built.
func (s *Store) BuildEIWOFiles(ctx context.Context, window time.Duration, build FileBuilder) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT partner FROM eiwo_batch_items WHERE file_message IS NULL
		GROUP BY partner HAVING min(created_at) <= now() - make_interval(secs => $1) ORDER BY partner`, window.Seconds())
	if err != nil {
		return 0, fmt.Errorf("exchange: e-IWO batches: %w", err)
	}
	due, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("exchange: e-IWO batches: %w", err)
	}
	files := 0
	for _, partner := range due {
		built := false
		err := s.tx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT b.message_id, m.sender_message_id, m.raw_sealed, m.direction
				FROM eiwo_batch_items b JOIN messages m ON m.id = b.message_id
				WHERE b.partner = $1 AND b.file_message IS NULL
				ORDER BY b.message_id FOR UPDATE OF b SKIP LOCKED`, partner)
			if err != nil {
				return err
			}
			var docs []HeldDocument
			for rows.Next() {
				var d HeldDocument
				var sealed []byte
				var dir string
				if err := rows.Scan(&d.MessageID, &d.SenderMsgID, &sealed, &dir); err != nil {
					rows.Close()
					return err
				}
				if d.Raw, err = s.keys.Open(sealed, rawAAD(partner, Direction(dir), d.SenderMsgID)); err != nil {
					rows.Close()
					return fmt.Errorf("raw body of message %d: %w", d.MessageID, err)
				}
				docs = append(docs, d)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(docs) == 0 {
				return nil // another replica took them
			}
			out, err := build(ctx, tx, partner, docs)
			if err != nil {
				return err
			}
			fileID, err := s.EnqueueOutbound(ctx, tx, out)
			if err != nil {
				return err
			}
			for _, d := range docs {
				if _, err := tx.Exec(ctx, `UPDATE eiwo_batch_items SET file_message = $2 WHERE message_id = $1`, d.MessageID, fileID); err != nil {
					return err
				}
				if err := addHistory(ctx, tx, d.MessageID, StatusQueued, StatusQueued, "eiwo-batch",
					fmt.Sprintf("sent in e-IWO file %s (message %d); the file's delivery is tracked on it", out.MessageID, fileID)); err != nil {
					return err
				}
			}
			built = true
			return nil
		})
		if err != nil {
			return files, fmt.Errorf("exchange: e-IWO file for %s: %w", partner, err)
		}
		if built {
			files++
		}
	}
	return files, nil
}
