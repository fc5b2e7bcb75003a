package review

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/review/staffview"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// actionResult says what an action did.
type actionResult struct {
	Action    exchange.StaffAction `json:"action"`
	MessageID int64                `json:"messageId"`
	Status    string               `json:"status"`
	// NewMessageID is the message a route created.
	NewMessageID int64 `json:"newMessageId,omitempty"`
}

func checkNote(note string, required bool) (string, error) {
	note = strings.TrimSpace(note)
	if len(note) > 500 {
		return "", badRequest("the note is at most 500 characters")
	}
	if required && note == "" {
		return "", badRequest("a note is required")
	}
	return note, nil
}

// parseAction reads the action a URL names; an unknown one is not found.
func parseAction(r *http.Request) (exchange.StaffAction, error) {
	a, err := exchange.ParseStaffAction(r.PathValue("action"))
	if err != nil {
		return "", httperr.New(http.StatusNotFound, "not_found", "no such action "+strconv.Quote(r.PathValue("action")))
	}
	return a, nil
}

// act runs one staff action on message id. Each change commits in one
// transaction with its audit record; route cannot share a transaction with
// the Send hook, so its audit record follows a successful send.
func (h *Handler) act(ctx context.Context, s *session, id int64, action exchange.StaffAction, note, partner string) (actionResult, error) {
	res := actionResult{Action: action, MessageID: id}
	var err error
	if note, err = checkNote(note, action == exchange.ActResolve); err != nil {
		return res, err
	}
	c := exchange.StaffChange{Message: id, Action: action, Actor: s.Staff.Subject, Note: note, At: h.now()}
	var to exchange.Status
	if action == exchange.ActRoute {
		to, err = h.route(ctx, c, partner, &res)
	} else {
		to, err = h.store.ApplyStaffAction(ctx, c)
	}
	if err != nil {
		return res, err
	}
	res.Status = string(to)
	h.log.InfoContext(ctx, "staff action", "subject", c.Actor, "action", action, "message", id)
	return res, nil
}

func (h *Handler) route(ctx context.Context, c exchange.StaffChange, partner string, res *actionResult) (exchange.Status, error) {
	if h.send == nil {
		return "", httperr.New(http.StatusNotImplemented, "unavailable", "routing is not configured on this gateway")
	}
	partner = strings.TrimSpace(partner)
	if partner == "" || len(partner) > 64 {
		return "", badRequest("name the partner to route to")
	}
	tx, err := h.store.LoadTransaction(ctx, c.Message, true)
	if err != nil {
		return "", err
	}
	newID, err := h.send(ctx, partner, tx)
	if err != nil {
		h.log.WarnContext(ctx, "route failed", "message", c.Message, "partner", partner, "err", err)
		return "", httperr.New(http.StatusBadGateway, "route_failed", "the transaction could not be routed to "+partner)
	}
	res.NewMessageID = newID
	return h.store.RecordRoute(ctx, c, partner, newID)
}

func (h *Handler) actionPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	action, err := parseAction(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	if _, err := h.act(r.Context(), s, id, action, r.PostFormValue("note"), r.PostFormValue("partner")); err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/messages/%d?notice=%s", id, action), http.StatusSeeOther)
}

