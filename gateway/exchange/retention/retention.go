package retention

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Retention is the policy: how long bodies (with their SSNs) and whole
// messages are kept. Zero keeps forever.
type Retention struct {
	RawBodies time.Duration
	Messages  time.Duration
	// Batch bounds the rows one step touches, so a first run over years of
	// data never holds long locks.
	Batch int
}

// RetentionResult counts what one run did.
type RetentionResult struct {
	BodiesErased    int64
	MessagesDeleted int64
}

// terminal are the statuses a message may be erased or deleted in: nothing
// is left to do with it.
var terminal = []string{"processed", "delivered", "picked_up", "resolved", "cancelled", "refused"}

// retentionLockKey makes the retention job a singleton across replicas.
const retentionLockKey int64 = 0x75696673_72657465 // "uifsrete"

// RunRetention applies the policy once, in batches, if no other replica is
// running it (a session advisory lock); ran is false when another holds it.
func (s *Store) RunRetention(ctx context.Context, p Retention) (res RetentionResult, ran bool, err error) {
	if p.Batch <= 0 {
		p.Batch = 1000
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return res, false, err
	}
	defer conn.Release()
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, retentionLockKey).Scan(&ran); err != nil || !ran {
		return res, false, err
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, retentionLockKey)
	}()
	if p.RawBodies > 0 {
		for {
			var n int64
			err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				rows, err := tx.Query(ctx, `
					WITH old AS (
						SELECT id FROM messages WHERE raw_erased_at IS NULL AND created_at < now() - make_interval(secs => $1)
						  AND status = ANY($2) ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
					UPDATE messages m SET raw_sealed = '\x'::bytea, raw_erased_at = now() FROM old WHERE m.id = old.id
					RETURNING m.id`, p.RawBodies.Seconds(), terminal, p.Batch)
				if err != nil {
					return err
				}
				ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
				if err != nil {
					return err
				}
				n = int64(len(ids))
				if n == 0 {
					return nil
				}
				_, err = tx.Exec(ctx, `DELETE FROM message_ssns WHERE message_id = ANY($1)`, ids)
				return err
			})
			if err != nil {
				return res, true, fmt.Errorf("exchange: retention (bodies): %w", err)
			}
			res.BodiesErased += n
			if n < int64(p.Batch) {
				break
			}
		}
	}
	if p.Messages > 0 {
		for {
			var n int64
			err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				rows, err := tx.Query(ctx, `SELECT id FROM messages WHERE created_at < now() - make_interval(secs => $1)
					AND status = ANY($2) AND NOT EXISTS (SELECT 1 FROM review_items r WHERE r.message_id = messages.id AND r.state <> 'resolved')
					ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`, p.Messages.Seconds(), terminal, p.Batch)
				if err != nil {
					return err
				}
				ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
				if err != nil || len(ids) == 0 {
					return err
				}
				// Registry rows outlive the messages that told us of them.
				for _, q := range []string{
					`UPDATE support_orders SET source_message = NULL WHERE source_message = ANY($1)`,
					`DELETE FROM support_order_sources WHERE message_id = ANY($1)`,
					`UPDATE iwos SET request_message = NULL WHERE request_message = ANY($1)`,
					`UPDATE iwos SET document_message = NULL WHERE document_message = ANY($1)`,
					`DELETE FROM review_items WHERE message_id = ANY($1)`,
					`DELETE FROM message_ssns WHERE message_id = ANY($1)`,
					`DELETE FROM person_keys WHERE message_id = ANY($1)`,
					`DELETE FROM outbox WHERE message_id = ANY($1)`,
					`DELETE FROM receipts WHERE message_id = ANY($1)`,
					`DELETE FROM message_history WHERE message_id = ANY($1)`,
					`DELETE FROM messages WHERE id = ANY($1)`,
				} {
					if _, err := tx.Exec(ctx, q, ids); err != nil {
						return err
					}
				}
				n = int64(len(ids))
				return nil
			})
			if err != nil {
				return res, true, fmt.Errorf("exchange: retention (messages): %w", err)
			}
			res.MessagesDeleted += n
			if n < int64(p.Batch) {
				break
			}
		}
	}
	return res, true, nil
}
