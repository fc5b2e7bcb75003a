package reviewdb

// Read models of the staff UI's work list, refusals view, charts and audit
// search. Every query is bounded (a limit, a day range or a cap) so a large
// table never makes a page slow.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// SortColumns are the columns the staff queue sorts by, as SQL.
var SortColumns = map[string]string{
	"id":          "id",
	"created":     "created_at",
	"partner":     "partner",
	"status":      "status",
	"transaction": "function, action",
	"case":        "sender_case_id",
}

// Sort orders a staff search by one of SortColumns, then by id.
type Sort struct {
	Column string
	Asc    bool
}

// SearchMessagesSorted is one page of a staff search in any SortColumns
// order, by offset (at most 10,000 rows deep: the work list is for reading,
// exports go through the keyset of SearchMessages).
func (s *Store) SearchMessagesSorted(ctx context.Context, f StaffFilter, so Sort, limit, offset int) ([]Message, error) {
	col, ok := SortColumns[so.Column]
	if !ok {
		return nil, fmt.Errorf("%w: unknown sort column %q", ErrInvalid, so.Column)
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if offset < 0 || offset > 10000 {
		return nil, fmt.Errorf("%w: page offset out of range", ErrInvalid)
	}
	// Within one value of the column, the newest come first when the column
	// ascends and the oldest when it descends: the order is then exactly an
	// index's (status, created_at DESC, id DESC) read forwards or backwards,
	// and a deep page costs an index walk, not a sort of the table.
	dir, tie := " DESC", " ASC"
	if so.Asc {
		dir, tie = " ASC", " DESC"
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := f.Where(arg)
	sql := "SELECT " + summaryCols + " FROM messages"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	order := make([]string, 0, 4)
	for _, c := range strings.Split(col, ", ") {
		order = append(order, c+dir)
	}
	switch so.Column {
	case "id":
	case "created":
		order = append(order, "id"+dir)
	default:
		order = append(order, "created_at"+tie, "id"+tie)
	}
	sql += " ORDER BY " + strings.Join(order, ", ") + " LIMIT " + arg(limit) + " OFFSET " + arg(offset)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("exchange: sorted search: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanSummary)
	if err != nil {
		return nil, fmt.Errorf("exchange: sorted search: %w", err)
	}
	return out, nil
}

// CountMessages counts the messages matching f, stopping at limit: the
// answer is exact below it and "at least limit" at it.
func (s *Store) CountMessages(ctx context.Context, f StaffFilter, limit int) (int64, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := f.Where(arg)
	sql := "SELECT 1 FROM messages"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM ("+sql+" LIMIT "+arg(limit)+") AS m", args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("exchange: count messages: %w", err)
	}
	return n, nil
}

// Waiting is the oldest message in one status.
type Waiting struct {
	Status    Status
	ID        int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OldestWaiting returns, for each status of statuses that has messages, the
// one waiting longest (by last change), one index probe per status.
func (s *Store) OldestWaiting(ctx context.Context, statuses []Status) ([]Waiting, error) {
	ss := make([]string, len(statuses))
	for i, st := range statuses {
		ss[i] = string(st)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT st, m.id, m.created_at, m.updated_at
		FROM unnest($1::text[]) WITH ORDINALITY AS u(st, n),
		LATERAL (SELECT id, created_at, updated_at FROM messages WHERE status = u.st ORDER BY created_at, id LIMIT 1) AS m
		ORDER BY u.n`, ss)
	if err != nil {
		return nil, fmt.Errorf("exchange: oldest waiting: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Waiting, error) {
		var w Waiting
		var st string
		err := row.Scan(&st, &w.ID, &w.CreatedAt, &w.UpdatedAt)
		w.Status = Status(st)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: oldest waiting: %w", err)
	}
	return out, nil
}

// DayCount is how many messages, and refusals, one partner had on one day (UTC).
type DayCount struct {
	Partner  string
	Day      time.Time
	Messages int64
	Refusals int64
}

// DailyVolume counts messages and refusals per partner and UTC day since
// since.
func (s *Store) DailyVolume(ctx context.Context, since time.Time) ([]DayCount, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT partner, day, sum(msgs)::bigint, sum(refs)::bigint FROM (
			SELECT partner, date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*) AS msgs, 0 AS refs
				FROM messages WHERE created_at >= $1 GROUP BY 1, 2
			UNION ALL
			SELECT partner, date_trunc('day', at AT TIME ZONE 'UTC'), 0, sum(count)
				FROM refusals WHERE at >= $1 GROUP BY 1, 2
		) AS c GROUP BY 1, 2 ORDER BY 1, 2`, since)
	if err != nil {
		return nil, fmt.Errorf("exchange: daily volume: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DayCount, error) {
		var d DayCount
		err := row.Scan(&d.Partner, &d.Day, &d.Messages, &d.Refusals)
		d.Day = time.Date(d.Day.Year(), d.Day.Month(), d.Day.Day(), 0, 0, 0, 0, time.UTC)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: daily volume: %w", err)
	}
	return out, nil
}

// RefusalFilter selects refusals for staff.
type RefusalFilter struct {
	PartnerFold string // any letter case
	Code        string
	// MessageID is the partner's own message ID, exactly.
	MessageID string
	Since     time.Time
	Before    time.Time
}

func (f RefusalFilter) where(arg func(any) string) string {
	w := []string{"true"}
	if f.PartnerFold != "" {
		w = append(w, "lower(partner) = lower("+arg(f.PartnerFold)+")")
	}
	if f.Code != "" {
		w = append(w, "code = "+arg(f.Code))
	}
	if f.MessageID != "" {
		w = append(w, "message_id = "+arg(f.MessageID))
	}
	if !f.Since.IsZero() {
		w = append(w, "at >= "+arg(f.Since))
	}
	if !f.Before.IsZero() {
		w = append(w, "at < "+arg(f.Before))
	}
	return strings.Join(w, " AND ")
}

// RefusalsPage returns refusals matching f older than refusal beforeID (0:
// the newest), newest first, with their field errors.
func (s *Store) RefusalsPage(ctx context.Context, f RefusalFilter, beforeID int64, limit int) ([]Refusal, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	sql := `SELECT id, at, partner, remote_addr, code, reason, message_id, coalesce(encode(body_sha256, 'hex'), ''), count, fields::text
		FROM refusals WHERE ` + f.where(arg)
	if beforeID > 0 {
		sql += " AND id < " + arg(beforeID)
	}
	sql += " ORDER BY id DESC LIMIT " + arg(limit)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("exchange: refusals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Refusal, error) {
		var r Refusal
		var fields string
		if err := row.Scan(&r.ID, &r.At, &r.Partner, &r.RemoteAddr, &r.Code, &r.Reason, &r.MessageID, &r.BodySHA256, &r.Count, &fields); err != nil {
			return r, err
		}
		if err := json.Unmarshal([]byte(fields), &r.Fields); err != nil {
			r.Fields = []canonical.FieldError{{Path: "(record)", Reason: "field errors unreadable"}}
		}
		return r, nil
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: refusals: %w", err)
	}
	return out, nil
}

// RefusalCount is how many refusals of one code one partner had (records
// standing for several count for as many).
type RefusalCount struct {
	Partner string
	Code    string
	Count   int64
}

// RefusalCounts counts the refusals matching f by partner and code.
func (s *Store) RefusalCounts(ctx context.Context, f RefusalFilter) ([]RefusalCount, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// A record may stand for several refusals (see migration 009).
	rows, err := s.pool.Query(ctx, `SELECT partner, code, sum(count)::bigint FROM refusals WHERE `+f.where(arg)+
		` GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("exchange: refusal counts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RefusalCount, error) {
		var c RefusalCount
		err := row.Scan(&c.Partner, &c.Code, &c.Count)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: refusal counts: %w", err)
	}
	return out, nil
}

// AuditFilter selects audit records for staff.
type AuditFilter struct {
	Actor  string
	Action string
	// Target is exact ("message:12") or a kind prefix ending in ':' ("message:").
	Target string
	Since  time.Time
	Before time.Time
}

// AuditSearch returns the audit records matching f older than record
// beforeID (0: the newest), newest first.
func (s *Store) AuditSearch(ctx context.Context, f AuditFilter, beforeID int64, limit int) ([]AuditRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	w := []string{"true"}
	if f.Actor != "" {
		w = append(w, "actor = "+arg(f.Actor))
	}
	if f.Action != "" {
		w = append(w, "action = "+arg(f.Action))
	}
	if f.Target != "" {
		if strings.HasSuffix(f.Target, ":") {
			w = append(w, "target LIKE "+arg(likePrefix(f.Target)))
		} else {
			w = append(w, "target = "+arg(f.Target))
		}
	}
	if !f.Since.IsZero() {
		w = append(w, "at >= "+arg(f.Since))
	}
	if !f.Before.IsZero() {
		w = append(w, "at < "+arg(f.Before))
	}
	if beforeID > 0 {
		w = append(w, "id < "+arg(beforeID))
	}
	rows, err := s.pool.Query(ctx, "SELECT "+auditCols+" FROM audit_log WHERE "+strings.Join(w, " AND ")+
		" ORDER BY id DESC LIMIT "+arg(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("exchange: audit search: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanAudit)
	if err != nil {
		return nil, fmt.Errorf("exchange: audit search: %w", err)
	}
	return out, nil
}

// Claim says who is working a message.
type Claim struct {
	MessageID int64
	Subject   string
	Name      string
	At        time.Time
}

// ErrClaimed says someone else is working the message.
var ErrClaimed = fmt.Errorf("%w: claimed by someone else", ErrState)

// ClaimMessage records that subject works message id. A claim by someone
// else stands (ErrClaimed, with theirs returned) unless takeOver is set; a
// repeat by the same person keeps the first time.
func ClaimMessage(ctx context.Context, q Querier, id int64, subject, name string, at time.Time, takeOver bool) (Claim, error) {
	var c Claim
	err := q.QueryRow(ctx, `
		INSERT INTO message_claims (message_id, subject, name, claimed_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (message_id) DO UPDATE SET subject = EXCLUDED.subject, name = EXCLUDED.name, claimed_at = EXCLUDED.claimed_at
			WHERE $5 AND message_claims.subject <> EXCLUDED.subject
		RETURNING message_id, subject, name, claimed_at`, id, subject, name, at, takeOver).
		Scan(&c.MessageID, &c.Subject, &c.Name, &c.At)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		if isForeignKeyViolation(err) {
			return c, fmt.Errorf("%w: message %d", ErrNotFound, id)
		}
		return c, fmt.Errorf("exchange: claim message: %w", err)
	}
	// The row exists and was left alone: the same person again, or someone
	// else's claim without a take-over.
	if err := q.QueryRow(ctx, `SELECT message_id, subject, name, claimed_at FROM message_claims WHERE message_id = $1`, id).
		Scan(&c.MessageID, &c.Subject, &c.Name, &c.At); err != nil {
		return c, fmt.Errorf("exchange: claim message: %w", err)
	}
	if c.Subject != subject {
		return c, fmt.Errorf("%w: message %d is being worked by %s", ErrClaimed, id, c.Subject)
	}
	return c, nil
}

// ReleaseMessage removes subject's claim on id (anyone's when anyone is
// set) and reports whether there was one.
func ReleaseMessage(ctx context.Context, q Querier, id int64, subject string, anyone bool) (bool, error) {
	tag, err := q.Exec(ctx, `DELETE FROM message_claims WHERE message_id = $1 AND ($3 OR subject = $2)`, id, subject, anyone)
	if err != nil {
		return false, fmt.Errorf("exchange: release message: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Claims returns the claims on the messages ids.
func (s *Store) Claims(ctx context.Context, ids []int64) (map[int64]Claim, error) {
	out := map[int64]Claim{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT message_id, subject, name, claimed_at FROM message_claims WHERE message_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("exchange: claims: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Claim, error) {
		var c Claim
		err := row.Scan(&c.MessageID, &c.Subject, &c.Name, &c.At)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: claims: %w", err)
	}
	for _, c := range cs {
		out[c.MessageID] = c
	}
	return out, nil
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}
