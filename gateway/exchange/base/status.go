package base

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OutboxTransition moves one outbox item out of the states in from, or
// returns ErrNotFound / ErrState.
func OutboxTransition(ctx context.Context, tx pgx.Tx, id int64, from []OutboxState, to OutboxState, set string, args ...any) (partner string, attempts int, err error) {
	states := make([]string, len(from))
	for i, st := range from {
		states[i] = string(st)
	}
	// to is one of the OutboxState constants, never input, so it may stand
	// in the statement; set's own arguments start at $3.
	assign := "state = '" + string(to) + "'"
	if set != "" {
		assign += ", " + set
	}
	err = tx.QueryRow(ctx, `UPDATE outbox SET `+assign+`, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
		WHERE message_id = $1 AND state = ANY($2) RETURNING partner, attempts`,
		append([]any{id, states}, args...)...).Scan(&partner, &attempts)
	if errors.Is(err, pgx.ErrNoRows) {
		var state string
		if err := tx.QueryRow(ctx, `SELECT state FROM outbox WHERE message_id = $1`, id).Scan(&state); errors.Is(err, pgx.ErrNoRows) {
			return "", 0, fmt.Errorf("%w: outbox item %d", ErrNotFound, id)
		} else if err != nil {
			return "", 0, fmt.Errorf("exchange: outbox item %d: %w", id, err)
		}
		return "", 0, fmt.Errorf("%w: outbox item %d is %s", ErrState, id, state)
	}
	if err != nil {
		return "", 0, fmt.Errorf("exchange: outbox item %d: %w", id, err)
	}
	return partner, attempts, nil
}

// SetMessageStatus moves message id to status to and records the change.
func SetMessageStatus(ctx context.Context, q Querier, id int64, to Status, actor, note string) error {
	var from Status
	err := q.QueryRow(ctx, `UPDATE messages m SET status = $2, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
		FROM (SELECT id, status FROM messages WHERE id = $1 FOR UPDATE) old
		WHERE m.id = old.id RETURNING old.status`, id, string(to)).Scan(&from)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: message %d", ErrNotFound, id)
	}
	if err != nil {
		return fmt.Errorf("exchange: set status of %d: %w", id, err)
	}
	return AddHistory(ctx, q, id, from, to, actor, note)
}
