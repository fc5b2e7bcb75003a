package gateway

import (
	"context"
	"fmt"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// eiwoBatchLoop sends, every poll, the e-IWO files of employers whose
// documents have waited the batch window: one file per employer (FHI, one
// BHI, the DTL records, BTI, FTI) with two fresh control numbers.
func (s *Server) eiwoBatchLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.Workers.PollInterval)
	defer t.Stop()
	for {
		if n, err := s.store.BuildEIWOFiles(ctx, s.cfg.Casework.EIWOBatchWindow, s.buildEIWOFile); err != nil && ctx.Err() == nil {
			s.log.Error("e-IWO files", "err", err)
		} else if n > 0 {
			s.log.Info("e-IWO files queued", "files", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// buildEIWOFile frames held DTL records into a file for partner.
func (s *Server) buildEIWOFile(ctx context.Context, q exchange.Querier, partnerID string, docs []exchange.HeldDocument) (exchange.Outbound, error) {
	p, ok := s.dir.Current().Get(partnerID)
	if !ok {
		return exchange.Outbound{}, fmt.Errorf("no partner %q for held e-IWO documents", partnerID)
	}
	l, err := eiwofile.Default()
	if err != nil {
		return exchange.Outbound{}, err
	}
	state := s.cfg.StateFIPS + "000"
	ctl, err := s.store.ControlNumbers(ctx, q, state, 2)
	if err != nil {
		return exchange.Outbound{}, err
	}
	body, err := FrameEIWOFile(l, state, ctl[0], ctl[1], p.FEIN, time.Now().UTC(), docs)
	if err != nil {
		return exchange.Outbound{}, err
	}
	tx := canonical.Transaction{Header: canonical.Header{SenderFIPS: canonical.FIPS(s.cfg.StateFIPS + "00000"),
		ReceiverFIPS: canonical.FIPS(p.StateFIPS + "00000"), MessageID: ctl[0], Serial: 1,
		TransactionDate: canonical.DateOf(time.Now()), Function: canonical.FuncEnforce, Action: canonical.ActRequest,
		Reason: canonical.ReasonIncomeWithholding},
		Information: canonical.InformationText(fmt.Sprintf("e-IWO file %s: %d documents for %s", ctl[0], len(docs), p.Name))}
	return exchange.Outbound{Partner: p.ID, MessageID: ctl[0], Format: eiwofile.Format,
		ContentType: "text/plain; charset=us-ascii", Raw: body, Tx: tx, Pull: p.Delivery == partners.DeliverPull}, nil
}

// FrameEIWOFile wraps one employer's DTL records (as the eiwo-file codec
// wrote them) in the file and batch headers and trailers.
func FrameEIWOFile(l *eiwofile.Layouts, stateFIPS, fileCtl, batchCtl, ein string, now time.Time, docs []exchange.HeldDocument) ([]byte, error) {
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
	b := eiwofile.Batch{Header: hdr(batchCtl, ein)}
	for _, d := range docs {
		rec := d.Raw
		for len(rec) > 0 && (rec[len(rec)-1] == '\n' || rec[len(rec)-1] == '\r') {
			rec = rec[:len(rec)-1]
		}
		v, errs := l.Detail.Decode(rec, fixedwidth.Place{})
		if len(errs) > 0 {
			return nil, fmt.Errorf("held document %s is not a DTL record: %w", d.SenderMsgID, errs)
		}
		b.Records = append(b.Records, v)
	}
	return l.Encode(&eiwofile.File{Kind: eiwofile.IWOs, Header: hdr(fileCtl, ""), Batches: []eiwofile.Batch{b}})
}
