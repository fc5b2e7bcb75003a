package review

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/review/staffview"

	"github.com/uifsagw/uifsagw/gateway/review/stafftext"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
)

func messageID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httperr.New(http.StatusNotFound, "not_found", "no such message")
	}
	return id, nil
}

func (h *Handler) detailPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	var revealed map[string]string
	var shown staffview.PendingReveal
	gone := false
	if tok := r.URL.Query().Get("shown"); tok != "" {
		var ok bool
		if shown, ok = h.flash.Take(h.now(), tok, s.Staff.Subject, id); ok {
			revealed = map[string]string{shown.Field: shown.Value}
		} else {
			gone = true
		}
	}
	v, err := staffview.LoadDetail(r.Context(), h.store, s.Staff, h.send != nil, id, revealed)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	v.RevealGone = gone
	if shown.Field == staffview.RevealRaw {
		v.Raw, v.RawKind, v.RawRevealed = strings.ToValidUTF8(shown.Value, "\uFFFD"), "exact bytes as received", true
	}
	h.render(w, r, s, http.StatusOK, "detail", v)
}

type historyJSON struct {
	From  string    `json:"from"`
	To    string    `json:"to"`
	Actor string    `json:"actor"`
	Note  string    `json:"note"`
	At    time.Time `json:"at"`
}

type reviewJSON struct {
	ID         int64           `json:"id"`
	MessageID  int64           `json:"messageId"`
	Kind       string          `json:"kind"`
	State      string          `json:"state"`
	Evidence   json.RawMessage `json:"evidence"`
	AssignedTo string          `json:"assignedTo"`
	Resolution string          `json:"resolution"`
	CreatedAt  time.Time       `json:"createdAt"`
	ResolvedAt *time.Time      `json:"resolvedAt,omitempty"`
}

func toReviewJSON(it exchange.ReviewItem) reviewJSON {
	raw, _ := it.Evidence.(json.RawMessage)
	if len(raw) == 0 {
		raw = json.RawMessage("{}")
	}
	out := reviewJSON{ID: it.ID, MessageID: it.MessageID, Kind: it.Kind, State: it.State,
		Evidence: json.RawMessage(stafftext.MaskJSONText(string(raw))), AssignedTo: it.AssignedTo, Resolution: it.Resolution,
		CreatedAt: it.CreatedAt.UTC()}
	if !it.ResolvedAt.IsZero() {
		t := it.ResolvedAt.UTC()
		out.ResolvedAt = &t
	}
	return out
}

type auditJSON struct {
	ID      int64           `json:"id"`
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Target  string          `json:"target"`
	Details json.RawMessage `json:"details"`
	Hash    string          `json:"hash"`
}

func toAuditJSON(rs []exchange.AuditRecord) []auditJSON {
	out := make([]auditJSON, len(rs))
	for i, r := range rs {
		out[i] = auditJSON{ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Action: r.Action, Target: r.Target,
			Details: json.RawMessage(r.Details), Hash: fmt.Sprintf("%x", r.Hash)}
	}
	return out
}

func (h *Handler) apiMessage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	v, err := staffview.LoadDetail(r.Context(), h.store, s.Staff, h.send != nil, id, nil)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	hist := make([]historyJSON, len(v.History))
	for i, e := range v.History {
		hist[i] = historyJSON{From: string(e.From), To: string(e.To), Actor: e.Actor, Note: e.Note, At: e.At.UTC()}
	}
	reviews := make([]reviewJSON, len(v.Reviews))
	for i, it := range v.Reviews {
		reviews[i] = toReviewJSON(it.ReviewItem)
	}
	receipts := make([]map[string]any, len(v.Receipts))
	for i, rc := range v.Receipts {
		receipts[i] = map[string]any{"receiptId": rc.ID, "bodySha256": rc.BodySHA256, "receivedAt": rc.ReceivedAt, "jws": rc.JWS}
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{
		"message": toJSON(v.M), "transaction": stafftext.MaskedTransactionJSON(v.Tx), "raw": v.Raw, "rawKind": v.RawKind,
		"history": hist, "receipts": receipts, "reviewItems": reviews, "related": toJSONs(v.Related),
		"replies": toJSONs(v.Replies), "audit": toAuditJSON(v.Trail), "actions": v.Actions,
	})
}

// reveal returns the clear value of one SSN or date of birth of message id
// after writing the audit record (who, which field of which message, why)
// and committing it: no record, no value.
func (h *Handler) reveal(ctx context.Context, s *session, id int64, field, code, note string) (string, error) {
	if err := staffview.CheckRevealField(field); err != nil {
		return "", err
	}
	reason, err := staffview.ParseRevealReason(code, note)
	if err != nil {
		return "", err
	}
	value, err := staffview.RevealValue(ctx, h.store, id, field)
	if err != nil {
		return "", err
	}
	details := map[string]any{"field": field, "reason": reason.Text, "reasonCode": reason.Code, "roles": s.Staff.Roles}
	if reason.Note != "" {
		details["note"] = reason.Note
	}
	if err := h.audit(ctx, s, "reveal", fmtTarget("message", id), details); err != nil {
		return "", err
	}
	if h.met != nil {
		role := "unknown"
		if len(s.Staff.Roles) > 0 {
			role = string(s.Staff.Roles[len(s.Staff.Roles)-1])
		}
		h.met.Reveals.Add(ctx, 1, telemetry.Attrs("role", role))
	}
	h.log.InfoContext(ctx, "PII revealed", "subject", s.Staff.Subject, "message", id, "field", field)
	return value, nil
}

func (h *Handler) revealPage(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	field := r.PostFormValue("field")
	code, note := r.PostFormValue("reason"), r.PostFormValue("note")
	if strings.TrimSpace(code) == "" && strings.TrimSpace(note) != "" {
		// The form's first choice is "Other", explained in the text box.
		code = staffview.RevealOther
	}
	value, err := h.reveal(r.Context(), s, id, field, code, note)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	tok := h.flash.Put(h.now(), staffview.PendingReveal{Subject: s.Staff.Subject, Message: id, Field: field, Value: value})
	http.Redirect(w, r, fmt.Sprintf("/messages/%d?shown=%s", id, tok), http.StatusSeeOther)
}

func (h *Handler) apiReveal(w http.ResponseWriter, r *http.Request, s *session) {
	id, err := messageID(r)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	var body struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
		Note   string `json:"note"`
	}
	if err := decodeBody(r, &body); err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	value, err := h.reveal(r.Context(), s, id, body.Field, body.Reason, body.Note)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	answer := map[string]string{"field": body.Field, "value": value}
	if body.Field == staffview.RevealRaw {
		// JSON strings cannot carry every byte; base64 is the exact copy.
		answer["base64"] = base64.StdEncoding.EncodeToString([]byte(value))
	}
	staffJSON.Write(w, http.StatusOK, answer)
}

// decodeBody reads one JSON object of the documented fields and nothing
// after it: a second object or stray bytes would be a request other readers
// of the same bytes could understand differently.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the body must be a JSON object of the documented fields")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("the body must be one JSON object with nothing after it")
	}
	return nil
}
