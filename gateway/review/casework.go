package review

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// caseOrder is an order as the case's messages and review evidence know it.
type caseOrder struct {
	TribunalFIPS string
	Docket       string
	Type         string
	IssueDate    string
	Amount       canonical.Cents
	Frequency    string
	Arrears      canonical.Cents
	ArrearsAsOf  string
	// Controlling: "sender" when a sender marked it, "determined" when a
	// review's determination named it, "confirmed" once staff resolved that review.
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

type caseView struct {
	CaseID    string
	Messages  []exchange.Message
	Orders    []caseOrder
	Payments  []casePayment
	PaidTotal canonical.Cents
	IWOs      []exchange.CaseIWO
	Open      []reviewView
	Reviews   []reviewView
	Employers []canonical.Employer
}

func (c caseView) title() string { return "Case " + c.CaseID }

func (h *Handler) loadCase(ctx context.Context, caseID string) (caseView, error) {
	caseID = strings.TrimSpace(caseID)
	if caseID == "" || len(caseID) > 64 {
		return caseView{}, badRequest("a case ID is required")
	}
	v := caseView{CaseID: caseID}
	msgs, err := h.store.CaseMessages(ctx, caseID, 500)
	if err != nil {
		return v, err
	}
	v.Messages = msgs
	ids := make([]int64, len(msgs))
	orders := map[string]*caseOrder{}
	var keys []string
	orderKey := func(fips, docket string) string { return fips + "|" + exchange.NormalizeDocket(docket) }
	employers := map[string]bool{}
	for i, m := range msgs {
		ids[i] = m.ID
		for _, o := range m.Tx.Orders {
			k := orderKey(string(o.TribunalFIPS), o.Docket)
			co, ok := orders[k]
			if !ok {
				co = &caseOrder{TribunalFIPS: string(o.TribunalFIPS), Docket: o.Docket}
				orders[k] = co
				keys = append(keys, k)
			}
			// Later messages carry newer figures; messages are oldest first.
			co.Type, co.IssueDate, co.Amount, co.Frequency = string(o.Type), o.IssueDate.String(), o.Amount, string(o.Frequency)
			if o.Arrears != 0 || o.ArrearsAsOf != nil {
				co.Arrears = o.Arrears
				co.ArrearsAsOf = ""
				if o.ArrearsAsOf != nil {
					co.ArrearsAsOf = o.ArrearsAsOf.String()
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
	for _, it := range items {
		rv := toReviewView(it)
		v.Reviews = append(v.Reviews, rv)
		if rv.Open {
			v.Open = append(v.Open, rv)
		}
		// The determination names the controlling order by registry id; the
		// evidence lists the same orders with tribunal and docket.
		for _, o := range rv.Orders {
			k := orderKey(o.TribunalFIPS, o.Docket)
			co, ok := orders[k]
			if !ok {
				co = &caseOrder{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, Type: o.Type, IssueDate: o.IssueDate,
					Amount: o.Amount, Frequency: o.Frequency, Arrears: o.Arrears}
				orders[k] = co
				keys = append(keys, k)
			}
			if o.Controlling {
				if it.State == exchange.ReviewResolved && strings.HasPrefix(it.Resolution, "confirmed") {
					co.Controlling = "confirmed"
				} else if co.Controlling != "confirmed" {
					co.Controlling = "determined"
				}
			}
		}
		// An override names its order in the resolution; the evidence's
		// computed flag then no longer holds.
		if strings.HasPrefix(it.Resolution, "overridden: order ") {
			chosen := strings.Fields(strings.TrimPrefix(it.Resolution, "overridden: order "))
			for _, o := range rv.Orders {
				co := orders[orderKey(o.TribunalFIPS, o.Docket)]
				switch {
				case len(chosen) > 0 && o.ID == chosen[0]:
					co.Controlling = "overridden"
				case co.Controlling == "determined" || co.Controlling == "confirmed":
					co.Controlling = ""
				}
			}
		}
	}
	for _, k := range keys {
		v.Orders = append(v.Orders, *orders[k])
	}
	sort.SliceStable(v.Payments, func(i, j int) bool { return v.Payments[i].Date > v.Payments[j].Date })
	if v.IWOs, err = h.store.IWOsForCase(ctx, caseID); err != nil {
		return v, err
	}
	if len(v.Messages) == 0 && len(v.IWOs) == 0 {
		return v, fmt.Errorf("%w: case %s", exchange.ErrNotFound, caseID)
	}
	return v, nil
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
	orders := make([]orderJSON, len(v.Orders))
	for i, o := range v.Orders {
		if o.SeenIn == nil {
			o.SeenIn = []int64{} // known only from review evidence
		}
		orders[i] = orderJSON{o.TribunalFIPS, o.Docket, o.Type, o.IssueDate, int64(o.Amount), o.Frequency,
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
			"status": d.Status, "ackReasons": d.AckReasons, "ackNote": d.AckNote, "documentMessage": d.DocumentMessage,
			"createdAt": d.CreatedAt.UTC(), "updatedAt": d.UpdatedAt.UTC()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"caseId": v.CaseID, "messages": toJSONs(v.Messages), "orders": orders,
		"payments": payments, "paidTotalCents": int64(v.PaidTotal), "iwos": iwos, "nextSteps": open})
}
