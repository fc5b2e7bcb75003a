package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"go.opentelemetry.io/otel/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"gopkg.in/yaml.v3"

	"github.com/uifsagw/uifsagw/gateway/auditcheck"
	"github.com/uifsagw/uifsagw/gateway/casework"
	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/credentials"
	"github.com/uifsagw/uifsagw/gateway/edge"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/outbound"
	"github.com/uifsagw/uifsagw/gateway/partnercodecs"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/review"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/gateway/withholding"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

// Server is one running gateway: the partner listener, the staff listener and
// the workers, sharing one store.
type Server struct {
	cfg     Config
	log     *slog.Logger
	metrics *telemetry.Metrics
	tracing *sdktrace.TracerProvider
	tracer  trace.Tracer
	store   *exchange.Store
	dir     *partners.Watcher
	certs   *credentials.Certs
	keys    *credentials.Keys
	combos  *validate.Combos
	codecs  *partnercodecs.Cache
	rules   *withholding.RuleBook
	roots   *x509.CertPool
	issuer  DevSignIn

	// services are every background loop, started by Start and stopped,
	// each waiting for its goroutines, by Close.
	services service.Group
	notifier *exchange.Notifier
	audit    *auditcheck.Writer
	outbound *outbound.Sender
	intake   *intake.Service
	api      *edge.Server
	sender   *courier.Sender
	fetcher  *courier.Fetcher
	proc     *casework.Processor

	// serving tracks the two listeners' Serve goroutines; serveErr gets
	// the first unexpected end of one.
	serving   sync.WaitGroup
	serveErr  chan error
	started   bool
	closeOnce sync.Once

	partnerLn, staffLn net.Listener
	partnerSrv         *http.Server
	staffSrv           *http.Server
	ready              func(ctx context.Context) error
}

// Options adjust a Server beyond its Config (tests use them).
type Options struct {
	Logger *slog.Logger
	// SpanExporters receive every span (tests pass an in-memory exporter).
	SpanExporters []sdktrace.SpanExporter
	// PartnerListener and StaffListener, when set, are used instead of listening
	// on the configured addresses.
	PartnerListener, StaffListener net.Listener
	// FileCheckInterval is how often renewed certificate and key files are
	// looked for; default 10 s.
	FileCheckInterval time.Duration
	// QueueGaugeTTL is how long the queue depth and age figures are reused
	// between scrapes; default 5 s. Tests shorten it to see a change at once.
	QueueGaugeTTL time.Duration
	// DevIssuer, when set, is mounted at /dev/oidc on the staff listener and
	// is the staff sign-in provider (uifsagw dev and tests only; devenv.Issuer
	// is one).
	DevIssuer DevSignIn
}

// DevSignIn is a built-in sign-in provider for development and tests: its
// handler serves the OpenID endpoints, Keys verifies the tokens it mints,
// and Identity names the issuer and the audience of those tokens.
type DevSignIn interface {
	Handler() http.Handler
	Keys() jwk.Set
	Identity() (issuerURL, audience string)
}

