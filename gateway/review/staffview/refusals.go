package staffview

// The refusals view: what the gateway turned away at the door (partner,
// time, reason, field errors; never the body), with counts, so staff can
// answer "we sent it and you never got it".

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
)

type refusalRow struct {
	exchange.Refusal
	Words  string
	Reason string
	Fields []stafftext.Fact
}

type refusalCountView struct {
	exchange.RefusalCount
	Words, Link, PartnerName string
}

// Refusals is the refused-submissions page.
type Refusals struct {
	Partner, Code, MessageID, Since, Before string
	Days                                    int
	Rows                                    []refusalRow
	Counts                                  []refusalCountView
	Total                                   int64
	Older                                   string
}

// Title names the page.
func (Refusals) Title() string { return "Refused submissions" }

// LoadRefusals is the refusals page for the filter of qv; without a start
// date it covers the 30 days before now.
func LoadRefusals(ctx context.Context, st Store, qv url.Values, now time.Time) (Refusals, error) {
	v := Refusals{Partner: strings.TrimSpace(qv.Get("partner")), Code: strings.TrimSpace(qv.Get("code")),
		MessageID: strings.TrimSpace(qv.Get("message")), Since: qv.Get("since"), Before: qv.Get("before_date")}
	if len(v.Partner) > 100 || len(v.Code) > 100 || len(v.MessageID) > 200 {
		return v, badRequest("filter values are at most 100 characters (message IDs 200)")
	}
	f := exchange.RefusalFilter{PartnerFold: v.Partner, Code: v.Code, MessageID: v.MessageID}
	var err error
	if f.Since, f.Before, err = dayRange(v.Since, "from", v.Before, "to"); err != nil {
		return v, err
	}
	if v.Since == "" {
		// The counts cover the last 30 days unless asked otherwise.
		f.Since = now.UTC().AddDate(0, 0, -30)
	}
	var before int64
	if b := qv.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return v, badRequest("before must be a refusal number")
		}
		before = n
	}
	rows, err := st.RefusalsPage(ctx, f, before, 100)
	if err != nil {
		return v, err
	}
	for _, rf := range rows {
		row := refusalRow{Refusal: rf, Words: stafftext.RefusalWord(rf.Code), Reason: stafftext.MaskReason(rf.Reason)}
		for _, fe := range rf.Fields {
			label := fe.Path
			if fe.PartnerPath != "" && fe.PartnerPath != fe.Path {
				label += " (their " + fe.PartnerPath + ")"
			}
			row.Fields = append(row.Fields, stafftext.Fact{Label: label, Value: stafftext.MaskReason(fe.Reason)})
		}
		v.Rows = append(v.Rows, row)
	}
	counts, err := st.RefusalCounts(ctx, f)
	if err != nil {
		return v, err
	}
	for _, c := range counts {
		link := url.Values{"partner": {c.Partner}, "code": {c.Code}}
		if v.MessageID != "" {
			link.Set("message", v.MessageID)
		}
		if v.Since != "" {
			link.Set("since", v.Since)
		}
		v.Counts = append(v.Counts, refusalCountView{RefusalCount: c, Words: stafftext.RefusalWord(c.Code),
			Link: "/refusals?" + link.Encode(), PartnerName: stafftext.StateName(c.Partner)})
		v.Total += c.Count
	}
	if len(rows) == 100 {
		older := url.Values{}
		for k, s := range map[string]string{"partner": v.Partner, "code": v.Code, "message": v.MessageID, "since": v.Since, "before_date": v.Before} {
			if s != "" {
				older.Set(k, s)
			}
		}
		older.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		v.Older = "/refusals?" + older.Encode()
	}
	return v, nil
}
