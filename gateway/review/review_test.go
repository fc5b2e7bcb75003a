package review_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestTokensRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good := e.token("casey")
	wrongIss, _ := e.wrongIss.Mint("casey", 0)
	wrongAud, _ := e.wrongAud.Mint("casey", 0)
	expired, _ := e.expired.Mint("casey", 0)
	untrusted, _ := e.untrusted.Mint("casey", 0)
	// A valid token with its signature's last characters changed.
	tampered := good[:len(good)-6] + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, good[len(good)-6:])
	// A valid signature over claims that were swapped for others.
	parts := strings.Split(good, ".")
	otherParts := strings.Split(e.token("ada"), ".")
	swapped := parts[0] + "." + otherParts[1] + "." + parts[2]

	cases := []struct {
		name   string
		header string
		want   int
	}{
		{"valid", "Bearer " + good, http.StatusOK},
		{"no token", "", http.StatusUnauthorized},
		{"wrong issuer", "Bearer " + wrongIss, http.StatusUnauthorized},
		{"wrong audience", "Bearer " + wrongAud, http.StatusUnauthorized},
		{"expired", "Bearer " + expired, http.StatusUnauthorized},
		{"unknown key", "Bearer " + untrusted, http.StatusUnauthorized},
		{"bad signature", "Bearer " + tampered, http.StatusUnauthorized},
		{"claims swapped", "Bearer " + swapped, http.StatusUnauthorized},
		{"not bearer", "Basic " + good, http.StatusUnauthorized},
		{"garbage", "Bearer not.a.jwt", http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hdr []string
			if c.header != "" {
				hdr = []string{"Authorization", c.header}
			}
			status, body := e.call("GET", "/api/me", "", nil, hdr...)
			if status != c.want {
				t.Fatalf("status %d, want %d: %s", status, c.want, body)
			}
			if c.want == http.StatusUnauthorized {
				var ae struct {
					Error struct{ Code string }
				}
				if err := json.Unmarshal([]byte(body), &ae); err != nil || ae.Error.Code != "unauthenticated" {
					t.Fatalf("error body %s", body)
				}
			}
		})
	}
	// A page, unlike the API, sends the browser to sign in.
	status, _ := e.call("GET", "/messages/1", "", nil)
	if status != http.StatusSeeOther {
		t.Fatalf("page without session: %d, want 303", status)
	}
	// An expired session cookie is no session.
	status, _ = e.call("GET", "/api/me", "", nil, "Cookie", "uifsagw_session="+expired)
	if status != http.StatusUnauthorized {
		t.Fatalf("expired cookie: %d", status)
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.receive("NJ", "NJ-0001", "NJC100", nil)
	item := e.needsReview(in)
	viewer, casey, sam := e.token("viv"), e.token("casey"), e.token("sam")
	reveal := map[string]string{"field": "ncp.ssn", "reason": "locate"}

	cases := []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		want   int
	}{
		{"viewer reads the queue", "GET", "/api/messages", viewer, nil, 200},
		{"viewer reads a message", "GET", idPath("/api/messages/%d", in), viewer, nil, 200},
		{"viewer cannot reveal", "POST", idPath("/api/messages/%d/reveal", in), viewer, reveal, 403},
		{"viewer cannot reprocess", "POST", idPath("/api/messages/%d/reprocess", in), viewer, map[string]string{}, 403},
		{"viewer cannot resolve", "POST", idPath("/api/messages/%d/resolve", in), viewer, map[string]string{"note": "x"}, 403},
		{"viewer cannot read the audit log", "GET", "/api/audit", viewer, nil, 403},
		{"viewer cannot start a bulk job", "POST", "/api/jobs", viewer, map[string]any{"filter": map[string]string{"status": "needs_review"}, "note": "n"}, 403},
		{"caseworker cannot confirm", "POST", idPath("/api/review-items/%d/confirm", item), casey, map[string]string{}, 403},
		{"caseworker cannot override", "POST", idPath("/api/review-items/%d/override", item), casey, map[string]string{"orderId": "11", "reason": "docket error"}, 403},
		{"caseworker cannot read the audit log", "GET", "/api/audit", casey, nil, 403},
		{"caseworker cannot start a bulk job", "POST", "/api/jobs", casey, map[string]any{"filter": map[string]string{"status": "needs_review"}, "note": "n"}, 403},
		{"override needs a reason", "POST", idPath("/api/review-items/%d/override", item), sam, map[string]string{"orderId": "11"}, 400},
		{"override must name an order of the evidence", "POST", idPath("/api/review-items/%d/override", item), sam, map[string]string{"orderId": "99", "reason": "typo in docket"}, 400},
		{"reveal needs a reason", "POST", idPath("/api/messages/%d/reveal", in), casey, map[string]string{"field": "ncp.ssn"}, 400},
		{"reveal names a known field", "POST", idPath("/api/messages/%d/reveal", in), casey, map[string]string{"field": "ncp.name", "reason": "locate"}, 400},
		{"supervisor reads the audit log", "GET", "/api/audit", sam, nil, 200},
		{"supervisor confirms", "POST", idPath("/api/review-items/%d/confirm", item), sam, map[string]string{"reason": "agrees with the record"}, 200},
		{"confirming twice conflicts", "POST", idPath("/api/review-items/%d/confirm", item), sam, map[string]string{}, 409},
		{"unknown message", "GET", "/api/messages/999999", viewer, nil, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.call(c.method, c.path, c.token, c.body)
			if status != c.want {
				t.Fatalf("status %d, want %d: %s", status, c.want, body)
			}
		})
	}
	// The refused attempts changed nothing and wrote no audit entries; the
	// confirmation resolved the item, moved the message on, and was audited.
	m, err := e.store.GetMessage(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != exchange.StatusProcessed {
		t.Fatalf("message status %s, want processed", m.Status)
	}
	recs, err := e.store.AuditEntries(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Action != "determination_confirm" || recs[0].Actor != "sam" {
		t.Fatalf("audit entries %+v", recs)
	}
	var d map[string]any
	_ = json.Unmarshal(recs[0].Details, &d)
	if d["controllingOrder"] != "12" || d["reason"] != "agrees with the record" {
		t.Fatalf("audit details %s", recs[0].Details)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.receive("NJ", "NJ-0002", "NJC200", nil)
	c := e.signIn("casey")
	cookie := "uifsagw_session=" + e.sessionCookie(c)
	// The token the pages embed.
	page, err := c.Get(e.srv.URL + idPath("/messages/%d", in))
	if err != nil {
		t.Fatal(err)
	}
	buf := new(strings.Builder)
	_, _ = copyBody(buf, page)
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(buf.String())
	if tok == nil {
		t.Fatal("no CSRF token in the page")
	}
	reveal := `{"field":"ncp.ssn","reason":"identity-verification"}`
	form := url.Values{"field": {"ncp.ssn"}, "reason": {"identity-verification"}}
	cases := []struct {
		name   string
		path   string
		body   string
		header []string
		want   int
	}{
		{"API with cookie, no header", idPath("/api/messages/%d/reveal", in), reveal, []string{"Cookie", cookie}, 403},
		{"API with cookie, wrong header", idPath("/api/messages/%d/reveal", in), reveal, []string{"Cookie", cookie, "X-CSRF-Token", "forged"}, 403},
		{"form without token", idPath("/messages/%d/reveal", in), form.Encode(), []string{"Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded"}, 403},
		{"form with a wrong token", idPath("/messages/%d/reveal", in), form.Encode() + "&csrf=forged", []string{"Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded"}, 403},
		{"API with cookie and header", idPath("/api/messages/%d/reveal", in), reveal, []string{"Cookie", cookie, "X-CSRF-Token", tok[1]}, 200},
		// The page form answers with a redirect to the page that shows the
		// value once (post-redirect-get); checked below.
		{"form with token", idPath("/messages/%d/reveal", in), form.Encode() + "&csrf=" + url.QueryEscape(tok[1]), []string{"Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded"}, 303},
		{"bearer needs no token", idPath("/api/messages/%d/reveal", in), reveal, []string{"Authorization", "Bearer " + e.token("casey")}, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.call("POST", c.path, "", c.body, c.header...)
			if status != c.want {
				t.Fatalf("status %d, want %d: %.300s", status, c.want, body)
			}
			if status == 200 && !strings.Contains(body, "123-45-6789") {
				t.Fatalf("revealed value missing: %.300s", body)
			}
		})
	}
	// Post-redirect-get: the value is on the page the redirect names, once.
	req, _ := http.NewRequest("POST", e.srv.URL+idPath("/messages/%d/reveal", in), strings.NewReader(form.Encode()+"&csrf="+url.QueryEscape(tok[1])))
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, idPath("/messages/%d?shown=", in)) {
		t.Fatalf("reveal answered %d to %q", resp.StatusCode, loc)
	}
	for i, want := range []string{"123-45-6789", "shown only once"} {
		status, body := e.call("GET", loc, "", nil, "Cookie", cookie)
		if status != 200 || !strings.Contains(body, want) {
			t.Fatalf("visit %d of %s: %d, lacks %q", i+1, loc, status, want)
		}
		if i == 1 && strings.Contains(body, "123-45-6789") {
			t.Fatal("the revealed value was shown twice")
		}
	}
	recs, err := e.store.AuditTrail(context.Background(), idPath("message:%d", in), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d reveal audit records, want 4 (one per accepted reveal)", len(recs))
	}
}

