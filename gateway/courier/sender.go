package courier

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/partners"
)

// Outbox is what the sender needs of the exchange store.
type Outbox interface {
	ClaimOutbox(ctx context.Context, owner string, limit int, lease time.Duration) ([]exchange.OutboxItem, error)
	MarkDelivered(ctx context.Context, id int64, receiptJWS string) error
	MarkRetry(ctx context.Context, id int64, errText string, next time.Time) error
	Release(ctx context.Context, id int64, reason string, next time.Time) error
	MarkDeadLetter(ctx context.Context, id int64, errText string) error
	Listen(ctx context.Context, channel string) (<-chan struct{}, error)
	RescueExpiredLeases(ctx context.Context) (int, error)
	DeliveryPaused(ctx context.Context) (bool, error)
}

// DefaultPerPartner is how many deliveries may be in flight to one partner
// at once unless configured (workers.sender_per_partner).
const DefaultPerPartner = 8

// SenderConfig sizes the sender.
type SenderConfig struct {
	// Owner names this process in leases (hostname + pid).
	Owner string
	// Workers is how many outbox items may be claimed and not yet finished
	// at once, over all partners.
	Workers int
	// PerPartner is how many deliveries may be in flight to one partner at
	// once (default DefaultPerPartner). The messages of one case still leave
	// one at a time, in order: the outbox hands out only the oldest open
	// message of each case.
	PerPartner   int
	Batch        int
	Lease        time.Duration
	PollInterval time.Duration
	Timeout      time.Duration
	// BreakerThreshold and BreakerCooldown tune the per-partner circuit breaker.
	BreakerThreshold int
	BreakerCooldown  time.Duration
}

// SenderDeps are what the sender works with.
type SenderDeps struct {
	Store     Outbox
	Directory func() *partners.Directory
	// Cert is our client certificate, fetched per handshake so a renewed one
	// is used on new connections without a restart.
	Cert func() *tls.Certificate
	// Roots verify partners that name no CA of their own.
	Roots   *x509.CertPool
	Signer  func() *signing.Signer
	Metrics *telemetry.Metrics
	Tracer  trace.Tracer
	Log     *slog.Logger
	// Wake, when set, signals new outbox work (the gateway's shared
	// notifier); otherwise the sender listens on a connection of its own.
	Wake <-chan struct{}
}

// Sender drains the outbox: it claims due items, posts each to its partner
// over mTLS with our JWS, verifies the partner's signed receipt, and records
// the outcome. Failures are retried with exponential backoff and jitter up to
// the partner's limit, then dead-lettered into review.
type Sender struct {
	cfg       SenderConfig
	store     Outbox
	directory func() *partners.Directory
	cert      func() *tls.Certificate
	roots     *x509.CertPool
	signer    func() *signing.Signer
	metrics   *telemetry.Metrics
	tracer    trace.Tracer
	log       *slog.Logger
	wake      <-chan struct{}
	breaker   *breaker
	base      service.Base
	// counts are the poll loop's rounds, claims and finished deliveries
	// (see Progress).
	counts service.Counts

	mu      sync.Mutex
	clients map[string]*partnerClient
	slots   map[string]chan struct{}
}

// partnerClient is the HTTP client for one partner, with what it was built
// from: when a directory reload changes any of it, the client is replaced.
type partnerClient struct {
	endpoint, serverName string
	roots                *x509.CertPool
	http                 *http.Client
	// inUse counts requests under way on it; a retired client closes its
	// connections once the last of them is done (they go back to its idle
	// pool when a request ends, after the directory changed).
	inUse   int
	retired bool
}

func (c *partnerClient) fits(p *partners.Partner, roots *x509.CertPool) bool {
	return c.endpoint == p.Endpoint && c.serverName == p.TLS.ServerName && c.roots.Equal(roots)
}

// rootsFor returns the CAs a partner's server certificate must chain to.
func (s *Sender) rootsFor(p *partners.Partner) *x509.CertPool {
	if roots := p.CAPool(); roots != nil {
		return roots
	}
	return s.roots
}

// NewSender builds a sender.
func NewSender(cfg SenderConfig, d SenderDeps) *Sender {
	if cfg.Workers < 1 {
		cfg.Workers = 4
	}
	if cfg.PerPartner < 1 {
		cfg.PerPartner = DefaultPerPartner
	}
	if cfg.Batch < 1 {
		cfg.Batch = cfg.Workers
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	br := newBreaker()
	if cfg.BreakerThreshold > 0 {
		br.Threshold = cfg.BreakerThreshold
	}
	if cfg.BreakerCooldown > 0 {
		br.Cooldown = cfg.BreakerCooldown
	}
	s := &Sender{cfg: cfg, store: d.Store, directory: d.Directory, cert: d.Cert, roots: d.Roots, signer: d.Signer,
		metrics: d.Metrics, tracer: d.Tracer, log: d.Log, wake: d.Wake, breaker: br,
		clients: map[string]*partnerClient{}, slots: map[string]chan struct{}{}}
	open, _ := s.metrics.Meter().Int64ObservableGauge("uifsagw.delivery.circuit_open",
		metric.WithDescription("1 while deliveries to a partner are held by its circuit breaker."))
	_, _ = s.metrics.Meter().RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		now := time.Now()
		for _, p := range s.directory().All() {
			v := int64(0)
			if s.breaker.open(p.ID, now) {
				v = 1
			}
			o.ObserveInt64(open, v, metric.WithAttributes(attribute.String("partner", p.ID)))
		}
		return nil
	}, open)
	return s
}

