package review_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/review"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, pgtest.WithTemplate(exchange.MigrateURL))
}

const audience = "uifsagw-staff"

// env is a running staff UI on a fresh database with the development issuer
// mounted at /dev/oidc, plus issuers whose tokens must be refused.
type env struct {
	t       testing.TB
	srv     *httptest.Server
	store   *exchange.Store
	handler *review.Handler
	iss     *devenv.Issuer
	// Issuers trusted for their keys but wrong in one claim.
	wrongIss, wrongAud, expired *devenv.Issuer
	// untrusted signs with a key the verifier does not know.
	untrusted *devenv.Issuer
	routed    atomic.Int64
	metrics   *telemetry.Metrics
}

func testKeys(t testing.TB) exchange.PIIKeys {
	t.Helper()
	enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	mac := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("h", 32)))
	k, err := exchange.ParsePIIKeys(enc, mac)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	store, err := exchange.Open(ctx, pgtest.NewDB(t), testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	var h atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: store}
	issuerURL := srv.URL + "/dev/oidc"
	mk := func(u, aud string) *devenv.Issuer {
		is, err := devenv.NewIssuer(u, aud)
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	e.iss = mk(issuerURL, audience)
	e.wrongIss = mk("https://elsewhere.example/oidc", audience)
	e.wrongAud = mk(issuerURL, "another-app")
	e.expired = mk(issuerURL, audience)
	e.expired.TTL = -2 * time.Hour
	e.untrusted = mk(issuerURL, audience)
	trusted := jwk.NewSet()
	for _, is := range []*devenv.Issuer{e.iss, e.wrongIss, e.wrongAud, e.expired} {
		set := is.Keys()
		for i := 0; i < set.Len(); i++ {
			k, _ := set.Key(i)
			if err := trusted.AddKey(k); err != nil {
				t.Fatal(err)
			}
		}
	}
	metrics, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	handler, err := review.NewHandler(review.Config{
		IssuerURL: issuerURL, ClientID: "uifsagw-ui", RedirectURL: srv.URL + "/callback",
		SessionKey: []byte(strings.Repeat("s", 32)),
	}, review.Deps{
		Store:    store,
		Verifier: &review.Verifier{Issuer: issuerURL, Audience: audience, RoleClaim: "roles", Keys: func() jwk.Set { return trusted }},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics:  metrics,
		Send: func(ctx context.Context, partner string, tx canonical.Transaction) (int64, error) {
			id, err := store.EnqueueOutbound(ctx, store.Pool(), exchange.Outbound{Partner: partner,
				MessageID: "route-" + tx.Header.MessageID, Format: "json-transaction/1", ContentType: "application/json",
				Raw: []byte(`{"routed":"` + tx.Header.MessageID + `"}`), Tx: tx})
			e.routed.Add(1)
			return id, err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.handler, e.metrics = handler, metrics
	mux := http.NewServeMux()
	mux.Handle("/dev/oidc/", http.StripPrefix("/dev/oidc", e.iss.Handler()))
	mux.Handle("/", handler)
	h.Store(http.Handler(mux))
	return e
}

func date(s string) *canonical.Date {
	d, err := canonical.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

// sampleTx is an ENF request naming an NCP, a CP and a child, with SSNs.
func sampleTx(msgID, caseID string) canonical.Transaction {
	return canonical.Transaction{
		Header: canonical.Header{
			SenderFIPS: "3400000", ReceiverFIPS: "3600000", MessageID: msgID, Serial: 7,
			TransactionDate: *date("2026-11-02"), SenderCaseID: caseID, Function: canonical.FuncEnforce,
			Action: canonical.ActRequest, Reason: "GSADD",
		},
		NCP: &canonical.NCPIdentification{
			Name: canonical.Name{First: "Pat", Last: "Doe"}, SSN: "123456789", DateOfBirth: date("1981-04-17"), Sex: canonical.SexMale,
		},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Chris", Last: "Doe"}, SSN: "234567890", DateOfBirth: date("1983-09-30"), Relationship: canonical.RelCustodialParty},
			{Name: canonical.Name{First: "Sam", Last: "Doe"}, SSN: "345678901", DateOfBirth: date("2015-01-05"), Relationship: canonical.RelChild},
		},
		NCPLocate: &canonical.NCPLocate{Employers: []canonical.Employer{{EIN: "123456780", Name: "Acme Freight"}}},
		Orders: []canonical.Order{{TribunalFIPS: "3401300", Docket: "FD-13-1234", Type: canonical.OrderJudicial, DebtType: canonical.DebtChildSupport, IssueDate: *date("2020-03-01"),
			Amount: 45000, Frequency: "M", Arrears: 120000, ArrearsAsOf: date("2026-10-31")}},
		Collections: []canonical.Collection{{Date: *date("2026-10-15"), Amount: 45000, Source: canonical.CollectionSource("A"), Docket: "FD-13-1234"}},
	}
}

// receive stores an inbound message with a JSON body that repeats the SSNs
// and dates of birth, as partner bodies do.
func (e *env) receive(partner, msgID, caseID string, mutate func(*canonical.Transaction)) int64 {
	e.t.Helper()
	tx := sampleTx(msgID, caseID)
	if mutate != nil {
		mutate(&tx)
	}
	raw, err := json.Marshal(tx)
	if err != nil {
		e.t.Fatal(err)
	}
	in := exchange.Inbound{Partner: partner, MessageID: msgID, Format: "json-transaction/1", ContentType: "application/json",
		Raw: raw, Tx: tx, Signature: "eyJhbGciOiJFUzI1NiJ9..sig", TraceID: "trace-1"}
	if _, _, err := e.store.Receive(context.Background(), in, func(r exchange.Receipt) (string, error) {
		return "jws(" + r.ID + ")", nil
	}); err != nil {
		e.t.Fatal(err)
	}
	m, err := e.store.GetBySenderID(context.Background(), partner, exchange.DirIn, msgID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m.ID
}

// deadLetter enqueues an outbound message and gives up on it as the courier would.
func (e *env) deadLetter(partner, msgID, caseID string) int64 {
	e.t.Helper()
	ctx := context.Background()
	tx := sampleTx(msgID, caseID)
	tx.Header.SenderFIPS, tx.Header.ReceiverFIPS = "3600000", "3400000"
	id, err := e.store.EnqueueOutbound(ctx, e.store.Pool(), exchange.Outbound{Partner: partner, MessageID: msgID,
		Format: "json-transaction/1", ContentType: "application/json", Raw: []byte(`{"out":"` + msgID + `"}`), Tx: tx})
	if err != nil {
		e.t.Fatal(err)
	}
	items, err := e.store.ClaimOutbox(ctx, "courier-test", 10, time.Minute)
	if err != nil || len(items) == 0 {
		e.t.Fatalf("claim outbox: %v (%d items)", err, len(items))
	}
	if err := e.store.MarkDeadLetter(ctx, id, "partner endpoint answered 503 five times"); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// needsReview moves a received message to needs_review with a
// controlling-order review item, as the casework processor does.
func (e *env) needsReview(id int64) int64 {
	e.t.Helper()
	ctx := context.Background()
	msgs, err := e.store.ClaimReceived(ctx, "worker-test", 100)
	if err != nil {
		e.t.Fatal(err)
	}
	var itemID int64
	for _, m := range msgs {
		status := exchange.StatusProcessed
		var fn func(q exchange.Querier) error
		if m.ID == id {
			status = exchange.StatusNeedsReview
			fn = func(q exchange.Querier) error {
				ev := map[string]any{
					"orders": []map[string]any{
						{"id": "11", "tribunalFips": "3401300", "docket": "FD-13-1234", "type": "CS", "issueDate": "2020-03-01", "amountCents": 45000, "frequency": "M", "active": true},
						{"id": "12", "tribunalFips": "3606100", "docket": "NY-9-555", "type": "CS", "issueDate": "2022-06-01", "amountCents": 50000, "frequency": "M", "active": true},
					},
					"determination": map[string]any{"Kind": "controlling_order", "Rule": "207(b)(2)", "Controlling": map[string]any{"ID": "12"},
						"Basis": "Only New York has continuing, exclusive jurisdiction."},
				}
				var err error
				itemID, err = exchange.AddReviewItem(ctx, q, exchange.ReviewItem{MessageID: id, Kind: "controlling_order", Evidence: ev})
				return err
			}
		}
		if err := e.store.Complete(ctx, m.ID, status, "test", fn); err != nil {
			e.t.Fatal(err)
		}
	}
	if itemID == 0 {
		e.t.Fatalf("message %d was not claimed", id)
	}
	return itemID
}

func (e *env) token(subject string) string {
	e.t.Helper()
	tok, err := e.iss.Mint(subject, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// call makes one request with a bearer token (empty: none) and returns the
// status and body.
func (e *env) call(method, path, token string, body any, header ...string) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signIn runs the whole authorization-code flow as a browser would (without
// JavaScript) and returns a client holding the session cookie.
func (e *env) signIn(user string) *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(e.srv.URL + "/login")
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	// The picker page posts back the authorization request's parameters.
	authz := resp.Request.URL
	if !strings.HasSuffix(authz.Path, "/dev/oidc/authorize") {
		e.t.Fatalf("login went to %s", authz)
	}
	form := url.Values{"user": {user}}
	for _, k := range []string{"client_id", "redirect_uri", "state", "code_challenge", "nonce"} {
		form.Set(k, authz.Query().Get(k))
	}
	resp, err = c.PostForm(e.srv.URL+"/dev/oidc/authorize", form)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		e.t.Fatalf("sign-in ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	return c
}

func (e *env) sessionCookie(c *http.Client) string {
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "uifsagw_session" {
			return ck.Value
		}
	}
	e.t.Fatal("no session cookie")
	return ""
}

func mustContain(t testing.TB, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q", w)
		}
	}
}

func mustNotContain(t testing.TB, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("body contains %q", b)
		}
	}
}

func idPath(format string, id int64) string { return fmt.Sprintf(format, id) }
