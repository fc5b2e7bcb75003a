// Package eiwobatch sends the e-IWO documents held for employers that take
// the federal fixed-width file: once an employer's oldest document has waited
// the batch window, all of its documents go in one file (FHI, one BHI, the DTL
// records, BTI, FTI) with two fresh control numbers, enqueued like any
// outbound message.
package eiwobatch

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// Config is this state and the timing of the batches.
type Config struct {
	// StateFIPS is the 2-digit FIPS code of this gateway's state.
	StateFIPS string
	// Window is how long an employer's oldest held document waits for others.
	Window time.Duration
	// Poll is how often held documents are looked for.
	Poll time.Duration
}

// Store is what batching needs of the exchange store.
type Store interface {
	BuildEIWOFiles(ctx context.Context, window time.Duration, build exchange.FileBuilder) (int, error)
	ControlNumbers(ctx context.Context, q exchange.Querier, stateFIPS string, n int) ([]string, error)
}

// Batcher builds the files.
type Batcher struct {
	cfg   Config
	store Store
	dir   func() *partners.Directory
	log   *slog.Logger
}

// New returns a batcher; dir gives the partner directory in force.
func New(cfg Config, store Store, dir func() *partners.Directory, log *slog.Logger) *Batcher {
	return &Batcher{cfg: cfg, store: store, dir: dir, log: log}
}

// Run sends, every poll until ctx ends, the e-IWO files of employers whose
// documents have waited the batch window.
func (b *Batcher) Run(ctx context.Context) {
	poll := b.cfg.Poll
	if poll <= 0 {
		poll = 5 * time.Second
	}
	b.buildDue(ctx)
	service.Every(ctx, poll, b.buildDue)
}

// buildDue builds the files whose batch window has passed.
func (b *Batcher) buildDue(ctx context.Context) {
	if n, err := b.store.BuildEIWOFiles(ctx, b.cfg.Window, b.Build); err != nil && ctx.Err() == nil {
		b.log.Error("e-IWO files", "err", err)
	} else if n > 0 {
		b.log.Info("e-IWO files queued", "files", n)
	}
}

// Build frames held DTL records into a file for partnerID, drawing its
// control numbers in q (an exchange.FileBuilder).
func (b *Batcher) Build(ctx context.Context, q exchange.Querier, partnerID string, docs []exchange.HeldDocument) (exchange.Outbound, error) {
	p, ok := b.dir().Get(partnerID)
	if !ok {
		return exchange.Outbound{}, fmt.Errorf("no partner %q for held e-IWO documents", partnerID)
	}
	l, err := eiwofile.Default()
	if err != nil {
		return exchange.Outbound{}, err
	}
	state := b.cfg.StateFIPS + "000"
	ctl, err := b.store.ControlNumbers(ctx, q, state, 2)
	if err != nil {
		return exchange.Outbound{}, err
	}
	body, err := Frame(l, state, ctl[0], ctl[1], p.FEIN, time.Now().UTC(), docs)
	if err != nil {
		return exchange.Outbound{}, err
	}
	tx := canonical.Transaction{Header: canonical.Header{SenderFIPS: canonical.FIPS(b.cfg.StateFIPS + "00000"),
		ReceiverFIPS: canonical.FIPS(p.StateFIPS + "00000"), MessageID: ctl[0], Serial: 1,
		TransactionDate: canonical.DateOf(time.Now()), Function: canonical.FuncEnforce, Action: canonical.ActRequest,
		Reason: canonical.ReasonIncomeWithholding},
		Information: canonical.InformationText(fmt.Sprintf("e-IWO file %s: %d documents for %s", ctl[0], len(docs), p.Name))}
	return exchange.Outbound{Partner: p.ID, MessageID: ctl[0], Format: eiwofile.Format,
		ContentType: "text/plain; charset=us-ascii", Raw: body, Tx: tx, Pull: p.Delivery == partners.DeliverPull}, nil
}

// Frame wraps one employer's DTL records (as the eiwo-file codec wrote them)
// in the file and batch headers and trailers.
func Frame(l *eiwofile.Layouts, stateFIPS, fileCtl, batchCtl, ein string, now time.Time, docs []exchange.HeldDocument) ([]byte, error) {
	if err := eiwofile.CheckControl(fileCtl, stateFIPS); err != nil {
		return nil, err
	}
	if err := eiwofile.CheckControl(batchCtl, stateFIPS); err != nil {
		return nil, err
	}
	hdr := func(ctl, ein string) fixedwidth.Values {
		return fixedwidth.Values{"Control Number": ctl, "State FIPS Code": stateFIPS, "EIN": ein,
			"Creation Date": now.Format("20060102"), "Creation Time": now.Format("150405")}
	}
	batch := eiwofile.Batch{Header: hdr(batchCtl, ein)}
	for _, d := range docs {
		rec := d.Raw
		for len(rec) > 0 && (rec[len(rec)-1] == '\n' || rec[len(rec)-1] == '\r') {
			rec = rec[:len(rec)-1]
		}
		v, errs := l.Detail.Decode(rec, fixedwidth.Place{})
		if len(errs) > 0 {
			return nil, fmt.Errorf("held document %s is not a DTL record: %w", d.SenderMsgID, errs)
		}
		batch.Records = append(batch.Records, v)
	}
	return l.Encode(&eiwofile.File{Kind: eiwofile.IWOs, Header: hdr(fileCtl, ""), Batches: []eiwofile.Batch{batch}})
}