func copyBody(b *strings.Builder, r *http.Response) (int64, error) {
	defer r.Body.Close()
	buf := make([]byte, 32<<10)
	var n int64
	for {
		k, err := r.Body.Read(buf)
		b.Write(buf[:k])
		n += int64(k)
		if err != nil {
			return n, nil
		}
	}
}

func TestHTMLIsInert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.receive("NJ", "NJ-<i>0003", "NJC300", func(tx *canonical.Transaction) {
		tx.Information = &canonical.Information{Text: `<script>alert("x")</script><img src=x onerror=alert(1)>`}
		tx.NCP.Name.Last = `O'Brien<b>bold</b>`
	})
	viewer := e.token("viv")
	for _, path := range []string{idPath("/messages/%d", in), "/?q=" + url.QueryEscape("NJ-<i>0003"), "/cases/NJC300"} {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+viewer)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = copyBody(&b, resp)
		body := b.String()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		mustNotContain(t, body, `<script>alert`, `<img src=x`, `<b>bold</b>`, `NJ-<i>0003`)
		if path == idPath("/messages/%d", in) {
			mustContain(t, body, `&lt;script&gt;alert(`, `&lt;b&gt;bold&lt;/b&gt;`)
		}
		if !strings.HasPrefix(path, "/cases/") {
			mustContain(t, body, `NJ-&lt;i&gt;0003`)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Fatalf("CSP %q", csp)
		}
	}
}

