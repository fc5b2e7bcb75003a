package review

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// queueQuery is the queue's filter as the URL carries it.
type queueQuery struct {
	Direction string
	Partner   string
	Function  string
	Action    string
	Statuses  []string
	CaseID    string
	Since     string // YYYY-MM-DD, inclusive
	Before    string // YYYY-MM-DD, inclusive (the whole day)
	Text      string
	Cursor    string
	Limit     int
}

func parseQueueQuery(v url.Values) (queueQuery, exchange.StaffFilter, error) {
	q := queueQuery{
		Direction: v.Get("direction"), Partner: strings.TrimSpace(v.Get("partner")),
		Function: strings.ToUpper(strings.TrimSpace(v.Get("function"))), Action: strings.ToUpper(strings.TrimSpace(v.Get("action"))),
		CaseID: strings.TrimSpace(v.Get("case")), Since: v.Get("since"), Before: v.Get("before"),
		Text: strings.TrimSpace(v.Get("q")), Cursor: v.Get("cursor"),
	}
	var f exchange.StaffFilter
	switch q.Direction {
	case "", "in", "out":
		f.Direction = exchange.Direction(q.Direction)
	default:
		return q, f, badRequest("direction must be in or out")
	}
	for _, s := range v["status"] {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !exchange.Status(part).Valid() {
				return q, f, badRequest("unknown status " + strconv.Quote(part))
			}
			q.Statuses = append(q.Statuses, part)
			f.Statuses = append(f.Statuses, exchange.Status(part))
		}
	}
	for _, s := range []string{q.Partner, q.Function, q.Action, q.CaseID, q.Text} {
		if len(s) > 100 {
			return q, f, badRequest("filter values are at most 100 characters")
		}
	}
	f.Partner, f.Function, f.Action, f.CaseID, f.Text = q.Partner, q.Function, q.Action, q.CaseID, q.Text
	if q.Since != "" {
		t, err := time.Parse(time.DateOnly, q.Since)
		if err != nil {
			return q, f, badRequest("since must be a date YYYY-MM-DD")
		}
		f.Since = t
	}
	if q.Before != "" {
		t, err := time.Parse(time.DateOnly, q.Before)
		if err != nil {
			return q, f, badRequest("before must be a date YYYY-MM-DD")
		}
		f.Before = t.AddDate(0, 0, 1)
	}
	q.Limit = 50
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return q, f, badRequest("limit must be 1 to 500")
		}
		q.Limit = n
	}
	return q, f, nil
}

// values renders the filter back into a query string (without the cursor).
func (q queueQuery) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("direction", q.Direction)
	set("partner", q.Partner)
	set("function", q.Function)
	set("action", q.Action)
	set("case", q.CaseID)
	set("since", q.Since)
	set("before", q.Before)
	set("q", q.Text)
	for _, s := range q.Statuses {
		v.Add("status", s)
	}
	if q.Limit != 50 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

func (q queueQuery) HasStatus(s exchange.Status) bool {
	for _, x := range q.Statuses {
		if x == string(s) {
			return true
		}
	}
	return false
}

func (q queueQuery) Filtered() bool {
	return q.Direction != "" || q.Partner != "" || q.Function != "" || q.Action != "" || len(q.Statuses) > 0 ||
		q.CaseID != "" || q.Since != "" || q.Before != "" || q.Text != ""
}

type statusCount struct {
	Status exchange.Status
	Count  int64
	Link   string
	Active bool
}

type queueView struct {
	Q        queueQuery
	Items    []exchange.Message
	Counts   []statusCount
	Total    int64
	NextLink string
	FirstURL string
	Paged    bool
	Statuses []exchange.Status
	Filter   url.Values
}

func (h *Handler) loadQueue(r *http.Request) (queueView, string, error) {
	q, f, err := parseQueueQuery(r.URL.Query())
	if err != nil {
		return queueView{}, "", err
	}
	items, next, err := h.store.SearchMessages(r.Context(), f, exchange.Page{Limit: q.Limit, Cursor: q.Cursor})
	if err != nil {
		if errors.Is(err, exchange.ErrBadCursor) {
			return queueView{}, "", badRequest("the page cursor is not valid; start from the first page")
		}
		return queueView{}, "", err
	}
	counts, err := h.store.StatusCounts(r.Context())
	if err != nil {
		return queueView{}, "", err
	}
	v := queueView{Q: q, Items: items, Statuses: exchange.Statuses, Paged: q.Cursor != "", Filter: q.values()}
	for _, st := range exchange.Statuses {
		link := url.Values{"status": {string(st)}}
		v.Counts = append(v.Counts, statusCount{Status: st, Count: counts[st], Link: "/?" + link.Encode(),
			Active: len(q.Statuses) == 1 && q.Statuses[0] == string(st)})
		v.Total += counts[st]
	}
	base := q.values()
	v.FirstURL = "/?" + base.Encode()
	if next != "" {
		base.Set("cursor", next)
		v.NextLink = "/?" + base.Encode()
	}
	return v, next, nil
}

func (h *Handler) queuePage(w http.ResponseWriter, r *http.Request, s *session) {
	v, _, err := h.loadQueue(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
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
	v, next, err := h.loadQueue(r)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	counts := map[string]int64{}
	for _, c := range v.Counts {
		counts[string(c.Status)] = c.Count
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": toJSONs(v.Items), "next": next, "counts": counts})
}

func (h *Handler) apiMe(w http.ResponseWriter, r *http.Request, s *session) {
	var perms []Permission
	for _, p := range []Permission{PermRead, PermAct, PermReveal, PermDetermine, PermAdmin, PermAudit} {
		if s.staff.Can(p) {
			perms = append(perms, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"subject": s.staff.Subject, "name": s.staff.Name, "email": s.staff.Email,
		"roles": s.staff.Roles, "permissions": perms, "expires": s.staff.Expires.UTC()})
}
