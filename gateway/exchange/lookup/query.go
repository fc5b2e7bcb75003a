package lookup

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func (s *Store) getOne(ctx context.Context, where string, args ...any) (Message, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+messageCols+" FROM messages WHERE "+where, args...)
	if err != nil {
		return Message{}, fmt.Errorf("exchange: get message: %w", err)
	}
	m, err := pgx.CollectExactlyOneRow(rows, scanMessage)
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, ErrNotFound
	}
	if err != nil {
		return Message{}, fmt.Errorf("exchange: get message: %w", err)
	}
	return m, nil
}

// GetMessage returns message id (SSNs masked, no raw body).
func (s *Store) GetMessage(ctx context.Context, id int64) (Message, error) {
	m, err := s.getOne(ctx, "id = $1", id)
	if errors.Is(err, ErrNotFound) {
		return Message{}, fmt.Errorf("%w: message %d", ErrNotFound, id)
	}
	return m, err
}

// GetBySenderID returns the message partner exchanged in direction dir under
// the sender's message id msgID. The edge uses it so a partner only ever
// sees its own messages.
func (s *Store) GetBySenderID(ctx context.Context, partner string, dir Direction, msgID string) (Message, error) {
	m, err := s.getOne(ctx, "partner = $1 AND direction = $2 AND sender_message_id = $3", partner, string(dir), msgID)
	if errors.Is(err, ErrNotFound) {
		return Message{}, fmt.Errorf("%w: %s message %s of %s", ErrNotFound, dir, msgID, partner)
	}
	return m, err
}

// History returns the state transitions of message id, oldest first.
func (s *Store) History(ctx context.Context, id int64) ([]HistoryEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, from_status, to_status, actor, note, at
		FROM message_history WHERE message_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("exchange: history: %w", err)
	}
	h, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (HistoryEntry, error) {
		var e HistoryEntry
		err := row.Scan(&e.ID, &e.From, &e.To, &e.Actor, &e.Note, &e.At)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: history: %w", err)
	}
	return h, nil
}

// Receipts returns the receipts of message id: the one we issued for an
// inbound message, the partner's for an outbound one.
func (s *Store) Receipts(ctx context.Context, id int64) ([]Receipt, error) {
	rows, err := s.pool.Query(ctx, `SELECT r.receipt_id, m.partner, m.sender_message_id, r.body_sha256, r.received_at, r.jws
		FROM receipts r JOIN messages m ON m.id = r.message_id WHERE r.message_id = $1 ORDER BY r.received_at`, id)
	if err != nil {
		return nil, fmt.Errorf("exchange: receipts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Receipt, error) {
		var r Receipt
		var sum []byte
		err := row.Scan(&r.ID, &r.Partner, &r.MessageID, &sum, &r.ReceivedAt, &r.JWS)
		r.BodySHA256, r.ReceivedAt = hex.EncodeToString(sum), r.ReceivedAt.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: receipts: %w", err)
	}
	return out, nil
}

// ListMessages returns one page of messages matching f, newest first, and
// the cursor of the next page ("" at the end). Pagination is by keyset on
// (created_at, id), so a page costs the same at any depth. Tx and Raw are
// left empty.
func (s *Store) ListMessages(ctx context.Context, f Filter, p Page) ([]Message, string, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	return s.pageMessages(ctx, StaffFilter{Filter: f}.Where(arg), args, p, "list messages")
}

// CountByStatus returns how many messages are in each status.
func (s *Store) CountByStatus(ctx context.Context) (map[Status]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM messages GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("exchange: count: %w", err)
	}
	out := map[Status]int64{}
	var st Status
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&st, &n}, func() error { out[st] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("exchange: count: %w", err)
	}
	return out, nil
}

