package reviewdb

// Queries and staff actions of the review UI (gateway/review). They live in
// the exchange package because they change messages, the outbox and review
// items, whose invariants this package owns; migration 003 adds what they need.

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// SearchMessages is ListMessages for staff: the same keyset pagination
// (newest first, cursor from the previous page) over a StaffFilter.
func (s *Store) SearchMessages(ctx context.Context, f StaffFilter, p Page) ([]Message, string, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := f.Where(arg)
	return s.pageMessages(ctx, where, args, p, "search messages")
}

// CaseMessages returns the messages whose sender or receiver case id is
// caseID, oldest first, with their canonical form (SSNs masked).
func (s *Store) CaseMessages(ctx context.Context, caseID string, limit int) ([]Message, error) {
	if caseID == "" {
		return nil, fmt.Errorf("%w: case id is required", ErrInvalid)
	}
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	rows, err := s.pool.Query(ctx, `SELECT * FROM (
			SELECT `+messageCols+` FROM messages WHERE sender_case_id = $1 OR receiver_case_id = $1
			ORDER BY created_at DESC, id DESC LIMIT $2) recent
		ORDER BY created_at, id`, caseID, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: case messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanMessage)
	if err != nil {
		return nil, fmt.Errorf("exchange: case messages: %w", err)
	}
	return out, nil
}

// StatusCounts returns how many messages are in each status, from the
// counters migration 003 maintains; unlike CountByStatus it does not scan
// the messages table, so it stays fast however large the table grows.
func (s *Store) StatusCounts(ctx context.Context) (map[Status]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, sum(delta)::bigint, count(*) FROM message_status_deltas GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("exchange: status counts: %w", err)
	}
	out := map[Status]int64{}
	var st Status
	var n, parts int64
	var total int64
	_, err = pgx.ForEachRow(rows, []any{&st, &n, &parts}, func() error {
		if n != 0 {
			out[st] = n
		}
		total += parts
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: status counts: %w", err)
	}
	// Readers keep the table small even when no worker runs compaction.
	if total > 20000 {
		if _, err := s.CompactStatusCounts(ctx); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CompactStatusCounts folds the status count deltas into one row per status
// and reports how many rows it removed. Rows of transactions still in flight
// are not visible to it and are folded next time, so it is safe to run at
// any moment, from any number of replicas.
func (s *Store) CompactStatusCounts(ctx context.Context) (int64, error) {
	var removed int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// One compactor at a time, or two could fold the same rows twice.
		var got bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, countsLockKey).Scan(&got); err != nil {
			return fmt.Errorf("exchange: compact counts: %w", err)
		}
		if !got {
			return nil
		}
		return tx.QueryRow(ctx, `
			WITH gone AS (DELETE FROM message_status_deltas RETURNING status, delta),
			folded AS (
				INSERT INTO message_status_deltas (status, delta)
				SELECT status, sum(delta) FROM gone GROUP BY status HAVING sum(delta) <> 0
				RETURNING 1)
			SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded)`).Scan(&removed)
	})
	if err != nil {
		return 0, fmt.Errorf("exchange: compact counts: %w", err)
	}
	return removed, nil
}

const countsLockKey int64 = 0x75696673_636e7473 // "uifscnts"

// OpenReviewItems lists open and assigned review items, newest first;
// kind "" lists every kind.
func (s *Store) OpenReviewItems(ctx context.Context, kind string, limit int) ([]ReviewItem, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := s.pool.Query(ctx, `SELECT `+reviewCols+` FROM review_items
		WHERE state <> 'resolved' AND ($1 = '' OR kind = $1) ORDER BY created_at DESC, id DESC LIMIT $2`, kind, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: open review items: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanReview)
	if err != nil {
		return nil, fmt.Errorf("exchange: open review items: %w", err)
	}
	return out, nil
}