// Start runs the sender until Stop.
func (s *Sender) Start(ctx context.Context) error {
	if _, err := s.base.Begin(ctx); err != nil {
		return err
	}
	s.base.Go(s.Run)
	return nil
}

// Stop ends the sender and waits for the deliveries in flight.
func (s *Sender) Stop() { s.base.Stop() }

// Progress returns the sender's counts of completed poll rounds (a round
// held by the global pause counts), of claimed outbox items and of finished
// delivery attempts (recorded or released). Waiting on them, a caller knows
// that the sender looked again and finished what it took, e.g. that a
// paused outbox was left alone by rounds that began after the pause.
func (s *Sender) Progress() *service.Counts { return &s.counts }

// Run delivers until ctx ends. It wakes on NOTIFY from the store and polls as
// a fallback, so a lost notification only delays, never loses, a delivery.
func (s *Sender) Run(ctx context.Context) {
	wake := s.wake
	if wake == nil {
		var err error
		if wake, err = s.store.Listen(ctx, exchange.ChannelOutbox); err != nil {
			s.log.Warn("outbox notifications unavailable; polling only", "err", err)
		}
	}
	var rescue sync.WaitGroup
	rescue.Add(1)
	go func() { defer rescue.Done(); s.rescueLoop(ctx) }()
	defer rescue.Wait()
	(&service.Poller[exchange.OutboxItem]{
		Workers: s.cfg.Workers, Batch: s.cfg.Batch, Poll: s.cfg.PollInterval, Wake: wake,
		Counts: &s.counts,
		// The global pause holds everything in the outbox, claimed by no one.
		Hold: func(ctx context.Context) bool {
			paused, err := s.store.DeliveryPaused(ctx)
			return err == nil && paused
		},
		Claim: func(ctx context.Context, limit int) ([]exchange.OutboxItem, error) {
			return s.store.ClaimOutbox(ctx, s.cfg.Owner, limit, s.cfg.Lease)
		},
		Handle:  s.deliverInTurn,
		OnError: func(err error) { s.log.Warn("claim outbox failed", "err", err) },
	}).Run(ctx)
}

// rescueLoop gives back the items of senders that died holding them.
func (s *Sender) rescueLoop(ctx context.Context) {
	service.Every(ctx, s.cfg.Lease, func(ctx context.Context) {
		if n, err := s.store.RescueExpiredLeases(ctx); err == nil && n > 0 {
			s.log.Info("rescued outbox items with expired leases", "count", n)
		}
	})
}

// deliverInTurn waits for one of the partner's PerPartner places, then
// delivers. An item still waiting when the sender stops goes back to the
// outbox at once rather than when its lease ends.
func (s *Sender) deliverInTurn(ctx context.Context, it exchange.OutboxItem) {
	slot := s.partnerSlots(it.Partner)
	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = s.store.Release(rctx, it.MessageID, "gateway stopping", time.Now())
		return
	}
	defer func() { <-slot }()
	s.deliver(ctx, it)
}

func (s *Sender) partnerSlots(id string) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.slots[id]
	if !ok {
		c = make(chan struct{}, s.cfg.PerPartner)
		s.slots[id] = c
	}
	return c
}

// client returns the partner's HTTP client, building it on first use and
// again whenever the partner's endpoint, server name or CAs change; done
// must be called when the requests made with it are over.
func (s *Sender) client(p *partners.Partner) (c *http.Client, done func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	roots := s.rootsFor(p)
	pc, ok := s.clients[p.ID]
	if ok && !pc.fits(p, roots) {
		s.retireLocked(p.ID, pc)
		ok = false
	}
	if !ok {
		tr := &http.Transport{
			TLSClientConfig: &tls.Config{
				MinVersion: tls.VersionTLS12,
				// The certificate is fetched per handshake so a renewed one is used
				// on new connections without a restart.
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return s.cert(), nil },
				RootCAs:              roots,
				ServerName:           p.TLS.ServerName,
			},
			ForceAttemptHTTP2:   true,
			MaxIdleConnsPerHost: s.cfg.PerPartner,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}
		pc = &partnerClient{endpoint: p.Endpoint, serverName: p.TLS.ServerName, roots: roots,
			http: &http.Client{Transport: tr, Timeout: s.cfg.Timeout}}
		s.clients[p.ID] = pc
	}
	pc.inUse++
	return pc.http, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		pc.inUse--
		if pc.retired && pc.inUse == 0 {
			pc.http.CloseIdleConnections()
		}
	}
}

// retireLocked takes a client out of use and closes its idle connections;
// those busy with a request are closed when the last request is done.
func (s *Sender) retireLocked(id string, pc *partnerClient) {
	pc.retired = true
	pc.http.CloseIdleConnections()
	if s.clients[id] == pc {
		delete(s.clients, id)
	}
}