// New builds a server from its configuration. It refuses to start on a
// database whose schema is not the one this build expects.
//
// When it fails part-way it closes whatever it had opened (the database
// pool, the trace exporters, the metrics provider), so a caller that retries
// leaks nothing.
func New(ctx context.Context, cfg Config, opt Options) (_ *Server, err error) {
	s := &Server{cfg: cfg, log: opt.Logger, serveErr: make(chan error, 2)}
	if s.log == nil {
		s.log = telemetry.NewLogger(os.Stderr, cfg.Log.Format, cfg.Log.Level)
	}
	defer func() {
		if err != nil {
			s.release(context.WithoutCancel(ctx))
		}
	}()
	if s.metrics, err = telemetry.NewMetrics(); err != nil {
		return nil, err
	}
	exporters := opt.SpanExporters
	if cfg.Telemetry.OTLPEndpoint != "" {
		exp, err := telemetry.NewOTLPExporter(ctx, cfg.Telemetry.OTLPEndpoint)
		if err != nil {
			return nil, fmt.Errorf("telemetry.otlp_endpoint: %w", err)
		}
		exporters = append(exporters, exp)
	}
	s.tracing = telemetry.NewTracerProvider(cfg.Name, exporters...)
	s.tracer = telemetry.Tracer(s.tracing)

	pii, err := LoadPIIKeys(cfg.PII)
	if err != nil {
		return nil, err
	}
	if s.certs, err = credentials.NewCerts(cfg.TLS.CertFile, cfg.TLS.KeyFile, opt.FileCheckInterval); err != nil {
		return nil, err
	}
	if s.keys, err = credentials.NewKeys(cfg.JWS.KeyFile, cfg.JWS.PublishedKeysFile, opt.FileCheckInterval); err != nil {
		return nil, err
	}
	if s.combos, err = loadCombos(cfg.CodesFile); err != nil {
		return nil, err
	}
	if s.rules, err = ruleBook(cfg.Casework.WithholdingDir); err != nil {
		return nil, fmt.Errorf("withholding rules: %w", err)
	}
	if cfg.TLS.RootCAFile != "" {
		if s.roots, err = pki.ReadCertPool(cfg.TLS.RootCAFile); err != nil {
			return nil, fmt.Errorf("tls.root_ca_file: %w", err)
		}
	}
	s.issuer = opt.DevIssuer
	if s.dir, err = partners.NewWatcher(cfg.PartnersDir, s.log); err != nil {
		return nil, fmt.Errorf("partner directory: %w", err)
	}
	s.codecs = partnercodecs.New()
	if err := s.codecs.Check(s.dir.Current()); err != nil {
		return nil, err
	}

	var storeOpts []exchange.Option
	if cfg.Workers.Lease > 0 {
		// A processor killed mid-message holds its claim until the lease ends;
		// the store's own default (5 minutes) would leave it stuck that long.
		storeOpts = append(storeOpts, exchange.WithProcessingLease(cfg.Workers.Lease))
	}
	storeOpts = append(storeOpts, exchange.WithGroupCommit(cfg.Workers.GroupCommitBatch, cfg.Workers.GroupCommitWait))
	if s.store, err = exchange.Open(ctx, cfg.DatabaseURL, pii, storeOpts...); err != nil {
		return nil, err
	}
	if err := s.store.CheckSchema(ctx); err != nil {
		return nil, err
	}
	if p, err := s.store.Privilege(ctx); err != nil {
		return nil, err
	} else if !p.LeastPrivileged() {
		// Such a role could disable the audit log's triggers or rewrite it.
		s.log.Warn("the gateway connects to PostgreSQL as a superuser or the schema owner; connect as a member of "+
			exchange.AppRole+" and run migrations as the owner (docs/SECURITY.md)", "role", p.Role, "superuser", p.Superuser, "owner", p.OwnsTables)
	}
	// Messages stored before dates of birth were sealed are sealed now; the
	// database cannot do it in a migration, as it does not hold the key.
	if n, err := s.store.ResealDatesOfBirth(ctx); err != nil {
		return nil, fmt.Errorf("seal the dates of birth of earlier messages: %w", err)
	} else if n > 0 {
		s.log.Info("sealed the dates of birth of messages stored by an earlier version", "messages", n)
	}
	s.registerGauges()
	s.registerQueueGauges(opt.QueueGaugeTTL)
	s.zeroCounters(s.dir.Current())

	// The federal edits, with the operator's code table, for what comes in
	// and what staff send.
	edits := func(t *canonical.Transaction) canonical.FieldErrors { return validate.With(t, s.combos) }
	s.intake = intake.New(intake.Config{StateFIPS: cfg.StateFIPS, Name: cfg.Name, MaxBody: cfg.Limits.MaxBody,
		MaxFileBody: cfg.Limits.MaxFileBody, IATWindow: cfg.JWS.IATWindow}, intake.Deps{
		Store:    s.store,
		Signer:   s.keys.Signer,
		CodecFor: func(p *partners.Partner) (intake.Codec, error) { return s.codecs.ForPartner(p, cfg.StateFIPS) },
		Validate: edits,
		// The partner API keeps the refusal log; s.api exists before any request.
		Refused: func(ctx context.Context, p *partners.Partner, e *intake.Error, msgID string, body []byte, remote string) {
			s.api.RecordIntakeRefusal(ctx, p, e, msgID, body, remote)
		},
		Metrics: s.metrics,
		Tracer:  s.tracer,
		Log:     s.log.With("component", "intake"),
	})
	edgeCfg := edge.Config{MaxBody: cfg.Limits.MaxBody, HandlerTimeout: cfg.Limits.HandlerTimeout, FileTimeout: cfg.Limits.FileTimeout}
	if cfg.TLS.ClientCAFile != "" {
		if edgeCfg.ClientCAs, err = pki.ReadCertPool(cfg.TLS.ClientCAFile); err != nil {
			return nil, fmt.Errorf("tls.client_ca_file: %w", err)
		}
	}
	s.api = edge.NewServer(edgeCfg, edge.Deps{
		Directory:  s.dir.Current,
		Store:      s.store,
		Intake:     s.intake,
		Signer:     s.keys.Signer,
		PublicKeys: func() any { return s.keys.Published() },
		Metrics:    s.metrics,
		Log:        s.log.With("component", "edge"),
	})
	minTLS := uint16(tls.VersionTLS13)
	if cfg.TLS.MinVersion == "1.2" {
		minTLS = tls.VersionTLS12
	}
	tlsCfg := edge.TLSConfig(func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return s.certs.Get(), nil }, minTLS)
	s.partnerSrv = &http.Server{
		Handler:           s.api,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: cfg.Limits.ReadHeaderTimeout,
		ReadTimeout:       cfg.Limits.ReadTimeout,
		WriteTimeout:      cfg.Limits.WriteTimeout,
		IdleTimeout:       cfg.Limits.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ConnContext:       edge.ConnContext,
		ErrorLog:          log.New(&handshakeCounter{m: s.metrics, log: s.log}, "", 0),
	}
	s.ready = func(ctx context.Context) error {
		if err := s.store.Ping(ctx); err != nil {
			return fmt.Errorf("database: %w", err)
		}
		if err := s.store.CheckSchema(ctx); err != nil {
			return err
		}
		if s.keys.Signer() == nil || s.certs.Get() == nil {
			return errors.New("keys not loaded")
		}
		return nil
	}
	s.outbound = outbound.New(outbound.Deps{Directory: s.dir.Current, Encoder: s.codecs, Store: s.store,
		Validate: edits})
	s.partnerLn, s.staffLn = opt.PartnerListener, opt.StaffListener
	s.buildWorkers()
	staff, err := s.staffHandler(cfg)
	if err != nil {
		return nil, err
	}
	s.staffSrv = &http.Server{Handler: staff, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	s.dir.OnReload(func(d *partners.Directory) {
		s.zeroCounters(d)
		if err := s.codecs.Check(d); err != nil {
			s.log.Error("partner directory names a format this gateway cannot read", "err", err)
		}
		// A changed CA, server name or endpoint takes effect for push at once.
		s.sender.DirectoryChanged(d)
	})
	return s, nil
}