func (h *Handler) apiAction(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	action, err := parseAction(r)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	var body struct {
		Note    string `json:"note"`
		Partner string `json:"partner"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(r, &body); err != nil {
			h.fail(w, r, s, true, err)
			return
		}
	}
	res, err := h.act(r.Context(), s, id, action, body.Note, body.Partner)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusOK, res)
}

// decisionKind is a supervisor's answer to a controlling-order determination.
type decisionKind string

const (
	confirm  decisionKind = "confirm"
	override decisionKind = "override"
)

// parseDecision reads the answer a URL names; an unknown one is not found.
func parseDecision(r *http.Request) (decisionKind, error) {
	switch d := decisionKind(r.PathValue("decision")); d {
	case confirm, override:
		return d, nil
	}
	return "", httperr.New(http.StatusNotFound, "not_found", "no such decision "+strconv.Quote(r.PathValue("decision")))
}

// decide confirms or overrides a controlling-order determination: the
// registry marks the controlling order, the review item is resolved, and the
// audit record is written, all in one transaction. When no other item of the
// message stays open, the message leaves needs_review as processed.
func (h *Handler) decide(ctx context.Context, s *session, itemID int64, decision decisionKind, orderID, reason string) (reviewJSON, error) {
	var out reviewJSON
	reason = strings.TrimSpace(reason)
	switch decision {
	case confirm:
		if len(reason) > 500 {
			return out, badRequest("the note is at most 500 characters")
		}
	case override:
		if len(reason) < 5 || len(reason) > 500 {
			return out, badRequest("an override needs a reason (5 to 500 characters)")
		}
	}
	actor := s.Staff.Subject
	var d Decision
	rule := func(it exchange.ReviewItem) (exchange.Ruling, error) {
		if it.Kind != "controlling_order" {
			return exchange.Ruling{}, badRequest("only controlling-order determinations are confirmed or overridden")
		}
		if it.State == exchange.ReviewResolved {
			return exchange.Ruling{}, fmt.Errorf("%w: review item %d is already resolved", exchange.ErrState, itemID)
		}
		v := staffview.ToReview(it)
		var group []int64
		for _, o := range v.Orders {
			if n, err := strconv.ParseInt(o.ID, 10, 64); err == nil {
				group = append(group, n)
			}
		}
		chosen := v.ControllingID()
		if decision == override {
			chosen = strings.TrimSpace(orderID)
			found := false
			for _, o := range v.Orders {
				found = found || o.ID == chosen
			}
			if !found {
				return exchange.Ruling{}, badRequest("the controlling order must be one of the orders in the evidence")
			}
		}
		verb := map[decisionKind]string{confirm: "confirmed", override: "overridden"}[decision]
		r := exchange.Ruling{Group: group, AuditAction: "determination_" + string(decision)}
		if chosen != "" {
			n, err := strconv.ParseInt(chosen, 10, 64)
			if err != nil {
				return exchange.Ruling{}, badRequest("the controlling order id is not a registry order")
			}
			r.Controlling = n
			// Staff read this: the order by state and docket, not by row ID.
			for _, o := range v.Orders {
				if o.ID == chosen {
					r.Resolution = fmt.Sprintf("%s: the %s order, docket %s (issued %s), controls", verb,
						canonical.StatePostal[canonical.FIPS(o.TribunalFIPS).State()], o.Docket, o.IssueDate)
				}
			}
			if r.Resolution == "" {
				r.Resolution = verb + ": the computed controlling order controls"
			}
		} else {
			// Confirming a finding of no controlling order (insufficient facts,
			// no active order) changes no registry row.
			r.Resolution = verb + ": no controlling order"
		}
		if reason != "" {
			r.Resolution += " — " + reason
		}
		d = Decision{ReviewItem: itemID, Message: it.MessageID, Group: group, Override: decision == override,
			Reason: reason, Actor: actor, Controlling: r.Controlling}
		if v.Determination != nil {
			d.Basis = v.Determination.Basis
		}
		r.Details = map[string]any{"decision": decision, "controllingOrder": chosen, "computed": v.ControllingID(),
			"message": it.MessageID}
		if reason != "" {
			r.Details["reason"] = reason
		}
		return r, nil
	}
	var notify func(context.Context, exchange.Querier, exchange.ReviewItem, exchange.Ruling) error
	if h.onDec != nil {
		notify = func(ctx context.Context, q exchange.Querier, _ exchange.ReviewItem, _ exchange.Ruling) error {
			return h.onDec(ctx, q, d)
		}
	}
	it, err := h.store.DecideReviewItem(ctx, itemID, actor, h.now(), rule, notify)
	if err != nil {
		return out, err
	}
	return toReviewJSON(it), nil
}

func reviewItemID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httperr.New(http.StatusNotFound, "not_found", "no such review item")
	}
	return id, nil
}

func (h *Handler) decisionPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := reviewItemID(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	decision, err := parseDecision(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	reason := r.PostFormValue("reason")
	if decision == confirm {
		reason = r.PostFormValue("note")
	}
	res, err := h.decide(r.Context(), s, id, decision, r.PostFormValue("orderId"), reason)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/messages/%d?notice=%s", res.MessageID, decision), http.StatusSeeOther)
}

func (h *Handler) apiDecision(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := reviewItemID(r)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	decision, err := parseDecision(r)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	var body struct {
		OrderID string `json:"orderId"`
		Reason  string `json:"reason"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(r, &body); err != nil {
			h.fail(w, r, s, true, err)
			return
		}
	}
	res, err := h.decide(r.Context(), s, id, decision, body.OrderID, body.Reason)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusOK, res)
}

func (h *Handler) apiReviewItems(w http.ResponseWriter, r *http.Request, s *session) {
	kind := r.URL.Query().Get("kind")
	items, err := h.store.OpenReviewItems(r.Context(), kind, 200)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	out := make([]reviewJSON, len(items))
	for i, it := range items {
		out[i] = toReviewJSON(it)
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{"items": out})
}
