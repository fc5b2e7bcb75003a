package staffview

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// Query is the queue's filter as the URL carries it.
type Query struct {
	Direction string
	Partner   string
	Function  string
	Action    string
	Statuses  []string
	CaseID    string
	Since     string // YYYY-MM-DD, inclusive
	Before    string // YYYY-MM-DD, inclusive (the whole day)
	Text      string
	Name      string // a participant's name
	Sort      string // a key of exchange.SortColumns; "" is newest first
	Asc       bool
	Page      int // 1-based, for sorted lists
	Cursor    string
	Limit     int
}

// pageSizes are the page sizes the queue offers.
var pageSizes = []int{25, 50, 100, 200}

// Sorted reports whether the list is in another order than newest first,
// which pages by number instead of by cursor.
func (q Query) Sorted() bool { return q.Sort != "" && !(q.Sort == "created" && !q.Asc) }

// ParseQuery reads the queue's filter from its query string.
func ParseQuery(v url.Values) (Query, exchange.StaffFilter, error) {
	q := Query{
		Direction: v.Get("direction"), Partner: strings.TrimSpace(v.Get("partner")),
		Function: strings.ToUpper(strings.TrimSpace(v.Get("function"))), Action: strings.ToUpper(strings.TrimSpace(v.Get("action"))),
		CaseID: strings.TrimSpace(v.Get("case")), Since: v.Get("since"), Before: v.Get("before"),
		Text: strings.TrimSpace(v.Get("q")), Name: strings.TrimSpace(v.Get("name")), Cursor: v.Get("cursor"),
		Sort: v.Get("sort"), Asc: v.Get("order") == "asc", Page: 1,
	}
	if _, ok := exchange.SortColumns[q.Sort]; q.Sort != "" && !ok {
		return q, exchange.StaffFilter{}, badRequest("sort by one of the column names (id, created, partner, transaction, case, status)")
	}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 200 {
			return q, exchange.StaffFilter{}, badRequest("page must be 1 to 200")
		}
		q.Page = n
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
	for _, s := range []string{q.Partner, q.Function, q.Action, q.CaseID, q.Text, q.Name} {
		if len(s) > 100 {
			return q, f, badRequest("filter values are at most 100 characters")
		}
	}
	// Staff type partner ids in any case; the store keeps the directory's.
	f.PartnerFold, f.Function, f.Action, f.CaseID, f.Text, f.Name = q.Partner, q.Function, q.Action, q.CaseID, q.Text, q.Name
	var err error
	if f.Since, f.Before, err = dayRange(q.Since, "since", q.Before, "before"); err != nil {
		return q, f, err
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

// dayRange reads the days a filter runs from and to, both inclusive: since
// from its first moment, before up to the start of the next day. The names
// are the form's, for the refusal.
func dayRange(since, sinceName, before, beforeName string) (from, to time.Time, err error) {
	if since != "" {
		if from, err = time.Parse(time.DateOnly, since); err != nil {
			return from, to, badRequest(sinceName + " must be a date YYYY-MM-DD")
		}
	}
	if before != "" {
		if to, err = time.Parse(time.DateOnly, before); err != nil {
			return from, to, badRequest(beforeName + " must be a date YYYY-MM-DD")
		}
		to = to.AddDate(0, 0, 1)
	}
	return from, to, nil
}

// values renders the filter back into a query string (without the cursor).
func (q Query) Values() url.Values {
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
	set("name", q.Name)
	set("sort", q.Sort)
	if q.Asc {
		v.Set("order", "asc")
	}
	for _, s := range q.Statuses {
		v.Add("status", s)
	}
	if q.Limit != 50 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// HasStatus reports whether the filter asks for status s.
func (q Query) HasStatus(s exchange.Status) bool {
	for _, x := range q.Statuses {
		if x == string(s) {
			return true
		}
	}
	return false
}

// Filtered reports whether any filter is set.
func (q Query) Filtered() bool {
	return q.Direction != "" || q.Partner != "" || q.Function != "" || q.Action != "" || len(q.Statuses) > 0 ||
		q.CaseID != "" || q.Since != "" || q.Before != "" || q.Text != "" || q.Name != ""
}

// ColumnLink is the link of a column header: sorted by that column, the
// other way round when it already is.
type ColumnLink struct {
	URL    string
	Active bool
	Asc    bool
}

// SortLink is the link of column col's header.
func (q Query) SortLink(col string) ColumnLink {
	v := q.Values()
	v.Del("page")
	active := q.Sort == col || (q.Sort == "" && col == "created")
	asc := false
	if active {
		asc = !q.Asc
	} else if col == "partner" || col == "transaction" || col == "case" || col == "status" {
		asc = true
	}
	v.Set("sort", col)
	v.Del("order")
	if asc {
		v.Set("order", "asc")
	}
	return ColumnLink{URL: "/?" + v.Encode(), Active: active, Asc: active && q.Asc}
}

// SizeLink is the link to the same list with n rows a page.
func (q Query) SizeLink(n int) string {
	v := q.Values()
	v.Del("limit")
	if n != 50 {
		v.Set("limit", strconv.Itoa(n))
	}
	return "/?" + v.Encode()
}

type statusCount struct {
	Status exchange.Status
	Count  int64
	Link   string
	Active bool
}

// Queue is the queue page: a page of messages and the counts around it.
type Queue struct {
	Q      Query
	Items  []exchange.Message
	Counts []statusCount
	Total  int64
	// Matching is how many messages the filter matches (capped at matchCap).
	Matching  int64
	MatchMore bool
	// First and Last number the rows shown (1-based) on a sorted list.
	First, Last int
	PrevLink    string
	PageSizes   []int
	// LatestID is the newest matching message when the page was made, so
	// the page can tell about newer ones.
	LatestID int64
	CSVLink  string
	// NewerURL asks how many messages arrived after LatestID.
	NewerURL string
	Pictures Pictures
	// Workers names who is working each listed message that is claimed.
	Workers  map[int64]string
	NextLink string
	FirstURL string
	Paged    bool
	Statuses []exchange.Status
	Filter   url.Values
}

// LoadQueue is the queue for the filter of qv, and the cursor of the next
// page ("" on the last).
func LoadQueue(ctx context.Context, st Store, qv url.Values) (Queue, string, error) {
	q, f, err := ParseQuery(qv)
	if err != nil {
		return Queue{}, "", err
	}
	var items []exchange.Message
	var next string
	if q.Sorted() {
		items, err = st.SearchMessagesSorted(ctx, f, exchange.Sort{Column: q.Sort, Asc: q.Asc}, q.Limit+1, (q.Page-1)*q.Limit)
		if len(items) > q.Limit {
			items = items[:q.Limit]
			next = "page"
		}
	} else {
		items, next, err = st.SearchMessages(ctx, f, exchange.Page{Limit: q.Limit, Cursor: q.Cursor})
	}
	if err != nil {
		if errors.Is(err, exchange.ErrBadCursor) {
			return Queue{}, "", badRequest("the page cursor is not valid; start from the first page")
		}
		return Queue{}, "", err
	}
	counts, err := st.StatusCounts(ctx)
	if err != nil {
		return Queue{}, "", err
	}
	v := Queue{Q: q, Items: items, Statuses: exchange.Statuses, Paged: q.Cursor != "" || q.Page > 1, Filter: q.Values(),
		PageSizes: pageSizes}
	ids := make([]int64, len(items))
	for i, m := range items {
		ids[i] = m.ID
	}
	claims, err := st.Claims(ctx, ids)
	if err != nil {
		return Queue{}, "", err
	}
	v.Workers = map[int64]string{}
	for id, c := range claims {
		v.Workers[id] = c.Name
		if c.Name == "" {
			v.Workers[id] = c.Subject
		}
	}
	if v.Matching, err = st.CountMessages(ctx, f, matchCap+1); err != nil {
		return Queue{}, "", err
	}
	if v.Matching > matchCap {
		v.Matching, v.MatchMore = matchCap, true
	}
	// The newest matching message: on the first page in the default order it
	// is on the page; otherwise one more (cheap, keyset) query finds it.
	if !q.Sorted() && q.Cursor == "" {
		for _, m := range items {
			v.LatestID = max(v.LatestID, m.ID)
		}
	} else {
		latest, _, err := st.SearchMessages(ctx, f, exchange.Page{Limit: 1})
		if err != nil {
			return Queue{}, "", err
		}
		if len(latest) > 0 {
			v.LatestID = latest[0].ID
		}
	}
	if len(items) > 0 {
		v.First = (q.Page-1)*q.Limit + 1
		v.Last = v.First + len(items) - 1
	}
	csv := q.Values()
	csv.Del("limit")
	newer := q.Values()
	newer.Set("after", strconv.FormatInt(v.LatestID, 10))
	v.NewerURL = "/api/messages/newer?" + newer.Encode()
	v.CSVLink = "/queue.csv?" + csv.Encode()
	for _, st := range exchange.Statuses {
		link := url.Values{"status": {string(st)}}
		v.Counts = append(v.Counts, statusCount{Status: st, Count: counts[st], Link: "/?" + link.Encode(),
			Active: len(q.Statuses) == 1 && q.Statuses[0] == string(st)})
		v.Total += counts[st]
	}
	base := q.Values()
	v.FirstURL = "/?" + base.Encode()
	switch {
	case q.Sorted():
		if next != "" {
			base.Set("page", strconv.Itoa(q.Page+1))
			v.NextLink = "/?" + base.Encode()
		}
		if q.Page > 1 {
			base.Set("page", strconv.Itoa(q.Page-1))
			v.PrevLink = "/?" + base.Encode()
		}
		next = ""
	case next != "":
		base.Set("cursor", next)
		v.NextLink = "/?" + base.Encode()
	}
	return v, next, nil
}

// matchCap bounds the count of matching messages: past it the page says
// "more than".
const matchCap = 10000