// release closes what New opened, for a New that fails part-way.
func (s *Server) release(ctx context.Context) {
	if s.store != nil {
		s.store.Close()
	}
	if s.tracing != nil {
		_ = s.tracing.Shutdown(ctx)
	}
	if s.metrics != nil {
		_ = s.metrics.Shutdown(ctx)
	}
}

// FlushTraces exports every finished span now.
func (s *Server) FlushTraces(ctx context.Context) error { return s.tracing.ForceFlush(ctx) }

// Store returns the exchange store (tools and tests use it).
func (s *Server) Store() *exchange.Store { return s.store }

// Metrics returns the metrics (tests scrape them).
func (s *Server) Metrics() *telemetry.Metrics { return s.metrics }

// CourierProgress returns the outbox sender's counts of poll rounds, claims
// and finished delivery attempts (tests wait on them instead of sleeping).
func (s *Server) CourierProgress() *service.Counts { return s.sender.Progress() }

// Directory returns the partner directory in force.
func (s *Server) Directory() *partners.Directory { return s.dir.Current() }

// PartnerAddr and StaffAddr return the bound addresses once Run has started listening.
func (s *Server) PartnerAddr() string { return addrOf(s.partnerLn) }

// StaffAddr returns the staff listener address.
func (s *Server) StaffAddr() string { return addrOf(s.staffLn) }

func addrOf(l net.Listener) string {
	if l == nil {
		return ""
	}
	return l.Addr().String()
}

