package auditcheck_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/auditcheck"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, pgtest.WithTemplate(exchange.MigrateURL))
}

// fixture is a migrated store, the gateway's signing key and its published
// set, and a writer appending to a checkpoint file.
type fixture struct {
	store  *exchange.Store
	signer *signing.Signer
	pub    jwk.Set
	file   string
	log    bytes.Buffer
	w      *auditcheck.Writer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{file: filepath.Join(t.TempDir(), "checkpoints.jsonl"), store: gatewaytest.Store(t)}
	key, err := signing.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if f.signer, err = signing.NewSigner(key); err != nil {
		t.Fatal(err)
	}
	if f.pub, err = signing.PublicSet(key); err != nil {
		t.Fatal(err)
	}
	f.w = auditcheck.New(auditcheck.Config{Gateway: "test-gw", File: f.file, Interval: time.Hour}, f.store,
		func() *signing.Signer { return f.signer }, slog.New(slog.NewJSONHandler(&f.log, nil)))
	return f
}

func (f *fixture) audit(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := f.store.AppendAudit(context.Background(), nil, exchange.Entry{Actor: "casey", Action: "reveal", Target: "message:1"}); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) lines(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(f.file)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	} else if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestWriteReadVerify(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.audit(t, 3)
	cp, err := f.w.Write(ctx)
	if err != nil || cp.Count != 3 || cp.Gateway != "test-gw" {
		t.Fatalf("checkpoint %+v, %v", cp, err)
	}
	if !strings.Contains(f.log.String(), `"msg":"audit checkpoint"`) || !strings.Contains(f.log.String(), cp.Hash) {
		t.Errorf("no checkpoint in the structured log: %s", f.log.String())
	}
	cps, err := auditcheck.ReadFile(f.file, f.pub)
	if err != nil || len(cps) != 1 || cps[0].AuditHead != cp.AuditHead {
		t.Fatalf("read back %+v, %v", cps, err)
	}
	rep, err := auditcheck.VerifyLog(ctx, f.store, cps)
	if err != nil || rep.Entries != 3 || rep.Checkpoint == nil || rep.Warning != "" {
		t.Fatalf("report %+v, %v", rep, err)
	}
	rep, err = auditcheck.VerifyLog(ctx, f.store, nil)
	if err != nil || rep.Entries != 3 || rep.Warning == "" {
		t.Errorf("without a checkpoint the report must warn: %+v, %v", rep, err)
	}
}

// A checkpoint is written only when the chain has grown since the last one.
func TestWriteIfGrown(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.audit(t, 1)
	f.w.WriteIfGrown(ctx)
	f.w.WriteIfGrown(ctx)
	if n := f.lines(t); n != 1 {
		t.Fatalf("%d checkpoints for an unchanged chain, want 1", n)
	}
	f.audit(t, 2)
	f.w.WriteIfGrown(ctx)
	if n := f.lines(t); n != 2 {
		t.Fatalf("%d checkpoints after the chain grew, want 2", n)
	}
	cps, err := auditcheck.ReadFile(f.file, f.pub)
	if err != nil || len(cps) != 2 || cps[1].Count != 3 {
		t.Fatalf("read back %+v, %v", cps, err)
	}
}

func TestNoSigningKey(t *testing.T) {
	f := newFixture(t)
	f.signer = nil
	if _, err := f.w.Write(context.Background()); err == nil {
		t.Fatal("a checkpoint was written without a key")
	}
	if n := f.lines(t); n != 0 {
		t.Errorf("%d lines written without a key", n)
	}
}

func TestForgedOrMalformedLinesAreRefused(t *testing.T) {
	f := newFixture(t)
	other, err := signing.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, err := signing.NewSigner(other)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"lastId":1,"head":"00","count":1,"at":"2026-12-01T00:00:00Z","gateway":"x"}`)
	forged, err := otherSigner.SignCompactType(payload, signing.CheckpointType, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := f.signer.SignCompactType(payload, signing.ReceiptType, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	extra, err := f.signer.SignCompactType([]byte(`{"lastId":1,"surprise":true}`), signing.CheckpointType, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, line := range map[string]string{
		"signed with another key":     `{"jws":"` + forged + `"}`,
		"a receipt, not a checkpoint": receipt,
		"unknown fields":              extra,
		"no jws field":                `{"lastId":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cp.jsonl")
			if err := os.WriteFile(path, []byte("\n"+line+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := auditcheck.ReadFile(path, f.pub)
			if err == nil || !strings.Contains(err.Error(), "line 2") {
				t.Errorf("accepted, or the error does not name the line: %v", err)
			}
		})
	}
	if _, err := auditcheck.ReadFile(filepath.Join(t.TempDir(), "none"), f.pub); err == nil {
		t.Error("a missing file read as no checkpoints")
	}
}

// A gateway stopping before the chain was read writes no checkpoint: it has
// learnt nothing about the chain, and says nothing in the error log.
func TestRunEndsWithItsContext(t *testing.T) {
	f := newFixture(t)
	f.audit(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.w.Run(ctx)
	if n := f.lines(t); n != 0 {
		t.Errorf("%d checkpoints written by a stopped gateway", n)
	}
	if strings.Contains(f.log.String(), "does not verify") {
		t.Errorf("a stop reported as a broken chain: %s", f.log.String())
	}
}
