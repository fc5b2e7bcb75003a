package casework

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// toRuleOrders converts registry rows for the pure rules.
func toRuleOrders(rows []exchange.RegistryOrder) []orders.Order {
	out := make([]orders.Order, len(rows))
	for i, r := range rows {
		o := orders.Order{ID: strconv.FormatInt(r.ID, 10), TribunalState: r.TribunalState, TribunalFIPS: r.TribunalFIPS,
			Docket: r.Docket, Type: r.Type, IssueDate: r.IssueDate, Amount: r.Amount, Frequency: r.Frequency,
			Arrears: r.Arrears, ObligorKey: exchange.HexKey(r.ObligorKey), Registered: r.Registered, Active: r.Active}
		if r.ArrearsAsOf != nil {
			o.ArrearsAsOf = *r.ArrearsAsOf
		}
		for _, k := range r.ChildKeys {
			o.ChildKeys = append(o.ChildKeys, exchange.HexKey(k))
		}
		out[i] = o
	}
	return out
}

// registryOrder turns order block i of tx into a registry row.
func (p *Processor) registryOrder(m exchange.Message, tx canonical.Transaction, i int, obligorKey []byte) exchange.RegistryOrder {
	o := tx.Orders[i]
	r := exchange.RegistryOrder{TribunalState: o.TribunalFIPS.State(), TribunalFIPS: o.TribunalFIPS, Docket: o.Docket,
		Type: o.DebtType, IssueDate: o.IssueDate, Amount: o.Amount, Frequency: o.Frequency, Arrears: o.Arrears,
		ArrearsAsOf: o.ArrearsAsOf, ObligorKey: obligorKey, Active: true, SourceMessage: m.ID}
	for _, c := range o.Children {
		if c >= 0 && c < len(tx.Participants) && tx.Participants[c].SSN != "" {
			r.ChildKeys = append(r.ChildKeys, p.store.HashSSN(tx.Participants[c].SSN))
		}
	}
	return r
}