// Listen binds both listeners (if not given), so callers can learn the
// addresses before Run.
func (s *Server) Listen() error {
	var err error
	if s.partnerLn == nil {
		if s.partnerLn, err = net.Listen("tcp", s.cfg.PartnerListen); err != nil {
			return fmt.Errorf("partner listener: %w", err)
		}
	}
	if s.staffLn == nil {
		if s.staffLn, err = net.Listen("tcp", s.cfg.StaffListen); err != nil {
			return fmt.Errorf("staff listener: %w", err)
		}
	}
	return nil
}

// Start binds the listeners (if not yet), starts every background service
// and serves both listeners; it returns at once. Close stops it all.
func (s *Server) Start(ctx context.Context) error {
	if err := s.Listen(); err != nil {
		return err
	}
	if err := s.services.Start(ctx); err != nil {
		return err
	}
	s.started = true
	s.serving.Add(2)
	go func() {
		defer s.serving.Done()
		if err := s.partnerSrv.Serve(tls.NewListener(s.partnerLn, s.partnerSrv.TLSConfig)); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- fmt.Errorf("partner listener: %w", err)
		}
	}()
	go func() {
		defer s.serving.Done()
		if err := s.staffSrv.Serve(s.staffLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.serveErr <- fmt.Errorf("staff listener: %w", err)
		}
	}()
	s.log.Info("gateway serving", "partner_listen", s.PartnerAddr(), "staff_listen", s.StaffAddr(),
		"state", s.cfg.StateFIPS, "partners", s.dir.Current().Len())
	return nil
}

// Run serves until ctx ends, then shuts down gracefully (Close).
func (s *Server) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := s.Start(ctx); err != nil {
		s.Close()
		return err
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-s.serveErr:
	}
	cancel()
	s.Close()
	return runErr
}

// Close shuts down gracefully and returns when every goroutine the server
// started has returned: the listeners stop taking requests and in-flight
// requests finish (up to 20 s), the services stop (the last deliveries and
// decisions finish), the final audit checkpoint is written, and the store
// closes. It may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		shutCtx, done := context.WithTimeout(context.Background(), 20*time.Second)
		defer done()
		if !s.started {
			// Serve never took the listeners over; close the ones bound here.
			for _, l := range []net.Listener{s.partnerLn, s.staffLn} {
				if l != nil {
					_ = l.Close()
				}
			}
		}
		_ = s.partnerSrv.Shutdown(shutCtx)
		_ = s.staffSrv.Shutdown(shutCtx)
		s.serving.Wait()
		s.api.FlushRefusals(shutCtx)
		s.services.Stop()
		if s.started {
			// Everything that audits has stopped: anchor the final head.
			s.audit.WriteIfGrown(shutCtx)
		}
		s.release(shutCtx)
		s.log.Info("gateway stopped")
	})
}

// FlushRefusals writes the counts of partner API refusals that were beyond a
// caller's budget of individual records (the gateway also does when it stops).
func (s *Server) FlushRefusals(ctx context.Context) { s.api.FlushRefusals(ctx) }

func (s *Server) staffHandler(cfg Config) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "not ready: %v\n", err)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", metricsAuth(cfg.Telemetry.MetricsToken, s.metrics.Handler()))
	if s.issuer != nil {
		mux.Handle("/dev/oidc/", http.StripPrefix("/dev/oidc", s.issuer.Handler()))
	}
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		b, _ := jsonMarshal(s.keys.Published())
		_, _ = w.Write(b)
	})
	ui, err := s.reviewHandler(cfg)
	if err != nil {
		return nil, err
	}
	mux.Handle("/", ui)
	// Browsers say where a request comes from (Sec-Fetch-Site, Origin): a
	// state-changing request from another site is refused before any handler
	// runs, beside the forms' CSRF tokens. Requests without those headers
	// (API clients, the provider's back channel) pass as before.
	return http.NewCrossOriginProtection().Handler(mux), nil
}

