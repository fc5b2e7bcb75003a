package gateway_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"gopkg.in/yaml.v3"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// gatedPartner is a partner gateway over mTLS that signs receipts like a real
// one and tells the test what happens as it happens: each post's arrival (with
// its connection), how many posts it holds at once, and connections closing.
// While the gate is shut, every post waits in the handler.
type gatedPartner struct {
	ln     net.Listener
	srv    *http.Server
	signer *signing.Signer
	keys   jwk.Set
	cert   atomic.Pointer[tls.Certificate]

	gate    chan struct{} // closed: posts are answered
	arrived chan arrival
	closed  chan net.Conn

	mu       sync.Mutex
	inFlight int
	most     int
	order    []string       // message ids in order of arrival
	posts    map[string]int // posts per message id
}

type arrival struct {
	id   string
	conn net.Conn
}

type connKey struct{}

func newGatedPartner(t testing.TB, capacity int) *gatedPartner {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gp := &gatedPartner{ln: ln, gate: make(chan struct{}), arrived: make(chan arrival, capacity),
		closed: make(chan net.Conn, capacity), posts: map[string]int{}}
	return gp
}

func (gp *gatedPartner) URL() string { return "https://" + gp.ln.Addr().String() }

func (gp *gatedPartner) open() { close(gp.gate) }

func (gp *gatedPartner) serve(t testing.TB, cert tls.Certificate, jwkFile, gwJWKS string) {
	t.Helper()
	k, err := signing.LoadPrivateKey(jwkFile)
	if err != nil {
		t.Fatal(err)
	}
	if gp.signer, err = signing.NewSigner(k); err != nil {
		t.Fatal(err)
	}
	if gp.keys, err = signing.LoadKeySet(gwJWKS); err != nil {
		t.Fatal(err)
	}
	gp.cert.Store(&cert)
	gp.srv = &http.Server{Handler: http.HandlerFunc(gp.handle), ReadHeaderTimeout: 5 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) },
		ConnState: func(c net.Conn, st http.ConnState) {
			if st == http.StateClosed || st == http.StateHijacked {
				gp.closed <- c
			}
		},
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12, ClientAuth: tls.RequireAnyClientCert,
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return gp.cert.Load(), nil }}}
	go func() { _ = gp.srv.ServeTLS(gp.ln, "", "") }()
	t.Cleanup(func() { _ = gp.srv.Close() })
}

func (gp *gatedPartner) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	claims, err := signing.Verifier{Window: 5 * time.Minute}.VerifyDetached(r.Header.Get("JWS-Signature"), body, gp.keys, time.Now())
	if err != nil {
		http.Error(w, `{"error":{"code":"signature_invalid","message":"bad signature"}}`, http.StatusUnauthorized)
		return
	}
	id := claims.JTI
	gp.mu.Lock()
	gp.inFlight++
	gp.most = max(gp.most, gp.inFlight)
	gp.order = append(gp.order, id)
	gp.posts[id]++
	gp.mu.Unlock()
	conn, _ := r.Context().Value(connKey{}).(net.Conn)
	gp.arrived <- arrival{id: id, conn: conn}
	select {
	case <-gp.gate:
	case <-r.Context().Done():
	}
	gp.mu.Lock()
	gp.inFlight--
	gp.mu.Unlock()
	rc, err := gp.signer.SignReceipt(signing.Receipt{ID: "rcpt-" + id, Partner: "gateway", MessageID: id,
		BodySHA256: signing.BodyDigest(body), ReceivedAt: time.Now().UTC(), Issuer: "test-partner"}, time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": "received", "messageId": id, "receiptId": "rcpt-" + id,
		"receivedAt": time.Now().UTC(), "repeat": false, "receipt": rc})
}

// pushPartnerSetup makes an installation with one extra push partner "gated"
// served by gp with its sample certificate.
func pushPartnerSetup(t testing.TB, gp *gatedPartner) devenv.Layout {
	t.Helper()
	extra := devenv.SamplePartner{ID: "gated", Kind: partners.KindState, Name: "Connecticut (gated)", StateFIPS: "09",
		Format: "xml-transaction/1", Delivery: partners.DeliverPush, Endpoint: gp.URL()}
	l := gatewaytest.Prepare(t, gatewaytest.Options{Partners: append(slices.Clone(devenv.Samples), extra)})
	certFile, keyFile, jwkFile := l.Client("gated")
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	gp.serve(t, pair, jwkFile, l.GatewayJWKS())
	return l
}

func sendToGated(t testing.TB, g *gatewaytest.Gateway, id, caseID string) {
	t.Helper()
	tx := devenv.SampleEST(id, today())
	tx.Header.SenderFIPS, tx.Header.ReceiverFIPS = "3600000", canonical.FIPS("0900000")
	tx.Header.SenderCaseID = caseID
	if _, err := g.Server.Send(context.Background(), "test", "gated", tx); err != nil {
		t.Fatalf("send %s: %v", id, err)
	}
}

