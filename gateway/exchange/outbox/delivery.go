package outbox

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange/reviewdb"
)

// ClaimOutbox leases up to limit due outbox items to owner for lease. Only
// the oldest open item of each (partner, ordering key) is eligible, so the
// messages of one case reach a partner in the order they were enqueued, and
// a message waiting for a retry holds back the ones behind it. Rows locked by
// another claimer are skipped, never waited for.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, limit int, lease time.Duration) ([]OutboxItem, error) {
	if owner == "" || limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("%w: owner, a positive limit and a positive lease are required", ErrInvalid)
	}
	var items []OutboxItem
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH picked AS (
				SELECT o.message_id FROM outbox o
				WHERE o.state = 'pending' AND o.next_attempt_at <= now()
				  AND NOT EXISTS (
					SELECT 1 FROM outbox e
					WHERE e.partner = o.partner AND e.ordering_key = o.ordering_key
					  AND e.state IN ('pending', 'leased') AND e.message_id < o.message_id)
				ORDER BY o.next_attempt_at, o.message_id
				LIMIT $2
				FOR UPDATE SKIP LOCKED
			), leased AS (
				UPDATE outbox o SET state = 'leased', lease_owner = $1,
					lease_expires_at = now() + make_interval(secs => $3), attempts = o.attempts + 1, updated_at = now()
				FROM picked WHERE o.message_id = picked.message_id
				RETURNING o.message_id, o.ordering_key, o.attempts, o.lease_expires_at
			)
			UPDATE messages m SET status = 'sending', updated_at = now()
			FROM leased WHERE m.id = leased.message_id
			RETURNING m.id, m.partner, m.sender_message_id, m.format, m.content_type, m.raw_sealed,
				m.body_sha256, m.trace_id, m.in_reply_to, leased.ordering_key, leased.attempts, leased.lease_expires_at, m.function`,
			owner, limit, lease.Seconds())
		if err != nil {
			return fmt.Errorf("exchange: claim outbox: %w", err)
		}
		var ids []int64
		items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (OutboxItem, error) {
			var it OutboxItem
			var sealed, sum []byte
			if err := row.Scan(&it.MessageID, &it.Partner, &it.SenderMsgID, &it.Format, &it.ContentType, &sealed,
				&sum, &it.TraceID, &it.InReplyTo, &it.OrderingKey, &it.Attempts, &it.LeaseExpiresAt, &it.Function); err != nil {
				return it, err
			}
			raw, err := s.keys.Open(sealed, rawAAD(it.Partner, DirOut, it.SenderMsgID))
			if err != nil {
				return it, fmt.Errorf("message %d: %w", it.MessageID, err)
			}
			it.Raw, it.BodySHA256 = raw, hex.EncodeToString(sum)
			ids = append(ids, it.MessageID)
			return it, nil
		})
		if err != nil {
			return fmt.Errorf("exchange: claim outbox: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO message_history (message_id, from_status, to_status, actor, note)
			SELECT unnest($1::bigint[]), 'queued', 'sending', $2, ''`, ids, owner); err != nil {
			return fmt.Errorf("exchange: history: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// MarkDelivered records that the partner accepted outbound message id and
// keeps its signed receipt (empty when the partner signs none). A lease that
// expired meanwhile does not matter: the message did arrive.
func (s *Store) MarkDelivered(ctx context.Context, id int64, receiptJWS string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, _, err := outboxTransition(ctx, tx, id, []OutboxState{OutboxLeased, OutboxPending}, OutboxDelivered, ""); err != nil {
			return err
		}
		if err := setMessageStatus(ctx, tx, id, StatusDelivered, "courier", ""); err != nil {
			return err
		}
		if receiptJWS == "" {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO receipts (receipt_id, message_id, kind, jws, body_sha256, received_at)
			SELECT $1, id, 'received', $2, body_sha256, now() FROM messages WHERE id = $3`, newID("rcpt"), receiptJWS, id)
		if err != nil {
			return fmt.Errorf("exchange: store partner receipt: %w", err)
		}
		return nil
	})
}

// MarkRetry hands a leased item back to the queue, due again at next.
func (s *Store) MarkRetry(ctx context.Context, id int64, errText string, next time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, _, err := outboxTransition(ctx, tx, id, []OutboxState{OutboxLeased}, OutboxPending,
			"next_attempt_at = $3, last_error = $4", next, truncate(errText, 2000)); err != nil {
			return err
		}
		return setMessageStatus(ctx, tx, id, StatusQueued, "courier", "retry at "+next.UTC().Format(time.RFC3339)+": "+errText)
	})
}

// MarkDeadLetter gives up on a leased item and opens a review item for it.
// Later messages of the same case are no longer held back by it.
func (s *Store) MarkDeadLetter(ctx context.Context, id int64, errText string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		partner, attempts, err := outboxTransition(ctx, tx, id, []OutboxState{OutboxLeased}, OutboxDead,
			"last_error = $3", truncate(errText, 2000))
		if err != nil {
			return err
		}
		if err := setMessageStatus(ctx, tx, id, StatusDeadLetter, "courier", errText); err != nil {
			return err
		}
		ev, _ := json.Marshal(map[string]any{"error": truncate(errText, 2000), "attempts": attempts, "partner": partner})
		_, err = reviewdb.AddReviewItem(ctx, tx, ReviewItem{MessageID: id, Kind: "dead_letter", Evidence: json.RawMessage(ev)})
		return err
	})
}

// RescueExpiredLeases returns to their queues the outbox items and inbound
// messages whose worker's lease ran out (a crashed or stuck replica), and
// reports how many it moved.
func (s *Store) RescueExpiredLeases(ctx context.Context) (int, error) {
	var n int
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH expired AS (
				UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL,
					next_attempt_at = now(), updated_at = now()
				WHERE message_id IN (SELECT message_id FROM outbox
					WHERE state = 'leased' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED)
				RETURNING message_id
			)
			UPDATE messages m SET status = 'queued', updated_at = now()
			FROM expired WHERE m.id = expired.message_id AND m.status = 'sending'
			RETURNING m.id`)
		if err != nil {
			return fmt.Errorf("exchange: rescue outbox: %w", err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("exchange: rescue outbox: %w", err)
		}
		rows, err = tx.Query(ctx, `
			UPDATE messages SET status = 'received', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
			WHERE id IN (SELECT id FROM messages WHERE status = 'processing' AND lease_expires_at < now()
				FOR UPDATE SKIP LOCKED)
			RETURNING id`)
		if err != nil {
			return fmt.Errorf("exchange: rescue processing: %w", err)
		}
		in, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("exchange: rescue processing: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO message_history (message_id, from_status, to_status, actor, note)
			SELECT unnest($1::bigint[]), 'sending', 'queued', 'rescuer', 'lease expired'
			UNION ALL
			SELECT unnest($2::bigint[]), 'processing', 'received', 'rescuer', 'lease expired'`, out, in); err != nil {
			return fmt.Errorf("exchange: history: %w", err)
		}
		n = len(out) + len(in)
		return nil
	})
	return n, err
}
