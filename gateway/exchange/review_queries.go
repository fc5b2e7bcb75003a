package exchange

// Queries and staff actions of the review UI (gateway/review). They live in
// the exchange package because they change messages, the outbox and review
// items, whose invariants this package owns; migration 003 adds what they need.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// StaffFilter is what staff filter the queue by: the store's Filter plus the
// action code and a free-text term. Text matches metadata only, never bodies:
// the sender's message id (exactly or as a prefix), either case id, the
// partner, or the message a reply answers.
type StaffFilter struct {
	Filter
	Action string `json:"action,omitempty"`
	Text   string `json:"text,omitempty"`
	// PartnerFold is the partner in any letter case ("nj" finds NJ).
	PartnerFold string `json:"partnerFold,omitempty"`
	// Name finds messages naming a person with every word of it (see NameKeys).
	Name string `json:"name,omitempty"`
	// AfterID keeps only messages stored after message AfterID.
	AfterID int64 `json:"afterId,omitempty"`
}

// staffFilterJSON is how a filter is kept in a bulk job row.
type staffFilterJSON struct {
	Direction Direction `json:"direction,omitempty"`
	Partner   string    `json:"partner,omitempty"`
	Statuses  []Status  `json:"statuses,omitempty"`
	Function  string    `json:"function,omitempty"`
	Action    string    `json:"action,omitempty"`
	CaseID    string    `json:"caseId,omitempty"`
	Text      string    `json:"text,omitempty"`
	Fold      string    `json:"partnerFold,omitempty"`
	Name      string    `json:"name,omitempty"`
	Since     time.Time `json:"since,omitzero"`
	Before    time.Time `json:"before,omitzero"`
}

func (f StaffFilter) toJSON() staffFilterJSON {
	return staffFilterJSON{Direction: f.Direction, Partner: f.Partner, Statuses: f.Statuses, Function: f.Function,
		Action: f.Action, CaseID: f.CaseID, Text: f.Text, Fold: f.PartnerFold, Name: f.Name, Since: f.Since, Before: f.Before}
}

func (j staffFilterJSON) filter() StaffFilter {
	return StaffFilter{Filter: Filter{Direction: j.Direction, Partner: j.Partner, Statuses: j.Statuses,
		Function: j.Function, CaseID: j.CaseID, Since: j.Since, Before: j.Before}, Action: j.Action, Text: j.Text,
		PartnerFold: j.Fold, Name: j.Name}
}

// likePrefix escapes a LIKE pattern so the term matches literally.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// where builds the conditions of f; arg appends a parameter and returns its placeholder.
func (f StaffFilter) where(arg func(any) string) []string {
	var where []string
	if f.Direction != "" {
		where = append(where, "direction = "+arg(string(f.Direction)))
	}
	if f.Partner != "" {
		// Partner IDs are lower case (partners.idPattern) and staff type
		// "NJ": the ID as typed, lower-cased or upper-cased, each an index
		// lookup (lower(partner) would not be).
		a := arg(f.Partner)
		where = append(where, "partner IN ("+a+", lower("+a+"), upper("+a+"))")
	}
	if f.PartnerFold != "" {
		// Same index-friendly form as Partner: IDs are stored lower case.
		a := arg(f.PartnerFold)
		where = append(where, "partner IN ("+a+", lower("+a+"), upper("+a+"))")
	}
	if keys := NameKeys(f.Name); len(keys) > 0 {
		where = append(where, "name_keys @> "+arg(keys)+"::text[]")
	}
	if f.AfterID > 0 {
		where = append(where, "id > "+arg(f.AfterID))
	}
	if len(f.Statuses) == 1 {
		// status = ANY of one value would match the same rows, but PostgreSQL
		// does not then read (status, created_at DESC, id DESC) in index
		// order: it fetches every message in the status and sorts them
		// (68 ms against 0.3 ms for a deep page of 10,000 waiting in 10
		// million, see docs/PERFORMANCE.md).
		where = append(where, "status = "+arg(string(f.Statuses[0])))
	} else if len(f.Statuses) > 1 {
		ss := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ss[i] = string(st)
		}
		where = append(where, "status = ANY("+arg(ss)+")")
	}
	if f.Function != "" {
		where = append(where, "function = "+arg(f.Function))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	if f.CaseID != "" {
		a := arg(f.CaseID)
		where = append(where, "(sender_case_id = "+a+" OR receiver_case_id = "+a+")")
	}
	if f.InReplyTo != "" {
		where = append(where, "in_reply_to = "+arg(f.InReplyTo))
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		a, p := arg(t), arg(likePrefix(t))
		// Each branch can use its own index; the planner ORs the bitmaps.
		where = append(where, "(sender_message_id LIKE "+p+" OR sender_case_id = "+a+" OR receiver_case_id = "+a+
			" OR partner = "+a+" OR in_reply_to = "+a+")")
	}
	if !f.Since.IsZero() {
		where = append(where, "created_at >= "+arg(f.Since))
	}
	if !f.Before.IsZero() {
		where = append(where, "created_at < "+arg(f.Before))
	}
	return where
}

