package staffview

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/orders"
)

func TestParseQuery(t *testing.T) {
	q, f, err := ParseQuery(url.Values{"direction": {"in"}, "partner": {" nj "}, "function": {"enf"}, "status": {"needs_review, dead_letter"},
		"since": {"2026-11-01"}, "before": {"2026-11-02"}, "limit": {"100"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Direction != exchange.DirIn || f.PartnerFold != "nj" || f.Function != "ENF" || len(f.Statuses) != 2 || q.Limit != 100 {
		t.Errorf("filter %+v, query %+v", f, q)
	}
	// "before" is the whole of its day.
	if !f.Since.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !f.Before.Equal(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("days %s to %s", f.Since, f.Before)
	}
	if got := q.Values().Encode(); got != "before=2026-11-02&direction=in&function=ENF&limit=100&partner=nj&since=2026-11-01&status=needs_review&status=dead_letter" {
		t.Errorf("values %s", got)
	}
	for in, want := range map[string]string{
		"direction=sideways":            "direction must be in or out",
		"status=lost":                   `unknown status "lost"`,
		"since=11/01/2026":              "since must be a date YYYY-MM-DD",
		"before=2026-13-01":             "before must be a date YYYY-MM-DD",
		"limit=0":                       "limit must be 1 to 500",
		"page=201":                      "page must be 1 to 200",
		"sort=ssn":                      "sort by one of the column names (id, created, partner, transaction, case, status)",
		"q=" + strings.Repeat("x", 101): "filter values are at most 100 characters",
	} {
		v, _ := url.ParseQuery(in)
		_, _, err := ParseQuery(v)
		var ie InputError
		if !errors.As(err, &ie) || string(ie) != want {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

func TestParseAuditQuery(t *testing.T) {
	_, f, err := ParseAuditQuery(url.Values{"target": {"12"}, "since": {"2026-11-01"}})
	if err != nil || f.Target != "message:12" || f.Since.IsZero() || !f.Before.IsZero() {
		t.Fatalf("%+v %v", f, err)
	}
	_, _, err = ParseAuditQuery(url.Values{"before_date": {"yesterday"}})
	if err == nil || err.Error() != "to must be a date YYYY-MM-DD" {
		t.Errorf("bad date: %v", err)
	}
	for in, want := range map[string][2]string{
		"message:4": {"/messages/4", "message #4"}, "case:NY-1": {"/cases/NY-1", "case NY-1"},
		"review_item:9": {"", "review item 9"}, "queue": {"", "queue"},
	} {
		if l, w := targetLink(in); l != want[0] || w != want[1] {
			t.Errorf("%s: %q %q, want %q", in, l, w, want)
		}
	}
}

func TestAllowedActions(t *testing.T) {
	for _, c := range []struct {
		dir  exchange.Direction
		st   exchange.Status
		want []exchange.StaffAction
	}{
		{exchange.DirIn, exchange.StatusNeedsReview, []exchange.StaffAction{exchange.ActReprocess, exchange.ActCancel, exchange.ActResolve, exchange.ActRoute}},
		{exchange.DirIn, exchange.StatusProcessing, []exchange.StaffAction{exchange.ActRoute}},
		{exchange.DirOut, exchange.StatusDelivered, []exchange.StaffAction{exchange.ActResend, exchange.ActResolve, exchange.ActRoute}},
		{exchange.DirOut, exchange.StatusDeadLetter, []exchange.StaffAction{exchange.ActReprocess, exchange.ActResend, exchange.ActCancel, exchange.ActResolve, exchange.ActRoute}},
	} {
		if got := AllowedActions(exchange.Message{Direction: c.dir, Status: c.st}); !slices.Equal(got, c.want) {
			t.Errorf("%s %s: %v, want %v", c.dir, c.st, got, c.want)
		}
	}
}

// A determination reads as sentences, names its order by docket and state,
// and the evidence never shows an SSN in clear.
func TestToReview(t *testing.T) {
	ev, err := json.Marshal(map[string]any{
		"orders": []EvidenceOrder{{ID: "7", TribunalFIPS: "34005", Docket: "FD-1", Amount: 54000, Frequency: "M"},
			{ID: "8", TribunalFIPS: "36061", Docket: "NY-2"}},
		"determination": orders.Determination{Kind: orders.ControllingOrder, Rule: orders.RuleOnlyOne,
			Controlling: &orders.Order{ID: "7"}, Basis: "only one order is active"},
	})
	if err != nil {
		t.Fatal(err)
	}
	v := ToReview(exchange.ReviewItem{ID: 1, Kind: "controlling_order", State: "open", Evidence: json.RawMessage(ev)})
	if !v.Open || !v.NeedsSupervisor || v.ControllingID() != "7" || !v.Orders[0].Controlling || v.Orders[1].Controlling {
		t.Fatalf("%+v", v)
	}
	want := "One order controls: order 7, docket FD-1 of New Jersey, $540.00 monthly, because only one tribunal issued an order (UIFSA §207(a))."
	if v.Determination.Outcome != want {
		t.Errorf("outcome %q, want %q", v.Determination.Outcome, want)
	}
	if v.Determination.Basis != "Only one order is active." {
		t.Errorf("basis %q", v.Determination.Basis)
	}
	other := ToReview(exchange.ReviewItem{Kind: "unknown_employer", State: "resolved",
		Evidence: json.RawMessage(`{"employerFein":"123456789","ncpSsn":"123-45-6789","partner":"NJ"}`)})
	if other.Open || strings.Contains(other.EvidenceJSON, "123-45-6789") {
		t.Fatalf("%+v", other)
	}
	if len(other.Facts) != 3 {
		t.Fatalf("facts %+v", other.Facts)
	}
	seen := 0
	for _, f := range other.Facts {
		if f.Label == "Ncp ssn" || f.Label == "Partner" {
			seen++
		}
		if f.Label == "Ncp ssn" && f.Value != "***-**-6789" {
			t.Errorf("fact %+v shows the SSN", f)
		}
		if f.Label == "Partner" && f.Value != "NJ New Jersey" {
			t.Errorf("fact %+v: the partner without its name", f)
		}
	}
	if seen != 2 {
		t.Errorf("facts %+v: want the SSN and the partner among them", other.Facts)
	}
}

func TestSortMessagesAndAge(t *testing.T) {
	ms := []exchange.Message{{ID: 1, Partner: "PA"}, {ID: 2, Partner: "NJ"}, {ID: 3, Partner: "NJ"}}
	SortMessages(ms, "partner", true)
	if got := []int64{ms[0].ID, ms[1].ID, ms[2].ID}; !slices.Equal(got, []int64{3, 2, 1}) {
		t.Errorf("ascending by partner, ties newest first: %v", got)
	}
	for d, want := range map[time.Duration]string{time.Minute: "moments", 3 * time.Minute: "3 minutes",
		5 * time.Hour: "5 hours", 72 * time.Hour: "3 days"} {
		if got := age(d); got != want {
			t.Errorf("age(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestLoadIWOOnlyForIWOs(t *testing.T) {
	if LoadIWO(exchange.Message{Format: "csenet-json"}, []byte(`{}`)) != nil {
		t.Error("a CSENet message has no IWO view")
	}
}

func TestRevealReasonsAndFields(t *testing.T) {
	for _, f := range []string{"raw", "ncp.ssn", "participants[3].dateOfBirth"} {
		if err := CheckRevealField(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, f := range []string{"", "ncp.name", "participants[9].ssn", "raw.ssn", "ncp.ssn "} {
		if err := CheckRevealField(f); err == nil {
			t.Errorf("%q accepted", f)
		}
	}
	if r, err := ParseRevealReason("locate", " skip trace "); err != nil || r != (RevealReason{Code: "locate", Text: "locate", Note: "skip trace"}) {
		t.Errorf("listed reason: %+v %v", r, err)
	}
	if r, err := ParseRevealReason(RevealOther, "the court asked for the full number"); err != nil || r.Text != "the court asked for the full number" {
		t.Errorf("other with a sentence: %+v %v", r, err)
	}
	for _, c := range [][2]string{{RevealOther, "because"}, {"curiosity", ""}, {"locate", strings.Repeat("x", 501)}} {
		if _, err := ParseRevealReason(c[0], c[1]); err == nil {
			t.Errorf("%q %q accepted", c[0], c[1])
		}
	}
}

func TestParseWorksheet(t *testing.T) {
	wv, d, err := ParseWorksheet(url.Values{"tracking": {"T-1"}, "disposable": {"300.00"}, "secondFamily": {"yes"}, "frequency": {"B"}})
	if err != nil || d != 30000 || wv.SecondFamilyKnown() == nil || !*wv.SecondFamilyKnown() {
		t.Fatalf("%+v %d %v", wv, d, err)
	}
	if wv, _, err := ParseWorksheet(url.Values{}); err != nil || wv.Frequency != "W" || wv.SecondFamilyKnown() != nil {
		t.Errorf("empty form: %+v %v", wv, err)
	}
	for in, want := range map[string]string{
		"tracking=T-1&disposable=0":                     "disposable: disposable earnings per pay period in dollars, e.g. 300.00",
		"tracking=T-1&disposable=10&frequency=Q":        "frequency: W, B, S or M",
		"tracking=T-1&disposable=10&secondFamily=maybe": "secondFamily: yes, no, or leave it out when not known",
	} {
		v, _ := url.ParseQuery(in)
		if _, _, err := ParseWorksheet(v); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