// metricsAuth requires "Authorization: Bearer token" on /metrics when token
// is set (telemetry.metrics_token); empty leaves /metrics open, as before.
func metricsAuth(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the bearer token (telemetry.metrics_token)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// reviewHandler builds the staff UI and API. Without a configured provider
// (and outside dev) it answers every staff request with a clear 503, so the
// gateway still runs for partners.
func (s *Server) reviewHandler(cfg Config) (http.Handler, error) {
	sc := cfg.Staff
	rc := review.Config{IssuerURL: sc.Issuer, JWKSURL: sc.JWKSURL, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret,
		RedirectURL: sc.RedirectURL, Audience: sc.Audience, RoleClaim: sc.RoleClaim, Secure: sc.SecureCookies}
	ver := &review.Verifier{Issuer: sc.Issuer, Audience: sc.Audience, RoleClaim: sc.RoleClaim, JWKSURL: sc.JWKSURL}
	if s.issuer != nil {
		url, aud := s.issuer.Identity()
		rc.IssuerURL, ver.Issuer, ver.Keys = url, url, s.issuer.Keys
		rc.Audience, ver.Audience = aud, aud
		if rc.RedirectURL == "" {
			rc.RedirectURL = "http://" + s.StaffAddrOrConfig(cfg) + "/callback"
		}
		rc.Secure = false // uifsagw dev serves plain HTTP on loopback
	}
	if sc.SessionKey != "" {
		k, err := base64.StdEncoding.DecodeString(sc.SessionKey)
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("staff.session_key must be base64 of at least 32 bytes")
		}
		rc.SessionKey = k
	} else if s.issuer != nil {
		rc.SessionKey = make([]byte, 32)
		_, _ = rand.Read(rc.SessionKey) // dev: sessions end with the process
	}
	if rc.IssuerURL == "" {
		s.log.Warn("staff sign-in is not configured (staff.issuer); the staff UI and API answer 503")
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":{"code":"staff_signin_not_configured","message":"set staff.issuer, staff.redirect_url and staff.session_key"}}` + "\n"))
		}), nil
	}
	if len(rc.SessionKey) == 0 {
		return nil, fmt.Errorf("staff.session_key is required when staff.issuer is set")
	}
	h, err := review.NewHandler(rc, review.Deps{Store: s.store, Verifier: ver, Logger: s.log.With("component", "review"),
		Metrics: s.metrics, Send: func(ctx context.Context, partnerID string, tx canonical.Transaction) (int64, error) {
			return s.Send(ctx, "staff", partnerID, tx)
		},
		Worksheet: s.proc.AllocationWorksheet,
		OnDecision: func(ctx context.Context, q exchange.Querier, d review.Decision) error {
			if _, err := s.proc.NotifyDetermination(ctx, q, casework.Determination{
				ReviewItem: d.ReviewItem, Message: d.Message, Controlling: d.Controlling, Group: d.Group}); err != nil {
				return err
			}
			_, err := s.proc.ResolveTwins(ctx, q, d.ReviewItem, d.Group, d.Actor)
			return err
		}})
	if err != nil {
		return nil, err
	}
	s.services.Add(service.NewFunc("review jobs", func(ctx context.Context) { _ = h.RunJobs(ctx, 2*time.Second) }))
	return h, nil
}

// StaffAddrOrConfig is the staff address: the bound one, else the configured one.
func (s *Server) StaffAddrOrConfig(cfg Config) string {
	if s.staffLn != nil {
		return s.staffLn.Addr().String()
	}
	return cfg.StaffListen
}

// registerGauges reports figures read at scrape time: certificate expiry and
// the database pool.
func (s *Server) registerGauges() {
	m := s.metrics.Meter()
	certDays, _ := m.Float64ObservableGauge("uifsagw.certificate.expiry_days",
		metric.WithDescription("Days until a certificate expires, by owner (gateway or partner ID)."))
	poolConns, _ := m.Int64ObservableGauge("uifsagw.db.pool.connections",
		metric.WithDescription("Database pool connections by state (idle, in_use, total, max)."))
	_, _ = m.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		now := time.Now()
		o.ObserveFloat64(certDays, s.certs.Expiry().Sub(now).Hours()/24, metric.WithAttributes(attrOwner("gateway")))
		for _, p := range s.dir.Current().All() {
			for _, c := range p.Certificates() {
				o.ObserveFloat64(certDays, c.NotAfter.Sub(now).Hours()/24, metric.WithAttributes(attrOwner(p.ID)))
			}
		}
		st := s.store.PoolStats()
		o.ObserveInt64(poolConns, st.Idle, metric.WithAttributes(attrState("idle")))
		o.ObserveInt64(poolConns, st.InUse, metric.WithAttributes(attrState("in_use")))
		o.ObserveInt64(poolConns, st.Total, metric.WithAttributes(attrState("total")))
		o.ObserveInt64(poolConns, st.Max, metric.WithAttributes(attrState("max")))
		return nil
	}, certDays, poolConns)
}