func TestDetailMasksPII(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.receive("NJ", "NJ-0004", "NJC400", func(tx *canonical.Transaction) {
		tx.Information = &canonical.Information{Text: "Obligor SSN 123-45-6789 confirmed by employer."}
	})
	status, body := e.call("GET", idPath("/messages/%d", in), e.token("ada"), nil)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	mustContain(t, body, "***-**-6789", "***-**-7890", "***-**-8901", "****-**-**", "Acme Freight", "$450.00", "$1200.00")
	mustNotContain(t, body, "123456789", "123-45-6789", "234567890", "345678901", "1981-04-17", "1983-09-30", "2015-01-05", "19810417")
	status, body = e.call("GET", idPath("/api/messages/%d", in), e.token("viv"), nil)
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	mustContain(t, body, "***-**-6789", "****-**-**")
	mustNotContain(t, body, "123456789", "123-45-6789", "1981-04-17", "2015-01-05")
}

func TestActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	dead := e.deadLetter("NJ", "OUT-0001", "NYC500")
	in := e.receive("NJ", "NJ-0005", "NJC500", nil)
	casey := e.token("casey")
	post := func(path string, body any) (int, map[string]any) {
		status, b := e.call("POST", path, casey, body)
		var m map[string]any
		_ = json.Unmarshal([]byte(b), &m)
		return status, m
	}
	cases := []struct {
		name       string
		path       string
		body       any
		want       int
		wantStatus string
	}{
		{"reprocess a dead letter requeues it", idPath("/api/messages/%d/reprocess", dead), map[string]string{"note": "partner fixed its endpoint"}, 200, "queued"},
		{"cannot reprocess while queued", idPath("/api/messages/%d/reprocess", dead), nil, 409, ""},
		{"cancel the queued message", idPath("/api/messages/%d/cancel", dead), nil, 200, "cancelled"},
		{"resend the cancelled message", idPath("/api/messages/%d/resend", dead), nil, 200, "queued"},
		{"inbound cannot be resent", idPath("/api/messages/%d/resend", in), nil, 409, ""},
		{"resolve needs a note", idPath("/api/messages/%d/resolve", in), map[string]string{}, 400, ""},
		{"resolve with a note", idPath("/api/messages/%d/resolve", in), map[string]string{"note": "handled by phone"}, 200, "resolved"},
		{"reprocess the resolved inbound message", idPath("/api/messages/%d/reprocess", in), nil, 200, "received"},
		{"route to another partner", idPath("/api/messages/%d/route", in), map[string]string{"partner": "PA", "note": "NCP moved"}, 200, "received"},
		{"unknown action", idPath("/api/messages/%d/explode", in), nil, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, res := post(c.path, c.body)
			if status != c.want {
				t.Fatalf("status %d, want %d: %v", status, c.want, res)
			}
			if c.wantStatus != "" && res["status"] != c.wantStatus {
				t.Fatalf("new status %v, want %s", res["status"], c.wantStatus)
			}
		})
	}
	if e.routed.Load() != 1 {
		t.Fatalf("send hook called %d times", e.routed.Load())
	}
	// Each accepted action left one audit entry, and the chain verifies.
	recs, err := e.store.AuditEntries(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(recs) - 1; i >= 0; i-- {
		actions = append(actions, recs[i].Action)
	}
	if got := strings.Join(actions, ","); got != "reprocess,cancel,resend,resolve,reprocess,route" {
		t.Fatalf("audit actions %s", got)
	}
	if _, bad, err := e.store.VerifyAudit(ctx); err != nil || bad != 0 {
		t.Fatalf("verify: %v at %d", err, bad)
	}
	// The dead letter's review item was closed by the reprocess.
	items, err := e.store.ReviewItems(ctx, dead)
	if err != nil || len(items) != 1 || items[0].State != exchange.ReviewResolved {
		t.Fatalf("review items %+v, %v", items, err)
	}
	// The outbox holds a fresh attempt.
	var state string
	var attempts int
	if err := e.store.Pool().QueryRow(ctx, `SELECT state, attempts FROM outbox WHERE message_id = $1`, dead).Scan(&state, &attempts); err != nil {
		t.Fatal(err)
	}
	if state != "pending" || attempts != 0 {
		t.Fatalf("outbox %s after %d attempts", state, attempts)
	}
}

func TestQueueFiltersAndPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := 0; i < 7; i++ {
		e.receive("NJ", "NJ-Q"+string(rune('0'+i)), "NJCQ", nil)
	}
	e.receive("PA", "PA-Q1", "PACQ", nil)
	e.deadLetter("PA", "OUT-Q1", "NYCQ")
	viewer := e.token("viv")
	type page struct {
		Items []struct {
			ID        int64
			MessageID string `json:"messageId"`
			Status    string
		}
		Next   string
		Counts map[string]int64
	}
	get := func(q string) page {
		status, body := e.call("GET", "/api/messages?"+q, viewer, nil)
		if status != 200 {
			t.Fatalf("%s: %d %s", q, status, body)
		}
		var p page
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		q    string
		want int
	}{
		{"", 9},
		{"partner=PA", 2},
		{"direction=out", 1},
		{"status=dead_letter", 1},
		{"status=received&partner=NJ", 7},
		{"partner=pa", 2}, // the partner filter ignores case
		{"status=received&partner=Nj", 7},
		{"function=ENF&action=R", 9},
		{"function=CSI", 0},
		{"case=NJCQ", 7},
		{"q=NJ-Q", 7},
		{"q=PA-Q1", 1},
		{"q=PACQ", 1},
		{"q=PA", 2},
		{"since=2000-01-01&before=2999-12-31", 9},
		{"before=2000-01-01", 0},
	}
	for _, c := range cases {
		if got := len(get(c.q).Items); got != c.want {
			t.Errorf("%q: %d items, want %d", c.q, got, c.want)
		}
	}
	p := get("")
	if p.Counts["received"] != 8 || p.Counts["dead_letter"] != 1 {
		t.Fatalf("counts %v", p.Counts)
	}
	// Keyset pages of 3: newest first, no repeats, no gaps.
	seen := map[int64]bool{}
	var order []int64
	cursor := ""
	for pages := 0; ; pages++ {
		q := "limit=3"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		pg := get(q)
		for _, it := range pg.Items {
			if seen[it.ID] {
				t.Fatalf("message %d on two pages", it.ID)
			}
			seen[it.ID] = true
			order = append(order, it.ID)
		}
		if pg.Next == "" {
			break
		}
		cursor = pg.Next
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(order) != 9 {
		t.Fatalf("paged through %d messages", len(order))
	}
	for i := 1; i < len(order); i++ {
		if order[i] > order[i-1] {
			t.Fatalf("not newest first: %v", order)
		}
	}
	for _, bad := range []string{"status=bogus", "direction=sideways", "since=yesterday", "cursor=%21%21", "limit=0"} {
		if status, _ := e.call("GET", "/api/messages?"+bad, viewer, nil); status != 400 {
			t.Errorf("%s: status %d, want 400", bad, status)
		}
	}
}

func TestBulkReprocessJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	var ids []int64
	for i := 0; i < 5; i++ {
		ids = append(ids, e.deadLetter("NJ", "OUT-B"+string(rune('0'+i)), "NYCB"))
	}
	admin := e.token("ada")
	status, body := e.call("POST", "/api/jobs", admin, map[string]any{
		"filter": map[string]string{"status": "dead_letter"}, "note": "partner back online"})
	if status != 201 {
		t.Fatalf("create job: %d %s", status, body)
	}
	var job struct {
		ID    int64
		Total int64
		State string
	}
	_ = json.Unmarshal([]byte(body), &job)
	if job.Total != 5 || job.State != "running" {
		t.Fatalf("job %+v", job)
	}
	// Two chunks of three then two; the second ends the job.
	j, found, err := e.store.RunJobChunk(ctx, 3)
	if err != nil || !found || j.Done != 3 || j.State != exchange.JobRunning {
		t.Fatalf("chunk 1: %+v %v %v", j, found, err)
	}
	// A worker restarted here resumes from the committed cursor.
	j, found, err = e.store.RunJobChunk(ctx, 3)
	if err != nil || !found || j.Done != 5 || j.State != exchange.JobDone {
		t.Fatalf("chunk 2: %+v %v %v", j, found, err)
	}
	if _, found, _ = e.store.RunJobChunk(ctx, 3); found {
		t.Fatal("a finished job was claimed again")
	}
	for _, id := range ids {
		m, err := e.store.GetMessage(ctx, id)
		if err != nil || m.Status != exchange.StatusQueued {
			t.Fatalf("message %d: %s %v", id, m.Status, err)
		}
	}
	if status, _ := e.call("POST", idPath("/api/jobs/%d/cancel", job.ID), admin, nil); status != 409 {
		t.Fatalf("cancelling a finished job: %d", status)
	}
	// Cancelling a running job stops it before its first chunk.
	e.deadLetter("NJ", "OUT-B9", "NYCB9")
	_, body = e.call("POST", "/api/jobs", admin, map[string]any{"filter": map[string]string{"status": "dead_letter"}, "note": "again"})
	_ = json.Unmarshal([]byte(body), &job)
	if status, body := e.call("POST", idPath("/api/jobs/%d/cancel", job.ID), admin, nil); status != 200 || !strings.Contains(body, `"cancelled"`) {
		t.Fatalf("cancel: %d %s", status, body)
	}
	if _, found, _ = e.store.RunJobChunk(ctx, 3); found {
		t.Fatal("a cancelled job was claimed")
	}
	// A filter is required: a bulk job over everything is refused.
	if status, _ := e.call("POST", "/api/jobs", admin, map[string]any{"filter": map[string]string{}, "note": "all"}); status != 400 {
		t.Fatalf("unfiltered job: %d", status)
	}
}

