package exchange

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// auditLockKey serialises appends so the chain stays one line.
const auditLockKey int64 = 0x75696673_61756474 // "uifsaudt"

// ErrAuditTampered says the audit chain does not verify.
var ErrAuditTampered = errors.New("exchange: audit log chain broken")

var genesisHash = make([]byte, sha256.Size)

// auditHash covers the row's id, time, actor, action, target and details
// (in PostgreSQL's normal jsonb text form, so it can be recomputed from the
// table) and the previous row's hash.
func auditHash(prev []byte, id int64, at time.Time, actor, action, target, details string) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(id))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(at.UnixMicro()))
	h.Write(n[:])
	for _, s := range []string{actor, action, target, details} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return h.Sum(nil)
}

// AppendAudit appends e to the audit chain in q (a caller's transaction, so
// the record commits with the action it records, or the pool) and returns
// its id. Appends are serialised by a transaction-scoped advisory lock.
func AppendAudit(ctx context.Context, q Querier, e Entry) (int64, error) {
	if e.Actor == "" || e.Action == "" {
		return 0, fmt.Errorf("%w: audit actor and action are required", ErrInvalid)
	}
	details := []byte("{}")
	if e.Details != nil {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return 0, fmt.Errorf("exchange: audit details: %w", err)
		}
		details = b
	}
	at := e.At
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC().Truncate(time.Microsecond)
	var id int64
	err := within(ctx, q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
			return fmt.Errorf("exchange: audit lock: %w", err)
		}
		prev := genesisHash
		err := tx.QueryRow(ctx, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("exchange: audit head: %w", err)
		}
		var norm string
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('audit_log', 'id')), $1::jsonb::text`, details).
			Scan(&id, &norm); err != nil {
			return fmt.Errorf("exchange: audit details: %w", err)
		}
		hash := auditHash(prev, id, at, e.Actor, e.Action, e.Target, norm)
		if _, err := tx.Exec(ctx, `INSERT INTO audit_log (id, at, actor, action, target, details, prev_hash, hash)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
			id, at, e.Actor, e.Action, e.Target, norm, prev, hash); err != nil {
			return fmt.Errorf("exchange: audit append: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// AppendAudit appends e using the store's pool.
func (s *Store) AppendAudit(ctx context.Context, q Querier, e Entry) (int64, error) {
	if q == nil {
		q = s.pool
	}
	return AppendAudit(ctx, q, e)
}

// VerifyAudit recomputes the whole chain. It returns how many records it
// checked and, when the chain is broken, the id of the first record that
// does not verify (edited, or following a deleted one) with ErrAuditTampered.
func (s *Store) VerifyAudit(ctx context.Context) (n int, firstBad int64, err error) {
	prev := genesisHash
	var after int64
	for {
		rows, err := s.pool.Query(ctx, `SELECT id, at, actor, action, target, details::text, prev_hash, hash
			FROM audit_log WHERE id > $1 ORDER BY id LIMIT 1000`, after)
		if err != nil {
			return n, 0, fmt.Errorf("exchange: verify audit: %w", err)
		}
		var (
			id                            int64
			at                            time.Time
			actor, action, target, detail string
			prevHash, hash                []byte
			batch                         int
		)
		bad := int64(0)
		_, err = pgx.ForEachRow(rows, []any{&id, &at, &actor, &action, &target, &detail, &prevHash, &hash}, func() error {
			if bad != 0 {
				return nil
			}
			batch++
			n++
			if !bytes.Equal(prevHash, prev) || !bytes.Equal(hash, auditHash(prev, id, at, actor, action, target, detail)) {
				bad = id
				return nil
			}
			prev, after = hash, id
			return nil
		})
		if err != nil {
			return n, 0, fmt.Errorf("exchange: verify audit: %w", err)
		}
		if bad != 0 {
			return n, bad, fmt.Errorf("%w at record %d", ErrAuditTampered, bad)
		}
		if batch < 1000 {
			return n, 0, nil
		}
	}
}

// AuditTrail returns the audit records about target, oldest first.
func (s *Store) AuditTrail(ctx context.Context, target string, limit int) ([]AuditRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := s.pool.Query(ctx, `SELECT `+auditCols+`
		FROM audit_log WHERE target = $1 ORDER BY id LIMIT $2`, target, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: audit trail: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanAudit)
	if err != nil {
		return nil, fmt.Errorf("exchange: audit trail: %w", err)
	}
	return out, nil
}

// auditCols are the columns scanAudit reads, in its order.
const auditCols = "id, at, actor, action, target, details::text, prev_hash, hash"

func scanAudit(row pgx.CollectableRow) (AuditRecord, error) {
	var r AuditRecord
	var d string
	err := row.Scan(&r.ID, &r.At, &r.Actor, &r.Action, &r.Target, &d, &r.PrevHash, &r.Hash)
	r.Details = []byte(d)
	return r, err
}
