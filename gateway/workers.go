package gateway

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/uifsagw/uifsagw/gateway/auditcheck"
	"github.com/uifsagw/uifsagw/gateway/casework"
	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/eiwobatch"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func (s *Server) ownerName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// buildWorkers makes every background loop of the gateway, each a service
// with Start and Stop, in the order they start (and stop in reverse): the
// directory watcher, the one notifier connection, the audit checkpoints, the
// e-IWO batch and retention loops, then the processor, the sender, the inbox
// fetcher and the review jobs, which wait on the notifier.
func (s *Server) buildWorkers() {
	owner := s.ownerName()
	s.notifier = s.store.NewNotifier()
	received := s.notifier.Subscribe(exchange.ChannelReceived)
	outbox := s.notifier.Subscribe(exchange.ChannelOutbox)
	s.proc = s.newProcessor()
	s.sender = courier.NewSender(courier.SenderConfig{Owner: owner, Workers: s.cfg.Workers.Senders,
		PerPartner: s.cfg.Workers.SenderPerPartner, Lease: s.cfg.Workers.Lease,
		PollInterval: s.cfg.Workers.PollInterval, Timeout: s.cfg.Workers.SendTimeout,
		BreakerThreshold: s.cfg.Workers.BreakerThreshold, BreakerCooldown: s.cfg.Workers.BreakerCooldown},
		courier.SenderDeps{Store: s.store, Directory: s.dir.Current, Cert: s.certs.Get, Roots: s.roots,
			Signer: s.keys.Signer, Metrics: s.metrics, Tracer: s.tracer, Log: s.log.With("component", "courier"),
			Wake: outbox})
	s.fetcher = &courier.Fetcher{Sender: s.sender, Interval: s.cfg.Workers.PollInterval, Log: s.log.With("component", "fetcher"),
		Ingest: func(ctx context.Context, p *partners.Partner, body []byte, ct, sig string) (bool, string) {
			res := s.intake.Receive(ctx, intake.Request{Partner: p, Body: body, ContentType: ct, Signature: sig, Remote: "fetched:" + p.ID})
			if res.Err != nil {
				return res.Err.Temporary(), res.Err.Code
			}
			return true, ""
		}}
	s.audit = auditcheck.New(auditcheck.Config{Gateway: s.cfg.Name, File: s.cfg.Audit.CheckpointFile,
		Interval: s.cfg.Audit.CheckpointInterval}, s.store, s.keys.Signer, s.log)
	s.services.Add(
		service.NewFunc("partner directory", s.dir.Run),
		s.notifier,
		service.NewFunc("audit checkpoints", s.audit.Run),
		service.NewFunc("e-IWO batch", eiwobatch.New(eiwobatch.Config{StateFIPS: s.cfg.StateFIPS,
			Window: s.cfg.Casework.EIWOBatchWindow, Poll: s.cfg.Workers.PollInterval}, s.store, s.dir.Current, s.log).Run),
		service.NewFunc("retention", s.retentionLoop),
		service.NewFunc("processor", func(ctx context.Context) { s.proc.RunWoken(ctx, received) }),
		s.sender,
		s.fetcher,
	)
}

// Send encodes tx in the partner's format and queues it for delivery, with
// an audit entry naming actor (outbound.Sender.Send).
func (s *Server) Send(ctx context.Context, actor, partnerID string, tx canonical.Transaction) (int64, error) {
	return s.outbound.Send(ctx, actor, partnerID, tx)
}

// FetchNow pulls the inbox of one fetch_inbox partner right away (tests and tools).
func (s *Server) FetchNow(ctx context.Context, partnerID string) error {
	p, ok := s.dir.Current().Get(partnerID)
	if !ok {
		return fmt.Errorf("no partner %q", partnerID)
	}
	return s.fetcher.FetchNow(ctx, p)
}

// ReloadPartners reads the partner directory again now.
func (s *Server) ReloadPartners() error { return s.dir.Reload() }

// RunRetention applies the retention policy once (if no other replica is
// running it) and counts what it did.
func (s *Server) RunRetention(ctx context.Context) (exchange.RetentionResult, bool, error) {
	day := 24 * time.Hour
	res, ran, err := s.store.RunRetention(ctx, exchange.Retention{
		RawBodies: time.Duration(s.cfg.Retention.RawBodyDays) * day, Messages: time.Duration(s.cfg.Retention.MessageDays) * day})
	s.metrics.Retention.Add(ctx, res.BodiesErased, telemetry.Attrs("kind", "raw_body_erased"))
	s.metrics.Retention.Add(ctx, res.MessagesDeleted, telemetry.Attrs("kind", "message_deleted"))
	if err != nil {
		s.log.Error("retention run failed", "err", err)
	} else if ran && (res.BodiesErased > 0 || res.MessagesDeleted > 0) {
		s.log.Info("retention", "bodies_erased", res.BodiesErased, "messages_deleted", res.MessagesDeleted)
	}
	return res, ran, err
}

func (s *Server) retentionLoop(ctx context.Context) {
	service.Every(ctx, s.cfg.Retention.Interval, func(ctx context.Context) { _, _, _ = s.RunRetention(ctx) })
}

func (s *Server) newProcessor() *casework.Processor {
	self := canonical.FIPS(s.cfg.Casework.SelfFIPS)
	if self == "" {
		self = canonical.FIPS(s.cfg.StateFIPS + "00000")
	}
	return casework.New(casework.Config{StateFIPS: s.cfg.StateFIPS, SelfFIPS: self, Owner: s.ownerName(),
		Workers: s.cfg.Workers.Processors, Poll: s.cfg.Workers.PollInterval,
		Policy:   orders.Policy{RerouteEST: s.cfg.Casework.RerouteEST},
		SDUPayee: s.cfg.Casework.SDUPayee, SDUFIPS: canonical.FIPS(s.cfg.Casework.SDUFIPS), Contact: s.cfg.Casework.Contact.Canonical()},
		s.store, s.dir.Current, s.codecs, s.rules, s.log.With("component", "casework"), s.tracer)
}
