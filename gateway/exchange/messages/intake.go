package messages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// newMessage is a message row about to be inserted.
type newMessage struct {
	dir         Direction
	partner     string
	msgID       string
	format      string
	contentType string
	tx          canonical.Transaction
	raw         []byte
	status      Status
	inReplyTo   string
	traceID     string
	signature   string
	createdAt   time.Time
}

type prepared struct {
	sum       [32]byte
	sealedRaw []byte
	canonical []byte
	ssns      []ssnField
	dobs      []dobField
	// nameKeys are the name words the staff search matches, space-joined
	// (name_keys; see nameKeys).
	nameKeys string
}

func (s *Store) prepare(m newMessage) (prepared, error) {
	masked, ssns, dobs, err := maskTransaction(m.tx)
	if err != nil {
		return prepared{}, err
	}
	canon, err := json.Marshal(masked)
	if err != nil {
		return prepared{}, fmt.Errorf("exchange: canonical form: %w", err)
	}
	sealed, err := s.keys.Seal(m.raw, rawAAD(m.partner, m.dir, m.msgID))
	if err != nil {
		return prepared{}, err
	}
	return prepared{sum: sha256.Sum256(m.raw), sealedRaw: sealed, canonical: canon, ssns: ssns, dobs: dobs,
		nameKeys: nameKeys(masked)}, nil
}

// insertMessage inserts the row unless (partner, direction, message id)
// exists; inserted is false then and id is 0.
func insertMessage(ctx context.Context, q Querier, m newMessage, p prepared) (id int64, inserted bool, err error) {
	return scanInsertedID(q.QueryRow(ctx, insertMessageSQL, insertMessageArgs(m, p)...))
}

const insertMessageSQL = `
		INSERT INTO messages (direction, partner, sender_message_id, format, content_type,
			function, action, reason, sender_fips, receiver_fips, sender_case_id, receiver_case_id,
			status, raw_sealed, body_sha256, canonical, in_reply_to, trace_id, signature, created_at, updated_at, name_keys)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20,
			string_to_array($21, ' '))
		ON CONFLICT ON CONSTRAINT messages_sender_key DO NOTHING
		RETURNING id`

func insertMessageArgs(m newMessage, p prepared) []any {
	h := m.tx.Header
	return []any{
		string(m.dir), m.partner, m.msgID, m.format, m.contentType,
		string(h.Function), string(h.Action), string(h.Reason), string(h.SenderFIPS), string(h.ReceiverFIPS),
		h.SenderCaseID, h.ReceiverCaseID, string(m.status), p.sealedRaw, p.sum[:], p.canonical,
		m.inReplyTo, m.traceID, m.signature, m.createdAt, p.nameKeys,
	}
}

// scanInsertedID reads the answer to insertMessageSQL: no row means the
// message already existed.
func scanInsertedID(row pgx.Row) (id int64, inserted bool, err error) {
	err = row.Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("exchange: insert message: %w", err)
	}
	return id, true, nil
}

// Receive stores an inbound message durably and returns its signed receipt.
// In one transaction it inserts the message (status received), its history,
// sealed SSNs, matching keys and the receipt that sign produces, and
// notifies ChannelReceived on commit. Nothing is returned as received before
// that transaction commits.
//
// Intake is idempotent on (partner, message id): a repeat with the same body
// returns the first receipt and repeat=true, whoever wins a concurrent race;
// a repeat with a different body is ErrConflict. sign is called only for a
// message this call stores.
//
// Under concurrency, calls share transactions (group commit, see
// WithGroupCommit): each caller still gets its own answer only after the
// shared transaction commits, and one caller's failure does not fail the
// others.
func (s *Store) Receive(ctx context.Context, in Inbound, sign func(Receipt) (string, error)) (r Receipt, repeat bool, err error) {
	if in.Partner == "" || in.MessageID == "" || len(in.Raw) == 0 || sign == nil {
		return Receipt{}, false, fmt.Errorf("%w: partner, message id, body and signer are required", ErrInvalid)
	}
	at := in.ReceivedAt
	if at.IsZero() {
		at = time.Now()
	}
	// PostgreSQL keeps microseconds; the signed time must equal the stored one.
	at = at.UTC().Truncate(time.Microsecond)
	m := newMessage{
		dir: DirIn, partner: in.Partner, msgID: in.MessageID, format: in.Format, contentType: in.ContentType,
		tx: in.Tx, raw: in.Raw, status: StatusReceived, inReplyTo: in.Tx.Header.InReplyTo,
		traceID: in.TraceID, signature: in.Signature, createdAt: at,
	}
	// Sealing and marshalling run in the caller's goroutine so that the CPU
	// work of concurrent calls stays parallel even when they share a commit.
	p, err := s.prepare(m)
	if err != nil {
		return Receipt{}, false, err
	}
	if s.gc != nil {
		return s.gc.receive(ctx, s, m, p, sign)
	}
	return s.receiveOne(ctx, m, p, sign)
}

