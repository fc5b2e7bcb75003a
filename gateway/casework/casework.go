// Package casework acts on received transactions: it applies the UIFSA
// one-order rules (gateway/orders) against the order registry, turns
// enforcement requests with income withholding into e-IWOs for employers
// (gateway/withholding), answers the sender where the rules call for it,
// and sends to review whatever needs a person.
//
// Every decision about a message is one database transaction: the registry
// change, the outbound messages, the review item and the message's new status
// commit together or not at all, so a crash mid-way leaves the message to be
// claimed again and nothing doubled.
package casework

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/gateway/withholding"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

// Config is the agency's choices.
type Config struct {
	// StateFIPS is our 2-digit state; SelfFIPS the 7-digit FIPS we send as.
	StateFIPS string
	SelfFIPS  canonical.FIPS
	Owner     string
	Workers   int
	Batch     int
	Poll      time.Duration
	Policy    orders.Policy
	// SDU is our state disbursement unit, the payee on IWOs we issue.
	SDUPayee string
	SDUFIPS  canonical.FIPS
	// Contact is our interstate contact, named in the case block of every
	// answer; nil when not configured.
	Contact *canonical.Contact
}

// Encoder writes a transaction or an IWO in a partner's format.
type Encoder interface {
	EncodeTx(p *partners.Partner, tx canonical.Transaction) (body []byte, contentType string, err error)
	EncodeIWO(p *partners.Partner, iwo canonical.IWO) (body []byte, contentType string, err error)
	// DecodeAcks reads an employer's acknowledgment document, or every
	// acknowledgment of a federal acknowledgment file.
	DecodeAcks(p *partners.Partner, raw []byte) ([]canonical.EmployerAck, error)
}

// Processor claims received messages and decides them.
type Processor struct {
	cfg   Config
	store *exchange.Store
	dir   func() *partners.Directory
	enc   Encoder
	rules *withholding.RuleBook
	log   *slog.Logger
	trace trace.Tracer
	now   func() time.Time
}

