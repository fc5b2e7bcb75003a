package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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

// Audit chain versions (audit_log.chain). Version 1 rows are plain SHA-256,
// which anyone able to write the table can recompute after an edit; version 2
// rows are HMAC-SHA256 under a key the database does not hold (derived from
// the PII HMAC key), so only the gateway can extend the chain. Version 1 rows
// are accepted only before the first version 2 row.
const (
	chainSHA256 = 1
	chainHMAC   = 2
)

// auditHash covers the row's id, time, actor, action, target and details
// (in PostgreSQL's normal jsonb text form, so it can be recomputed from the
// table) and the previous row's hash; keyed with key, or plain SHA-256 for
// version 1 rows (key nil).
func auditHash(key, prev []byte, id int64, at time.Time, actor, action, target, details string) []byte {
	h := sha256.New()
	if key != nil {
		h = hmac.New(sha256.New, key)
	}
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

// appendAudit appends e to the audit chain in q (a caller's transaction, so
// the record commits with the action it records, or the pool) and returns
// its id, keyed with key. Appends are serialised by a transaction-scoped
// advisory lock.
func appendAudit(ctx context.Context, q Querier, key []byte, e Entry) (int64, error) {
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
		hash := auditHash(key, prev, id, at, e.Actor, e.Action, e.Target, norm)
		if _, err := tx.Exec(ctx, `INSERT INTO audit_log (id, at, actor, action, target, details, prev_hash, hash, chain)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9)`,
			id, at, e.Actor, e.Action, e.Target, norm, prev, hash, chainHMAC); err != nil {
			return fmt.Errorf("exchange: audit append: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// AppendAudit appends e to the audit chain, keyed with the store's audit
// key, in q (a caller's transaction, so the record commits with the action it
// records) or, when q is nil, the store's pool.
func (s *Store) AppendAudit(ctx context.Context, q Querier, e Entry) (int64, error) {
	if q == nil {
		q = s.pool
	}
	return appendAudit(ctx, q, s.keys.AuditKey(), e)
}

// AuditHead is where the audit chain ends: its newest record and how many
// records lead to it. A signed checkpoint carries it out of the database.
type AuditHead struct {
	LastID int64  `json:"lastId"`
	Hash   string `json:"head"` // hex of the newest record's hash
	Count  int    `json:"count"`
}

// VerifyAudit recomputes the whole chain. It returns how many records it
// checked and, when the chain is broken, the id of the first record that
// does not verify (edited, or following a deleted one) with ErrAuditTampered.
func (s *Store) VerifyAudit(ctx context.Context) (n int, firstBad int64, err error) {
	n, firstBad, _, err = s.verifyAudit(ctx, 0)
	return n, firstBad, err
}

// verifyAudit checks the chain. heads[0] is its head; heads[upTo], when the
// log holds record upTo, is the head as it was at that record.
func (s *Store) verifyAudit(ctx context.Context, upTo int64) (n int, firstBad int64, heads map[int64]AuditHead, err error) {
	key := s.keys.AuditKey()
	heads = map[int64]AuditHead{}
	prev := genesisHash
	var after int64
	keyed := false
	for {
		rows, err := s.pool.Query(ctx, `SELECT id, at, actor, action, target, details::text, prev_hash, hash, chain
			FROM audit_log WHERE id > $1 ORDER BY id LIMIT 1000`, after)
		if err != nil {
			return n, 0, heads, fmt.Errorf("exchange: verify audit: %w", err)
		}
		var (
			id                            int64
			at                            time.Time
			actor, action, target, detail string
			prevHash, hash                []byte
			chain                         int16
			batch                         int
		)
		bad := int64(0)
		_, err = pgx.ForEachRow(rows, []any{&id, &at, &actor, &action, &target, &detail, &prevHash, &hash, &chain}, func() error {
			if bad != 0 {
				return nil
			}
			batch++
			n++
			var k []byte
			switch {
			case chain == chainHMAC:
				k, keyed = key, true
			case chain == chainSHA256 && !keyed:
			default:
				// A plain row after a keyed one: someone re-hashed without the key.
				bad = id
				return nil
			}
			if !bytes.Equal(prevHash, prev) || !hmac.Equal(hash, auditHash(k, prev, id, at, actor, action, target, detail)) {
				bad = id
				return nil
			}
			prev, after = hash, id
			heads[0] = AuditHead{LastID: id, Hash: hex.EncodeToString(hash), Count: n}
			if id == upTo {
				heads[upTo] = heads[0]
			}
			return nil
		})
		if err != nil {
			return n, 0, heads, fmt.Errorf("exchange: verify audit: %w", err)
		}
		if bad != 0 {
			return n, bad, heads, fmt.Errorf("%w at record %d", ErrAuditTampered, bad)
		}
		if batch < 1000 {
			return n, 0, heads, nil
		}
	}
}

// CurrentAuditHead verifies the chain and returns its head, for a checkpoint.
// A broken chain yields no head: a checkpoint must never vouch for it.
func (s *Store) CurrentAuditHead(ctx context.Context) (AuditHead, error) {
	_, _, heads, err := s.verifyAudit(ctx, 0)
	if err != nil {
		return AuditHead{}, err
	}
	return heads[0], nil
}

// ErrAuditCheckpoint says the audit log no longer holds what a signed
// checkpoint saw: records were deleted, truncated or rewritten.
var ErrAuditCheckpoint = errors.New("exchange: audit log does not match the latest checkpoint")

// VerifyAuditAgainst verifies the chain and that it still holds the head a
// checkpoint recorded: the checkpoint's newest record, with the same hash,
// reached by the same number of records. Deleting the newest records,
// deleting all, or rewriting any record (the keyed hash cannot be recomputed
// without the key) fails here. Records newer than the checkpoint are covered
// by the chain only; checkpoints bound how many can go unnoticed.
func (s *Store) VerifyAuditAgainst(ctx context.Context, cp AuditHead) (n int, err error) {
	n, _, heads, err := s.verifyAudit(ctx, cp.LastID)
	if err != nil {
		return n, err
	}
	if cp.Count == 0 {
		return n, nil
	}
	at, ok := heads[cp.LastID]
	switch {
	case !ok && n < cp.Count:
		return n, fmt.Errorf("%w: it saw %d records up to record %d, the log now has %d and not that record (deleted or truncated)",
			ErrAuditCheckpoint, cp.Count, cp.LastID, n)
	case !ok:
		return n, fmt.Errorf("%w: record %d, the checkpoint's newest, is gone", ErrAuditCheckpoint, cp.LastID)
	case at.Hash != cp.Hash:
		return n, fmt.Errorf("%w: record %d has another hash than the checkpoint saw (rewritten)", ErrAuditCheckpoint, cp.LastID)
	case at.Count != cp.Count:
		return n, fmt.Errorf("%w: %d records lead to record %d, the checkpoint saw %d (deleted or inserted)",
			ErrAuditCheckpoint, at.Count, cp.LastID, cp.Count)
	}
	return n, nil
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
