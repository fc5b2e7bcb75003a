package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/review/stafftext"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// caseOrder is an order as the registry, the case's messages and review
// evidence know it.
type caseOrder struct {
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

type casePayment struct {
	MessageID int64
	Date      string
	Amount    canonical.Cents
	Source    string
	Docket    string
}

// caseParticipant is a person of the case, masked as on the message page.
type caseParticipant struct {
	Role           string
	Name           canonical.Name
	SSN            string
	DOB            string
	ResidenceState string
}

type caseView struct {
	// CaseID is New York's case ID; Asked is the ID staff asked for (ours or
	// a partner's). Legacy is true for a case known only from messages
	// exchanged before New York case IDs were kept.
	CaseID       string
	Asked        string
	Legacy       bool
	Partners     []exchange.CaseXref
	Participants []caseParticipant
	Messages     []exchange.Message
	Orders       []caseOrder
	Payments     []casePayment
	PaidTotal    canonical.Cents
	IWOs         []exchange.CaseIWO
	Open         []reviewView
	Reviews      []reviewView
	Employers    []canonical.Employer
}

func (c caseView) title() string { return "Case " + c.CaseID }

func (h *Handler) loadCase(ctx context.Context, caseID string) (caseView, error) {
	caseID = strings.TrimSpace(caseID)
	if caseID == "" || len(caseID) > 64 {
		return caseView{}, badRequest("a case ID is required")
	}
	v := caseView{CaseID: caseID, Asked: caseID}
	var registry []exchange.RegistryOrder
	c, err := h.store.FindCase(ctx, caseID)
	switch {
	case errors.Is(err, exchange.ErrNotFound):
		v.Legacy = true
		if v.Messages, err = h.store.CaseMessages(ctx, caseID, 500); err != nil {
			return v, err
		}
		if v.IWOs, err = h.store.IWOsForCase(ctx, caseID); err != nil {
			return v, err
		}
	case errors.Is(err, exchange.ErrInvalid):
		return v, httperr.New(http.StatusConflict, "ambiguous_case", fmt.Sprintf("Case ID %s is used by more than one partner for different cases: open the case by New York's case ID.", caseID))
	case err != nil:
		return v, err
	default:
		v.CaseID, v.Partners = c.CaseID, c.Partners
		if v.Messages, err = h.store.CaseExchanges(ctx, c.CaseID, 500); err != nil {
			return v, err
		}
		if v.IWOs, err = h.store.CaseIWOs(ctx, c.CaseID); err != nil {
			return v, err
		}
		if registry, err = h.store.CaseOrders(ctx, c.ObligorKey, c.ChildKeys); err != nil {
			return v, err
		}
	}
	ids := make([]int64, len(v.Messages))
	known := map[string]*caseOrder{}
	var keys []string
	orderKey := func(fips, docket string) string { return fips + "|" + orders.NormalizeDocket(docket) }
	add := func(k string, co *caseOrder) *caseOrder {
		if got, ok := known[k]; ok {
			return got
		}
		known[k] = co
		keys = append(keys, k)
		return co
	}
	// The registry's orders first: they are what the one-order rules decided on.
	for _, r := range registry {
		co := add(orderKey(string(r.TribunalFIPS), r.Docket), &caseOrder{TribunalFIPS: string(r.TribunalFIPS), Docket: r.Docket,
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
			co := add(k, &caseOrder{TribunalFIPS: string(o.TribunalFIPS), Docket: o.Docket})
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
			v.Payments = append(v.Payments, casePayment{MessageID: m.ID, Date: c.Date.String(), Amount: c.Amount,
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
	items, err := h.store.ReviewItemsFor(ctx, ids)
	if err != nil {
		return v, err
	}
	overridden := false
	for _, it := range items {
		rv := toReviewView(it)
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
			co := add(orderKey(o.TribunalFIPS, o.Docket), &caseOrder{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, Type: o.Type,
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
func (v *caseView) addPeople(tx canonical.Transaction, seen map[string]bool) {
	addOne := func(role string, n canonical.Name, ssn canonical.SSN, dob *canonical.Date, lives string) {
		p := caseParticipant{Role: role, Name: n, ResidenceState: lives}
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

func (h *Handler) casePage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := h.loadCase(r.Context(), r.PathValue("caseId"))
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	h.render(w, r, s, http.StatusOK, "case", v)
}

func (h *Handler) apiCase(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := h.loadCase(r.Context(), r.PathValue("caseId"))
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	open := make([]reviewJSON, len(v.Open))
	for i, it := range v.Open {
		open[i] = toReviewJSON(it.ReviewItem)
	}
	type orderJSON struct {
		TribunalFIPS string  `json:"tribunalFips"`
		Docket       string  `json:"docket"`
		Type         string  `json:"type"`
		IssueDate    string  `json:"issueDate"`
		AmountCents  int64   `json:"amountCents"`
		Frequency    string  `json:"frequency"`
		ArrearsCents int64   `json:"arrearsCents"`
		ArrearsAsOf  string  `json:"arrearsAsOf,omitempty"`
		Controlling  string  `json:"controlling,omitempty"`
		Messages     []int64 `json:"messages"`
	}
	orderList := make([]orderJSON, len(v.Orders))
	for i, o := range v.Orders {
		if o.SeenIn == nil {
			o.SeenIn = []int64{} // known only from the registry or review evidence
		}
		orderList[i] = orderJSON{o.TribunalFIPS, o.Docket, o.Type, o.IssueDate, int64(o.Amount), o.Frequency,
			int64(o.Arrears), o.ArrearsAsOf, o.Controlling, o.SeenIn}
	}
	payments := make([]map[string]any, len(v.Payments))
	for i, p := range v.Payments {
		payments[i] = map[string]any{"messageId": p.MessageID, "date": p.Date, "amountCents": int64(p.Amount),
			"source": p.Source, "docket": p.Docket}
	}
	iwos := make([]map[string]any, len(v.IWOs))
	for i, d := range v.IWOs {
		iwos[i] = map[string]any{"id": d.ID, "employerFein": d.EmployerFEIN, "employerPartner": d.EmployerPartner,
			"docAction": d.DocAction, "controlNumber": d.ControlNumber, "trackingNumber": d.TrackingNumber,
			"status": d.Status, "ackReasons": d.AckReasons, "ackReasonWords": ackWords(d.AckReasons), "ackNote": d.AckNote, "documentMessage": d.DocumentMessage,
			"createdAt": d.CreatedAt.UTC(), "updatedAt": d.UpdatedAt.UTC()}
	}
	partnerIDs := make([]map[string]any, len(v.Partners))
	for i, x := range v.Partners {
		partnerIDs[i] = map[string]any{"partner": x.Partner, "caseId": x.PartnerCaseID, "current": x.Current}
	}
	people := make([]map[string]any, len(v.Participants))
	for i, p := range v.Participants {
		people[i] = map[string]any{"role": p.Role, "name": p.Name, "ssn": p.SSN, "dateOfBirth": p.DOB, "residenceState": p.ResidenceState}
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{"caseId": v.CaseID, "partnerCaseIds": partnerIDs, "participants": people,
		"messages": toJSONs(v.Messages), "orders": orderList, "payments": payments, "paidTotalCents": int64(v.PaidTotal),
		"iwos": iwos, "nextSteps": open})
}

// ackWords are an employer's acknowledgment reasons in words.
func ackWords(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = canonical.AckReason(c).Words()
	}
	return out
}