// receiveOne stores one prepared inbound message in its own transaction.
func (s *Store) receiveOne(ctx context.Context, m newMessage, p prepared, sign func(Receipt) (string, error)) (r Receipt, repeat bool, err error) {
	err = s.tx(ctx, func(tx pgx.Tx) error {
		repeat = false
		id, inserted, err := insertMessage(ctx, tx, m, p)
		if err != nil {
			return err
		}
		if !inserted {
			repeat = true
			r, err = firstReceipt(ctx, tx, m.partner, m.msgID, p.sum[:])
			return err
		}
		if err := addHistory(ctx, tx, id, "", StatusReceived, "intake", ""); err != nil {
			return err
		}
		if err := s.storePII(ctx, tx, id, p.ssns, p.dobs); err != nil {
			return err
		}
		r = newReceipt(m, p)
		jws, err := sign(r)
		if err != nil {
			return fmt.Errorf("exchange: sign receipt: %w", err)
		}
		r.JWS = jws
		if _, err := tx.Exec(ctx, insertReceiptSQL, r.ID, id, jws, p.sum[:], m.createdAt); err != nil {
			return fmt.Errorf("exchange: store receipt: %w", err)
		}
		if _, err := tx.Exec(ctx, notifySQL, ChannelReceived, strconv.FormatInt(id, 10)); err != nil {
			return fmt.Errorf("exchange: notify: %w", err)
		}
		return nil
	})
	if err != nil {
		return Receipt{}, false, err
	}
	return r, repeat, nil
}

const (
	insertReceiptSQL = `INSERT INTO receipts (receipt_id, message_id, kind, jws, body_sha256, received_at)
		VALUES ($1, $2, 'issued', $3, $4, $5)`
	notifySQL       = `SELECT pg_notify($1, $2)`
	firstReceiptSQL = `
		SELECT m.body_sha256, r.receipt_id, r.jws, r.received_at
		FROM messages m JOIN receipts r ON r.message_id = m.id AND r.kind = 'issued'
		WHERE m.partner = $1 AND m.direction = 'in' AND m.sender_message_id = $2`
)

// newReceipt is the unsigned receipt for a message about to be stored.
func newReceipt(m newMessage, p prepared) Receipt {
	return Receipt{ID: newID("rcpt"), Partner: m.partner, MessageID: m.msgID, BodySHA256: hex.EncodeToString(p.sum[:]), ReceivedAt: m.createdAt}
}

// firstReceipt returns the receipt issued for a stored inbound message if its
// body hash equals sum, else ErrConflict.
func firstReceipt(ctx context.Context, q Querier, partner, msgID string, sum []byte) (Receipt, error) {
	return scanFirstReceipt(q.QueryRow(ctx, firstReceiptSQL, partner, msgID), partner, msgID, sum)
}

// scanFirstReceipt reads the answer to firstReceiptSQL; it is shared with
// the batched intake path, which queues the query instead of sending it.
func scanFirstReceipt(row pgx.Row, partner, msgID string, sum []byte) (Receipt, error) {
	var stored []byte
	r := Receipt{Partner: partner, MessageID: msgID}
	err := row.Scan(&stored, &r.ID, &r.JWS, &r.ReceivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Receipt{}, fmt.Errorf("exchange: message %s from %s is stored without a receipt: %w", msgID, partner, ErrState)
	}
	if err != nil {
		return Receipt{}, fmt.Errorf("exchange: first receipt: %w", err)
	}
	if string(stored) != string(sum) {
		return Receipt{}, fmt.Errorf("%w: %s from %s (stored body sha256 %x)", ErrConflict, msgID, partner, stored)
	}
	r.BodySHA256 = hex.EncodeToString(stored)
	r.ReceivedAt = r.ReceivedAt.UTC()
	return r, nil
}

// RecordRefusal keeps a record of a request the edge refused.
func (s *Store) RecordRefusal(ctx context.Context, rf Refusal) error {
	if rf.Code == "" {
		return fmt.Errorf("%w: refusal code is required", ErrInvalid)
	}
	var sum []byte
	if rf.BodySHA256 != "" {
		b, err := hex.DecodeString(rf.BodySHA256)
		if err != nil || len(b) != sha256.Size {
			return fmt.Errorf("%w: body sha256 %q is not 64 hex digits", ErrInvalid, rf.BodySHA256)
		}
		sum = b
	}
	at := rf.At
	if at.IsZero() {
		at = time.Now()
	}
	count := rf.Count
	if count < 1 {
		count = 1
	}
	fields := rf.Fields
	if len(fields) > 50 {
		fields = fields[:50]
	}
	for i := range fields {
		fields[i].Reason = truncate(fields[i].Reason, 500)
	}
	if fields == nil {
		fields = []canonical.FieldError{}
	}
	fj, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("exchange: record refusal: %w", err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO refusals (at, partner, remote_addr, code, reason, message_id, body_sha256, count, fields)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		at, rf.Partner, rf.RemoteAddr, rf.Code, truncate(rf.Reason, 4000), truncate(rf.MessageID, 200), sum, count, string(fj))
	if err != nil {
		return fmt.Errorf("exchange: record refusal: %w", err)
	}
	return nil
}

// Refusals returns the most recent refusals, newest first.
func (s *Store) Refusals(ctx context.Context, partner string, limit int) ([]Refusal, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `
		SELECT at, partner, remote_addr, code, reason, message_id, coalesce(encode(body_sha256, 'hex'), ''), count
		FROM refusals WHERE ($1 = '' OR partner = $1) ORDER BY at DESC, id DESC LIMIT $2`, partner, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: refusals: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Refusal, error) {
		var r Refusal
		err := row.Scan(&r.At, &r.Partner, &r.RemoteAddr, &r.Code, &r.Reason, &r.MessageID, &r.BodySHA256, &r.Count)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: refusals: %w", err)
	}
	return out, nil
}