func TestCaseView(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.receive("NJ", "NJ-C1", "NJC900", nil)
	e.needsReview(in)
	status, body := e.call("GET", "/api/cases/NJC900", e.token("viv"), nil)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var v struct {
		Messages []struct{ ID int64 }
		Orders   []struct {
			Docket      string
			Controlling string
		}
		Payments       []map[string]any
		PaidTotalCents int64
		NextSteps      []struct{ Kind string }
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Messages) != 1 || len(v.Orders) != 2 || v.PaidTotalCents != 45000 || len(v.NextSteps) != 1 || v.NextSteps[0].Kind != "controlling_order" {
		t.Fatalf("case view %+v", v)
	}
	if v.Orders[1].Docket != "NY-9-555" || v.Orders[1].Controlling != "determined" || v.Orders[0].Controlling != "" {
		t.Fatalf("orders %+v", v.Orders)
	}
	if status, _ := e.call("GET", "/api/cases/NOSUCH", e.token("viv"), nil); status != 404 {
		t.Fatalf("unknown case: %d", status)
	}
}

func TestStatusCountsFollowTransitions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		e.receive("NJ", "NJ-S"+string(rune('0'+i)), "NJCS", nil)
	}
	e.deadLetter("PA", "OUT-S1", "NYCS")
	e.needsReview(e.receive("NJ", "NJ-S9", "NJCS9", nil))
	check := func(when string) {
		t.Helper()
		fast, err := e.store.StatusCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := e.store.CountByStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(fast) != len(slow) {
			t.Fatalf("%s: counters %v, table %v", when, fast, slow)
		}
		for st, n := range slow {
			if fast[st] != n {
				t.Fatalf("%s: counters %v, table %v", when, fast, slow)
			}
		}
	}
	check("after intake and processing")
	removed, err := e.store.CompactStatusCounts(ctx)
	if err != nil || removed == 0 {
		t.Fatalf("compaction removed %d rows: %v", removed, err)
	}
	check("after compaction")
	if n, _ := e.store.CompactStatusCounts(ctx); n != 0 {
		t.Fatalf("a second compaction removed %d rows", n)
	}
	if status, body := e.call("POST", idPath("/api/messages/%d/resolve", 1), e.token("casey"), map[string]string{"note": "duplicate"}); status != 200 {
		t.Fatalf("cancel: %d %s", status, body)
	}
	check("after a staff action")
}

