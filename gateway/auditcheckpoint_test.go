package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/auditcheck"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

// syncBuffer is a log sink tests read while the gateway writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAuditCheckpointsCatchTruncation is issue 15 item 3b end to end: the
// gateway writes signed checkpoints of the audit chain's head to the file the
// operator chose and to the structured log; verifying against the latest one
// catches the newest records deleted by someone who can switch the table's
// triggers off, and a checkpoint line not signed by the gateway is refused.
func TestAuditCheckpointsCatchTruncation(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDB(t)
	dir := t.TempDir()
	cpFile := filepath.Join(dir, "audit-checkpoints.jsonl")
	var logs syncBuffer
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url,
		Log:       slog.New(slog.NewJSONHandler(&logs, nil)),
		Configure: func(c *gateway.Config) { c.Audit.CheckpointFile = cpFile }})
	st := g.Server.Store()
	for i := 0; i < 5; i++ {
		if _, err := st.AppendAudit(ctx, nil, exchange.Entry{Actor: "casey", Action: "reveal", Target: "message:1",
			Details: map[string]string{"field": "ncp.ssn", "reason": "locate"}}); err != nil {
			t.Fatal(err)
		}
	}
	cp, err := g.Server.WriteAuditCheckpoint(ctx)
	if err != nil || cp.Count != 5 {
		t.Fatalf("checkpoint %+v, %v", cp, err)
	}
	if !strings.Contains(logs.String(), `"msg":"audit checkpoint"`) || !strings.Contains(logs.String(), cp.Hash) {
		t.Error("the structured log has no checkpoint")
	}
	pub, err := gateway.PublishedKeys(g.Config)
	if err != nil {
		t.Fatal(err)
	}
	cps, err := auditcheck.ReadFile(cpFile, pub)
	if err != nil || len(cps) < 1 {
		t.Fatalf("checkpoints read back: %d, %v", len(cps), err)
	}
	rep, err := auditcheck.VerifyLog(ctx, st, cps)
	if err != nil || rep.Checkpoint == nil || rep.Checkpoint.Count != 5 || rep.Entries != 5 {
		t.Fatalf("untouched log: %+v, %v", rep, err)
	}

	// A checkpoint the gateway did not sign (here: a receipt-type statement
	// signed with a partner's key) is refused, not trusted.
	_, _, njJWK := l.Client("nj")
	nj, err := signing.LoadPrivateKey(njJWK)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signing.NewSigner(nj)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := signer.SignCompactType([]byte(`{"lastId":1,"head":"00","count":1}`), signing.CheckpointType, cp.At)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "forged.jsonl")
	if err := os.WriteFile(bad, []byte(`{"jws":"`+forged+`"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := auditcheck.ReadFile(bad, pub); err == nil {
		t.Error("a checkpoint signed with another key was accepted")
	}

	// The newest two records deleted by a superuser with the triggers off.
	pool := dbPool(t, url)
	for _, q := range []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`,
		`DELETE FROM audit_log WHERE id > (SELECT max(id) - 2 FROM audit_log)`, `ALTER TABLE audit_log ENABLE TRIGGER USER`} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := st.VerifyAudit(ctx); err != nil {
		t.Fatalf("the chain alone should still verify (that is the attack): %v", err)
	}
	rep, err = auditcheck.VerifyLog(ctx, st, cps)
	if !errors.Is(err, exchange.ErrAuditCheckpoint) {
		t.Fatalf("truncation not caught: %+v, %v", rep, err)
	}
	// No checkpoint written after the attack vouches for the shorter log: a
	// new one would, so the operator keeps the file where the database's
	// administrators cannot write; here the old one still catches it.
}
