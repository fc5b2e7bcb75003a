package review

// The audit page: who did what to which message or review item, filtered by
// person, action, date and target, each target a link, exportable as CSV,
// with the hash chain verified on every view.

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
	"github.com/uifsagw/uifsagw/gateway/review/staffview"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := staffview.LoadAudit(r.Context(), h.store, r.URL.Query())
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	h.render(w, r, s, http.StatusOK, "audit", v)
}

func (h *Handler) apiAudit(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := staffview.LoadAudit(r.Context(), h.store, r.URL.Query())
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	verify := map[string]any{"ok": v.OK, "checked": v.Checked}
	if !v.OK {
		verify["firstBad"] = v.FirstBad
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{"entries": toAuditJSON(v.Records), "verify": verify})
}

// auditCSV exports the audit entries matching the filter (up to 10,000).
// Details are exported as recorded: reveal reasons, never revealed values.
func (h *Handler) auditCSV(w http.ResponseWriter, r *http.Request, s *session) {
	_, f, err := staffview.ParseAuditQuery(r.URL.Query())
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	var all []exchange.AuditRecord
	var before int64
	for len(all) < 10000 {
		page, err := h.store.AuditSearch(r.Context(), f, before, 1000)
		if err != nil {
			h.fail(w, r, s, false, err)
			return
		}
		all = append(all, page...)
		if len(page) < 1000 {
			break
		}
		before = page[len(page)-1].ID
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.csv"`, h.now().UTC().Format("20060102-150405")))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"entry", "when (UTC)", "who", "action", "target", "details", "hash"})
	for _, e := range all {
		var parts []string
		for _, f := range stafftext.AuditFacts(e.Details) {
			parts = append(parts, f.Label+": "+f.Value)
		}
		_ = cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.DateTime), e.Actor, e.Action, e.Target,
			strings.Join(parts, "; "), fmt.Sprintf("%x", e.Hash)})
	}
	cw.Flush()
}
