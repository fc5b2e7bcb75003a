package casework

import (
	"context"
	"fmt"
	"sort"
	"strings"

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
	if messageID != 0 {
		var err error
		if m, err = p.store.GetMessage(ctx, messageID); err == nil {
			caseID = firstNonEmpty(m.ReceiverCaseID, m.SenderCaseID)
		}
	}
	if caseID == "" {
		caseID = fmt.Sprintf("COD%d", reviewItem)
	}
	text := determinationText(orders, controlling, basis, note, override)
	fn := canonical.FuncEnforce
	if m.Function == string(canonical.FuncEstablish) {
		fn = canonical.FuncEstablish
	}
	var block []canonical.Order
	for _, o := range orders {
		if o.ID == controlling {
			block = append(block, canonical.Order{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, IssueDate: o.IssueDate,
				DebtType: o.Type, Frequency: o.Frequency, Amount: o.Amount, Arrears: o.Arrears, ArrearsAsOf: o.ArrearsAsOf,
				ControllingFlag: canonical.ControllingDetermined})
		}
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
			Function: fn, Action: canonical.ActProvide, Reason: canonical.ReasonNewControllingOrder,
			InReplyTo: m.MessageID},
			Orders: block, Information: canonical.InformationText(text)}
		if m.Partner != partner.ID {
			tx.Header.InReplyTo = ""
		}
		if _, err := p.send(ctx, q, partner, tx, messageID); err != nil {
			return nil, fmt.Errorf("notice to %s: %w", partner.ID, err)
		}
	}
	return list, nil
}

func determinationText(orders []exchange.RegistryOrder, controlling int64, basis, note string, override bool) string {
	var b strings.Builder
	b.WriteString("Controlling-order determination (UIFSA 207). ")
	for _, o := range orders {
		if o.ID == controlling {
			fmt.Fprintf(&b, "Controlling order: tribunal %s, docket %s, issued %s, %s %s. ", o.TribunalFIPS, o.Docket,
				o.IssueDate, o.Amount.Dollars(), o.Frequency)
		}
	}
	if controlling == 0 {
		b.WriteString("No existing order controls. ")
	}
	if override {
		b.WriteString("Determined by a supervisor, departing from the computed result. ")
	} else if basis != "" {
		b.WriteString("Basis: " + basis + " ")
	}
	if note != "" {
		b.WriteString("Note: " + note + " ")
	}
	b.WriteString("Orders considered:")
	for _, o := range orders {
		fmt.Fprintf(&b, " %s %s (%s);", o.TribunalFIPS, o.Docket, o.IssueDate)
	}
	return strings.TrimSuffix(b.String(), ";")
}

func truncateString(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