// ReviewItemsFor returns the review items about any of the messages ids, oldest first.
func (s *Store) ReviewItemsFor(ctx context.Context, ids []int64) ([]ReviewItem, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+reviewCols+` FROM review_items WHERE message_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("exchange: review items: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanReview)
	if err != nil {
		return nil, fmt.Errorf("exchange: review items: %w", err)
	}
	return out, nil
}

// GetReviewItem returns one review item, locked FOR UPDATE when q is a transaction.
func GetReviewItem(ctx context.Context, q Querier, id int64) (ReviewItem, error) {
	rows, err := q.Query(ctx, `SELECT `+reviewCols+` FROM review_items WHERE id = $1 FOR UPDATE`, id)
	if err != nil {
		return ReviewItem{}, fmt.Errorf("exchange: review item: %w", err)
	}
	it, err := pgx.CollectExactlyOneRow(rows, scanReview)
	if errors.Is(err, pgx.ErrNoRows) {
		return ReviewItem{}, fmt.Errorf("%w: review item %d", ErrNotFound, id)
	}
	if err != nil {
		return ReviewItem{}, fmt.Errorf("exchange: review item: %w", err)
	}
	return it, nil
}

// ResolveOpenReviewItems resolves every unresolved review item of message id
// and reports how many it closed.
func ResolveOpenReviewItems(ctx context.Context, q Querier, messageID int64, actor, resolution string) (int64, error) {
	tag, err := q.Exec(ctx, `UPDATE review_items SET state = 'resolved', resolution = $2, assigned_to = $3,
		resolved_at = now(), updated_at = now() WHERE message_id = $1 AND state <> 'resolved'`,
		messageID, truncate(resolution, 2000), actor)
	if err != nil {
		return 0, fmt.Errorf("exchange: resolve review items: %w", err)
	}
	return tag.RowsAffected(), nil
}

// LockMessage returns message id's direction and status, locking its row
// for the rest of q's transaction.
func LockMessage(ctx context.Context, q Querier, id int64) (Direction, Status, error) {
	var dir Direction
	var st Status
	err := q.QueryRow(ctx, `SELECT direction, status FROM messages WHERE id = $1 FOR UPDATE`, id).Scan(&dir, &st)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", fmt.Errorf("%w: message %d", ErrNotFound, id)
	}
	if err != nil {
		return "", "", fmt.Errorf("exchange: lock message %d: %w", id, err)
	}
	return dir, st, nil
}

// reprocessable are the statuses staff may send a message back from; a
// message a worker or sender holds right now (processing, sending) is not.
var reprocessable = map[Direction]map[Status]bool{
	DirIn: {StatusNeedsReview: true, StatusRefused: true, StatusProcessed: true, StatusResolved: true,
		StatusCancelled: true, StatusDeadLetter: true},
	DirOut: {StatusNeedsReview: true, StatusDeadLetter: true, StatusCancelled: true, StatusResolved: true},
}

// Reprocess sends message id round again, in q: an inbound message goes back
// to received for the processors (who are woken), an outbound one gets a new
// outbox attempt (Requeue). It returns the new status, or ErrState when the
// message is in flight or already waiting.
func Reprocess(ctx context.Context, q Querier, id int64, actor, note string) (Status, error) {
	var to Status
	err := within(ctx, q, func(tx pgx.Tx) error {
		dir, cur, err := LockMessage(ctx, tx, id)
		if err != nil {
			return err
		}
		if !reprocessable[dir][cur] {
			return fmt.Errorf("%w: %s message %d is %s", ErrState, dir, id, cur)
		}
		if dir == DirOut {
			to, err = requeue(ctx, tx, id, actor, note)
			return err
		}
		to = StatusReceived
		if err := setMessageStatus(ctx, tx, id, StatusReceived, actor, note); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelReceived, strconv.FormatInt(id, 10)); err != nil {
			return fmt.Errorf("exchange: notify: %w", err)
		}
		return nil
	})
	return to, err
}

// resendable are the statuses an outbound message may be sent again from.
var resendable = map[Status]bool{
	StatusDelivered: true, StatusPickedUp: true, StatusDeadLetter: true, StatusCancelled: true,
	StatusNeedsReview: true, StatusResolved: true, StatusAwaitingPickup: true,
}

// Requeue gives outbound message id a new delivery attempt, in q: a fresh
// outbox attempt for a push partner (attempts start again from zero), back
// into the inbox for a pull partner. It returns the new status.
func Requeue(ctx context.Context, q Querier, id int64, actor, note string) (Status, error) {
	var to Status
	err := within(ctx, q, func(tx pgx.Tx) error {
		dir, cur, err := LockMessage(ctx, tx, id)
		if err != nil {
			return err
		}
		if dir != DirOut {
			return fmt.Errorf("%w: message %d is inbound; only outbound messages are resent", ErrState, id)
		}
		if !resendable[cur] {
			return fmt.Errorf("%w: outbound message %d is %s", ErrState, id, cur)
		}
		to, err = requeue(ctx, tx, id, actor, note)
		return err
	})
	return to, err
}

func requeue(ctx context.Context, tx pgx.Tx, id int64, actor, note string) (Status, error) {
	var partner, state string
	err := tx.QueryRow(ctx, `SELECT partner, state FROM outbox WHERE message_id = $1 FOR UPDATE`, id).Scan(&partner, &state)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// No outbox row: the message went to a pull partner's inbox. Clearing
		// the inbox position lists it again after the partner's cursor.
		if _, err := tx.Exec(ctx, `UPDATE messages SET inbox_seq = NULL WHERE id = $1`, id); err != nil {
			return "", fmt.Errorf("exchange: requeue %d: %w", id, err)
		}
		return StatusAwaitingPickup, setMessageStatus(ctx, tx, id, StatusAwaitingPickup, actor, note)
	case err != nil:
		return "", fmt.Errorf("exchange: requeue %d: %w", id, err)
	case state == "leased":
		return "", fmt.Errorf("%w: outbound message %d is being sent right now", ErrState, id)
	}
	if _, err := tx.Exec(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = now(),
		last_error = '', lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE message_id = $1`, id); err != nil {
		return "", fmt.Errorf("exchange: requeue %d: %w", id, err)
	}
	if err := setMessageStatus(ctx, tx, id, StatusQueued, actor, note); err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChannelOutbox, partner); err != nil {
		return "", fmt.Errorf("exchange: notify: %w", err)
	}
	return StatusQueued, nil
}

// AuditEntries returns audit records newest first, those with id below
// before (0: from the newest).
func (s *Store) AuditEntries(ctx context.Context, before int64, limit int) ([]AuditRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `SELECT `+auditCols+`
		FROM audit_log WHERE $1 = 0 OR id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: audit entries: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanAudit)
	if err != nil {
		return nil, fmt.Errorf("exchange: audit entries: %w", err)
	}
	return out, nil
}
