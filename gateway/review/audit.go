package review

// The audit page: who did what to which message or review item, filtered by
// person, action, date and target, each target a link, exportable as CSV,
// with the hash chain verified on every view.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/review/stafftext"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// auditView is the audit page: entries newest first and the chain check.
type auditView struct {
	Entries  []auditEntry
	Records  []exchange.AuditRecord
	Checked  int
	FirstBad int64
	OK       bool
	Older    string
	F        auditQuery
	CSVLink  string
	Actions  []string
}

type auditQuery struct {
	Actor, Action, Target, Since, Before string
}

func (q auditQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": q.Actor, "action": q.Action, "target": q.Target, "since": q.Since, "before": q.Before} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

func (q auditQuery) Filtered() bool { return len(q.values()) > 0 }

// auditEntry is an audit record as the page shows it.
type auditEntry struct {
	exchange.AuditRecord
	TargetLink  string
	TargetWords string
	Facts       []stafftext.Fact
}

// auditActions are the actions staff can filter by, in words.
var auditActions = []string{"reveal", "reprocess", "resend", "cancel", "resolve", "route", "determination_confirm",
	"determination_override", "export_queue", "claim", "release"}

func targetLink(t string) (string, string) {
	kind, id, ok := strings.Cut(t, ":")
	if !ok {
		return "", t
	}
	switch kind {
	case "message":
		return "/messages/" + url.PathEscape(id), "message #" + id
	case "case":
		return "/cases/" + url.PathEscape(id), "case " + id
	case "job":
		return "/jobs", "bulk job " + id
	case "review", "review_item":
		return "", "review item " + id
	}
	return "", strings.ReplaceAll(t, "_", " ")
}

func parseAuditQuery(v url.Values) (auditQuery, exchange.AuditFilter, error) {
	q := auditQuery{Actor: strings.TrimSpace(v.Get("actor")), Action: strings.TrimSpace(v.Get("action")),
		Target: strings.TrimSpace(v.Get("target")), Since: v.Get("since"), Before: v.Get("before_date")}
	f := exchange.AuditFilter{Actor: q.Actor, Action: q.Action, Target: q.Target}
	for _, s := range []string{q.Actor, q.Action, q.Target} {
		if len(s) > 200 {
			return q, f, badRequest("filter values are at most 200 characters")
		}
	}
	if q.Target != "" && !strings.Contains(q.Target, ":") {
		// "12" means message 12, the common question.
		if _, err := strconv.ParseInt(q.Target, 10, 64); err == nil {
			f.Target = "message:" + q.Target
		}
	}
	var err error
	f.Since, f.Before, err = dayRange(q.Since, "from", q.Before, "to")
	return q, f, err
}

func (h *Handler) loadAudit(ctx context.Context, v url.Values) (auditView, error) {
	var before int64
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return auditView{}, badRequest("before must be an audit entry id")
		}
		before = n
	}
	q, f, err := parseAuditQuery(v)
	if err != nil {
		return auditView{}, err
	}
	out := auditView{F: q, Actions: auditActions, CSVLink: "/audit.csv?" + q.values().Encode()}
	if out.Records, err = h.store.AuditSearch(ctx, f, before, 100); err != nil {
		return out, err
	}
	for _, r := range out.Records {
		link, words := targetLink(r.Target)
		out.Entries = append(out.Entries, auditEntry{AuditRecord: r, TargetLink: link, TargetWords: words, Facts: stafftext.AuditFacts(r.Details)})
	}
	n, bad, err := h.store.VerifyAudit(ctx)
	switch {
	case errors.Is(err, exchange.ErrAuditTampered):
		out.Checked, out.FirstBad = n, bad
	case err != nil:
		return out, err
	default:
		out.Checked, out.OK = n, true
	}
	if len(out.Records) == 100 {
		older := q.values()
		older.Set("before", strconv.FormatInt(out.Records[len(out.Records)-1].ID, 10))
		out.Older = "/audit?" + older.Encode()
	}
	return out, nil
}

func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := h.loadAudit(r.Context(), r.URL.Query())
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	h.render(w, r, s, http.StatusOK, "audit", v)
}

func (h *Handler) apiAudit(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := h.loadAudit(r.Context(), r.URL.Query())
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
	_, f, err := parseAuditQuery(r.URL.Query())
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
