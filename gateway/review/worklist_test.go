package review_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestQueueWorkList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, id := range []string{"NJ-W1", "NJ-W2", "NJ-W3"} {
		e.receive("NJ", id, "NJCW", nil)
	}
	e.receive("PA", "PA-W1", "PACW", func(tx *canonical.Transaction) {
		tx.NCP.Name = canonical.Name{First: "Ana", Last: "Núñez-Lopez"}
	})
	viewer := e.token("viv")
	ids := func(q string) string {
		t.Helper()
		status, body := e.call("GET", "/api/messages?"+q, viewer, nil)
		if status != 200 {
			t.Fatalf("%s: %d %s", q, status, body)
		}
		var p struct {
			Items []struct {
				MessageID string `json:"messageId"`
			}
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range p.Items {
			out = append(out, it.MessageID)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct{ q, want string }{
		{"partner=nj", "NJ-W3 NJ-W2 NJ-W1"},
		{"partner=Pa", "PA-W1"},
		// Within a partner, newest first when ascending, oldest first when
		// descending: one index read either way.
		{"sort=partner&order=asc&limit=2", "NJ-W3 NJ-W2"},
		{"sort=partner&order=asc&limit=2&page=2", "NJ-W1 PA-W1"},
		{"sort=partner", "PA-W1 NJ-W1 NJ-W2 NJ-W3"},
		{"sort=created&order=asc&limit=1", "NJ-W1"},
		{"name=lopez", "PA-W1"},
		{"name=" + "pat%20DOE", "NJ-W3 NJ-W2 NJ-W1"}, // PA-W1 names Does too, but no Pat
		{"name=ana%20doe", "PA-W1"},
		{"name=nobody", ""},
	} {
		if got := ids(c.q); got != c.want {
			t.Errorf("%s: got %q, want %q", c.q, got, c.want)
		}
	}
	for _, q := range []string{"sort=body", "page=0", "page=x", "sort=id&page=999"} {
		if status, body := e.call("GET", "/api/messages?"+q, viewer, nil); status != 400 || !strings.Contains(body, `"invalid"`) {
			t.Errorf("%s: %d %s", q, status, body)
		}
	}

	// The page: totals, the sort links, page sizes and the export link.
	status, body := e.call("GET", "/?partner=nj&sort=id&order=asc&limit=25", viewer, nil)
	if status != 200 {
		t.Fatalf("queue page %d", status)
	}
	mustContain(t, body, "3 messages match; showing 1–3.", `aria-sort="ascending"`, `href="/queue.csv?`,
		`data-newer="/api/messages/newer?`, "Rows a page:", "NJ New Jersey")

	// New since the page was made.
	status, body = e.call("GET", "/api/messages/newer?partner=nj&after=0", viewer, nil)
	if status != 200 || !strings.Contains(body, `"newer": 3`) {
		t.Fatalf("newer: %d %s", status, body)
	}
	status, body = e.call("GET", "/api/messages/newer?partner=nj", viewer, nil)
	if status != 400 {
		t.Fatalf("newer without after: %d %s", status, body)
	}

	// The export: the filter's messages, in words, no SSN, audited.
	status, body = e.call("GET", "/queue.csv?partner=nj", e.token("casey"), nil)
	if status != 200 {
		t.Fatalf("export %d %s", status, body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][5] != "transaction" || recs[1][3] != "NJ" || recs[1][4] != "New Jersey" {
		t.Fatalf("export %v %v", recs, err)
	}
	mustNotContain(t, body, "PA-W1", "123456789", "123-45-6789", "1981-04-17")
	audit, err := e.store.AuditEntries(context.Background(), 0, 10)
	if err != nil || len(audit) != 1 || audit[0].Action != "export_queue" || audit[0].Actor != "casey" ||
		!strings.Contains(string(audit[0].Details), `"rows": 3`) && !strings.Contains(string(audit[0].Details), `"rows":3`) {
		t.Fatalf("export audit %+v %v", audit, err)
	}
}

func TestRefusalsView(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, rf := range []exchange.Refusal{
		{Partner: "PA", Code: "invalid", Reason: "the transaction is not valid", MessageID: "PA-R1",
			Fields: []canonical.FieldError{{Path: "ncp.ssn", Reason: "value 123-45-6789 is not valid"}}},
		{Partner: "PA", Code: "signature_invalid", Reason: "signature does not verify", MessageID: "PA-R2", Count: 4},
		{Partner: "NJ", Code: "invalid", Reason: "the transaction is not valid", MessageID: "NJ-R1"},
	} {
		rf.At = time.Now()
		if err := e.store.RecordRefusal(ctx, rf); err != nil {
			t.Fatal(err)
		}
	}
	status, body := e.call("GET", "/refusals", e.token("viv"), nil)
	if status != 200 {
		t.Fatalf("refusals %d %s", status, body)
	}
	mustContain(t, body, `<span id="refusal-total">6</span>`, "and 4 like it", "The signature does not match the message", "PA-R1", "ncp.ssn",
		"***-**-6789", "PA Pennsylvania")
	mustNotContain(t, body, "123-45-6789")
	status, body = e.call("GET", "/refusals?partner=pa&code=invalid", e.token("viv"), nil)
	if status != 200 {
		t.Fatalf("filtered refusals %d", status)
	}
	mustContain(t, body, `<span id="refusal-total">1</span>`, "PA-R1")
	mustNotContain(t, body, "PA-R2", "NJ-R1")
	// "We sent PA-R2 and you never got it."
	status, body = e.call("GET", "/refusals?message=PA-R2", e.token("viv"), nil)
	if status != 200 {
		t.Fatalf("by message ID %d", status)
	}
	mustContain(t, body, `<span id="refusal-total">4</span>`, "PA-R2", "The signature does not match the message")
	mustNotContain(t, body, "PA-R1", "NJ-R1")
	if status, _ := e.call("GET", "/refusals?since=yesterday", e.token("viv"), nil); status != 400 {
		t.Fatalf("bad date: %d", status)
	}
}

func TestAuditFiltersAndExport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dead := e.deadLetter("NY", "OUT-A1", "NYCA")
	if status, body := e.call("POST", idPath("/api/messages/%d/reprocess", dead), e.token("casey"), map[string]string{"note": "fixed"}); status != 200 {
		t.Fatalf("reprocess %d %s", status, body)
	}
	if status, body := e.call("GET", "/queue.csv", e.token("sam"), nil); status != 200 {
		t.Fatalf("export %d %s", status, body)
	}
	ada := e.token("ada")
	status, body := e.call("GET", "/audit?actor=casey", ada, nil)
	if status != 200 {
		t.Fatalf("audit %d", status)
	}
	mustContain(t, body, idPath(`href="/messages/%d"`, dead), "Note: fixed", "<b>reprocess</b>")
	mustNotContain(t, body, "<b>export_queue</b>")
	status, body = e.call("GET", idPath("/audit?target=%d", dead), ada, nil)
	if status != 200 || !strings.Contains(body, "<b>reprocess</b>") || strings.Contains(body, "<b>export_queue</b>") {
		t.Fatalf("by target: %d", status)
	}
	status, body = e.call("GET", "/audit.csv?action=export_queue", ada, nil)
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if status != 200 || err != nil || len(recs) != 2 || recs[1][2] != "sam" || recs[1][3] != "export_queue" {
		t.Fatalf("audit export %d %v %v", status, recs, err)
	}
	if status, _ := e.call("GET", "/audit.csv", e.token("casey"), nil); status != 403 {
		t.Fatalf("a caseworker exported the audit log: %d", status)
	}
	if status, _ := e.call("GET", "/audit?since=soon", ada, nil); status != 400 {
		t.Fatalf("bad date: %d", status)
	}
}

func TestIWOPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc, err := os.ReadFile(filepath.Join("..", "..", "transforms", "eiwo", "testdata", "iwo-org.json"))
	if err != nil {
		t.Fatal(err)
	}
	tx := sampleTx("NY-IWO-2026-000913", "NYC0000123999")
	tx.Header.Reason = canonical.ReasonIncomeWithholding
	id, err := e.store.EnqueueOutbound(context.Background(), e.store.Pool(), exchange.Outbound{Partner: "harbor-freight",
		MessageID: "NY-IWO-2026-000913", Format: "eiwo-json/1", ContentType: "application/json", Raw: doc, Tx: tx})
	if err != nil {
		t.Fatal(err)
	}
	status, body := e.call("GET", idPath("/messages/%d", id), e.token("viv"), nil)
	if status != 200 {
		t.Fatalf("IWO page %d", status)
	}
	mustContain(t, body, "Income withholding order", "Original order to withhold", "Harbor Freight Logistics LLC",
		"Marcus Bell JR", "***-**-8912", "NY-IWO-2026-000913", "NYC-CTL-0000451",
		"Current child support</td><td>$200.00 weekly", "Past-due child support (arrears over 12 weeks old)</td><td>$40.00 weekly",
		"every two weeks</td><td>$482.30", "At most 65% of disposable earnings, under the law of New Jersey",
		"New York City, New York", "Jayden Bell")
	mustNotContain(t, body, "345678912", "345-67-8912", "1985-12-01", "2012-02-29")
}

func TestClaimAMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.receive("NJ", "NJ-C1", "NJCC", nil)
	casey, sam := e.session("casey"), e.session("sam")
	post := func(s sess, op string, extra ...string) (int, string) {
		t.Helper()
		form := url.Values{"csrf": {s.csrf}}
		for i := 0; i+1 < len(extra); i += 2 {
			form.Set(extra[i], extra[i+1])
		}
		return e.call("POST", idPath("/messages/%d/work/", in)+op, "", form.Encode(),
			"Cookie", s.cookie, "Content-Type", "application/x-www-form-urlencoded")
	}
	if status, body := post(casey, "claim"); status != 303 {
		t.Fatalf("claim: %d %s", status, body)
	}
	if status, body := post(casey, "claim"); status != 303 {
		t.Fatalf("claim again: %d %s", status, body)
	}
	_, page := e.call("GET", idPath("/messages/%d", in), "", nil, "Cookie", sam.cookie)
	mustContain(t, page, "Casey Caseworker</b> is working this message", "Take it over")
	_, queue := e.call("GET", "/", "", nil, "Cookie", sam.cookie)
	mustContain(t, queue, "worked by Casey Caseworker")
	viv := e.session("viv")
	if status, _ := post(viv, "claim"); status != 403 {
		t.Fatalf("a viewer claimed: %d", status)
	}
	if status, _ := post(sam, "claim"); status != 409 {
		t.Fatalf("a second claim: %d", status)
	}
	if status, _ := post(sam, "claim", "takeover", "1"); status != 303 {
		t.Fatalf("supervisor take-over: %d", status)
	}
	if status, _ := post(casey, "release"); status != 409 {
		t.Fatalf("casey released sam's claim: %d", status)
	}
	if status, _ := post(sam, "release"); status != 303 {
		t.Fatalf("release: %d", status)
	}
	_, page = e.call("GET", idPath("/messages/%d", in), "", nil, "Cookie", casey.cookie)
	mustContain(t, page, `id="claim-it"`)
	recs, err := e.store.AuditTrail(context.Background(), idPath("message:%d", in), 10)
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, r := range recs {
		acts = append(acts, r.Actor+" "+r.Action)
	}
	slices.Sort(acts)
	if got := strings.Join(acts, ", "); got != "casey claim, casey claim, sam claim, sam release" {
		t.Fatalf("audit: %s", got)
	}
}

// sess is a signed-in browser session: its cookie header and CSRF token.
type sess struct{ cookie, csrf string }

func (e *env) session(user string) sess {
	e.t.Helper()
	c := e.signIn(user)
	s := sess{cookie: "uifsagw_session=" + e.sessionCookie(c)}
	_, page := e.call("GET", "/jobs", "", nil, "Cookie", s.cookie)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		e.t.Fatal("no CSRF token in the page")
	}
	s.csrf = html.UnescapeString(m[1])
	return s
}
