package casework

import (
	"context"
	"fmt"
	"sort"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// NotifyDetermination sends the controlling-order determination a supervisor
// confirmed (or overrode) to every state whose tribunal issued one of the
// orders or where one is registered (UIFSA §207(g)), as a new controlling
// order (GSCOE: EST P when the determination answered an establishment
// request, ENF P otherwise) with the controlling order in an order block
// flagged D, in the caller's transaction. It returns the states notified.
func (p *Processor) NotifyDetermination(ctx context.Context, q exchange.Querier, reviewItem, messageID, controlling int64,
	group []int64, basis, note string, override bool) ([]string, error) {
	var orders []exchange.RegistryOrder
	for _, id := range group {
		o, err := exchange.OrderByID(ctx, q, id)
		if err != nil {
			return nil, err
		}
		orders = append(orders, o)
	}
	states := map[string]bool{}
	for _, o := range orders {
		states[o.TribunalState] = true
		for _, r := range o.Registered {
			states[r] = true
		}
	}
	delete(states, p.cfg.StateFIPS)
	var list []string
	for s := range states {
		list = append(list, s)
	}
	sort.Strings(list)

	caseID := ""
	var m exchange.Message
	var about canonical.Transaction
	if messageID != 0 {
		var err error
		if m, err = p.store.GetMessage(ctx, messageID); err == nil {
			caseID = firstNonEmpty(m.ReceiverCaseID, m.SenderCaseID)
		}
		// The parties of the case the determination was made in.
		about, _ = p.store.LoadTransaction(ctx, messageID, true)
		markFormat(m, &about)
	}
	if caseID == "" {
		caseID = fmt.Sprintf("COD%d", reviewItem)
	}
	g := genControllingEnforcement
	if m.Function == string(canonical.FuncEstablish) {
		g = genControllingEstablishment
	}
	var block []canonical.Order
	for _, o := range orders {
		if o.ID == controlling {
			co := canonical.Order{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, IssueDate: o.IssueDate,
				DebtType: o.Type, Frequency: o.Frequency, Amount: o.Amount, Arrears: o.Arrears, ArrearsAsOf: o.ArrearsAsOf,
				ControllingFlag: canonical.ControllingDetermined}
			// The registry keeps no effective date or medical flag; the
			// transaction that brought the order may.
			for _, ao := range about.Orders {
				if ao.TribunalFIPS.State() == o.TribunalFIPS.State() && ao.Docket == o.Docket {
					co.Type, co.EffectiveDate, co.MedicalOrdered = ao.Type, ao.EffectiveDate, ao.MedicalOrdered
				}
			}
			block = append(block, co)
		}
	}
	if len(block) == 0 {
		// No order controls: there is no new controlling order to announce,
		// and GSCOE needs the order block.
		return nil, nil
	}
	for _, st := range list {
		partner, ok := p.dir().ByState(st)
		if !ok {
			// A state we have no partner entry for cannot be sent to; the
			// review item shows who must still be told.
			p.log.Warn("no partner for a state that must receive the determination", "state", st)
			continue
		}
		tx := canonical.Transaction{Header: canonical.Header{SenderFIPS: p.cfg.SelfFIPS,
			ReceiverFIPS: canonical.FIPS(st + "00000"), MessageID: fmt.Sprintf("%s-COD-%d-%s", canonical.StatePostal[p.cfg.StateFIPS], reviewItem, st),
			Serial: 1, TransactionDate: canonical.DateOf(p.now()), SenderCaseID: truncateString(caseID, canonical.MaxCaseIDLen),
			InReplyTo: m.MessageID},
			Orders: block}
		g.header(&tx.Header)
		// GSCOE carries no information block (requirements.csv): the basis,
		// note and override stay in the review item and the audit log.
		p.withCaseBlocks(&tx, about)
		if m.Partner != partner.ID {
			tx.Header.InReplyTo = ""
		}
		if _, err := p.send(ctx, q, partner, tx, messageID); err != nil {
			return nil, fmt.Errorf("notice to %s: %w", partner.ID, err)
		}
	}
	return list, nil
}

func truncateString(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
