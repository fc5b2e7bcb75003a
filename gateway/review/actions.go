package review

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// actionResult says what an action did.
type actionResult struct {
	Action    string `json:"action"`
	MessageID int64  `json:"messageId"`
	Status    string `json:"status"`
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

// act runs one staff action on message id. Each change commits in one
// transaction with its audit record; route cannot share a transaction with
// the Send hook, so its audit record follows a successful send.
func (h *Handler) act(ctx context.Context, s *session, id int64, action, note, partner string) (actionResult, error) {
	res := actionResult{Action: action, MessageID: id}
	actor := s.staff.Subject
	target := fmtTarget("message", id)
	var err error
	if note, err = checkNote(note, action == "resolve"); err != nil {
		return res, err
	}
	histNote := func(what string) string {
		if note == "" {
			return what + " by " + actor
		}
		return what + " by " + actor + ": " + note
	}
	switch action {
	case "reprocess", "resend":
		err = pgx.BeginFunc(ctx, h.store.Pool(), func(tx pgx.Tx) error {
			var to exchange.Status
			var err error
			if action == "reprocess" {
				to, err = exchange.Reprocess(ctx, tx, id, actor, histNote(action))
			} else {
				to, err = exchange.Requeue(ctx, tx, id, actor, histNote(action))
			}
			if err != nil {
				return err
			}
			res.Status = string(to)
			if _, err := exchange.ResolveOpenReviewItems(ctx, tx, id, actor, histNote(action)); err != nil {
				return err
			}
			return h.audit(ctx, tx, s, action, target, map[string]any{"status": to, "note": note})
		})
	case "cancel", "resolve":
		to := exchange.StatusCancelled
		if action == "resolve" {
			to = exchange.StatusResolved
		}
		err = pgx.BeginFunc(ctx, h.store.Pool(), func(tx pgx.Tx) error {
			_, cur, err := exchange.LockMessage(ctx, tx, id)
			if err != nil {
				return err
			}
			if action == "cancel" && !inSet(cur, cancellable...) {
				return fmt.Errorf("%w: message %d is %s and cannot be cancelled", exchange.ErrState, id, cur)
			}
			if action == "resolve" && inSet(cur, exchange.StatusResolved, exchange.StatusProcessing, exchange.StatusSending) {
				return fmt.Errorf("%w: message %d is %s", exchange.ErrState, id, cur)
			}
			if err := h.store.SetStatus(ctx, tx, id, to, actor, histNote(action)); err != nil {
				return err
			}
			if _, err := exchange.ResolveOpenReviewItems(ctx, tx, id, actor, histNote(action)); err != nil {
				return err
			}
			res.Status = string(to)
			return h.audit(ctx, tx, s, action, target, map[string]any{"from": cur, "note": note})
		})
	case "route":
		err = h.route(ctx, s, id, partner, note, &res)
	default:
		return res, httperr.New(http.StatusNotFound, "not_found", "no such action "+strconv.Quote(action))
	}
	if err != nil {
		return res, err
	}
	h.log.InfoContext(ctx, "staff action", "subject", actor, "action", action, "message", id)
	return res, nil
}

func (h *Handler) route(ctx context.Context, s *session, id int64, partner, note string, res *actionResult) error {
	if h.send == nil {
		return httperr.New(http.StatusNotImplemented, "unavailable", "routing is not configured on this gateway")
	}
	partner = strings.TrimSpace(partner)
	if partner == "" || len(partner) > 64 {
		return badRequest("name the partner to route to")
	}
	tx, err := h.store.LoadTransaction(ctx, id, true)
	if err != nil {
		return err
	}
	newID, err := h.send(ctx, partner, tx)
	if err != nil {
		h.log.WarnContext(ctx, "route failed", "message", id, "partner", partner, "err", err)
		return httperr.New(http.StatusBadGateway, "route_failed", "the transaction could not be routed to "+partner)
	}
	res.NewMessageID = newID
	return pgx.BeginFunc(ctx, h.store.Pool(), func(q pgx.Tx) error {
		_, cur, err := exchange.LockMessage(ctx, q, id)
		if err != nil {
			return err
		}
		to := cur
		if inSet(cur, exchange.StatusNeedsReview, exchange.StatusDeadLetter) {
			to = exchange.StatusResolved
			if _, err := exchange.ResolveOpenReviewItems(ctx, q, id, s.staff.Subject,
				fmt.Sprintf("routed to %s as message %d", partner, newID)); err != nil {
				return err
			}
		}
		res.Status = string(to)
		if err := h.store.SetStatus(ctx, q, id, to, s.staff.Subject,
			fmt.Sprintf("routed to %s as message %d by %s %s", partner, newID, s.staff.Subject, note)); err != nil {
			return err
		}
		return h.audit(ctx, q, s, "route", fmtTarget("message", id), map[string]any{
			"partner": partner, "newMessage": newID, "note": note})
	})
}

func (h *Handler) actionPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	action := r.PathValue("action")
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
	res, err := h.act(r.Context(), s, id, r.PathValue("action"), body.Note, body.Partner)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusOK, res)
}