// Reveal decrypts the SSN stored at path ("ncp.ssn", "participants[1].ssn")
// of message id. Callers must be authorised and should audit the reveal.
func (s *Store) Reveal(ctx context.Context, id int64, path string) (canonical.SSN, error) {
	var sealed []byte
	err := s.pool.QueryRow(ctx, `SELECT sealed FROM message_ssns WHERE message_id = $1 AND path = $2`, id, path).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("%w: no SSN at %s of message %d", ErrNotFound, path, id)
	}
	if err != nil {
		return "", fmt.Errorf("exchange: reveal: %w", err)
	}
	pt, err := s.keys.Open(sealed, ssnAAD(id, path))
	if err != nil {
		return "", fmt.Errorf("exchange: reveal %s of message %d: %w", path, id, err)
	}
	return canonical.SSN(pt), nil
}

// LoadTransaction returns the canonical transaction of message id; withPII
// puts the decrypted SSNs and dates of birth back in their fields (free text in which an SSN
// was masked at intake stays masked; RawBody has the original).
func (s *Store) LoadTransaction(ctx context.Context, id int64, withPII bool) (canonical.Transaction, error) {
	var canon []byte
	err := s.pool.QueryRow(ctx, `SELECT canonical FROM messages WHERE id = $1`, id).Scan(&canon)
	if errors.Is(err, pgx.ErrNoRows) {
		return canonical.Transaction{}, fmt.Errorf("%w: message %d", ErrNotFound, id)
	}
	if err != nil {
		return canonical.Transaction{}, fmt.Errorf("exchange: load transaction: %w", err)
	}
	var tx canonical.Transaction
	if err := json.Unmarshal(canon, &tx); err != nil {
		return canonical.Transaction{}, fmt.Errorf("exchange: message %d canonical form: %w", id, err)
	}
	if !withPII {
		return tx, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT path, sealed FROM message_ssns WHERE message_id = $1`, id)
	if err != nil {
		return canonical.Transaction{}, fmt.Errorf("exchange: load SSNs: %w", err)
	}
	var path string
	var sealed []byte
	_, err = pgx.ForEachRow(rows, []any{&path, &sealed}, func() error {
		pt, err := s.keys.Open(sealed, ssnAAD(id, path))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return setPII(&tx, path, pt)
	})
	if err != nil {
		return canonical.Transaction{}, fmt.Errorf("exchange: load SSNs of message %d: %w", id, err)
	}
	return tx, nil
}

// RawBody decrypts the body of message id exactly as it was received or sent.
func (s *Store) RawBody(ctx context.Context, id int64) ([]byte, error) {
	var partner, dir, msgID string
	var sealed []byte
	var erased *time.Time
	err := s.pool.QueryRow(ctx, `SELECT partner, direction, sender_message_id, raw_sealed, raw_erased_at FROM messages WHERE id = $1`, id).
		Scan(&partner, &dir, &msgID, &sealed, &erased)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: message %d", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("exchange: raw body: %w", err)
	}
	if erased != nil {
		return nil, fmt.Errorf("%w (message %d, %s)", ErrErased, id, erased.Format(time.DateOnly))
	}
	raw, err := s.keys.Open(sealed, rawAAD(partner, Direction(dir), msgID))
	if err != nil {
		return nil, fmt.Errorf("exchange: raw body of message %d: %w", id, err)
	}
	return raw, nil
}

// MatchSSN returns the messages that name a person with ssn, newest first.
func (s *Store) MatchSSN(ctx context.Context, ssn canonical.SSN, limit int) ([]PersonMatch, error) {
	return s.MatchSSNHash(ctx, s.keys.HashSSN(ssn), limit)
}

// MatchSSNHash is MatchSSN for a hash made by PIIKeys.HashSSN.
func (s *Store) MatchSSNHash(ctx context.Context, hash []byte, limit int) ([]PersonMatch, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `
		SELECT k.message_id, m.direction, m.partner, k.role, k.participant_index, m.created_at
		FROM person_keys k JOIN messages m ON m.id = k.message_id
		WHERE k.ssn_hmac = $1 ORDER BY m.created_at DESC, k.message_id DESC, k.participant_index LIMIT $2`, hash, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: match: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PersonMatch, error) {
		var pm PersonMatch
		err := row.Scan(&pm.MessageID, &pm.Direction, &pm.Partner, &pm.Role, &pm.ParticipantIndex, &pm.CreatedAt)
		return pm, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: match: %w", err)
	}
	return out, nil
}