// SearchMessages is ListMessages for staff: the same keyset pagination
// (newest first, cursor from the previous page) over a StaffFilter.
func (s *Store) SearchMessages(ctx context.Context, f StaffFilter, p Page) ([]Message, string, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := f.where(arg)
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

// CaseIWO is an e-IWO document of a case with the employer's answer.
type CaseIWO struct {
	IWORow
	AckReasons    []string
	AckNote       string
	AckOtherState string
	UpdatedAt     time.Time
}

// IWOsForCase lists the e-IWO documents of a case, oldest first.
func (s *Store) IWOsForCase(ctx context.Context, caseID string) ([]CaseIWO, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, case_id, employer_fein, employer_partner, doc_action, control_number,
		tracking_number, status, coalesce(order_id,0), coalesce(request_message,0), coalesce(document_message,0),
		initiating_partner, initiating_message_id, created_at, ack_reasons, ack_note, ack_other_state, updated_at
		FROM iwos WHERE case_id = $1 ORDER BY id LIMIT 500`, caseID)
	if err != nil {
		return nil, fmt.Errorf("exchange: case IWOs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CaseIWO, error) {
		var r CaseIWO
		err := row.Scan(&r.ID, &r.CaseID, &r.EmployerFEIN, &r.EmployerPartner, &r.DocAction, &r.ControlNumber,
			&r.TrackingNumber, &r.Status, &r.OrderID, &r.RequestMessage, &r.DocumentMessage, &r.InitiatingPartner,
			&r.InitiatingMessageID, &r.CreatedAt, &r.AckReasons, &r.AckNote, &r.AckOtherState, &r.UpdatedAt)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: case IWOs: %w", err)
	}
	return out, nil
}

// Bulk job states.
const (
	JobRunning   = "running"
	JobDone      = "done"
	JobCancelled = "cancelled"
	JobFailed    = "failed"
)

// Job is a bulk action over a filtered set of messages.
type Job struct {
	ID         int64
	Kind       string
	Filter     StaffFilter
	Note       string
	State      string
	Total      int64
	Done       int64
	Skipped    int64
	CursorID   int64
	MaxID      int64
	CreatedBy  string
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

const jobCols = `id, kind, filter, note, state, total, done, skipped, cursor_id, max_id, created_by, last_error,
	created_at, updated_at, finished_at`

func scanJob(row pgx.CollectableRow) (Job, error) {
	var j Job
	var filter []byte
	var finished *time.Time
	if err := row.Scan(&j.ID, &j.Kind, &filter, &j.Note, &j.State, &j.Total, &j.Done, &j.Skipped, &j.CursorID,
		&j.MaxID, &j.CreatedBy, &j.LastError, &j.CreatedAt, &j.UpdatedAt, &finished); err != nil {
		return j, err
	}
	var fj staffFilterJSON
	if err := json.Unmarshal(filter, &fj); err != nil {
		return j, fmt.Errorf("job %d filter: %w", j.ID, err)
	}
	j.Filter = fj.filter()
	if finished != nil {
		j.FinishedAt = *finished
	}
	return j, nil
}

// CreateReprocessJob records a bulk reprocess of the messages matching f
// that exist now, counts them, audits the creation in the same transaction,
// and returns the job.
func (s *Store) CreateReprocessJob(ctx context.Context, f StaffFilter, actor, note string) (Job, error) {
	if actor == "" {
		return Job{}, fmt.Errorf("%w: job actor is required", ErrInvalid)
	}
	fb, err := json.Marshal(f.toJSON())
	if err != nil {
		return Job{}, fmt.Errorf("exchange: job filter: %w", err)
	}
	var job Job
	err = s.tx(ctx, func(tx pgx.Tx) error {
		var maxID int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM messages`).Scan(&maxID); err != nil {
			return fmt.Errorf("exchange: create job: %w", err)
		}
		args := []any{}
		arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
		where := append(f.where(arg), "id <= "+arg(maxID))
		var total int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM messages WHERE `+strings.Join(where, " AND "), args...).Scan(&total); err != nil {
			return fmt.Errorf("exchange: create job: %w", err)
		}
		rows, err := tx.Query(ctx, `INSERT INTO review_jobs (kind, filter, note, total, max_id, created_by)
			VALUES ('reprocess', $1, $2, $3, $4, $5) RETURNING `+jobCols, fb, truncate(note, 2000), total, maxID, actor)
		if err != nil {
			return fmt.Errorf("exchange: create job: %w", err)
		}
		if job, err = pgx.CollectExactlyOneRow(rows, scanJob); err != nil {
			return fmt.Errorf("exchange: create job: %w", err)
		}
		_, err = s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: "bulk_reprocess_start", Target: "job:" + strconv.FormatInt(job.ID, 10),
			Details: map[string]any{"filter": f.toJSON(), "total": total, "note": note}})
		return err
	})
	return job, err
}

// GetJob returns one bulk job.
func (s *Store) GetJob(ctx context.Context, id int64) (Job, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+jobCols+` FROM review_jobs WHERE id = $1`, id)
	if err != nil {
		return Job{}, fmt.Errorf("exchange: job: %w", err)
	}
	j, err := pgx.CollectExactlyOneRow(rows, scanJob)
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, fmt.Errorf("%w: job %d", ErrNotFound, id)
	}
	if err != nil {
		return Job{}, fmt.Errorf("exchange: job: %w", err)
	}
	return j, nil
}

// ListJobs returns the most recent bulk jobs, newest first.
func (s *Store) ListJobs(ctx context.Context, limit int) ([]Job, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+jobCols+` FROM review_jobs ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: jobs: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanJob)
	if err != nil {
		return nil, fmt.Errorf("exchange: jobs: %w", err)
	}
	return out, nil
}

