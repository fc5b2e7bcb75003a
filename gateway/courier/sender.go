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

// SenderConfig sizes the sender.
type SenderConfig struct {
	// Owner names this process in leases (hostname + pid).
	Owner string
	// Workers is how many deliveries may be in flight at once.
	Workers      int
	Batch        int
	Lease        time.Duration
	PollInterval time.Duration
	Timeout      time.Duration
	// BreakerThreshold and BreakerCooldown tune the per-partner circuit breaker.
	BreakerThreshold int
	BreakerCooldown  time.Duration
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
	breaker   *breaker

	mu      sync.Mutex
	clients map[string]*http.Client
}

// NewSender builds a sender.
func NewSender(cfg SenderConfig, store Outbox, directory func() *partners.Directory, cert func() *tls.Certificate,
	roots *x509.CertPool, signer func() *signing.Signer, m *telemetry.Metrics, tracer trace.Tracer, log *slog.Logger) *Sender {
	if cfg.Workers < 1 {
		cfg.Workers = 4
	}
	if cfg.Batch < cfg.Workers {
		cfg.Batch = cfg.Workers * 4
	}
	br := newBreaker()
	if cfg.BreakerThreshold > 0 {
		br.Threshold = cfg.BreakerThreshold
	}
	if cfg.BreakerCooldown > 0 {
		br.Cooldown = cfg.BreakerCooldown
	}
	s := &Sender{cfg: cfg, store: store, directory: directory, cert: cert, roots: roots, signer: signer,
		metrics: m, tracer: tracer, log: log, breaker: br, clients: map[string]*http.Client{}}
	open, _ := m.Meter().Int64ObservableGauge("uifsagw.delivery.circuit_open",
		metric.WithDescription("1 while deliveries to a partner are held by its circuit breaker."))
	_, _ = m.Meter().RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		now := time.Now()
		for _, p := range directory().All() {
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

// Run delivers until ctx ends. It wakes on NOTIFY from the store and polls as
// a fallback, so a lost notification only delays, never loses, a delivery.
func (s *Sender) Run(ctx context.Context) {
	wake, err := s.store.Listen(ctx, exchange.ChannelOutbox)
	if err != nil {
		s.log.Warn("outbox notifications unavailable; polling only", "err", err)
	}
	sem := make(chan struct{}, s.cfg.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	rescue := time.NewTicker(s.cfg.Lease)
	defer rescue.Stop()
	for {
		// The global pause holds everything in the outbox, claimed by no one.
		if paused, err := s.store.DeliveryPaused(ctx); err == nil && paused {
			select {
			case <-ctx.Done():
				return
			case <-time.After(s.cfg.PollInterval):
			}
			continue
		}
		items, err := s.store.ClaimOutbox(ctx, s.cfg.Owner, s.cfg.Batch, s.cfg.Lease)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("claim outbox failed", "err", err)
		}
		for _, it := range items {
			sem <- struct{}{}
			wg.Add(1)
			go func(it exchange.OutboxItem) {
				defer func() { <-sem; wg.Done() }()
				s.deliver(ctx, it)
			}(it)
		}
		if len(items) == s.cfg.Batch {
			continue // more may be due now
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-rescue.C:
			if n, err := s.store.RescueExpiredLeases(ctx); err == nil && n > 0 {
				s.log.Info("rescued outbox items with expired leases", "count", n)
			}
		case <-time.After(s.cfg.PollInterval):
		}
	}
}

func (s *Sender) client(p *partners.Partner) *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := p.ID + "|" + p.Endpoint
	if c, ok := s.clients[key]; ok {
		return c
	}
	roots := p.CAPool()
	if roots == nil {
		roots = s.roots
	}
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
		MaxIdleConnsPerHost: s.cfg.Workers,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	c := &http.Client{Transport: tr, Timeout: s.cfg.Timeout}
	s.clients[key] = c
	return c
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
	raw := it.Raw
	cl := &Client{HTTP: s.client(p), BaseURL: p.Endpoint, Signer: s.signer(), ServerKeys: p.JWKS()}
	res, err := cl.Post(ctx, raw, it.ContentType, it.SenderMsgID)
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
