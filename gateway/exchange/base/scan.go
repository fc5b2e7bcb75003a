package base

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SummaryCols are the messages columns ScanSummary reads; MessageCols add the canonical form.
const SummaryCols = "id, direction, partner, sender_message_id, format, content_type, function, action, reason, " +
	"sender_fips, receiver_fips, sender_case_id, receiver_case_id, status, body_sha256, in_reply_to, trace_id, " +
	"signature, inbox_seq, created_at, updated_at"

const MessageCols = SummaryCols + ", canonical"

// Qualified prefixes every column of cols with alias.
func Qualified(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, p := range parts {
		parts[i] = alias + "." + p
	}
	return strings.Join(parts, ", ")
}

// ScanInto scans a row of SummaryCols (MessageCols with withCanonical), then extra.
func ScanInto(row pgx.CollectableRow, withCanonical bool, extra ...any) (Message, error) {
	var m Message
	var sum, canon []byte
	var seq *int64
	dest := []any{&m.ID, &m.Direction, &m.Partner, &m.MessageID, &m.Format, &m.ContentType, &m.Function, &m.Action,
		&m.Reason, &m.SenderFIPS, &m.ReceiverFIPS, &m.SenderCaseID, &m.ReceiverCaseID, &m.Status, &sum, &m.InReplyTo,
		&m.TraceID, &m.Signature, &seq, &m.CreatedAt, &m.UpdatedAt}
	if withCanonical {
		dest = append(dest, &canon)
	}
	dest = append(dest, extra...)
	if err := row.Scan(dest...); err != nil {
		return Message{}, err
	}
	m.BodySHA256 = hex.EncodeToString(sum)
	if seq != nil {
		m.InboxSeq = *seq
	}
	if withCanonical {
		if err := json.Unmarshal(canon, &m.Tx); err != nil {
			return Message{}, fmt.Errorf("message %d canonical form: %w", m.ID, err)
		}
	}
	return m, nil
}

// ScanMessage scans a row of MessageCols.
func ScanMessage(row pgx.CollectableRow) (Message, error) { return ScanInto(row, true) }

// ScanSummary scans a row of SummaryCols.
func ScanSummary(row pgx.CollectableRow) (Message, error) { return ScanInto(row, false) }

// SortByID sorts messages by id, oldest first.
func SortByID(ms []Message) {
	slices.SortFunc(ms, func(a, b Message) int { return int(min(max(a.ID-b.ID, -1), 1)) })
}

// ErrBadCursor says a pagination cursor was not made by ListMessages.
var ErrBadCursor = fmt.Errorf("%w: bad page cursor", ErrInvalid)

// EncodeCursor makes the page cursor of the row (at, id).
func EncodeCursor(at time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)))
}

// DecodeCursor reads a cursor EncodeCursor made.
func DecodeCursor(c string) (time.Time, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, ErrBadCursor
	}
	ts, ids, ok := strings.Cut(string(b), ".")
	if !ok {
		return time.Time{}, 0, ErrBadCursor
	}
	us, err1 := strconv.ParseInt(ts, 10, 64)
	id, err2 := strconv.ParseInt(ids, 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, 0, ErrBadCursor
	}
	return time.UnixMicro(us), id, nil
}

// PageMessages runs one keyset page over messages, newest first: where and
// args hold the filter so far; the cursor and the limit are added here.
func PageMessages(ctx context.Context, q Querier, where []string, args []any, p Page, what string) ([]Message, string, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if p.Cursor != "" {
		at, id, err := DecodeCursor(p.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(created_at, id) < ("+arg(at)+", "+arg(id)+")")
	}
	sql := "SELECT " + SummaryCols + " FROM messages"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY created_at DESC, id DESC LIMIT " + arg(limit+1)
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("exchange: %s: %w", what, err)
	}
	msgs, err := pgx.CollectRows(rows, ScanSummary)
	if err != nil {
		return nil, "", fmt.Errorf("exchange: %s: %w", what, err)
	}
	next := ""
	if len(msgs) > limit {
		msgs = msgs[:limit]
		last := msgs[limit-1]
		next = EncodeCursor(last.CreatedAt, last.ID)
	}
	return msgs, next, nil
}
