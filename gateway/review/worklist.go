package review

// The queue as a work list: the CSV export of the current filter, the count
// of messages newer than the page, and the pictures above the list (volume
// and refusals per partner per day, the oldest waiting item per status).

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
	"github.com/uifsagw/uifsagw/gateway/review/staffview"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// exportCap bounds a CSV export; a larger need is a report, not a download.
const exportCap = 10000

// queueCSV exports every message matching the queue's filter (up to
// exportCap), newest first, with the words the page shows beside the codes.
// The queue carries no SSN or date of birth, so nothing needs masking; the
// export is audited like any other bulk read of case data.
func (h *Handler) queueCSV(w http.ResponseWriter, r *http.Request, s *session) {
	q, f, err := staffview.ParseQuery(r.URL.Query())
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
		staffview.SortMessages(rows, q.Sort, q.Asc)
	}
	if err := h.auditRead(r, s, "export_queue", map[string]any{"filter": q.Values().Encode(), "rows": len(rows)}); err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="queue-%s.csv"`, h.now().UTC().Format("20060102-150405")))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "created (UTC)", "direction", "partner", "partner name", "transaction", "transaction code",
		"sender case id", "receiver case id", "status", "status meaning", "message id"})
	for _, m := range rows {
		_ = cw.Write([]string{strconv.FormatInt(m.ID, 10), m.CreatedAt.UTC().Format(time.DateTime), staffview.DirWords(m.Direction),
			m.Partner, stafftext.StateName(m.Partner), stafftext.TxWords(m.Function, m.Action, m.Reason),
			m.Function + " " + m.Action + " " + m.Reason, m.SenderCaseID, m.ReceiverCaseID,
			staffview.StatusText(m.Status), stafftext.StatusWords[m.Status], m.MessageID})
	}
	cw.Flush()
}

// apiNewer counts the messages matching the queue's filter stored after
// message "after": the page asks, and says "3 new since you loaded".
func (h *Handler) apiNewer(w http.ResponseWriter, r *http.Request, s *session) {
	_, f, err := staffview.ParseQuery(r.URL.Query())
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

// auditRead records a bulk read of case data (an export) in the audit chain.
func (h *Handler) auditRead(r *http.Request, s *session, action string, details map[string]any) error {
	return h.audit(r.Context(), s, action, "queue", details)
}
