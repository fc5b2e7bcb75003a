package processing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange/base"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// CompleteWith ends the processing of message id like Complete, except that
// fn decides the final status and note inside the transaction (the rules
// learn what to do only once they have read the registry under lock).
func (s *Store) CompleteWith(ctx context.Context, id int64, fn func(q Querier) (Status, string, error)) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var cur Status
		var owner *string
		err := tx.QueryRow(ctx, `SELECT status, lease_owner FROM messages WHERE id = $1 FOR UPDATE`, id).Scan(&cur, &owner)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: message %d", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("exchange: complete %d: %w", id, err)
		}
		if cur != StatusProcessing {
			return fmt.Errorf("%w: message %d is %s, not processing", ErrState, id, cur)
		}
		status, note, err := fn(tx)
		if err != nil {
			return err
		}
		if !completionStatuses[status] {
			return fmt.Errorf("%w: processing cannot end in status %q", ErrInvalid, status)
		}
		actor := "worker"
		if owner != nil {
			actor = *owner
		}
		if _, err := tx.Exec(ctx, `UPDATE messages SET status = $2, lease_owner = NULL, lease_expires_at = NULL,
			updated_at = now() WHERE id = $1`, id, string(status)); err != nil {
			return fmt.Errorf("exchange: complete %d: %w", id, err)
		}
		return addHistory(ctx, tx, id, StatusProcessing, status, actor, truncate(note, 2000))
	})
}

// Release hands a leased outbox item back without counting the attempt: the
// courier did not try (partner paused, circuit open).
func (s *Store) Release(ctx context.Context, id int64, reason string, next time.Time) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, _, err := outboxTransition(ctx, tx, id, []base.OutboxState{base.OutboxLeased}, base.OutboxPending,
			"next_attempt_at = $3, last_error = $4, attempts = greatest(attempts - 1, 0)", next, truncate(reason, 2000))
		return err
	})
}

// HashSSN returns the matching key of an SSN under the store's HMAC key.
func (s *Store) HashSSN(ssn canonical.SSN) []byte { return s.keys.HashSSN(ssn) }

// Responses lists the outbound messages that answer the inbound message a
// partner sent with msgID, oldest first.
func (s *Store) Responses(ctx context.Context, msgID string) ([]Message, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+messageCols+` FROM messages WHERE direction = 'out' AND in_reply_to = $1
		ORDER BY id LIMIT 100`, msgID)
	if err != nil {
		return nil, fmt.Errorf("exchange: responses: %w", err)
	}
	return pgx.CollectRows(rows, scanMessage)
}

// IssuedReceipt returns the receipt we signed for inbound message id.
func (s *Store) IssuedReceipt(ctx context.Context, id int64) (Receipt, error) {
	var r Receipt
	var sum []byte
	err := s.pool.QueryRow(ctx, `SELECT r.receipt_id, m.partner, m.sender_message_id, r.body_sha256, r.received_at, r.jws
		FROM receipts r JOIN messages m ON m.id = r.message_id WHERE r.message_id = $1 AND r.kind = 'issued'`, id).
		Scan(&r.ID, &r.Partner, &r.MessageID, &sum, &r.ReceivedAt, &r.JWS)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	r.BodySHA256 = fmt.Sprintf("%x", sum)
	return r, err
}