// New builds a processor.
func New(cfg Config, store *exchange.Store, dir func() *partners.Directory, enc Encoder, rules *withholding.RuleBook,
	log *slog.Logger, tracer trace.Tracer) *Processor {
	if cfg.Workers < 1 {
		cfg.Workers = 2
	}
	if cfg.Batch < 1 {
		cfg.Batch = 16
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	return &Processor{cfg: cfg, store: store, dir: dir, enc: enc, rules: rules, log: log, trace: tracer, now: time.Now}
}

// Run processes until ctx ends, woken by NOTIFY with a polling fallback.
func (p *Processor) Run(ctx context.Context) {
	wake, err := p.store.Listen(ctx, exchange.ChannelReceived)
	if err != nil {
		p.log.Warn("received notifications unavailable; polling only", "err", err)
	}
	p.RunWoken(ctx, wake)
}

// RunWoken processes until ctx ends, woken by wake (the gateway's shared
// notifier) with a polling fallback; the claim loop is the sender's too.
// Each worker takes a batch of up to Batch received messages and decides
// them in one transaction (exchange.Batch): one status write per message
// and a few statements per batch instead of a claim, a completion and two
// status rewrites per message (issue 19).
//
// A batch holds a pooled connection from its claim to its commit, and its
// decisions may read through the pool meanwhile (an employer's raw
// acknowledgment, the IWO's request); so at most (pool size − 1) / 2
// batches are open at once, leaving connections to intake, the sender and
// the notifier whatever the number of processors.
func (p *Processor) RunWoken(ctx context.Context, wake <-chan struct{}) {
	batches := max(1, min(p.cfg.Workers, int(p.store.PoolStats().Max-1)/2))
	(&service.Poller[*exchange.Batch]{
		Workers: batches, Batch: batches, Poll: p.cfg.Poll, Wake: wake,
		Claim: func(ctx context.Context, limit int) ([]*exchange.Batch, error) {
			var out []*exchange.Batch
			for len(out) < limit {
				b, err := p.store.ClaimBatch(ctx, p.cfg.Owner, p.cfg.Batch)
				if err != nil || b == nil {
					return out, err
				}
				out = append(out, b)
				if len(b.Messages) < p.cfg.Batch {
					break
				}
			}
			return out, nil
		},
		Handle: func(ctx context.Context, b *exchange.Batch) {
			if err := p.ProcessBatch(ctx, b); err != nil && ctx.Err() == nil {
				p.log.Error("processing a batch failed; its messages will be claimed again", "messages", len(b.Messages), "err", err)
			}
		},
		OnError: func(err error) { p.log.Warn("claim received failed", "err", err) },
	}).Run(ctx)
}

// ProcessBatch decides every message of b, each in its own savepoint, and
// commits them together. A message whose decision fails is logged and parked
// for a retry; the others commit. Nothing is logged as processed before the
// commit.
func (p *Processor) ProcessBatch(ctx context.Context, b *exchange.Batch) error {
	defer b.Rollback(ctx)
	type done struct {
		m    exchange.Message
		dec  *Decision
		span trace.Span
	}
	var decided []done
	for _, m := range b.Messages {
		mctx, span := p.startSpan(ctx, m)
		fn, dec, err := p.decider(mctx, m, func() (canonical.Transaction, error) { return b.Transaction(m) })
		if err != nil {
			_ = b.Decide(mctx, m, func(exchange.Querier) (exchange.Status, string, error) { return "", "", err })
		} else {
			err = b.Decide(mctx, m, fn)
		}
		if err != nil {
			span.End()
			if ctx.Err() == nil {
				p.log.Error("processing failed; the message will be claimed again", "message", m.ID, "err", err)
			}
			continue
		}
		decided = append(decided, done{m: m, dec: dec, span: span})
	}
	err := b.Commit(ctx)
	for _, d := range decided {
		if err == nil {
			p.processed(d.span, d.m, d.dec)
		}
		d.span.End()
	}
	return err
}

// Decision is what processing one message concluded.
type Decision struct {
	Status exchange.Status
	Note   string
}

// Process decides one claimed message (ClaimReceived) in its own transaction.
func (p *Processor) Process(ctx context.Context, m exchange.Message) error {
	ctx, span := p.startSpan(ctx, m)
	defer span.End()
	fn, dec, err := p.decider(ctx, m, func() (canonical.Transaction, error) { return p.store.LoadTransaction(ctx, m.ID, true) })
	if err != nil {
		return err
	}
	if err := p.store.CompleteWith(ctx, m.ID, fn); err != nil {
		return err
	}
	p.processed(span, m, dec)
	return nil
}

// processed records a committed decision on the message's span and in the
// log (nothing when the message was only given back for another attempt).
func (p *Processor) processed(span trace.Span, m exchange.Message, dec *Decision) {
	if dec == nil {
		return
	}
	span.SetAttributes(attribute.String("status", string(dec.Status)))
	p.log.Info("processed", "message", m.ID, "partner", m.Partner, "function", m.Function, "status", dec.Status, "note", dec.Note)
}

func (p *Processor) startSpan(ctx context.Context, m exchange.Message) (context.Context, trace.Span) {
	ctx = telemetry.ContextWithTraceID(ctx, m.TraceID)
	return p.trace.Start(ctx, "process", trace.WithAttributes(attribute.String("partner", m.Partner),
		attribute.String("function", m.Function), attribute.String("action", m.Action)))
}

// decider reads what deciding m needs outside any transaction and returns
// the part that runs inside the message's transaction. The Decision it
// returns is filled by that part (nil for employers' acknowledgments, which
// are not logged one by one). load reads m with its PII revealed.
func (p *Processor) decider(ctx context.Context, m exchange.Message, load func() (canonical.Transaction, error)) (func(q exchange.Querier) (exchange.Status, string, error), *Decision, error) {
	if partner, ok := p.dir().Get(m.Partner); ok && partner.Kind == partners.KindEmployer {
		fn, err := p.ackDecider(ctx, m, partner)
		return fn, nil, err
	}
	tx, err := load()
	if err != nil {
		return nil, nil, fmt.Errorf("load transaction: %w", err)
	}
	markFormat(m, &tx)
	dec := new(Decision)
	return func(q exchange.Querier) (exchange.Status, string, error) {
		d, err := p.decide(ctx, q, m, tx)
		*dec = d
		return d.Status, d.Note, err
	}, dec, nil
}

// decide runs inside the message's transaction.
func (p *Processor) decide(ctx context.Context, q exchange.Querier, m exchange.Message, tx canonical.Transaction) (Decision, error) {
	in := orders.Incoming{Tx: tx}
	var obligorKey []byte
	if tx.NCP != nil && tx.NCP.SSN != "" {
		obligorKey = p.store.HashSSN(tx.NCP.SSN)
		in.ObligorKey = exchange.HexKey(obligorKey)
	}
	var childKeys [][]byte
	in.ParticipantKeys = make([]string, len(tx.Participants))
	for i, pt := range tx.Participants {
		if pt.SSN == "" {
			continue
		}
		k := p.store.HashSSN(pt.SSN)
		in.ParticipantKeys[i] = exchange.HexKey(k)
		if pt.Relationship == canonical.RelChild {
			childKeys = append(childKeys, k)
		}
	}

	// Every message belongs to one of our cases; the partner's case ID is
	// filed for it, so everything we send carries both IDs right.
	// MSC P GSCAS carries the sender's new case ID in the information
	// block's New-Case-ID (CSENet layout); a sender that puts it in the
	// header's case ID instead is understood too.
	changesID := tx.Header.Function == canonical.FuncManageCases && tx.Header.Reason == canonical.ReasonChangeCaseID
	partnerCaseID := tx.Header.SenderCaseID
	if changesID && tx.Information != nil && tx.Information.NewCaseID != "" {
		partnerCaseID = tx.Information.NewCaseID
	}
	ourCase, err := exchange.ResolveCase(ctx, q, exchange.CaseInbound{Partner: m.Partner, PartnerCaseID: partnerCaseID,
		OurCaseID: tx.Header.ReceiverCaseID, ObligorKey: obligorKey, ChildKeys: childKeys, Message: m.ID, NewID: p.newCaseID,
		ChangesID: changesID})
	if err != nil {
		return Decision{}, fmt.Errorf("case: %w", err)
	}

	touchesOrders := len(tx.Orders) > 0 || (tx.Header.Function == canonical.FuncEstablish && tx.Header.Action == canonical.ActRequest)
	if touchesOrders && obligorKey != nil {
		if err := exchange.LockPerson(ctx, q, obligorKey); err != nil {
			return Decision{}, err
		}
		rows, err := exchange.OrdersFor(ctx, q, obligorKey, childKeys)
		if err != nil {
			return Decision{}, err
		}
		finding := orders.Classify(in, toRuleOrders(rows), p.cfg.Policy)
		d, err := p.applyFinding(ctx, q, m, tx, ourCase, obligorKey, rows, finding)
		if err != nil || d.Status != exchange.StatusProcessed || !isWithholdingRequest(tx) {
			return d, err
		}
	}
	if isWithholdingRequest(tx) {
		return p.withhold(ctx, q, m, tx, ourCase)
	}
	if tx.Header.Function == canonical.FuncManageCases && tx.Header.Reason == canonical.ReasonChangeCaseID {
		return Decision{Status: exchange.StatusProcessed, Note: fmt.Sprintf("%s now uses case ID %s for our case %s",
			m.Partner, partnerCaseID, ourCase)}, nil
	}
	return Decision{Status: exchange.StatusProcessed, Note: "recorded; no order or withholding rule applies to " +
		string(tx.Header.Function) + " " + string(tx.Header.Action)}, nil
}

func isWithholdingRequest(tx canonical.Transaction) bool {
	return tx.Header.Function == canonical.FuncEnforce && tx.Header.Action == canonical.ActRequest &&
		tx.Header.Reason == canonical.ReasonIncomeWithholding
}

// newCaseID formats one of our case IDs: our postal code and a number.
func (p *Processor) newCaseID(seq int64) string {
	return fmt.Sprintf("%s%010d", canonical.StatePostal[p.cfg.StateFIPS], seq)
}

// caseIDs are the header case IDs of a message we send to partner about our
// case: ours as the sender's, the partner's own for the same case as the
// receiver's when an earlier exchange told us one, else blank.
func (p *Processor) caseIDs(ctx context.Context, q exchange.Querier, ourCase, partner string) (sender, receiver string, err error) {
	receiver, err = exchange.PartnerCaseID(ctx, q, ourCase, partner)
	return ourCase, receiver, err
}

// reply builds a response transaction to sender, the partner that sent tx,
// about our case ourCase, with the partner's own case ID when we know it.
func (p *Processor) reply(ctx context.Context, q exchange.Querier, ourCase string, sender *partners.Partner, tx canonical.Transaction,
	fn canonical.FunctionCode, act canonical.ActionCode, reason canonical.ReasonCode, id string) (canonical.Transaction, error) {
	ours, theirs, err := p.caseIDs(ctx, q, ourCase, sender.ID)
	if err != nil {
		return canonical.Transaction{}, err
	}
	return p.replyWith(tx, ours, theirs, fn, act, reason, id), nil
}

// replyWith builds the response to tx with the given case IDs.
func (p *Processor) replyWith(tx canonical.Transaction, ours, theirs string,
	fn canonical.FunctionCode, act canonical.ActionCode, reason canonical.ReasonCode, id string) canonical.Transaction {
	h := tx.Header
	return canonical.Transaction{Header: canonical.Header{
		SenderFIPS: p.cfg.SelfFIPS, ReceiverFIPS: h.SenderFIPS, MessageID: id, Serial: p.now().UnixNano()/1000%canonical.MaxSerial + 1, // 12 digits, the CSENet serial
		TransactionDate: canonical.DateOf(p.now()), SenderCaseID: ours, ReceiverCaseID: theirs,
		Function: fn, Action: act, Reason: reason, InReplyTo: h.MessageID,
	}}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// send encodes tx for partner and queues it in q's transaction.
func (p *Processor) send(ctx context.Context, q exchange.Querier, partner *partners.Partner, tx canonical.Transaction, inReplyTo int64) (int64, error) {
	if !validate.Sendable(tx.Header.Function, tx.Header.Action, tx.Header.Reason) {
		return 0, fmt.Errorf("outbound transaction: %s %s %s is not a combination the gateway may send to a state",
			tx.Header.Function, tx.Header.Action, tx.Header.Reason)
	}
	if errs := p.validateOutbound(&tx); len(errs) > 0 {
		return 0, fmt.Errorf("outbound transaction is invalid: %w", errs)
	}
	body, ct, err := p.enc.EncodeTx(partner, tx)
	if err != nil {
		return 0, fmt.Errorf("encode for %s: %w", partner.ID, err)
	}
	return p.store.EnqueueOutbound(ctx, q, exchange.Outbound{Partner: partner.ID, MessageID: tx.Header.MessageID,
		Format: partner.Format, ContentType: ct, Raw: body, Tx: tx, Pull: partner.Delivery == partners.DeliverPull,
		OrderingKey: tx.Header.ReceiverCaseID, InReplyTo: tx.Header.InReplyTo, TraceID: telemetry.TraceIDOf(ctx)})
}

// responseID derives the ID of our response from the message it answers, so
// processing the same message again produces the same ID and the store's
// uniqueness makes the second enqueue a no-op.
func (p *Processor) responseID(m exchange.Message, suffix string) string {
	return fmt.Sprintf("%s-%d-%s", canonical.StatePostal[p.cfg.StateFIPS], m.ID, suffix)
}
