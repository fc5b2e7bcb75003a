package intake_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
	"github.com/uifsagw/uifsagw/transforms"
	_ "github.com/uifsagw/uifsagw/transforms/all"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, pgtest.WithTemplate(exchange.MigrateURL))
}

// refusalLog is what intake reported as refused.
type refusalLog struct {
	mu    sync.Mutex
	codes []string
}

func (l *refusalLog) add(_ context.Context, _ *partners.Partner, e *intake.Error, _ string, _ []byte, _ string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.codes = append(l.codes, e.Code)
}

func (l *refusalLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.codes) == 0 {
		return ""
	}
	return l.codes[len(l.codes)-1]
}

// rig is an intake service on a fresh database, with one partner (CA, state
// 06) that sends json-transaction/2 (or another format) to us (NY, state 36).
type rig struct {
	svc      *intake.Service
	store    *exchange.Store
	url      string
	partner  *partners.Partner
	codec    transforms.Codec
	sender   *signing.Signer // the partner's key
	gateway  *signing.Signer // ours, for receipts
	refusals *refusalLog
	now      time.Time
}

const format = "json-transaction/2"

func newRig(t testing.TB, maxBody int64) *rig { return newRigFor(t, maxBody, format) }

func newRigFor(t testing.TB, maxBody int64, format string) *rig {
	t.Helper()
	url := pgtest.NewDB(t)
	enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	mac := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("h", 32)))
	keys, err := exchange.ParsePIIKeys(enc, mac)
	if err != nil {
		t.Fatal(err)
	}
	store, err := exchange.Open(context.Background(), url, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)

	r := &rig{store: store, url: url, refusals: &refusalLog{}, now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	r.sender = newSigner(t)
	r.gateway = newSigner(t)
	dir := t.TempDir()
	pub, err := r.sender.Public()
	if err != nil {
		t.Fatal(err)
	}
	set, err := signing.PublicSet(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := signing.WriteJSON(filepath.Join(dir, "ca.jwks.json"), set, 0o600); err != nil {
		t.Fatal(err)
	}
	pin := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("p", 32)))
	yml := fmt.Sprintf("id: ca\nkind: state\nname: California\nstate_fips: \"06\"\nformat: %s\ndelivery: pull\ntls: {pins: [%q]}\njwks_file: ca.jwks.json\n", format, pin)
	if r.partner, err = partners.Parse([]byte(yml), dir); err != nil {
		t.Fatal(err)
	}
	codec, ok := transforms.Default.Lookup(format)
	if !ok {
		t.Fatalf("no codec %s", format)
	}
	r.codec = codec
	metrics, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	combos := validate.DefaultCombos()
	r.svc = intake.New(intake.Config{StateFIPS: "36", Name: "ny-test", MaxBody: maxBody, IATWindow: 5 * time.Minute}, intake.Deps{
		Store:    store,
		Signer:   func() *signing.Signer { return r.gateway },
		CodecFor: func(*partners.Partner) (intake.Codec, error) { return codec, nil },
		Validate: func(t *canonical.Transaction) canonical.FieldErrors { return validate.With(t, combos) },
		Refused:  r.refusals.add,
		Metrics:  metrics,
		Tracer:   noop.NewTracerProvider().Tracer("test"),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:      func() time.Time { return r.now },
	})
	return r
}