// decide confirms or overrides a controlling-order determination: the
// registry marks the controlling order, the review item is resolved, and the
// audit record is written, all in one transaction. When no other item of the
// message stays open, the message leaves needs_review as processed.
func (h *Handler) decide(ctx context.Context, s *session, itemID int64, decision, orderID, reason string) (reviewJSON, error) {
	var out reviewJSON
	reason = strings.TrimSpace(reason)
	switch decision {
	case "confirm":
		if len(reason) > 500 {
			return out, badRequest("the note is at most 500 characters")
		}
	case "override":
		if len(reason) < 5 || len(reason) > 500 {
			return out, badRequest("an override needs a reason (5 to 500 characters)")
		}
	default:
		return out, httperr.New(http.StatusNotFound, "not_found", "no such decision "+strconv.Quote(decision))
	}
	err := pgx.BeginFunc(ctx, h.store.Pool(), func(tx pgx.Tx) error {
		it, err := exchange.GetReviewItem(ctx, tx, itemID)
		if err != nil {
			return err
		}
		if it.Kind != "controlling_order" {
			return badRequest("only controlling-order determinations are confirmed or overridden")
		}
		if it.State == exchange.ReviewResolved {
			return fmt.Errorf("%w: review item %d is already resolved", exchange.ErrState, itemID)
		}
		v := toReviewView(it)
		var group []int64
		for _, o := range v.Orders {
			if n, err := strconv.ParseInt(o.ID, 10, 64); err == nil {
				group = append(group, n)
			}
		}
		chosen := v.ControllingID()
		if decision == "override" {
			chosen = strings.TrimSpace(orderID)
			found := false
			for _, o := range v.Orders {
				found = found || o.ID == chosen
			}
			if !found {
				return badRequest("the controlling order must be one of the orders in the evidence")
			}
		}
		verb := map[string]string{"confirm": "confirmed", "override": "overridden"}[decision]
		var resolution string
		if chosen != "" {
			n, err := strconv.ParseInt(chosen, 10, 64)
			if err != nil {
				return badRequest("the controlling order id is not a registry order")
			}
			if err := exchange.SetControlling(ctx, tx, n, group); err != nil {
				return fmt.Errorf("set controlling order: %w", err)
			}
			// Staff read this: the order by state and docket, not by row ID.
			for _, o := range v.Orders {
				if o.ID == chosen {
					resolution = fmt.Sprintf("%s: the %s order, docket %s (issued %s), controls", verb,
						canonical.StatePostal[canonical.FIPS(o.TribunalFIPS).State()], o.Docket, o.IssueDate)
				}
			}
			if resolution == "" {
				resolution = verb + ": the computed controlling order controls"
			}
		} else {
			// Confirming a finding of no controlling order (insufficient facts,
			// no active order) changes no registry row.
			resolution = verb + ": no controlling order"
		}
		if reason != "" {
			resolution += " — " + reason
		}
		if err := exchange.ResolveReviewItem(ctx, tx, itemID, s.staff.Subject, resolution); err != nil {
			return err
		}
		if h.onDec != nil {
			d := Decision{ReviewItem: itemID, Message: it.MessageID, Group: group, Override: decision == "override",
				Reason: reason, Actor: s.staff.Subject}
			if v.Determination != nil {
				d.Basis = v.Determination.Basis
			}
			if chosen != "" {
				d.Controlling, _ = strconv.ParseInt(chosen, 10, 64)
			}
			if err := h.onDec(ctx, tx, d); err != nil {
				return fmt.Errorf("determination notices: %w", err)
			}
		}
		if it.MessageID != 0 {
			var open int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM review_items WHERE message_id = $1 AND state <> 'resolved'`,
				it.MessageID).Scan(&open); err != nil {
				return fmt.Errorf("open review items: %w", err)
			}
			_, cur, err := exchange.LockMessage(ctx, tx, it.MessageID)
			if err != nil {
				return err
			}
			if open == 0 && cur == exchange.StatusNeedsReview {
				if err := h.store.SetStatus(ctx, tx, it.MessageID, exchange.StatusProcessed, s.staff.Subject, resolution); err != nil {
					return err
				}
			}
		}
		details := map[string]any{"decision": decision, "controllingOrder": chosen, "computed": v.ControllingID(),
			"message": it.MessageID}
		if reason != "" {
			details["reason"] = reason
		}
		if err := h.audit(ctx, tx, s, "determination_"+decision, fmtTarget("review_item", itemID), details); err != nil {
			return err
		}
		it, err = exchange.GetReviewItem(ctx, tx, itemID)
		out = toReviewJSON(it)
		return err
	})
	return out, err
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
	decision := r.PathValue("decision")
	reason := r.PostFormValue("reason")
	if decision == "confirm" {
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
	res, err := h.decide(r.Context(), s, id, r.PathValue("decision"), body.OrderID, body.Reason)
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
