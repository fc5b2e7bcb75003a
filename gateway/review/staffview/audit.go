package staffview

// The audit page: who did what to which message or review item, filtered by
// person, action, date and target, each target a link, exportable as CSV,
// with the hash chain verified on every view.

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
)

// AuditLog is the audit page: entries newest first and the chain check.
type AuditLog struct {
	Entries  []auditEntry
	Records  []exchange.AuditRecord
	Checked  int
	FirstBad int64
	OK       bool
	Older    string
	F        AuditQuery
	CSVLink  string
	Actions  []string
}

// AuditQuery is the audit page's filter as the URL carries it.
type AuditQuery struct {
	Actor, Action, Target, Since, Before string
}

// Values is the filter as a query string.
func (q AuditQuery) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"actor": q.Actor, "action": q.Action, "target": q.Target, "since": q.Since, "before": q.Before} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// Filtered reports whether any filter is set.
func (q AuditQuery) Filtered() bool { return len(q.Values()) > 0 }

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

// ParseAuditQuery reads the audit page's filter from its query string.
func ParseAuditQuery(v url.Values) (AuditQuery, exchange.AuditFilter, error) {
	q := AuditQuery{Actor: strings.TrimSpace(v.Get("actor")), Action: strings.TrimSpace(v.Get("action")),
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

// LoadAudit is the audit page for the filter of v: a page of entries, newest
// first, and the check of the whole chain.
func LoadAudit(ctx context.Context, st Store, v url.Values) (AuditLog, error) {
	var before int64
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return AuditLog{}, badRequest("before must be an audit entry id")
		}
		before = n
	}
	q, f, err := ParseAuditQuery(v)
	if err != nil {
		return AuditLog{}, err
	}
	out := AuditLog{F: q, Actions: auditActions, CSVLink: "/audit.csv?" + q.Values().Encode()}
	if out.Records, err = st.AuditSearch(ctx, f, before, 100); err != nil {
		return out, err
	}
	for _, r := range out.Records {
		link, words := targetLink(r.Target)
		out.Entries = append(out.Entries, auditEntry{AuditRecord: r, TargetLink: link, TargetWords: words, Facts: stafftext.AuditFacts(r.Details)})
	}
	n, bad, err := st.VerifyAudit(ctx)
	switch {
	case errors.Is(err, exchange.ErrAuditTampered):
		out.Checked, out.FirstBad = n, bad
	case err != nil:
		return out, err
	default:
		out.Checked, out.OK = n, true
	}
	if len(out.Records) == 100 {
		older := q.Values()
		older.Set("before", strconv.FormatInt(out.Records[len(out.Records)-1].ID, 10))
		out.Older = "/audit?" + older.Encode()
	}
	return out, nil
}
