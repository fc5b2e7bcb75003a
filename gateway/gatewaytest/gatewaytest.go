// Package gatewaytest runs whole gateways for end-to-end tests: a generated
// installation (CA, certificates, keys, partner directory) in a temporary
// folder, a real PostgreSQL database, and both listeners on loopback ports.
package gatewaytest

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
)

// Options shape a test gateway.
type Options struct {
	// StateFIPS is the gateway's state; default 36.
	StateFIPS string
	// Partners are generated with client certificates and keys; default devenv.Samples.
	Partners []devenv.SamplePartner
	// DatabaseURL is a migrated database (pgtest.NewDB).
	DatabaseURL string
	// Configure adjusts the configuration before the server is built.
	Configure func(*gateway.Config)
	// SpanExporters receive the gateway's spans.
	SpanExporters []sdktrace.SpanExporter
	// Log receives the gateway's log; default discarded unless -v.
	Log *slog.Logger
	// FileCheckInterval overrides how often renewed key and certificate files are noticed.
	FileCheckInterval time.Duration
	// QueueGaugeTTL overrides how long the queue gauges are cached.
	QueueGaugeTTL time.Duration
}

// Gateway is a running test gateway.
type Gateway struct {
	T       testing.TB
	Layout  devenv.Layout
	Config  gateway.Config
	Server  *gateway.Server
	Issuer  *devenv.Issuer
	cancel  context.CancelFunc
	done    chan error
	stopped bool
}

// Listeners are bound before the installation is generated so that peers can
// be told the addresses.
type Listeners struct {
	Partner, Staff net.Listener
}

// Listen binds two loopback listeners.
func Listen(t testing.TB) Listeners {
	t.Helper()
	p, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return Listeners{Partner: p, Staff: s}
}

// PartnerURL is the base URL of the partner listener.
func (l Listeners) PartnerURL() string { return "https://" + l.Partner.Addr().String() }

// Prepare generates an installation in a temporary folder.
func Prepare(t testing.TB, o Options) devenv.Layout {
	t.Helper()
	dir := t.TempDir()
	if o.StateFIPS == "" {
		o.StateFIPS = "36"
	}
	l, _, err := devenv.Prepare(dir, devenv.Options{StateFIPS: o.StateFIPS, Name: "gw-" + o.StateFIPS, Partners: o.Partners})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Start runs a gateway on the installation l with the listeners ls until the test ends.
func Start(t testing.TB, l devenv.Layout, ls Listeners, o Options) *Gateway {
	t.Helper()
	env := []string{"UIFSAGW_DATABASE_URL=" + o.DatabaseURL}
	cfg, err := gateway.LoadConfig(l.Config(), env)
	if err != nil {
		t.Fatal(err)
	}
	cfg.StaffListen = ls.Staff.Addr().String()
	cfg.PartnerListen = ls.Partner.Addr().String()
	cfg.Workers.PollInterval = 200 * time.Millisecond
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	log := o.Log
	if log == nil {
		if testing.Verbose() {
			log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("gw", cfg.StateFIPS)
		} else {
			log = slog.New(slog.DiscardHandler)
		}
	}
	issuer, err := devenv.NewIssuer("http://"+ls.Staff.Addr().String()+"/dev/oidc", cfg.Staff.Audience)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := gateway.New(ctx, cfg, gateway.Options{Logger: log, SpanExporters: o.SpanExporters,
		PartnerListener: ls.Partner, StaffListener: ls.Staff, DevIssuer: issuer, FileCheckInterval: o.FileCheckInterval,
		QueueGaugeTTL: o.QueueGaugeTTL})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	g := &Gateway{T: t, Layout: l, Config: cfg, Server: srv, Issuer: issuer, cancel: cancel, done: make(chan error, 1)}
	go func() { g.done <- srv.Run(ctx) }()
	t.Cleanup(g.Stop)
	return g
}

// Stop shuts the gateway down and waits for it.
func (g *Gateway) Stop() {
	if g.stopped {
		return
	}
	g.stopped = true
	g.cancel()
	select {
	case err := <-g.done:
		if err != nil {
			g.T.Errorf("gateway %s: %v", g.Config.StateFIPS, err)
		}
	case <-time.After(30 * time.Second):
		g.T.Errorf("gateway %s did not stop within 30s", g.Config.StateFIPS)
	}
}

// PartnerURL is the partner API base URL.
func (g *Gateway) PartnerURL() string { return "https://" + g.Server.PartnerAddr() }

// StaffURL is the staff listener base URL.
func (g *Gateway) StaffURL() string { return "http://" + g.Server.StaffAddr() }

// ClientAs returns a partner client with the sample partner's certificate and
// signing key, verifying receipts with this gateway's keys.
func (g *Gateway) ClientAs(id string) *courier.Client {
	g.T.Helper()
	cert, key, jwkFile := g.Layout.Client(id)
	return g.client(cert, key, jwkFile)
}

func (g *Gateway) client(certFile, keyFile, jwkFile string) *courier.Client {
	g.T.Helper()
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		g.T.Fatal(err)
	}
	caFile, _ := g.Layout.CA()
	roots, err := pki.ReadCertPool(caFile)
	if err != nil {
		g.T.Fatal(err)
	}
	k, err := signing.LoadPrivateKey(jwkFile)
	if err != nil {
		g.T.Fatal(err)
	}
	signer, err := signing.NewSigner(k)
	if err != nil {
		g.T.Fatal(err)
	}
	keys, err := signing.LoadKeySet(g.Layout.GatewayJWKS())
	if err != nil {
		g.T.Fatal(err)
	}
	return &courier.Client{HTTP: courier.NewHTTPClient(pair, roots, "", 10*time.Second), BaseURL: g.PartnerURL(),
		Signer: signer, ServerKeys: keys}
}