func newSigner(t testing.TB) *signing.Signer {
	t.Helper()
	k, err := signing.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := signing.NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// verifyReceipt checks a receipt JWS against the public half of s.
func verifyReceipt(t testing.TB, s *signing.Signer, jws string) signing.Receipt {
	t.Helper()
	pub, err := s.Public()
	if err != nil {
		t.Fatal(err)
	}
	set, err := signing.PublicSet(pub)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := signing.VerifyReceipt(jws, set)
	if err != nil {
		t.Fatalf("receipt does not verify with our key: %v", err)
	}
	return rc
}

// sample is dev's California establishment request (EST R SRORD), which
// the federal edits accept.
func (r *rig) sample(t testing.TB) canonical.Transaction {
	t.Helper()
	tx := devenv.SampleCAEstablish(0, 1, canonical.DateOf(r.now))
	if errs := validate.With(&tx, validate.DefaultCombos()); len(errs) > 0 {
		t.Fatalf("sample does not validate: %v", errs)
	}
	return tx
}

// request encodes tx and signs it as the partner would, with jti = jti.
func (r *rig) request(t testing.TB, tx canonical.Transaction, jti string) intake.Request {
	t.Helper()
	body, err := r.codec.Encode(tx)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := r.sender.SignDetached(body, jti, r.now)
	if err != nil {
		t.Fatal(err)
	}
	return intake.Request{Partner: r.partner, Body: body, ContentType: r.codec.ContentType(), Signature: sig, Remote: "test"}
}

func (r *rig) count(t testing.TB) int {
	t.Helper()
	c, err := pgx.Connect(context.Background(), r.url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int
	if err := c.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE direction = 'in'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReceiveStoresOnceAndAnswersRepeatsWithTheFirstReceipt(t *testing.T) {
	t.Parallel()
	r := newRig(t, 1<<20)
	tx := r.sample(t)
	req := r.request(t, tx, tx.Header.MessageID)

	first := r.svc.Receive(context.Background(), req)
	if first.Err != nil {
		t.Fatalf("refused: %v %v", first.Err, first.Err.Fields)
	}
	if first.Repeat || first.Receipt.MessageID != tx.Header.MessageID || first.Receipt.Partner != "ca" {
		t.Fatalf("receipt = %+v repeat=%v", first.Receipt, first.Repeat)
	}
	got := verifyReceipt(t, r.gateway, first.Receipt.JWS)
	if got.ID != first.Receipt.ID || got.Issuer != "ny-test" || got.BodySHA256 != signing.BodyDigest(req.Body) {
		t.Fatalf("signed receipt = %+v, want id %s over the body", got, first.Receipt.ID)
	}

	// The same bytes again (say the partner lost our answer): the first receipt.
	again := r.svc.Receive(context.Background(), req)
	if again.Err != nil || !again.Repeat || again.Receipt.ID != first.Receipt.ID || again.Receipt.JWS != first.Receipt.JWS {
		t.Fatalf("repeat = %+v, want the first receipt %s", again, first.Receipt.ID)
	}
	if n := r.count(t); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
	if code := r.refusals.last(); code != "" {
		t.Fatalf("refusal %s recorded for accepted messages", code)
	}
}

func TestReceiveRefusesAndStoresNothing(t *testing.T) {
	t.Parallel()
	r := newRig(t, 1<<20)
	good := r.sample(t)
	id := good.Header.MessageID
	cases := []struct {
		name  string
		req   func() intake.Request
		code  string
		field string // a field error path the refusal must name, if any
	}{
		{"media type", func() intake.Request {
			q := r.request(t, good, id)
			q.ContentType = "text/plain"
			return q
		}, intake.CodeMediaType, ""},
		{"no signature", func() intake.Request {
			q := r.request(t, good, id)
			q.Signature = ""
			return q
		}, intake.CodeSigMissing, ""},
		{"body changed after signing", func() intake.Request {
			q := r.request(t, good, id)
			q.Body = append([]byte(nil), q.Body...)
			q.Body[len(q.Body)-2] = ' '
			return q
		}, intake.CodeSigInvalid, ""},
		{"someone else's key", func() intake.Request {
			q := r.request(t, good, id)
			q.Signature, _ = newSigner(t).SignDetached(q.Body, id, r.now)
			return q
		}, intake.CodeSigUnknownKey, ""},
		{"not the format", func() intake.Request {
			body := []byte(`{"header": `)
			sig, _ := r.sender.SignDetached(body, id, r.now)
			return intake.Request{Partner: r.partner, Body: body, ContentType: r.codec.ContentType(), Signature: sig}
		}, intake.CodeMalformed, ""},
		{"unknown combination", func() intake.Request {
			tx := good
			tx.Header.Reason = "ZZZZZ"
			return r.request(t, tx, id)
		}, intake.CodeInvalid, "header.reason"},
		{"jti is another message", func() intake.Request {
			return r.request(t, good, "OTHER-1")
		}, intake.CodeJTIMismatch, "header.messageId"},
		{"sender outside the partner's state", func() intake.Request {
			tx := good
			tx.Header.SenderFIPS = "4200000"
			return r.request(t, tx, id)
		}, intake.CodeSenderMismatch, "header.senderFips"},
		{"addressed to another state", func() intake.Request {
			tx := good
			tx.Header.ReceiverFIPS = "4200000"
			return r.request(t, tx, id)
		}, intake.CodeWrongReceiver, "header.receiverFips"},
	}
	for _, c := range cases {
		res := r.svc.Receive(context.Background(), c.req())
		if res.Err == nil || res.Err.Code != c.code {
			t.Errorf("%s: got %+v, want refusal %s", c.name, res.Err, c.code)
			continue
		}
		if res.Err.Temporary() {
			t.Errorf("%s: refusal %s marked temporary", c.name, c.code)
		}
		if c.field != "" && !namesField(res.Err, c.field) {
			t.Errorf("%s: fields %v do not name %s", c.name, res.Err.Fields, c.field)
		}
		if got := r.refusals.last(); got != c.code {
			t.Errorf("%s: refusal recorded as %q, want %q", c.name, got, c.code)
		}
	}
	if n := r.count(t); n != 0 {
		t.Fatalf("%d messages stored from refused requests", n)
	}

	// The same message ID with different bytes is a conflict, not a repeat.
	if res := r.svc.Receive(context.Background(), r.request(t, good, id)); res.Err != nil {
		t.Fatalf("good message refused: %v", res.Err)
	}
	changed := good
	changed.Header.ReceiverCaseID = "NJ-CHANGED"
	if res := r.svc.Receive(context.Background(), r.request(t, changed, id)); res.Err == nil || res.Err.Code != intake.CodeConflict {
		t.Fatalf("changed body under the same ID: %+v, want %s", res.Err, intake.CodeConflict)
	}
	if n := r.count(t); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
}

func TestReceiveRefusesOversizedBodiesUnread(t *testing.T) {
	t.Parallel()
	r := newRig(t, 64)
	good := r.sample(t)
	res := r.svc.Receive(context.Background(), r.request(t, good, good.Header.MessageID))
	if res.Err == nil || res.Err.Code != intake.CodeTooLarge {
		t.Fatalf("got %+v, want %s", res.Err, intake.CodeTooLarge)
	}
	if n := r.count(t); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
}

func TestReceiveIsTemporaryWhenTheStoreIsDown(t *testing.T) {
	t.Parallel()
	r := newRig(t, 1<<20)
	good := r.sample(t)
	req := r.request(t, good, good.Header.MessageID)
	r.store.Close()
	res := r.svc.Receive(context.Background(), req)
	if res.Err == nil || res.Err.Code != intake.CodeUnavailable || !res.Err.Temporary() {
		t.Fatalf("got %+v, want a temporary %s", res.Err, intake.CodeUnavailable)
	}
}

func namesField(e *intake.Error, path string) bool {
	for _, f := range e.Fields {
		if f.Path == path {
			return true
		}
	}
	return false
}
