package messages

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnqueueOutbound stores an outgoing message and queues it: an outbox row for
// a push partner, status awaiting_pickup for a pull partner. It runs in q,
// so passing the caller's pgx.Tx commits the message with the decision that
// produced it; ChannelOutbox is notified on commit.
//
// It is idempotent on (partner, message id): enqueuing the same message again
// returns the first id; the same id with a different body is ErrConflict.
func (s *Store) EnqueueOutbound(ctx context.Context, q Querier, out Outbound) (int64, error) {
	if out.Partner == "" || out.MessageID == "" || len(out.Raw) == 0 {
		return 0, fmt.Errorf("%w: partner, message id and body are required", ErrInvalid)
	}
	status := StatusQueued
	if out.Pull && !out.Batch {
		status = StatusAwaitingPickup
	}
	inReplyTo := out.InReplyTo
	if inReplyTo == "" {
		inReplyTo = out.Tx.Header.InReplyTo
	}
	key := out.OrderingKey
	if key == "" {
		key = out.Tx.Header.SenderCaseID
	}
	if key == "" {
		key = "msg:" + out.MessageID
	}
	m := newMessage{
		dir: DirOut, partner: out.Partner, msgID: out.MessageID, format: out.Format, contentType: out.ContentType,
		tx: out.Tx, raw: out.Raw, status: status, inReplyTo: inReplyTo, traceID: out.TraceID, createdAt: time.Now(),
	}
	p, err := s.prepare(m)
	if err != nil {
		return 0, err
	}
	var id int64
	err = within(ctx, q, func(tx pgx.Tx) error {
		var inserted bool
		if id, inserted, err = insertMessage(ctx, tx, m, p); err != nil {
			return err
		}
		if !inserted {
			var stored []byte
			err := tx.QueryRow(ctx, `SELECT id, body_sha256 FROM messages
				WHERE partner = $1 AND direction = 'out' AND sender_message_id = $2`, out.Partner, out.MessageID).Scan(&id, &stored)
			if err != nil {
				return fmt.Errorf("exchange: existing outbound message: %w", err)
			}
			if string(stored) != string(p.sum[:]) {
				return fmt.Errorf("%w: outbound %s to %s", ErrConflict, out.MessageID, out.Partner)
			}
			return nil
		}
		if err := addHistory(ctx, tx, id, "", status, "enqueue", ""); err != nil {
			return err
		}
		if err := s.storePII(ctx, tx, id, p.ssns, p.dobs); err != nil {
			return err
		}
		if out.Batch {
			if _, err := tx.Exec(ctx, `INSERT INTO eiwo_batch_items (message_id, partner) VALUES ($1, $2)`, id, out.Partner); err != nil {
				return fmt.Errorf("exchange: e-IWO batch: %w", err)
			}
		} else if !out.Pull {
			next := out.NotBefore
			if next.IsZero() {
				next = time.Now()
			}
			if _, err := tx.Exec(ctx, `INSERT INTO outbox (message_id, partner, ordering_key, next_attempt_at)
				VALUES ($1, $2, $3, $4)`, id, out.Partner, key, next); err != nil {
				return fmt.Errorf("exchange: outbox: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelOutbox, out.Partner); err != nil {
			return fmt.Errorf("exchange: notify: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}
