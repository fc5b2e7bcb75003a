package review

// The refusals view: what the gateway turned away at the door (partner,
// time, reason, field errors; never the body), with counts, so staff can
// answer "we sent it and you never got it".

import (
	"net/http"

	"github.com/uifsagw/uifsagw/gateway/review/staffview"
)

func (h *Handler) refusalsPage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := staffview.LoadRefusals(r.Context(), h.store, r.URL.Query(), h.now())
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	h.render(w, r, s, http.StatusOK, "refusals", v)
}