// TestSenderKeepsSeveralInFlightPerPartnerInCaseOrder queues four messages
// in each of six cases for one partner, with workers.sender_per_partner = 3.
// The partner holds every post until three are in its hands at once (the
// bound is reached), and they are three different cases (a case's next
// message never leaves before the one before it is answered). Then it
// answers everything: each message arrives exactly once, the messages of a
// case in the order they were queued, never more than three at once, and all
// end delivered.
func TestSenderKeepsSeveralInFlightPerPartnerInCaseOrder(t *testing.T) {
	const cases, perCase, bound = 6, 4, 3
	gp := newGatedPartner(t, 1000)
	l := pushPartnerSetup(t, gp)
	url := pgtest.NewDB(t)
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url,
		Configure: func(c *gateway.Config) {
			c.Workers.Senders, c.Workers.SenderPerPartner = 16, bound
			// The partner holds posts until the bound is reached; on a busy
			// machine that must not look like a timeout (and a retry).
			c.Workers.SendTimeout = 2 * time.Minute
		}})

	caseOf := map[string]int{}
	queued := make([][]string, cases)
	stamp := time.Now().UnixNano()
	for seq := range perCase {
		for c := range cases {
			id := fmt.Sprintf("ORD-%d-%d-%d", stamp, c, seq)
			caseOf[id] = c
			queued[c] = append(queued[c], id)
			sendToGated(t, g, id, fmt.Sprintf("NY%010d", c))
		}
	}
	held := map[int]bool{}
	for range bound {
		a := <-gp.arrived
		if held[caseOf[a.id]] {
			t.Fatalf("two messages of case %d in flight at once", caseOf[a.id])
		}
		held[caseOf[a.id]] = true
	}
	gp.open()
	for range cases*perCase - bound {
		<-gp.arrived
	}
	g.Stop() // deliveries under way finish and are recorded before it returns

	gp.mu.Lock()
	defer gp.mu.Unlock()
	if gp.most != bound {
		t.Errorf("%d posts in flight at most, want exactly the bound %d", gp.most, bound)
	}
	for id, n := range gp.posts {
		if n != 1 {
			t.Errorf("%s posted %d times", id, n)
		}
	}
	got := make([][]string, cases)
	for _, id := range gp.order {
		got[caseOf[id]] = append(got[caseOf[id]], id)
	}
	for c := range cases {
		if !slices.Equal(got[c], queued[c]) {
			t.Errorf("case %d arrived as %v, queued as %v", c, got[c], queued[c])
		}
	}
	pool := dbPool(t, url)
	var delivered int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM messages
		WHERE direction = 'out' AND partner = 'gated' AND status = 'delivered'`).Scan(&delivered); err != nil {
		t.Fatal(err)
	}
	if delivered != cases*perCase {
		t.Errorf("%d of %d messages delivered", delivered, cases*perCase)
	}
}

// TestSenderFollowsPartnerDirectoryReload: a partner moves to a certificate
// from another CA, under another server name. Its entry is changed to name
// the new CA file and server name and the directory reloaded: the next push
// goes over a new connection that trusts the new CA and checks the new name
// (the partner serves only the new certificate), and the connection of the
// old client is closed rather than kept for later.
func TestSenderFollowsPartnerDirectoryReload(t *testing.T) {
	gp := newGatedPartner(t, 1000)
	gp.open()
	l := pushPartnerSetup(t, gp)
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: pgtest.NewDB(t)})

	stamp := time.Now().UnixNano()
	sendToGated(t, g, fmt.Sprintf("MOVE-%d-1", stamp), "NY0000000001")
	first := <-gp.arrived

	ca, err := pki.NewCA("Connecticut new CA", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue("partner-b.test", []string{"partner-b.test"}, nil, pki.Usage{Server: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pair := pki.TLSCertificate(cert, key)
	gp.cert.Store(&pair)
	caFile := filepath.Join(t.TempDir(), "ct-ca.pem")
	if err := ca.Save(caFile, filepath.Join(t.TempDir(), "ct-ca.key")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(l.PartnersDir(), "gated.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p partners.Partner
	if err := yaml.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	p.TLS.CAFile, p.TLS.ServerName = caFile, "partner-b.test"
	if b, err = partners.Marshal(&p); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
	if err := g.Server.ReloadPartners(); err != nil {
		t.Fatal(err)
	}

	sendToGated(t, g, fmt.Sprintf("MOVE-%d-2", stamp), "NY0000000002")
	second := <-gp.arrived
	if second.conn == first.conn {
		t.Fatal("the push after the reload reused the connection made under the old entry")
	}
	for c := range gp.closed {
		if c == first.conn {
			break
		}
	}
}

// BenchmarkSenderPushToOnePartner measures outbound deliveries per second
// from one gateway to one partner on this machine (real mTLS, JWS and signed
// receipts), one message per case, with one delivery in flight per partner
// (the old behaviour) and with eight. Messages are queued while delivery is
// paused; the clock runs from resuming to the last post's arrival.
//
//	go test -run '^$' -bench SenderPush -benchtime 2000x ./gateway/
func BenchmarkSenderPushToOnePartner(b *testing.B) {
	for _, perPartner := range []int{1, 8} {
		b.Run(fmt.Sprintf("per_partner=%d", perPartner), func(b *testing.B) {
			gp := newGatedPartner(b, b.N+1)
			gp.open()
			l := pushPartnerSetup(b, gp)
			g := gatewaytest.Start(b, l, gatewaytest.Listen(b), gatewaytest.Options{DatabaseURL: pgtest.NewDB(b),
				Log: slog.New(slog.DiscardHandler),
				Configure: func(c *gateway.Config) {
					c.Workers.Senders, c.Workers.SenderPerPartner = 16, perPartner
					c.Log.Level = "warn"
				}})
			ctx := context.Background()
			st := g.Server.Store()
			if err := st.SetDeliveryPaused(ctx, true, "bench", "queue first"); err != nil {
				b.Fatal(err)
			}
			stamp := time.Now().UnixNano()
			for i := range b.N {
				sendToGated(b, g, fmt.Sprintf("BENCH-%d-%d", stamp, i), fmt.Sprintf("NY%010d", i))
			}
			b.ResetTimer()
			if err := st.SetDeliveryPaused(ctx, false, "bench", "go"); err != nil {
				b.Fatal(err)
			}
			for range b.N {
				<-gp.arrived
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			g.Stop()
		})
	}
}