// DirectoryChanged retires the clients of partners that left the directory
// or whose endpoint, server name or CAs changed; the next delivery builds a
// client from the new entry, so the change takes effect for push at once.
func (s *Sender) DirectoryChanged(d *partners.Directory) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, pc := range s.clients {
		if p, ok := d.Get(id); ok && pc.fits(p, s.rootsFor(p)) {
			continue
		}
		s.retireLocked(id, pc)
	}
}

// permanent reports whether a refusal will not change by retrying the same bytes.
func permanent(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge,
		http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity, http.StatusForbidden:
		return true
	}
	return false
}

func (s *Sender) deliver(ctx context.Context, it exchange.OutboxItem) {
	// A delivery under way when the sender stops is finished and recorded,
	// not cut off: cut off after the partner took it, it would be posted
	// again once its lease ended. The send timeout still bounds the post.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Timeout+30*time.Second)
	defer cancel()
	ctx = telemetry.ContextWithTraceID(ctx, it.TraceID)
	ctx, span := s.tracer.Start(ctx, "deliver", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("partner", it.Partner)))
	defer span.End()
	now := time.Now()
	p, ok := s.directory().Get(it.Partner)
	if !ok {
		s.deadLetter(ctx, it, "partner is no longer in the directory")
		return
	}
	if p.Delivery != partners.DeliverPush {
		s.deadLetter(ctx, it, "partner is not a push partner; route the message again")
		return
	}
	if p.Paused {
		_ = s.store.Release(ctx, it.MessageID, "partner paused", now.Add(s.cfg.PollInterval*6))
		return
	}
	if ok, until := s.breaker.allow(p.ID, now); !ok {
		_ = s.store.Release(ctx, it.MessageID, "circuit open", until)
		return
	}
	hc, done := s.client(p)
	cl := &Client{HTTP: hc, BaseURL: p.Endpoint, Signer: s.signer(), ServerKeys: p.JWKS()}
	res, err := cl.Post(ctx, it.Raw, it.ContentType, it.SenderMsgID)
	done()
	elapsed := time.Since(now).Seconds()
	outcome := "delivered"
	switch {
	case err == nil && res.Error == nil:
		s.breaker.success(p.ID)
		if err := s.store.MarkDelivered(ctx, it.MessageID, res.ReceiptJWS); err != nil {
			// The partner has it; when the lease expires another attempt will
			// post it again and get the same receipt back (idempotent by ID).
			s.log.Warn("delivered but not recorded", "partner", p.ID, "outbox", it.MessageID, "err", err)
		}
	case err == nil && permanent(res.Status):
		outcome = "refused"
		s.breaker.success(p.ID) // the partner is up; the message is the problem
		s.deadLetter(ctx, it, fmt.Sprintf("partner refused it (HTTP %d): %v", res.Status, res.Error))
	default:
		outcome = "failed"
		reason := ""
		if err != nil {
			reason = err.Error()
		} else {
			reason = fmt.Sprintf("HTTP %d: %v", res.Status, res.Error)
		}
		s.breaker.failure(p.ID, time.Now())
		attempt := it.Attempts
		if attempt >= p.Retry.MaxAttempts {
			s.deadLetter(ctx, it, fmt.Sprintf("gave up after %d attempts; last: %s", attempt, reason))
		} else {
			s.metrics.Retries.Add(ctx, 1, telemetry.Attrs("partner", p.ID))
			next := time.Now().Add(backoff(attempt, p.Retry.BaseDelay, p.Retry.MaxDelay))
			if err := s.store.MarkRetry(ctx, it.MessageID, reason, next); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Warn("could not schedule retry", "outbox", it.MessageID, "err", err)
			}
		}
	}
	s.metrics.Sent.Add(ctx, 1, telemetry.Attrs("partner", p.ID, "function", it.Function, "outcome", outcome))
	s.metrics.DeliverSeconds.Record(ctx, elapsed, telemetry.Attrs("partner", p.ID, "outcome", outcome))
}

func (s *Sender) deadLetter(ctx context.Context, it exchange.OutboxItem, reason string) {
	s.metrics.DeadLetters.Add(ctx, 1, telemetry.Attrs("partner", it.Partner))
	s.log.Warn("dead letter", "partner", it.Partner, "outbox", it.MessageID, "reason", reason)
	if err := s.store.MarkDeadLetter(ctx, it.MessageID, reason); err != nil {
		s.log.Error("could not dead-letter", "outbox", it.MessageID, "err", err)
	}
}

// backoff returns the wait before attempt+1: exponential from base, capped
// at max, with jitter over the upper half so partners recovering from an
// outage are not hit by every gateway at the same instant.
func backoff(attempt int, base, max time.Duration) time.Duration {
	ceiling := max
	if attempt <= 10 {
		if c := base << (attempt - 1); c < max {
			ceiling = c
		}
	}
	floor := base / 2
	if ceiling <= floor {
		return ceiling
	}
	return floor + rand.N(ceiling-floor+1)
}
