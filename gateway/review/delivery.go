package review

import (
	"net/http"
	"strings"
)

// apiDelivery reports whether outbound delivery is paused for every partner.
func (h *Handler) apiDelivery(w http.ResponseWriter, r *http.Request, s *session) {
	paused, err := h.store.DeliveryPaused(r.Context())
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusOK, map[string]bool{"paused": paused})
}

// apiSetDelivery pauses or resumes outbound delivery for every partner
// (administrators; audited). Messages wait in the outbox meanwhile.
func (h *Handler) apiSetDelivery(w http.ResponseWriter, r *http.Request, s *session) {
	var body struct {
		Paused *bool  `json:"paused"`
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &body); err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	body.Reason = strings.TrimSpace(body.Reason)
	if body.Paused == nil || len(body.Reason) < 3 || len(body.Reason) > 500 {
		h.fail(w, r, s, true, badRequest(`body must be {"paused": true|false, "reason": "3 to 500 characters"}`))
		return
	}
	if err := h.store.SetDeliveryPaused(r.Context(), *body.Paused, s.Staff.Subject, body.Reason); err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusOK, map[string]bool{"paused": *body.Paused})
}
