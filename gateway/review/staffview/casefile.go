package staffview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// CaseOrder is an order as the registry, the case's messages and review
// evidence know it.
type CaseOrder struct {
	TribunalFIPS string
	Docket       string
	Type         string
	IssueDate    string
	Amount       canonical.Cents
	Frequency    string
	Arrears      canonical.Cents
	ArrearsAsOf  string
	// Controlling: "sender" when a sender marked it, "determined" when an
	// open review's determination names it, "confirmed" or "overridden" once
	// a supervisor decided (the registry's flag, which every view reads).
	Controlling string
	SeenIn      []int64
}

// CasePayment is a collection a message of the case reported.
type CasePayment struct {
	MessageID int64
	Date      string
	Amount    canonical.Cents
	Source    string
	Docket    string
}

// CaseParticipant is a person of the case, masked as on the message page.
type CaseParticipant struct {
	Role           string
	Name           canonical.Name
	SSN            string
	DOB            string
	ResidenceState string
}

// Case is a case as staff see it: its IDs at each partner, its people
// (masked), messages, orders, payments, withholding orders and review items.
type Case struct {
	// CaseID is New York's case ID; Asked is the ID staff asked for (ours or
	// a partner's). Legacy is true for a case known only from messages
	// exchanged before New York case IDs were kept.
	CaseID       string
	Asked        string
	Legacy       bool
	Partners     []exchange.CaseXref
	Participants []CaseParticipant
	Messages     []exchange.Message
	Orders       []CaseOrder
	Payments     []CasePayment
	PaidTotal    canonical.Cents
	IWOs         []exchange.CaseIWO
	Open         []Review
	Reviews      []Review
	Employers    []canonical.Employer
}

// Title names the page.
func (c Case) Title() string { return "Case " + c.CaseID }

