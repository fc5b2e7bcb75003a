package reviewdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AddReviewItem opens a review item in q (usually the transaction of the
// decision that needs a person) and returns its id.
func AddReviewItem(ctx context.Context, q Querier, it ReviewItem) (int64, error) {
	if it.Kind == "" {
		return 0, fmt.Errorf("%w: review item kind is required", ErrInvalid)
	}
	ev := []byte("{}")
	if it.Evidence != nil {
		b, err := json.Marshal(it.Evidence)
		if err != nil {
			return 0, fmt.Errorf("exchange: review evidence: %w", err)
		}
		ev = b
	}
	var msg *int64
	if it.MessageID != 0 {
		msg = &it.MessageID
	}
	var id int64
	if err := q.QueryRow(ctx, `INSERT INTO review_items (message_id, kind, evidence) VALUES ($1, $2, $3) RETURNING id`,
		msg, it.Kind, ev).Scan(&id); err != nil {
		return 0, fmt.Errorf("exchange: add review item: %w", err)
	}
	return id, nil
}

const reviewCols = "id, coalesce(message_id, 0), kind, state, evidence, assigned_to, resolution, created_at, updated_at, resolved_at"

func scanReview(row pgx.CollectableRow) (ReviewItem, error) {
	var it ReviewItem
	var ev []byte
	var resolved *time.Time
	err := row.Scan(&it.ID, &it.MessageID, &it.Kind, &it.State, &ev, &it.AssignedTo, &it.Resolution,
		&it.CreatedAt, &it.UpdatedAt, &resolved)
	if resolved != nil {
		it.ResolvedAt = *resolved
	}
	it.Evidence = json.RawMessage(ev)
	return it, err
}

// ReviewItems returns the review items about message id, oldest first.
func (s *Store) ReviewItems(ctx context.Context, messageID int64) ([]ReviewItem, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+reviewCols+` FROM review_items WHERE message_id = $1 ORDER BY id`, messageID)
	if err != nil {
		return nil, fmt.Errorf("exchange: review items: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanReview)
	if err != nil {
		return nil, fmt.Errorf("exchange: review items: %w", err)
	}
	return out, nil
}

// ResolveReviewItem closes a review item with a resolution; resolving one
// that is already resolved is ErrState.
func ResolveReviewItem(ctx context.Context, q Querier, id int64, actor, resolution string) error {
	tag, err := q.Exec(ctx, `UPDATE review_items SET state = 'resolved', resolution = $2, assigned_to = $3,
		resolved_at = now(), updated_at = now() WHERE id = $1 AND state <> 'resolved'`, id, resolution, actor)
	if err != nil {
		return fmt.Errorf("exchange: resolve review item: %w", err)
	}
	if tag.RowsAffected() == 0 {
		var state string
		if err := q.QueryRow(ctx, `SELECT state FROM review_items WHERE id = $1`, id).Scan(&state); errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: review item %d", ErrNotFound, id)
		}
		return fmt.Errorf("%w: review item %d is already resolved", ErrState, id)
	}
	return nil
}