func TestSignInCookies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.signIn("sam")
	u, _ := url.Parse(e.srv.URL)
	if len(c.Jar.Cookies(u)) != 1 {
		t.Fatalf("cookies after sign-in: %v", c.Jar.Cookies(u))
	}
	// The jar hides attributes; read them from a fresh callback instead.
	resp, err := noRedirect.Get(e.srv.URL + "/login?next=//evil.example/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	login := resp.Cookies()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	for k, want := range map[string]string{"response_type": "code", "code_challenge_method": "S256", "client_id": "uifsagw-ui"} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s=%q, want %q", k, q.Get(k), want)
		}
	}
	if q.Get("state") == "" || q.Get("nonce") == "" || len(q.Get("code_challenge")) != 43 {
		t.Fatalf("authorization request %v", q)
	}
	form := url.Values{"user": {"sam"}}
	for _, k := range []string{"client_id", "redirect_uri", "state", "code_challenge", "nonce"} {
		form.Set(k, q.Get(k))
	}
	resp, err = noRedirect.PostForm(e.srv.URL+"/dev/oidc/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback := resp.Header.Get("Location")

	// Without the sign-in cookie (another browser, or a forged link) the
	// callback is refused.
	if status, _ := e.call("GET", strings.TrimPrefix(callback, e.srv.URL), "", nil); status != http.StatusBadRequest {
		t.Fatalf("callback without the login cookie: %d", status)
	}
	req, _ := http.NewRequest("GET", callback, nil)
	for _, ck := range login {
		req.AddCookie(ck)
	}
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("callback: %d to %q (the foreign next must become /)", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "uifsagw_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Fatalf("session cookie %+v", session)
	}
	// The code was used once; replaying the callback fails at the provider.
	req, _ = http.NewRequest("GET", callback, nil)
	for _, ck := range login {
		req.AddCookie(ck)
	}
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther {
		t.Fatal("a replayed authorization code signed in")
	}
}