// LoadCase is the case staff asked for by New York's case ID or a partner's.
func LoadCase(ctx context.Context, st Store, caseID string) (Case, error) {
	caseID = strings.TrimSpace(caseID)
	if caseID == "" || len(caseID) > 64 {
		return Case{}, badRequest("a case ID is required")
	}
	v := Case{CaseID: caseID, Asked: caseID}
	var registry []exchange.RegistryOrder
	c, err := st.FindCase(ctx, caseID)
	switch {
	case errors.Is(err, exchange.ErrNotFound):
		v.Legacy = true
		if v.Messages, err = st.CaseMessages(ctx, caseID, 500); err != nil {
			return v, err
		}
		if v.IWOs, err = st.IWOsForCase(ctx, caseID); err != nil {
			return v, err
		}
	case errors.Is(err, exchange.ErrInvalid):
		return v, AmbiguousCaseError{CaseID: caseID}
	case err != nil:
		return v, err
	default:
		v.CaseID, v.Partners = c.CaseID, c.Partners
		if v.Messages, err = st.CaseExchanges(ctx, c.CaseID, 500); err != nil {
			return v, err
		}
		if v.IWOs, err = st.CaseIWOs(ctx, c.CaseID); err != nil {
			return v, err
		}
		if registry, err = st.CaseOrders(ctx, c.ObligorKey, c.ChildKeys); err != nil {
			return v, err
		}
	}
	ids := make([]int64, len(v.Messages))
	known := map[string]*CaseOrder{}
	var keys []string
	orderKey := func(fips, docket string) string { return fips + "|" + orders.NormalizeDocket(docket) }
	add := func(k string, co *CaseOrder) *CaseOrder {
		if got, ok := known[k]; ok {
			return got
		}
		known[k] = co
		keys = append(keys, k)
		return co
	}
	// The registry's orders first: they are what the one-order rules decided on.
	for _, r := range registry {
		co := add(orderKey(string(r.TribunalFIPS), r.Docket), &CaseOrder{TribunalFIPS: string(r.TribunalFIPS), Docket: r.Docket,
			Type: string(r.Type), IssueDate: r.IssueDate.String(), Amount: r.Amount, Frequency: string(r.Frequency), Arrears: r.Arrears})
		if r.ArrearsAsOf != nil {
			co.ArrearsAsOf = r.ArrearsAsOf.String()
		}
	}
	employers := map[string]bool{}
	people := map[string]bool{}
	for i, m := range v.Messages {
		ids[i] = m.ID
		v.addPeople(m.Tx, people)
		for _, o := range m.Tx.Orders {
			k := orderKey(string(o.TribunalFIPS), o.Docket)
			_, fromRegistry := known[k]
			co := add(k, &CaseOrder{TribunalFIPS: string(o.TribunalFIPS), Docket: o.Docket})
			if !fromRegistry || len(registry) == 0 {
				// Later messages carry newer figures; messages are oldest first.
				co.Type, co.IssueDate, co.Amount, co.Frequency = string(o.Type), o.IssueDate.String(), o.Amount, string(o.Frequency)
				if o.Arrears != 0 || o.ArrearsAsOf != nil {
					co.Arrears = o.Arrears
					co.ArrearsAsOf = ""
					if o.ArrearsAsOf != nil {
						co.ArrearsAsOf = o.ArrearsAsOf.String()
					}
				}
			}
			if o.Controlling() && co.Controlling == "" {
				co.Controlling = "sender"
			}
			co.SeenIn = append(co.SeenIn, m.ID)
		}
		for _, c := range m.Tx.Collections {
			v.Payments = append(v.Payments, CasePayment{MessageID: m.ID, Date: c.Date.String(), Amount: c.Amount,
				Source: string(c.Source), Docket: c.Docket})
			v.PaidTotal += c.Amount
		}
		if m.Tx.NCPLocate != nil {
			for _, e := range m.Tx.NCPLocate.Employers {
				if !employers[e.EIN] {
					employers[e.EIN] = true
					v.Employers = append(v.Employers, e)
				}
			}
		}
	}
	items, err := st.ReviewItemsFor(ctx, ids)
	if err != nil {
		return v, err
	}
	overridden := false
	for _, it := range items {
		rv := ToReview(it)
		v.Reviews = append(v.Reviews, rv)
		if rv.Open {
			v.Open = append(v.Open, rv)
		}
		if it.Kind == "controlling_order" && it.State == exchange.ReviewResolved {
			overridden = strings.HasPrefix(it.Resolution, "overridden")
		}
		// The determination names the controlling order by registry id; the
		// evidence lists the same orders with tribunal and docket.
		for _, o := range rv.Orders {
			co := add(orderKey(o.TribunalFIPS, o.Docket), &CaseOrder{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, Type: o.Type,
				IssueDate: o.IssueDate, Amount: o.Amount, Frequency: o.Frequency, Arrears: o.Arrears})
			if !o.Controlling || len(registry) > 0 {
				continue
			}
			// Before New York case IDs (no registry view of the case), the
			// reviews are all there is to go by.
			if it.State == exchange.ReviewResolved && strings.HasPrefix(it.Resolution, "confirmed") {
				co.Controlling = "confirmed"
			} else if co.Controlling != "confirmed" {
				co.Controlling = "determined"
			}
		}
		if len(registry) == 0 && strings.HasPrefix(it.Resolution, "overridden: ") {
			// "overridden: the NJ order, docket X (issued …)"; before: "overridden: order <row id>".
			byID, docket := "", ""
			if rest, ok := strings.CutPrefix(it.Resolution, "overridden: order "); ok {
				byID, _, _ = strings.Cut(rest, " ")
			} else if _, rest, ok := strings.Cut(it.Resolution, ", docket "); ok {
				docket, _, _ = strings.Cut(rest, " (issued")
			}
			for _, o := range rv.Orders {
				co := known[orderKey(o.TribunalFIPS, o.Docket)]
				switch {
				case (byID != "" && o.ID == byID) || (docket != "" && o.Docket == docket):
					co.Controlling = "overridden"
				case co.Controlling == "determined" || co.Controlling == "confirmed":
					co.Controlling = ""
				}
			}
		}
	}
	if len(registry) > 0 {
		// The registry's flag is the decision; an open review's computed
		// result is only a proposal until a supervisor decides.
		decided := false
		for _, r := range registry {
			if r.Controlling {
				decided = true
				co := known[orderKey(string(r.TribunalFIPS), r.Docket)]
				co.Controlling = map[bool]string{false: "confirmed", true: "overridden"}[overridden]
			}
		}
		for _, rv := range v.Open {
			for _, o := range rv.Orders {
				if co := known[orderKey(o.TribunalFIPS, o.Docket)]; o.Controlling && !decided && co.Controlling != "sender" {
					co.Controlling = "determined"
				}
			}
		}
	}
	for _, k := range keys {
		v.Orders = append(v.Orders, *known[k])
	}
	sort.SliceStable(v.Payments, func(i, j int) bool { return v.Payments[i].Date > v.Payments[j].Date })
	if v.Legacy && len(v.Messages) == 0 && len(v.IWOs) == 0 {
		return v, fmt.Errorf("%w: case %s", exchange.ErrNotFound, caseID)
	}
	return v, nil
}

// addPeople adds the transaction's people to the case once each, masked.
func (v *Case) addPeople(tx canonical.Transaction, seen map[string]bool) {
	addOne := func(role string, n canonical.Name, ssn canonical.SSN, dob *canonical.Date, lives string) {
		p := CaseParticipant{Role: role, Name: n, ResidenceState: lives}
		if ssn != "" {
			p.SSN = stafftext.MaskSSN(string(ssn))
		}
		if dob != nil && !dob.IsZero() {
			p.DOB = stafftext.MaskedDOB
		}
		k := role + "|" + strings.ToUpper(n.First+" "+n.Last) + "|" + p.SSN
		if seen[k] {
			return
		}
		seen[k] = true
		v.Participants = append(v.Participants, p)
	}
	if tx.NCP != nil {
		addOne("Noncustodial parent", tx.NCP.Name, tx.NCP.SSN, tx.NCP.DateOfBirth, "")
	}
	for _, pt := range tx.Participants {
		addOne(relationshipLabel(pt.Relationship), pt.Name, pt.SSN, pt.DateOfBirth, pt.ResidenceState)
	}
}
