package review

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/review/staffauth"
	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
	"github.com/uifsagw/uifsagw/gateway/review/staffview"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	fsrv := http.FileServer(http.FS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Static files hold no personal data; let browsers keep them a while.
		w.Header().Set("Cache-Control", "public, max-age=300")
		fsrv.ServeHTTP(w, r)
	})
}

type pages struct {
	byName map[string]*template.Template
}

var pageNames = []string{"queue", "detail", "case", "audit", "jobs", "error", "signedout", "worksheet", "refusals"}

var funcs = template.FuncMap{
	"dollars": func(c canonical.Cents) string { return "$" + c.Dollars() },
	// ackReason shows an employer's federal reason letter in words.
	"ackReason": func(r string) string { return canonical.AckReason(r).Words() },
	"date": func(d any) string {
		switch v := d.(type) {
		case canonical.Date:
			if v.IsZero() {
				return ""
			}
			return v.String()
		case *canonical.Date:
			if v == nil || v.IsZero() {
				return ""
			}
			return v.String()
		}
		return ""
	},
	"ts": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	},
	"statusLabel": func(s exchange.Status) string { return strings.ReplaceAll(string(s), "_", " ") },
	"dirLabel": func(d exchange.Direction) string {
		if d == exchange.DirIn {
			return "in"
		}
		return "out"
	},
	"pct": func(done, total int64) int64 {
		if total <= 0 {
			return 100
		}
		return min(100, done*100/total)
	},
	"name": stafftext.FullName,
	"addr": func(a *canonical.Address) string {
		if a == nil {
			return ""
		}
		parts := []string{a.Line1}
		if a.Line2 != "" {
			parts = append(parts, a.Line2)
		}
		parts = append(parts, strings.TrimSpace(a.City+", "+a.State+" "+a.Zip))
		return strings.Join(parts, ", ")
	},
	"add": func(a, b int) int { return a + b },
	"dictS": func(q staffview.Query, col, label string) map[string]any {
		return map[string]any{"Q": q, "Col": col, "Label": label}
	},
	"tx":            stafftext.TxWords,
	"fips":          stafftext.FIPSWords,
	"stateName":     stafftext.StateName,
	"partner":       stafftext.PartnerWords,
	"per":           stafftext.PerPeriod,
	"freq":          stafftext.FreqWord,
	"code":          stafftext.CodeWord,
	"kindWords":     stafftext.KindWords,
	"docAction":     stafftext.DocActionWords,
	"lower":         func(x any) string { return strings.ToLower(stafftext.Str(x)) },
	"actionHelp":    stafftext.ActionHelp,
	"actionConfirm": stafftext.ActionConfirm,
	"actionLabel":   stafftext.ActionLabel,
	"auditFacts":    stafftext.AuditFacts,
	"statusHelp":    func(s exchange.Status) string { return stafftext.StatusWords[s] },
	"yesno": func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	},
	"pctx": func(p staffview.Person, v staffview.Detail, csrf string) map[string]any {
		return map[string]any{"P": p, "CanReveal": v.CanReveal, "CSRF": csrf, "ID": v.M.ID}
	},
	"dict3": func(csrf string, id int64, field string) map[string]any {
		return map[string]any{"CSRF": csrf, "ID": id, "Field": field}
	},
}

func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range pageNames {
		t, err := template.New(n).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("review: template %s: %w", n, err)
		}
		p.byName[n] = t
	}
	return p, nil
}

// layoutData is what every page's frame needs.
type layoutData struct {
	Title  string
	Staff  *staffauth.Staff
	CSRF   string
	Nav    string
	Notice string
	Roles  string
	CanAud bool
	CanAdm bool
	Page   any
}

// render executes page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, s *session, status int, page string, data any) {
	t := h.pages.byName[page]
	ld := layoutData{Title: pageTitle(page), Page: data, Nav: page, Notice: notices[r.URL.Query().Get("notice")]}
	if s != nil {
		ld.Staff = &s.Staff
		ld.CSRF = s.CSRF
		rs := make([]string, len(s.Staff.Roles))
		for i, x := range s.Staff.Roles {
			rs[i] = string(x)
		}
		ld.Roles = strings.Join(rs, ", ")
		ld.CanAud = s.Staff.Can(staffauth.PermAudit)
		ld.CanAdm = s.Staff.Can(staffauth.PermAdmin)
	}
	if tp, ok := data.(interface{ Title() string }); ok {
		ld.Title = tp.Title()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", ld); err != nil {
		h.log.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	h.render(w, r, s, status, "error", errorPage{Status: status, StatusText: http.StatusText(status), Message: msg})
}

type errorPage struct {
	Status     int
	StatusText string
	Message    string
}

func (e errorPage) Title() string { return e.StatusText }

func pageTitle(page string) string {
	switch page {
	case "queue":
		return "Exchange queue"
	case "audit":
		return "Audit log"
	case "refusals":
		return "Refused submissions"
	case "jobs":
		return "Bulk jobs"
	case "worksheet":
		return "Allocation worksheet"
	case "signedout":
		return "Signed out"
	}
	return "uifsagw"
}

// notices are the fixed confirmations a redirect may ask for by key, so no
// text from the URL is ever shown.
var notices = map[string]string{
	"reprocess": "The message was sent back for processing.",
	"resend":    "A new delivery attempt was queued.",
	"cancel":    "The message was cancelled.",
	"resolve":   "The message was resolved.",
	"route":     "The transaction was routed to the partner.",
	"claim":     "You are working this message; colleagues see your name on it.",
	"release":   "You no longer hold this message.",
	"confirm":   "The determination was confirmed.",
	"override":  "The determination was overridden.",
	"job":       "The bulk job was started.",
	"jobcancel": "The bulk job was cancelled.",
}