func TestRunJobsWorker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var ids []int64
	for i := 0; i < 3; i++ {
		ids = append(ids, e.deadLetter("NJ", "OUT-W"+string(rune('0'+i)), "NYCW"+string(rune('0'+i))))
	}
	if status, body := e.call("POST", "/api/jobs", e.token("ada"), map[string]any{
		"filter": map[string]string{"status": "dead_letter", "direction": "out"}, "note": "retry after outage"}); status != 201 {
		t.Fatalf("create job: %d %s", status, body)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.handler.RunJobs(ctx, 50*time.Millisecond) }()
	// The job is looked at again after each of the worker's rounds; a round
	// that ends between reading the count and the job wakes the wait at once.
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	for {
		round := e.handler.JobRounds().Load()
		j, err := e.store.GetJob(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == exchange.JobDone {
			if j.Done != 3 || j.Total != 3 {
				t.Fatalf("job %+v", j)
			}
			break
		}
		if err := e.handler.JobRounds().WaitFor(wctx, round+1); err != nil {
			t.Fatalf("job still %s after 10 s: %+v", j.State, j)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if m, _ := e.store.GetMessage(context.Background(), id); m.Status != exchange.StatusQueued {
			t.Fatalf("message %d is %s", id, m.Status)
		}
	}
}

// TestCallbackChecksNonce: a code issued for another nonce (an ID token
// replayed into this sign-in) is refused even though state and PKCE match.
func TestCallbackChecksNonce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp, err := noRedirect.Get(e.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	q := loc.Query()
	for _, nonce := range []string{"forged-nonce", q.Get("nonce")} {
		form := url.Values{"user": {"casey"}, "nonce": {nonce}}
		for _, k := range []string{"client_id", "redirect_uri", "state", "code_challenge"} {
			form.Set(k, q.Get(k))
		}
		r, err := noRedirect.PostForm(e.srv.URL+"/dev/oidc/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		req, _ := http.NewRequest("GET", r.Header.Get("Location"), nil)
		for _, ck := range resp.Cookies() {
			req.AddCookie(ck)
		}
		cb, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		cb.Body.Close()
		signedIn := false
		for _, ck := range cb.Cookies() {
			signedIn = signedIn || (ck.Name == "uifsagw_session" && ck.Value != "")
		}
		if want := nonce != "forged-nonce"; signedIn != want || (want && cb.StatusCode != http.StatusSeeOther) {
			t.Fatalf("nonce %q: status %d, signed in %v", nonce, cb.StatusCode, signedIn)
		}
	}
}

func TestRevealFieldsAndMetric(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.receive("NJ", "NJ-R1", "NJCR1", nil)
	casey := e.token("casey")
	cases := []struct {
		field  string
		status int
		value  string
	}{
		{"ncp.ssn", 200, "123-45-6789"},
		{"participants[0].ssn", 200, "234-56-7890"},
		{"participants[1].dateOfBirth", 200, "2015-01-05"},
		{"ncp.dateOfBirth", 200, "1981-04-17"},
		{"participants[5].ssn", 404, ""},
		{"participants[7].dateOfBirth", 404, ""},
		{"participants[10].ssn", 400, ""},
	}
	for _, c := range cases {
		status, body := e.call("POST", idPath("/api/messages/%d/reveal", in), casey, map[string]string{"field": c.field, "reason": "court-filing"})
		if status != c.status || (c.value != "" && !strings.Contains(body, `"value": "`+c.value+`"`)) {
			t.Errorf("%s: %d %s", c.field, status, body)
		}
	}
	recs, _ := e.store.AuditTrail(context.Background(), idPath("message:%d", in), 100)
	if len(recs) != 4 {
		t.Fatalf("%d audit records for 4 reveals", len(recs))
	}
	rec := httptest.NewRecorder()
	e.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `uifsagw_pii_reveals_total{role="caseworker"} 4`) {
		t.Fatalf("metrics:\n%s", grepLines(rec.Body.String(), "reveals"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRevealReasons: a reveal names a reason from the short list, or "other"
// with a sentence; the request is one JSON object and nothing else (issue 15,
// item 5). Refused requests reveal nothing and leave no audit record.
func TestRevealReasons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.receive("NJ", "NJ-RR1", "NJCRR1", nil)
	casey := e.token("casey")
	path := idPath("/api/messages/%d/reveal", in)
	cases := []struct {
		name, body string
		status     int
		reason     string
	}{
		{"listed reason", `{"field":"ncp.ssn","reason":"payment-research"}`, 200, "payment research"},
		{"listed reason with a remark", `{"field":"ncp.ssn","reason":"court-filing","note":"hearing on the 3rd"}`, 200, "court filing"},
		{"other with a sentence", `{"field":"ncp.ssn","reason":"other","note":"The employer asked us to confirm the employee before withholding."}`, 200,
			"The employer asked us to confirm the employee before withholding."},
		{"other without a sentence", `{"field":"ncp.ssn","reason":"other","note":"checking"}`, 400, ""},
		{"other with nothing", `{"field":"ncp.ssn","reason":"other"}`, 400, ""},
		{"free text as the reason", `{"field":"ncp.ssn","reason":"just curious, five+"}`, 400, ""},
		{"a label instead of the code", `{"field":"ncp.ssn","reason":"court filing"}`, 400, ""},
		{"trailing object", `{"field":"ncp.ssn","reason":"locate"}{"field":"participants[0].ssn","reason":"locate"}`, 400, ""},
		{"trailing garbage", `{"field":"ncp.ssn","reason":"locate"} x`, 400, ""},
		{"unknown member", `{"field":"ncp.ssn","reason":"locate","why":"x"}`, 400, ""},
	}
	want := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+casey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, b)
			}
			if c.status != 200 {
				mustNotContain(t, string(b), "123-45-6789", "123456789")
				return
			}
			want++
			recs, err := e.store.AuditTrail(context.Background(), idPath("message:%d", in), 100)
			if err != nil || len(recs) != want {
				t.Fatalf("%d audit records, want %d (%v)", len(recs), want, err)
			}
			var d map[string]any
			_ = json.Unmarshal(recs[len(recs)-1].Details, &d)
			if d["reason"] != c.reason {
				t.Errorf("audited reason %q, want %q", d["reason"], c.reason)
			}
		})
	}
}
