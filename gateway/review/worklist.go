package review

// The queue as a work list: the CSV export of the current filter, the count
// of messages newer than the page, and the pictures above the list (volume
// and refusals per partner per day, the oldest waiting item per status).

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uifsagw/uifsagw/gateway/review/stafftext"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// exportCap bounds a CSV export; a larger need is a report, not a download.
const exportCap = 10000

// queueCSV exports every message matching the queue's filter (up to
// exportCap), newest first, with the words the page shows beside the codes.
// The queue carries no SSN or date of birth, so nothing needs masking; the
// export is audited like any other bulk read of case data.
func (h *Handler) queueCSV(w http.ResponseWriter, r *http.Request, s *session) {
	q, f, err := parseQueueQuery(r.URL.Query())
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	var rows []exchange.Message
	cursor := ""
	for len(rows) < exportCap {
		page, next, err := h.store.SearchMessages(r.Context(), f, exchange.Page{Limit: 500, Cursor: cursor})
		if err != nil {
			h.fail(w, r, s, false, err)
			return
		}
		rows = append(rows, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(rows) > exportCap {
		rows = rows[:exportCap]
	}
	if q.Sorted() {
		sortMessages(rows, q.Sort, q.Asc)
	}
	if err := h.auditRead(r, s, "export_queue", map[string]any{"filter": q.values().Encode(), "rows": len(rows)}); err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="queue-%s.csv"`, h.now().UTC().Format("20060102-150405")))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "created (UTC)", "direction", "partner", "partner name", "transaction", "transaction code",
		"sender case id", "receiver case id", "status", "status meaning", "message id"})
	for _, m := range rows {
		_ = cw.Write([]string{strconv.FormatInt(m.ID, 10), m.CreatedAt.UTC().Format(time.DateTime), dirWords(m.Direction),
			m.Partner, stafftext.StateName(m.Partner), stafftext.TxWords(m.Function, m.Action, m.Reason),
			m.Function + " " + m.Action + " " + m.Reason, m.SenderCaseID, m.ReceiverCaseID,
			statusText(m.Status), stafftext.StatusWords[m.Status], m.MessageID})
	}
	cw.Flush()
}

func dirWords(d exchange.Direction) string {
	if d == exchange.DirIn {
		return "received"
	}
	return "sent"
}

func statusText(s exchange.Status) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}

// sortMessages orders an export as the sorted page was.
func sortMessages(ms []exchange.Message, col string, asc bool) {
	key := func(m exchange.Message) string {
		switch col {
		case "partner":
			return m.Partner
		case "status":
			return string(m.Status)
		case "transaction":
			return m.Function + " " + m.Action
		case "case":
			return m.SenderCaseID
		case "created":
			return m.CreatedAt.UTC().Format(time.RFC3339Nano)
		}
		return fmt.Sprintf("%020d", m.ID)
	}
	slices.SortStableFunc(ms, func(a, b exchange.Message) int {
		if c := strings.Compare(key(a), key(b)); c != 0 {
			if !asc {
				c = -c
			}
			return c
		}
		// Ties as the store orders them: newest first when ascending.
		if asc {
			return cmp.Compare(b.ID, a.ID)
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// apiNewer counts the messages matching the queue's filter stored after
// message "after": the page asks, and says "3 new since you loaded".
func (h *Handler) apiNewer(w http.ResponseWriter, r *http.Request, s *session) {
	_, f, err := parseQueueQuery(r.URL.Query())
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if err != nil || after < 0 {
		h.fail(w, r, s, true, badRequest("after must be a message id"))
		return
	}
	f.AfterID = after
	n, err := h.store.CountMessages(r.Context(), f, 1000)
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{"newer": n})
}

// chartDays is how many days the queue's pictures cover.
const chartDays = 7

// partnerChart is one partner's row of the volume picture.
type partnerChart struct {
	Partner  string
	Name     string
	Messages int64
	Refusals int64
	Bars     []chartBar
}

type chartBar struct {
	X, Y, H       int // SVG units; the picture is 7 bars of 14 units in a 40-high box
	RY, RH        int // the refusals bar
	Day           string
	Msgs, Refused int64
}

type pictures struct {
	Days     []string
	Partners []partnerChart
	Oldest   []oldestView
}

type oldestView struct {
	exchange.Waiting
	Age string
}

// waitingStatuses are the statuses in which a message waits for someone.
var waitingStatuses = []exchange.Status{exchange.StatusNeedsReview, exchange.StatusDeadLetter, exchange.StatusReceived,
	exchange.StatusQueued, exchange.StatusAwaitingPickup, exchange.StatusRefused}

// picturesTTL is how long the queue's pictures are reused: they count a
// week of messages, which on a busy gateway costs more than the page itself.
const picturesTTL = 15 * time.Second

// pictureCache keeps the last pictures for picturesTTL (they hold counts,
// no personal data, and are the same for every person).
type pictureCache struct {
	mu sync.Mutex
	at time.Time
	p  pictures
}

func (h *Handler) loadPictures(r *http.Request) (pictures, error) {
	now := h.now()
	h.pics.mu.Lock()
	defer h.pics.mu.Unlock()
	if !h.pics.at.IsZero() && now.Sub(h.pics.at) < picturesTTL && now.After(h.pics.at) {
		return h.pics.p, nil
	}
	p, err := h.computePictures(r)
	if err != nil {
		return p, err
	}
	h.pics.at, h.pics.p = now, p
	return p, nil
}

func (h *Handler) computePictures(r *http.Request) (pictures, error) {
	now := h.now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := today.AddDate(0, 0, -(chartDays - 1))
	counts, err := h.store.DailyVolume(r.Context(), from)
	if err != nil {
		return pictures{}, err
	}
	var p pictures
	for i := range chartDays {
		p.Days = append(p.Days, from.AddDate(0, 0, i).Format("Jan 2"))
	}
	byPartner := map[string]*partnerChart{}
	var order []string
	perDay := map[string][chartDays][2]int64{}
	var peak int64 = 1
	for _, c := range counts {
		i := int(c.Day.Sub(from).Hours() / 24)
		if i < 0 || i >= chartDays {
			continue
		}
		pc, ok := byPartner[c.Partner]
		if !ok {
			pc = &partnerChart{Partner: c.Partner, Name: stafftext.StateName(c.Partner)}
			byPartner[c.Partner] = pc
			order = append(order, c.Partner)
		}
		pc.Messages += c.Messages
		pc.Refusals += c.Refusals
		d := perDay[c.Partner]
		d[i][0] += c.Messages
		d[i][1] += c.Refusals
		perDay[c.Partner] = d
		peak = max(peak, d[i][0]+d[i][1])
	}
	slices.SortFunc(order, func(a, b string) int {
		if x, y := byPartner[a].Messages+byPartner[a].Refusals, byPartner[b].Messages+byPartner[b].Refusals; x != y {
			if x > y {
				return -1
			}
			return 1
		}
		if a < b {
			return -1
		}
		return 1
	})
	if len(order) > 12 {
		order = order[:12]
	}
	for _, name := range order {
		pc := byPartner[name]
		d := perDay[name]
		for i := range chartDays {
			mh := int(d[i][0] * 40 / peak)
			rh := int(d[i][1] * 40 / peak)
			if d[i][0] > 0 && mh == 0 {
				mh = 1
			}
			if d[i][1] > 0 && rh == 0 {
				rh = 1
			}
			pc.Bars = append(pc.Bars, chartBar{X: i * 14, Y: 40 - mh - rh, H: mh, RY: 40 - rh, RH: rh,
				Day: p.Days[i], Msgs: d[i][0], Refused: d[i][1]})
		}
		p.Partners = append(p.Partners, *pc)
	}
	ws, err := h.store.OldestWaiting(r.Context(), waitingStatuses)
	if err != nil {
		return pictures{}, err
	}
	for _, w := range ws {
		p.Oldest = append(p.Oldest, oldestView{Waiting: w, Age: age(now.Sub(w.CreatedAt))})
	}
	return p, nil
}

// age says how long in the largest sensible unit: "3 days", "5 hours".
func age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return "moments"
}

// auditRead records a bulk read of case data (an export) in the audit chain.
func (h *Handler) auditRead(r *http.Request, s *session, action string, details map[string]any) error {
	return h.audit(r.Context(), s, action, "queue", details)
}