// registerAll adds the transaction's order blocks to the registry, merging
// any the registry already holds under the same tribunal and docket.
func (p *Processor) registerAll(ctx context.Context, q exchange.Querier, m exchange.Message, tx canonical.Transaction,
	obligorKey []byte, skip map[int]string) ([]int64, error) {
	var ids []int64
	for i := range tx.Orders {
		if existing, ok := skip[i]; ok {
			id, _ := strconv.ParseInt(existing, 10, 64)
			if err := exchange.LinkOrderSource(ctx, q, id, m.ID); err != nil {
				return nil, err
			}
			ids = append(ids, id)
			continue
		}
		id, err := exchange.InsertOrder(ctx, q, p.registryOrder(m, tx, i, obligorKey))
		if errors.Is(err, exchange.ErrOrderExists) {
			// Same tribunal and docket under another obligor key: a person
			// must look (the SSN on one of the messages may be wrong).
			return nil, fmt.Errorf("order %s %s: %w", tx.Orders[i].TribunalFIPS, tx.Orders[i].Docket, err)
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// residence gathers the §205/§207 facts the transaction states. Facts it does
// not state stay Unknown, and the determination says what is missing.
func residence(tx canonical.Transaction, keyOf func(canonical.SSN) string) orders.Residence {
	r := orders.Residence{Children: map[string]string{}, HomeState: map[string]string{}}
	if tx.NCPLocate != nil && tx.NCPLocate.Residential != nil {
		r.Obligor = canonical.PostalState[tx.NCPLocate.Residential.Address.State]
	}
	if tx.Case != nil && (tx.Case.Type == canonical.CaseAssistance || tx.Case.Type == canonical.CaseFosterCare) {
		r.NoIndividualObligee = true
	}
	for _, pt := range tx.Participants {
		st := canonical.PostalState[pt.ResidenceState]
		switch pt.Relationship {
		case canonical.RelCustodialParty:
			if r.Obligee == "" {
				r.Obligee = st
			}
		case canonical.RelChild:
			if pt.SSN != "" {
				r.Children[keyOf(pt.SSN)] = st
			}
		}
	}
	return r
}

// payments maps the transaction's collections to registry orders by docket.
func payments(tx canonical.Transaction, rows []exchange.RegistryOrder) []orders.Payment {
	var out []orders.Payment
	for _, c := range tx.Collections {
		id := ""
		for _, r := range rows {
			if c.Docket != "" && exchange.NormalizeDocket(c.Docket) == exchange.NormalizeDocket(r.Docket) {
				id = strconv.FormatInt(r.ID, 10)
			}
		}
		out = append(out, orders.Payment{OrderID: id, Date: c.Date, Amount: c.Amount})
	}
	return out
}

// Evidence is what a review item of the one-order rules carries.
type Evidence struct {
	Finding       orders.Finding        `json:"finding"`
	Orders        []EvidenceOrder       `json:"orders"`
	Determination *orders.Determination `json:"determination,omitempty"`
	Response      string                `json:"response,omitempty"`
	Request       canonical.Header      `json:"request"`
	Residence     orders.Residence      `json:"residence"`
	Extra         map[string]string     `json:"extra,omitempty"`
}

// EvidenceOrder is an order shown side by side in review (no SSNs).
type EvidenceOrder struct {
	ID           string          `json:"id"`
	TribunalFIPS canonical.FIPS  `json:"tribunalFips"`
	Docket       string          `json:"docket"`
	Type         string          `json:"type"`
	IssueDate    canonical.Date  `json:"issueDate"`
	Amount       canonical.Cents `json:"amountCents"`
	Frequency    string          `json:"frequency"`
	Arrears      canonical.Cents `json:"arrearsCents"`
	Active       bool            `json:"active"`
	Registered   []string        `json:"registered"`
	Source       string          `json:"source"`
}

func evidenceOrders(rows []exchange.RegistryOrder, source string) []EvidenceOrder {
	out := make([]EvidenceOrder, 0, len(rows))
	for _, r := range rows {
		out = append(out, EvidenceOrder{ID: strconv.FormatInt(r.ID, 10), TribunalFIPS: r.TribunalFIPS, Docket: r.Docket,
			Type: string(r.Type), IssueDate: r.IssueDate, Amount: r.Amount, Frequency: string(r.Frequency),
			Arrears: r.Arrears, Active: r.Active, Registered: r.Registered, Source: source})
	}
	return out
}

// Review item kinds the one-order rules create.
const (
	ReviewExistingOrder     = "existing_order"
	ReviewControllingOrder  = "controlling_order"
	ReviewPossibleDuplicate = "possible_duplicate"
	ReviewUnknownEmployer   = "unknown_employer"
	ReviewIWORejected       = "iwo_rejected"
)

func (p *Processor) applyFinding(ctx context.Context, q exchange.Querier, m exchange.Message, tx canonical.Transaction,
	in orders.Incoming, obligorKey []byte, rows []exchange.RegistryOrder, f orders.Finding) (Decision, error) {
	keyOf := func(s canonical.SSN) string { return exchange.HexKey(p.store.HashSSN(s)) }
	ev := Evidence{Finding: f, Orders: evidenceOrders(rows, "registry"), Request: tx.Header, Residence: residence(tx, keyOf)}
	switch f.Route {
	case orders.RouteProceed:
		ids, err := p.registerAll(ctx, q, m, tx, obligorKey, nil)
		if err != nil {
			return Decision{}, err
		}
		note := "no existing order for this obligor and children"
		if len(ids) > 0 {
			note = fmt.Sprintf("registered %d order(s)", len(ids))
		}
		return Decision{Status: exchange.StatusProcessed, Note: note}, nil

	case orders.RouteMerge:
		same := map[int]string{}
		for _, e := range f.Evidence {
			if e.Kind == orders.SameOrder && e.IncomingOrder >= 0 && e.ExistingOrderID != "" {
				same[e.IncomingOrder] = e.ExistingOrderID
			}
		}
		if _, err := p.registerAll(ctx, q, m, tx, obligorKey, same); err != nil {
			return Decision{}, err
		}
		return Decision{Status: exchange.StatusProcessed, Note: fmt.Sprintf("same order already registered (%s); merged, not duplicated", strings.Join(f.OrderIDs, ", "))}, nil

	case orders.RouteEnforce, orders.RouteRegister:
		// An EST request that would make a second order: no order is
		// established; the sender is told and a person confirms the reroute.
		sender, ok := p.dir().ByState(tx.Header.SenderFIPS.State())
		if ok {
			g := genOrderNotEstablished
			resp := p.reply(tx, g.Function, g.Action, g.Reason, p.responseID(m, "ERXOR"))
			resp.Information = canonical.InformationText(existingOrderText(rows, f))
			p.withCaseBlocks(&resp, tx)
			if _, err := p.send(ctx, q, sender, resp, m.ID); err != nil {
				return Decision{}, err
			}
			ev.Response = resp.Header.MessageID
		}
		if err := p.review(ctx, q, m, ReviewExistingOrder, ev); err != nil {
			return Decision{}, err
		}
		return Decision{Status: exchange.StatusNeedsReview, Note: "an order already exists for this obligor and child: no second order; " + string(f.Route)}, nil

	case orders.RouteDetermination:
		// The incoming order is a real order: register it, then determine.
		same := map[int]string{}
		for _, e := range f.Evidence {
			if e.Kind == orders.SameOrder && e.IncomingOrder >= 0 && e.ExistingOrderID != "" {
				same[e.IncomingOrder] = e.ExistingOrderID
			}
		}
		if _, err := p.registerAll(ctx, q, m, tx, obligorKey, same); err != nil {
			return Decision{}, err
		}
		childKeys := [][]byte{}
		for _, pt := range tx.Participants {
			if pt.Relationship == canonical.RelChild && pt.SSN != "" {
				childKeys = append(childKeys, p.store.HashSSN(pt.SSN))
			}
		}
		all, err := exchange.OrdersFor(ctx, q, obligorKey, childKeys)
		if err != nil {
			return Decision{}, err
		}
		ev.Orders = evidenceOrders(all, "registry")
		dets := orders.DetermineEach(toRuleOrders(all), ev.Residence, payments(tx, all), canonical.DateOf(p.now()))
		for i := range dets {
			if len(dets[i].Tribunals) > 1 || dets[i].Kind != orders.ControllingOrder || len(dets) == 1 {
				d := dets[i]
				ev.Determination = &d
				break
			}
		}
		if err := p.review(ctx, q, m, ReviewControllingOrder, ev); err != nil {
			return Decision{}, err
		}
		note := "several orders for the same obligor and child: controlling-order determination needed"
		if ev.Determination != nil {
			note += "; computed: " + string(ev.Determination.Kind)
			if ev.Determination.Rule != "" {
				note += " (" + string(ev.Determination.Rule) + ")"
			}
		}
		return Decision{Status: exchange.StatusNeedsReview, Note: note}, nil
	}
	if err := p.review(ctx, q, m, ReviewPossibleDuplicate, ev); err != nil {
		return Decision{}, err
	}
	return Decision{Status: exchange.StatusNeedsReview, Note: "possible duplicate order (" + f.Reason + "): a person must decide"}, nil
}

func existingOrderText(rows []exchange.RegistryOrder, f orders.Finding) string {
	var b strings.Builder
	b.WriteString("An order already exists for this obligor and child, so no new order will be established (UIFSA one-order rule). ")
	for _, id := range f.OrderIDs {
		for _, r := range rows {
			if strconv.FormatInt(r.ID, 10) == id {
				fmt.Fprintf(&b, "Order of tribunal %s, docket %s, issued %s: %s %s. ", r.TribunalFIPS, r.Docket, r.IssueDate,
					r.Amount.Dollars(), r.Frequency)
			}
		}
	}
	switch f.Route {
	case orders.RouteRegister:
		b.WriteString("The request is being handled as registration of that order for enforcement.")
	default:
		b.WriteString("The request is being handled as enforcement of that order.")
	}
	return b.String()
}

// review opens a review item for m with evidence.
func (p *Processor) review(ctx context.Context, q exchange.Querier, m exchange.Message, kind string, ev any) error {
	_, err := exchange.AddReviewItem(ctx, q, exchange.ReviewItem{MessageID: m.ID, Kind: kind, Evidence: ev})
	return err
}