// CancelJob stops a running job; the chunk in progress, if any, finishes
// first (it holds the job row). Cancelling a finished job is ErrState.
func (s *Store) CancelJob(ctx context.Context, id int64, actor string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var state string
		err := tx.QueryRow(ctx, `SELECT state FROM review_jobs WHERE id = $1 FOR UPDATE`, id).Scan(&state)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: job %d", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("exchange: cancel job: %w", err)
		}
		if state != JobRunning {
			return fmt.Errorf("%w: job %d is %s", ErrState, id, state)
		}
		if _, err := tx.Exec(ctx, `UPDATE review_jobs SET state = 'cancelled', finished_at = now(), updated_at = now()
			WHERE id = $1`, id); err != nil {
			return fmt.Errorf("exchange: cancel job: %w", err)
		}
		_, err = s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: "bulk_reprocess_cancel", Target: "job:" + strconv.FormatInt(id, 10)})
		return err
	})
}

// RunJobChunk processes the next chunk of up to size messages of one running
// job that no other worker holds. In one transaction it reprocesses each
// message still matching the filter (auditing each), skips those that cannot
// be reprocessed now, and advances the job; so a crash loses no progress and
// repeats none. It returns the job as it stands after the chunk, and false
// when no running job was free. On error, the returned job names the job
// whose chunk failed (nothing of the chunk is kept).
func (s *Store) RunJobChunk(ctx context.Context, size int) (Job, bool, error) {
	if size <= 0 {
		size = 100
	}
	var job Job
	var found bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+jobCols+` FROM review_jobs WHERE state = 'running'
			ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`)
		if err != nil {
			return fmt.Errorf("exchange: claim job: %w", err)
		}
		job, err = pgx.CollectExactlyOneRow(rows, scanJob)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("exchange: claim job: %w", err)
		}
		found = true
		args := []any{}
		arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
		where := append(job.Filter.where(arg), "id > "+arg(job.CursorID), "id <= "+arg(job.MaxID))
		idRows, err := tx.Query(ctx, `SELECT id FROM messages WHERE `+strings.Join(where, " AND ")+
			` ORDER BY id LIMIT `+arg(size), args...)
		if err != nil {
			return fmt.Errorf("exchange: job %d chunk: %w", job.ID, err)
		}
		ids, err := pgx.CollectRows(idRows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("exchange: job %d chunk: %w", job.ID, err)
		}
		actor := job.CreatedBy
		target := "job:" + strconv.FormatInt(job.ID, 10)
		var done, skipped int64
		for _, id := range ids {
			note := "bulk reprocess (job " + strconv.FormatInt(job.ID, 10) + ")"
			if job.Note != "" {
				note += ": " + job.Note
			}
			// A savepoint per message: one that cannot be reprocessed now is
			// skipped without undoing the others.
			to, err := Reprocess(ctx, tx, id, actor, note)
			if errors.Is(err, ErrState) {
				skipped++
				continue
			}
			if err != nil {
				return err
			}
			if _, err := ResolveOpenReviewItems(ctx, tx, id, actor, "reprocessed by "+target); err != nil {
				return err
			}
			if _, err := s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: "reprocess", Target: "message:" + strconv.FormatInt(id, 10),
				Details: map[string]any{"job": job.ID, "status": to, "note": job.Note}}); err != nil {
				return err
			}
			done++
		}
		state, cursor := JobRunning, job.CursorID
		if len(ids) > 0 {
			cursor = ids[len(ids)-1]
		}
		if len(ids) < size {
			state = JobDone
		}
		rows, err = tx.Query(ctx, `UPDATE review_jobs SET done = done + $2, skipped = skipped + $3, cursor_id = $4,
			state = $5, finished_at = CASE WHEN $5 = 'running' THEN NULL ELSE now() END, updated_at = now()
			WHERE id = $1 RETURNING `+jobCols, job.ID, done, skipped, cursor, state)
		if err != nil {
			return fmt.Errorf("exchange: job %d progress: %w", job.ID, err)
		}
		if job, err = pgx.CollectExactlyOneRow(rows, scanJob); err != nil {
			return fmt.Errorf("exchange: job %d progress: %w", job.ID, err)
		}
		if state == JobDone {
			_, err = s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: "bulk_reprocess_done", Target: target,
				Details: map[string]any{"done": job.Done, "skipped": job.Skipped, "total": job.Total}})
		}
		return err
	})
	// The job (its id at least) comes back with an error too, so the caller
	// can give up on a job that keeps failing.
	return job, found, err
}

// FailJob marks a running job failed with the error that stopped it.
func (s *Store) FailJob(ctx context.Context, id int64, errText string) error {
	_, err := s.pool.Exec(ctx, `UPDATE review_jobs SET state = 'failed', last_error = $2, finished_at = now(), updated_at = now()
		WHERE id = $1 AND state = 'running'`, id, truncate(errText, 2000))
	if err != nil {
		return fmt.Errorf("exchange: fail job %d: %w", id, err)
	}
	return nil
}