// Peer writes a partner entry into l's directory for another gateway: its
// gateway certificate (pin), its CA (to verify its server when pushing), its
// JWKS, and its endpoint. Call before Start, or call Reload after.
func Peer(t testing.TB, l devenv.Layout, id string, peer devenv.Layout, peerState, endpoint string, delivery partners.Delivery) {
	t.Helper()
	dir := l.PartnersDir()
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	certFile, _ := peer.GatewayCert()
	caFile, _ := peer.CA()
	copyFile(certFile, filepath.Join(dir, "certs", id+".pem"))
	copyFile(caFile, filepath.Join(dir, "certs", id+"-ca.pem"))
	copyFile(peer.GatewayJWKS(), filepath.Join(dir, "keys", id+".jwks.json"))
	p := partners.Partner{ID: id, Kind: partners.KindState, Name: "peer " + id, StateFIPS: peerState,
		Format: "xml-transaction/1", Delivery: delivery, Endpoint: endpoint,
		TLS:      partners.TLS{CertFiles: []string{"certs/" + id + ".pem"}, CAFile: "certs/" + id + "-ca.pem", ServerName: "localhost"},
		JWKSFile: "keys/" + id + ".jwks.json",
		Retry:    partners.RetryPolicy{MaxAttempts: 50, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second},
		// Peers are other gateways under test: no intake rate limit in the way.
		Rate: partners.RateLimit{PerSecond: 5000, Burst: 10000}}
	b, err := partners.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, id+".yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// MustMessageID returns a message ID unique within the test run.
func MustMessageID(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}

// Store is the exchange store on a fresh migrated database, with new PII
// keys, closed when the test ends: for the tests of a package that needs the
// real store but not a whole gateway (its TestMain runs pgtest.Main with
// exchange.MigrateURL as the template).
func Store(t testing.TB) *exchange.Store {
	t.Helper()
	keys, err := exchange.ParsePIIKeys(exchange.GeneratePIIKeys())
	if err != nil {
		t.Fatal(err)
	}
	st, err := exchange.Open(context.Background(), pgtest.NewDB(t), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}
