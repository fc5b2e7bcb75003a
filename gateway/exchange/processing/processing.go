package processing

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ClaimReceived moves up to limit received messages, oldest first, to
// processing under owner's lease and returns them (SSNs masked in Tx).
// Messages locked by another claimer are skipped.
func (s *Store) ClaimReceived(ctx context.Context, owner string, limit int) ([]Message, error) {
	if owner == "" || limit <= 0 {
		return nil, fmt.Errorf("%w: owner and a positive limit are required", ErrInvalid)
	}
	var msgs []Message
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH picked AS (
				SELECT id FROM messages WHERE status = 'received' ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
			)
			UPDATE messages m SET status = 'processing', lease_owner = $1,
				lease_expires_at = now() + make_interval(secs => $3), updated_at = now()
			FROM picked WHERE m.id = picked.id
			RETURNING `+qualified("m", messageCols), owner, limit, s.cfg.processingLease.Seconds())
		if err != nil {
			return fmt.Errorf("exchange: claim received: %w", err)
		}
		msgs, err = pgx.CollectRows(rows, scanMessage)
		if err != nil {
			return fmt.Errorf("exchange: claim received: %w", err)
		}
		if len(msgs) == 0 {
			return nil
		}
		ids := make([]int64, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO message_history (message_id, from_status, to_status, actor, note)
			SELECT unnest($1::bigint[]), 'received', 'processing', $2, ''`, ids, owner); err != nil {
			return fmt.Errorf("exchange: history: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// RETURNING yields the rows in no promised order.
	sortByID(msgs)
	return msgs, nil
}

// completionStatuses are where processing may leave a message.
var completionStatuses = map[Status]bool{
	StatusProcessed: true, StatusNeedsReview: true, StatusRefused: true, StatusResolved: true,
	StatusCancelled: true, StatusReceived: true, // received: give it back for another attempt
}

// Complete ends the processing of message id: in one transaction it runs fn
// (which may enqueue outbound messages, open review items or append audit
// entries through q) and sets status with a history note. The message must
// be in processing; the actor recorded is the lease owner.
func (s *Store) Complete(ctx context.Context, id int64, status Status, note string, fn func(q Querier) error) error {
	if !completionStatuses[status] {
		return fmt.Errorf("%w: processing cannot end in status %q", ErrInvalid, status)
	}
	return s.CompleteWith(ctx, id, func(q Querier) (Status, string, error) {
		if fn != nil {
			if err := fn(q); err != nil {
				return "", "", err
			}
		}
		return status, note, nil
	})
}

// SetStatus moves a message to status outside processing (staff resolving a
// review, cancelling a queued message) and records who and why.
func (s *Store) SetStatus(ctx context.Context, q Querier, id int64, status Status, actor, note string) error {
	if !status.Valid() {
		return fmt.Errorf("%w: status %q", ErrInvalid, status)
	}
	return within(ctx, q, func(tx pgx.Tx) error {
		if status == StatusCancelled {
			// A cancelled message must not be sent afterwards.
			if _, err := tx.Exec(ctx, `UPDATE outbox SET state = 'dead', last_error = 'cancelled', updated_at = now()
				WHERE message_id = $1 AND state = 'pending'`, id); err != nil {
				return fmt.Errorf("exchange: cancel outbox: %w", err)
			}
		}
		return setMessageStatus(ctx, tx, id, status, actor, note)
	})
}