// zeroCounters makes every per-partner failure series exist from the start,
// so alerts on increase() see the first failure and dashboards show zeros.
func (s *Server) zeroCounters(d *partners.Directory) {
	ctx := context.Background()
	s.metrics.HandshakeFails.Add(ctx, 0)
	for _, p := range d.All() {
		s.metrics.DeadLetters.Add(ctx, 0, telemetry.Attrs("partner", p.ID))
		s.metrics.Retries.Add(ctx, 0, telemetry.Attrs("partner", p.ID))
	}
}

// handshakeCounter turns net/http's "TLS handshake error" log lines into a
// metric and a structured log line.
type handshakeCounter struct {
	m   *telemetry.Metrics
	log *slog.Logger
}

func (h *handshakeCounter) Write(p []byte) (int, error) {
	line := string(bytes.TrimSpace(p))
	if strings.Contains(line, "TLS handshake error") {
		h.m.HandshakeFails.Add(context.Background(), 1)
		h.log.Debug("tls handshake failed", "detail", line)
	} else {
		h.log.Warn("partner listener", "detail", line)
	}
	return len(p), nil
}

// WriteAuditCheckpoint signs the audit chain's head now (tests and tools);
// the gateway also does at start, as the chain grows, and when it stops.
func (s *Server) WriteAuditCheckpoint(ctx context.Context) (auditcheck.Checkpoint, error) {
	return s.audit.Write(ctx)
}

// PublishedKeys loads the gateway's public signing keys from cfg (the
// current key and jws.published_keys_file), which verify its checkpoints.
func PublishedKeys(cfg Config) (jwk.Set, error) {
	h, err := credentials.NewKeys(cfg.JWS.KeyFile, cfg.JWS.PublishedKeysFile, 0)
	if err != nil {
		return nil, err
	}
	return h.Published(), nil
}

// LoadPIIKeys reads the SSN protection keys a configuration names.
func LoadPIIKeys(c PIIConfig) (exchange.PIIKeys, error) {
	enc, mac := c.EncKey, c.HMACKey
	if c.KeyFile != "" {
		b, err := os.ReadFile(c.KeyFile)
		if err != nil {
			return exchange.PIIKeys{}, fmt.Errorf("pii.key_file: %w", err)
		}
		var f struct {
			EncKey  string `yaml:"enc_key"`
			HMACKey string `yaml:"hmac_key"`
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			return exchange.PIIKeys{}, fmt.Errorf("pii.key_file: %w", err)
		}
		enc, mac = f.EncKey, f.HMACKey
	}
	k, err := exchange.ParsePIIKeys(enc, mac)
	if err != nil {
		return k, fmt.Errorf("pii keys: %w", err)
	}
	return k, nil
}

// ruleBook reads the shipped withholding rules and then the operator's
// folder, whose files replace shipped ones of the same state.
func ruleBook(dir string) (*withholding.RuleBook, error) {
	shipped, err := fs.Sub(partners.Withholding, "withholding")
	if err != nil {
		return nil, err
	}
	folders := []withholding.RuleFiles{{Name: "withholding", FS: shipped}}
	if dir != "" {
		folders = append(folders, withholding.RuleFiles{Name: dir, FS: os.DirFS(dir)})
	}
	return withholding.ReadRuleBook(folders...)
}

func loadCombos(extra string) (*validate.Combos, error) {
	c := validate.DefaultCombos()
	if extra == "" {
		return c, nil
	}
	b, err := os.ReadFile(extra)
	if err != nil {
		return nil, fmt.Errorf("codes_file: %w", err)
	}
	more, err := validate.ParseCombos(b)
	if err != nil {
		return nil, fmt.Errorf("codes_file %s: %w", extra, err)
	}
	merged := c.Clone()
	merged.Merge(more)
	return merged, nil
}
