package review

import (
	"net/http"
	"time"

	"github.com/uifsagw/uifsagw/gateway/review/staffview"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/review/staffauth"
)

func (h *Handler) queuePage(w http.ResponseWriter, r *http.Request, s *session) {
	v, _, err := staffview.LoadQueue(r.Context(), h.store, r.URL.Query())
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	if !v.Paged {
		if v.Pictures, err = h.pics.Get(r.Context(), h.store, h.now()); err != nil {
			h.fail(w, r, s, false, err)
			return
		}
	}
	h.render(w, r, s, http.StatusOK, "queue", v)
}

// messageJSON is a message in the staff API (no body, no canonical form).
type messageJSON struct {
	ID             int64     `json:"id"`
	Direction      string    `json:"direction"`
	Partner        string    `json:"partner"`
	MessageID      string    `json:"messageId"`
	Format         string    `json:"format"`
	ContentType    string    `json:"contentType"`
	Function       string    `json:"function"`
	Action         string    `json:"action"`
	Reason         string    `json:"reason"`
	SenderFIPS     string    `json:"senderFips"`
	ReceiverFIPS   string    `json:"receiverFips"`
	SenderCaseID   string    `json:"senderCaseId"`
	ReceiverCaseID string    `json:"receiverCaseId"`
	Status         string    `json:"status"`
	BodySHA256     string    `json:"bodySha256"`
	InReplyTo      string    `json:"inReplyTo"`
	TraceID        string    `json:"traceId"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

func toJSON(m exchange.Message) messageJSON {
	return messageJSON{ID: m.ID, Direction: string(m.Direction), Partner: m.Partner, MessageID: m.MessageID,
		Format: m.Format, ContentType: m.ContentType, Function: m.Function, Action: m.Action, Reason: m.Reason,
		SenderFIPS: m.SenderFIPS, ReceiverFIPS: m.ReceiverFIPS, SenderCaseID: m.SenderCaseID,
		ReceiverCaseID: m.ReceiverCaseID, Status: string(m.Status), BodySHA256: m.BodySHA256, InReplyTo: m.InReplyTo,
		TraceID: m.TraceID, CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
}

func toJSONs(ms []exchange.Message) []messageJSON {
	out := make([]messageJSON, len(ms))
	for i, m := range ms {
		out[i] = toJSON(m)
	}
	return out
}

func (h *Handler) apiMessages(w http.ResponseWriter, r *http.Request, s *session) {
	v, next, err := staffview.LoadQueue(r.Context(), h.store, r.URL.Query())
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	counts := map[string]int64{}
	for _, c := range v.Counts {
		counts[string(c.Status)] = c.Count
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{"items": toJSONs(v.Items), "next": next, "counts": counts})
}

func (h *Handler) apiMe(w http.ResponseWriter, r *http.Request, s *session) {
	var perms []staffauth.Permission
	for _, p := range []staffauth.Permission{staffauth.PermRead, staffauth.PermAct, staffauth.PermReveal, staffauth.PermDetermine, staffauth.PermAdmin, staffauth.PermAudit} {
		if s.Staff.Can(p) {
			perms = append(perms, p)
		}
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{"subject": s.Staff.Subject, "name": s.Staff.Name, "email": s.Staff.Email,
		"roles": s.Staff.Roles, "permissions": perms, "expires": s.Staff.Expires.UTC()})
}
