package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// plainHash is the unkeyed chain hash an attacker can compute from the table
// alone (what version 1 rows use).
func plainHash(prev []byte, id int64, at time.Time, actor, action, target, details string) []byte {
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

// asSuperuser runs sql with the append-only triggers off, as a superuser
// (the attacker issue 15 item 3 describes) can.
func asSuperuser(t *testing.T, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, sql, `ALTER TABLE audit_log ENABLE TRIGGER USER`} {
		a := args
		if q != sql {
			a = nil
		}
		if _, err := c.Exec(ctx, q, a...); err != nil {
			t.Fatal(err)
		}
	}
}

// rehashAll recomputes every row's chain the way an attacker without the key
// would: plain SHA-256 from the genesis hash, marking the rows as chain
// version (2 pretends they are keyed, 1 passes them off as written before
// the chain was keyed).
func rehashAll(t *testing.T, c *pgx.Conn, version int) {
	t.Helper()
	ctx := context.Background()
	rows, err := c.Query(ctx, `SELECT id, at, actor, action, target, details::text FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		id                            int64
		at                            time.Time
		actor, action, target, detail string
	}
	var all []rec
	var r rec
	if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.at, &r.actor, &r.action, &r.target, &r.detail}, func() error {
		all = append(all, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	prev := make([]byte, 32)
	for _, r := range all {
		h := plainHash(prev, r.id, r.at, r.actor, r.action, r.target, r.detail)
		asSuperuser(t, c, `UPDATE audit_log SET prev_hash = $2, hash = $3, chain = $4 WHERE id = $1`, r.id, prev, h, version)
		prev = h
	}
}

// TestAuditAttacksAgainstCheckpoint is issue 15 item 3b: each way a database
// superuser could hide audit records, and the chain or the latest signed
// checkpoint that catches it.
func TestAuditAttacksAgainstCheckpoint(t *testing.T) {
	attacks := []struct {
		name   string
		attack func(t *testing.T, c *pgx.Conn, ids []int64)
		// chain says the keyed chain alone already fails, without the
		// checkpoint; a log passed off whole as written before the chain was
		// keyed is caught by the checkpoint only.
		chain bool
	}{
		{"delete the newest records", func(t *testing.T, c *pgx.Conn, ids []int64) {
			asSuperuser(t, c, `DELETE FROM audit_log WHERE id >= $1`, ids[len(ids)-2])
		}, false},
		{"delete every record", func(t *testing.T, c *pgx.Conn, _ []int64) {
			asSuperuser(t, c, `DELETE FROM audit_log`)
		}, false},
		{"truncate", func(t *testing.T, c *pgx.Conn, _ []int64) {
			asSuperuser(t, c, `TRUNCATE audit_log`)
		}, false},
		{"rewrite one record and re-hash the rest", func(t *testing.T, c *pgx.Conn, ids []int64) {
			asSuperuser(t, c, `UPDATE audit_log SET actor = 'nobody' WHERE id = $1`, ids[2])
			rehashAll(t, c, 2)
		}, true},
		{"delete one record in the middle and re-hash the rest", func(t *testing.T, c *pgx.Conn, ids []int64) {
			asSuperuser(t, c, `DELETE FROM audit_log WHERE id = $1`, ids[3])
			rehashAll(t, c, 2)
		}, true},
		{"rewrite one record and pass the log off as unkeyed", func(t *testing.T, c *pgx.Conn, ids []int64) {
			asSuperuser(t, c, `UPDATE audit_log SET actor = 'nobody' WHERE id = $1`, ids[2])
			rehashAll(t, c, 1)
		}, false},
		{"delete the newest and pass the log off as unkeyed", func(t *testing.T, c *pgx.Conn, ids []int64) {
			asSuperuser(t, c, `DELETE FROM audit_log WHERE id = $1`, ids[len(ids)-1])
			rehashAll(t, c, 1)
		}, false},
		{"downgrade only the newest records to unkeyed", func(t *testing.T, c *pgx.Conn, ids []int64) {
			asSuperuser(t, c, `UPDATE audit_log SET chain = 1 WHERE id >= $1`, ids[4])
		}, true},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			ctx := context.Background()
			s, url := newStore(t)
			c := connect(t, url)
			var ids []int64
			for i := range 6 {
				id, err := s.AppendAudit(ctx, nil, exchange.Entry{Actor: fmt.Sprintf("staff:%d", i), Action: "reveal", Target: "message:1",
					Details: map[string]any{"field": "ncp.ssn", "reason": "locate"}})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			cp, err := s.CurrentAuditHead(ctx)
			if err != nil || cp.Count != 6 || cp.LastID != ids[5] {
				t.Fatalf("checkpoint head %+v, %v", cp, err)
			}
			if _, err := s.VerifyAuditAgainst(ctx, cp); err != nil {
				t.Fatalf("an untouched log fails: %v", err)
			}
			// A record after the checkpoint is fine.
			if _, err := s.AppendAudit(ctx, nil, exchange.Entry{Actor: "staff:7", Action: "view"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.VerifyAuditAgainst(ctx, cp); err != nil {
				t.Fatalf("a log that grew after the checkpoint fails: %v", err)
			}

			a.attack(t, c, ids)

			_, _, chainErr := s.VerifyAudit(ctx)
			if a.chain && !errors.Is(chainErr, exchange.ErrAuditTampered) {
				t.Errorf("the keyed chain did not catch it: %v", chainErr)
			}
			_, err = s.VerifyAuditAgainst(ctx, cp)
			if !errors.Is(err, exchange.ErrAuditTampered) && !errors.Is(err, exchange.ErrAuditCheckpoint) {
				t.Fatalf("verify against the checkpoint passed after the attack (%v)", err)
			}
		})
	}
}
