package review_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

const chromium = "/usr/bin/chromium"

// TestBrowser walks a caseworker's and a supervisor's day in headless
// Chromium. Casey signs in through the development issuer, finds a case by a
// participant's name, reads the message in words, reveals a masked SSN with a
// reason, exports the queue, reads a refusal, sees that a determination needs
// a supervisor, and reprocesses a dead letter that fails again, which the
// page says. Sam signs in, reads the determination in words, confirms it and
// filters the audit log. Screenshots are kept in testdata/artifacts.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium not installed at " + chromium)
	}
	e := newEnv(t)
	for i, c := range []string{"NJC701", "NJC702", "NJC703"} {
		e.receive("NJ", "NJ-B000"+string(rune('1'+i)), c, nil)
	}
	e.receive("PA", "PA-B0001", "PAC701", func(tx *canonical.Transaction) {
		tx.Information = &canonical.Information{Text: "NCP reported at a new employer in Harrisburg."}
	})
	named := e.receive("NJ", "NJ-B0004", "NJC704", func(tx *canonical.Transaction) {
		tx.NCP.Name = canonical.Name{First: "Mary-Ann", Last: "O'Brien"}
	})
	dead := e.deadLetter("NY", "OUT-B0001", "NYC701")
	review := e.receive("NJ", "NJ-B0009", "NJC709", nil)
	reviewItem := e.needsReview(review)
	if err := e.store.RecordRefusal(context.Background(), exchange.Refusal{Partner: "PA", Code: "invalid",
		Reason: "the transaction is not valid", MessageID: "PA-B0404", At: time.Now(),
		Fields: []canonical.FieldError{{Path: "orders[0].frequency", Reason: "must be one of W, B, S, M, Q, E, A"}}}); err != nil {
		t.Fatal(err)
	}

	artifacts := filepath.Join("testdata", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 900),
	)
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	// The first call starts the browser, which lives as long as ctx; steps
	// get their own deadlines so a stuck page fails the test, not the run.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Destructive actions ask first (window.confirm); the person says yes,
	// and the questions asked are kept to check.
	var dialogMu sync.Mutex
	var asked []string
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			dialogMu.Lock()
			asked = append(asked, ev.Message)
			dialogMu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	get := func(step string, a chromedp.Action[string]) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		v, err := chromedp.Run(sctx, a)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+strconvQuote(sel)+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	shot := func(name string) {
		t.Helper()
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(artifacts, name), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	do("sign in",
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(css(`#user-casey`)),
		chromedp.Click(css(`#user-casey`)),
		chromedp.WaitVisible(css(`#queue`)),
	)
	if who := get("who", chromedp.Text(css(`#who`))); !strings.Contains(who, "Casey Caseworker") {
		t.Fatalf("signed in as %q", who)
	}
	if n := count(`#volume svg`); n == 0 {
		t.Fatal("the queue shows no volume picture")
	}
	if oldest := get("oldest", chromedp.Text(css(`#oldest`))); !strings.Contains(oldest, "dead letter") || !strings.Contains(oldest, "needs review") {
		t.Fatalf("oldest waiting: %q", oldest)
	}
	shot("queue.png")

	do("find a case by a participant's name",
		chromedp.SendKeys(css(`#name-search`), "mary-ann obrien"),
		chromedp.Click(css(`#apply-filter`)),
		chromedp.WaitVisible(css(`input[name="name"][value="mary-ann obrien"]`)),
	)
	if n, rows := count(`#queue tbody tr`), get("name rows", chromedp.Text(css(`#queue tbody`))); n != 1 || !strings.Contains(rows, "NJC704") {
		t.Fatalf("name search shows %d rows: %q", n, rows)
	}
	shot("queue-by-name.png")
	do("open the case found by name",
		chromedp.Click(css(`#queue tbody a[href^="/messages/"]`)),
		chromedp.WaitVisible(css(`#participants`)),
	)
	if loc := get("named location", chromedp.Location()); !strings.HasSuffix(loc, idPath("/messages/%d", named)) {
		t.Fatalf("opened %s", loc)
	}
	if names := get("names", chromedp.Text(css(`#participants`))); !strings.Contains(names, "Mary-Ann O'Brien") {
		t.Fatalf("participants: %q", names)
	}

	do("filter the queue",
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(css(`#queue`)),
		chromedp.SetValue(css(`input[name="q"]`), "NJ-B0002"),
		chromedp.Click(css(`#apply-filter`)),
		chromedp.WaitVisible(css(`input[name="q"][value="NJ-B0002"]`)),
	)
	rows := get("rows", chromedp.Text(css(`#queue tbody`)))
	if n := count(`#queue tbody tr`); n != 1 || !strings.Contains(rows, "NJ-B0002") {
		t.Fatalf("filtered queue has %d rows: %q", n, rows)
	}

	do("open the message",
		chromedp.Click(css(`#queue tbody a[href^="/messages/"]`)),
		chromedp.WaitVisible(css(`#participants`)),
	)
	if masked := get("masked", chromedp.Text(css(`span[data-field="ncp.ssn"]`))); masked != "***-**-6789" {
		t.Fatalf("NCP SSN shown as %q", masked)
	}
	// Words beside the codes: the transaction's name, the states, the
	// amount with its period.
	if tx := get("transaction", chromedp.Text(css(`#tx-words`))); !strings.Contains(tx, "ENF R GSADD") || len(tx) < len("ENF R GSADD")+10 {
		t.Fatalf("transaction shown as %q", tx)
	}
	page := get("page text", chromedp.Text(css(`main`)))
	for _, want := range []string{"New Jersey", "New York", "$450.00 monthly", "received from NJ New Jersey"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the message page does not say %q", want)
		}
	}
	shot("detail.png")

	reason := "Verifying identity before a locate request"
	do("reveal the SSN",
		chromedp.Click(css(`span[data-field="ncp.ssn"] + details summary`)),
		chromedp.SendKeys(css(`input[data-reason="ncp.ssn"]`), reason),
		chromedp.Click(css(`button[data-reveal="ncp.ssn"]`)),
		chromedp.WaitVisible(css(`span.revealed[data-field="ncp.ssn"]`)),
	)
	if revealed := get("revealed", chromedp.Text(css(`span.revealed[data-field="ncp.ssn"]`))); revealed != "123-45-6789" {
		t.Fatalf("revealed %q", revealed)
	}
	trail := get("trail", chromedp.Text(css(`#trail`)))
	if !strings.Contains(trail, "casey") || !strings.Contains(trail, "reveal") || !strings.Contains(trail, "ncp.ssn") {
		t.Fatalf("audit trail on the page: %q", trail)
	}
	shot("detail-revealed.png")
	recs, err := e.store.AuditEntries(context.Background(), 0, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit entries %v %v", recs, err)
	}
	var d map[string]any
	_ = json.Unmarshal(recs[0].Details, &d)
	if recs[0].Actor != "casey" || recs[0].Action != "reveal" || d["field"] != "ncp.ssn" || d["reason"] != reason {
		t.Fatalf("audit entry %+v %s", recs[0], recs[0].Details)
	}

	// The reveal redirected to the page (post-redirect-get): a reload asks
	// nothing again and shows the value masked: it was shown once.
	if loc := get("loc after reveal", chromedp.Location()); !strings.Contains(loc, "?shown=") {
		t.Fatalf("after the reveal the browser is at %s", loc)
	}
	do("reload the revealed page", chromedp.Reload(), chromedp.WaitVisible(css(`#reveal-gone`)))
	if masked := get("masked on reload", chromedp.Text(css(`span[data-field="ncp.ssn"]`))); masked != "***-**-6789" {
		t.Fatalf("after a reload the SSN shows as %q", masked)
	}
	msgPath := strings.TrimSuffix(get("loc", chromedp.Evaluate[string](`location.pathname`)), "/reveal")
	do("reload", chromedp.Navigate(e.srv.URL+msgPath),
		chromedp.WaitVisible(css(`#participants`)))
	if masked := get("masked again", chromedp.Text(css(`span[data-field="ncp.ssn"]`))); masked != "***-**-6789" {
		t.Fatalf("after reload the SSN shows as %q", masked)
	}

	// Export New Jersey's messages (the partner typed in lower case) as the
	// page's link does (the browser's fetch carries the session); SSNs never
	// appear in it.
	do("filter by partner", chromedp.Navigate(e.srv.URL+"/?partner=nj"), chromedp.WaitVisible(css(`#export-csv`)))
	if mc := get("match count", chromedp.Text(css(`#match-count`))); !strings.HasPrefix(mc, "5 messages match") {
		t.Fatalf("partner nj: %q", mc)
	}
	csvText := get("export", chromedp.Evaluate[string](
		`fetch(document.getElementById("export-csv").href, {credentials: "same-origin"}).then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	if !strings.Contains(csvText, "transaction code") || !strings.Contains(csvText, "NJ-B0002") ||
		!strings.Contains(csvText, "New Jersey") || strings.Contains(csvText, "PA-B0001") ||
		strings.Contains(csvText, "123456789") || strings.Contains(csvText, "123-45-6789") {
		t.Fatalf("queue export:\n%s", csvText)
	}

	do("read a refusal",
		chromedp.Click(css(`nav a[href="/refusals"]`)),
		chromedp.WaitVisible(css(`#refusals`)),
	)
	refusals := get("refusals", chromedp.Text(css(`#refusals`)))
	if !strings.Contains(refusals, "breaks the rules") || !strings.Contains(refusals, "orders[0].frequency") || !strings.Contains(refusals, "PA-B0404") {
		t.Fatalf("refusals view: %q", refusals)
	}
	if total := get("refusal total", chromedp.Text(css(`#refusal-total`))); total != "1" {
		t.Fatalf("refusal total %q", total)
	}
	shot("refusals.png")

	do("a determination needs a supervisor",
		chromedp.Navigate(e.srv.URL+idPath("/messages/%d", review)),
		chromedp.WaitVisible(css(`#needs-supervisor-`+strconv.FormatInt(reviewItem, 10))),
	)
	if n := count(`button[id^="confirm-"]`); n != 0 {
		t.Fatal("a caseworker is offered the supervisor's confirmation")
	}

	do("filter dead letters",
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(css(`#status-filter`)),
		chromedp.SetValue(css(`#status-filter`), "dead_letter"),
		chromedp.Click(css(`#apply-filter`)),
		chromedp.WaitReady(css(`#status-filter option[value="dead_letter"][selected]`)),
	)
	// The filtered page (the selected option above is only on it) may still
	// be loading: count the rows once its load event has fired (and give up
	// after ten seconds).
	nrows := -1
	lctx, lcancel := context.WithTimeout(ctx, 10*time.Second)
	if n, err := chromedp.Run(lctx, chromedp.Evaluate[int](`new Promise(done => {
		const count = () => done(document.querySelectorAll("#queue tbody tr").length);
		if (document.readyState === "complete") count(); else addEventListener("load", count);
	})`, chromedp.EvalAwaitPromise)); err == nil {
		nrows = n
	}
	lcancel()
	do("claim the dead letter",
		chromedp.Click(css(`#queue tbody a[href^="/messages/"]`)),
		chromedp.WaitVisible(css(`#claim-it`)),
		chromedp.Click(css(`#claim-it`)),
		chromedp.WaitVisible(css(`#release`)),
	)
	do("reprocess the dead letter",
		chromedp.WaitVisible(css(`#act-reprocess`)),
		chromedp.SendKeys(css(`form[action$="/reprocess"] input[name="note"]`), "partner endpoint fixed"),
		chromedp.Click(css(`#act-reprocess`)),
		// The outcome line shows only on the page the reprocess leads to (the
		// claim before it left a notice of its own).
		chromedp.WaitVisible(css(`#outcome`)),
	)
	status := get("status", chromedp.Text(css(`#status`)))
	loc := get("location", chromedp.Location())
	shot("detail-reprocessed.png")
	if nrows != 1 {
		t.Fatalf("dead-letter filter shows %d rows", nrows)
	}
	if status != "queued" || !strings.Contains(loc, idPath("/messages/%d", dead)) {
		t.Fatalf("after reprocess: status %q at %s", status, loc)
	}
	m, err := e.store.GetMessage(context.Background(), dead)
	if err != nil || m.Status != "queued" {
		t.Fatalf("stored status %s %v", m.Status, err)
	}
	if h := get("reprocess help", chromedp.Text(css(`#outcome`))); !strings.Contains(h, "under way") {
		t.Fatalf("outcome line while queued: %q", h)
	}
	// The partner is still down: the courier fails again, and the page says
	// so without a reload.
	if _, err := e.store.ClaimOutbox(context.Background(), "courier-test", 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := e.store.MarkDeadLetter(context.Background(), dead, "partner endpoint answered 503 five times"); err != nil {
		t.Fatal(err)
	}
	do("see the reprocess fail again", chromedp.WaitVisible(css(`#outcome[data-final="dead_letter"]`)))
	if o := get("outcome", chromedp.Text(css(`#outcome`))); !strings.Contains(o, "failed again") {
		t.Fatalf("outcome %q", o)
	}
	shot("detail-reprocess-failed-again.png")

	do("case page", chromedp.Navigate(e.srv.URL+"/cases/NJC709"), chromedp.WaitVisible(css(`#next-steps`)))
	shot("case.png")

	// Sign out, and in again as the supervisor, who confirms the
	// controlling-order determination.
	do("sign out",
		chromedp.Click(css(`form[action="/logout"] button`)),
		chromedp.WaitVisible(css(`a[href="/login"]`)),
		chromedp.Navigate(e.srv.URL+idPath("/messages/%d", review)),
		chromedp.WaitVisible(css(`#user-sam`)),
		chromedp.Click(css(`#user-sam`)),
		chromedp.WaitVisible(css(`button[id^="confirm-"]`)),
	)
	det := get("determination", chromedp.Text(css(`#determination-`+strconv.FormatInt(reviewItem, 10))))
	if !strings.Contains(det, "One order controls: order 12, docket NY-9-555 of New York, $500.00 monthly") ||
		!strings.Contains(det, "Only New York has continuing, exclusive jurisdiction.") {
		t.Fatalf("determination in words: %q", det)
	}
	shot("review.png")
	do("confirm the determination",
		chromedp.Click(css(`button[id^="confirm-"]`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	if st := get("status after confirm", chromedp.Text(css(`#status`))); st != "processed" {
		t.Fatalf("after confirming, the message is %q", st)
	}
	do("audit page", chromedp.Navigate(e.srv.URL+"/audit"), chromedp.WaitVisible(css(`#verify`)))
	// Five entries: the reveal, the queue export, the claim, the reprocess
	// and the confirmation.
	if v := get("verify", chromedp.Text(css(`#verify`))); !strings.Contains(v, "Chain verified: 5 entries") {
		t.Fatalf("audit verification: %q", v)
	}
	dialogMu.Lock()
	questions := strings.Join(asked, " | ")
	dialogMu.Unlock()
	if !strings.Contains(questions, "Confirm this determination") {
		t.Fatalf("questions asked before acting: %q", questions)
	}
	do("filter the audit log by person",
		chromedp.SendKeys(css(`input[name="actor"]`), "casey"),
		chromedp.Click(css(`#apply-audit-filter`)),
		chromedp.WaitVisible(css(`input[name="actor"][value="casey"]`)),
	)
	if n := count(`#audit tbody tr`); n != 4 {
		t.Fatalf("casey's audit entries: %d rows", n)
	}
	if n := count(`#audit tbody a[href^="/messages/"]`); n != 3 {
		t.Fatalf("audit targets linked: %d", n)
	}
	shot("audit.png")
}

func strconvQuote(s string) string { return strconv.Quote(s) }
