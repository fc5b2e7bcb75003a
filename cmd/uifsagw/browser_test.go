package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/devenv"
)

const chromium = "/usr/bin/chromium"

// readmeWalk returns the commands of the README's first walk, as a newcomer
// would paste them (`go run ./cmd/uifsagw` stands for the built binary).
func readmeWalk(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "### A first walk")
	j := strings.Index(s[i:], "Then open")
	if i < 0 || j < 0 {
		t.Fatal("README has no first walk")
	}
	var cmds [][]string
	for _, line := range strings.Split(s[i:i+j], "\n") {
		if !strings.HasPrefix(line, "go run ./cmd/uifsagw ") {
			continue
		}
		if k := strings.Index(line, "#"); k >= 0 {
			line = line[:k]
		}
		cmds = append(cmds, strings.Fields(line)[3:])
	}
	if len(cmds) < 5 {
		t.Fatalf("README walk has %d commands", len(cmds))
	}
	return cmds
}

// TestNewcomerWalkInBrowser is the newcomer's first ten minutes: `dev` in a
// checkout inside a private folder (as root, under /root, which the postgres
// user cannot reach), on non-default ports, then the README's commands exactly, then the
// staff UI in Chromium: the request that met an existing order, the answer
// delivered to the sample New Jersey gateway with its receipt, a supervisor
// confirming the controlling order, the IWO acknowledged by the employer, and
// no dead letter in either gateway.
func TestNewcomerWalkInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("chromium not installed at " + chromium)
	}
	// As root, the checkout is where a newcomer's is: under /root (0700).
	private := t.TempDir()
	if os.Geteuid() == 0 {
		d, err := os.MkdirTemp("/root", "uifsagw-walk-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		private = d
	}
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(private, "checkout")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	r := startDevIn(t, work)
	if os.Geteuid() == 0 {
		t.Cleanup(func() { os.RemoveAll(r.pgDir) })
	}
	defer r.stop(t)
	if strings.HasSuffix(r.partner, ":8443") || strings.HasSuffix(r.staff, ":8080") {
		t.Fatalf("dev on default ports: %s %s", r.partner, r.staff)
	}
	waitUntil(t, "/readyz 200", 60*time.Second, func() bool {
		resp, err := http.Get(r.staff + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	byStatus := func(dir, partner, status string) []apiMessage {
		var out []apiMessage
		for _, m := range r.messages(t) {
			if m.Direction == dir && (partner == "" || m.Partner == partner) && (status == "" || m.Status == status) {
				out = append(out, m)
			}
		}
		return out
	}
	settled := func() int {
		return len(byStatus("in", "", "processed")) + len(byStatus("in", "", "needs_review"))
	}
	sent := 0
	for _, args := range readmeWalk(t) {
		if args[0] == "inbox" {
			// The employer looks once the IWO is waiting for it.
			waitUntil(t, "IWO in Acme's inbox", 30*time.Second, func() bool { return len(byStatus("out", "acme", "awaiting_pickup")) == 1 })
		}
		out, code := run(t, work, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, out)
		}
		if args[0] == "send" {
			if !strings.Contains(out, `"verified": true`) || !strings.Contains(out, `"status": 202`) {
				t.Fatalf("%v:\n%s", args, out)
			}
			// A caseworker's partners do not send within the same millisecond:
			// each message is decided before the next arrives.
			sent++
			waitUntil(t, fmt.Sprintf("message %d decided", sent), 30*time.Second, func() bool { return settled() == sent })
		}
		if args[0] == "inbox" && !strings.Contains(out, "acknowledged IWO") {
			t.Fatalf("inbox did not acknowledge the IWO:\n%s", out)
		}
	}
	review := byStatus("in", "nj", "needs_review")
	if len(review) != 2 {
		t.Fatalf("%d messages from New Jersey in review; want the EST request and the competing order", len(review))
	}
	// Newest first: the competing order, then the EST request.
	competing, est := review[0], review[1]
	if est.Function != "EST" || competing.Function != "ENF" {
		t.Fatalf("review items: %+v", review)
	}
	waitUntil(t, "answer to New Jersey delivered", 60*time.Second, func() bool { return len(byStatus("out", "nj", "delivered")) == 1 })
	answer := byStatus("out", "nj", "delivered")[0]

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
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
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Confirming a determination asks first (window.confirm): the
	// supervisor says yes.
	go func() {
		for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
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
	text := func(step, sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		v, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	page := func(id int64) string { return fmt.Sprintf("%s/messages/%d", r.staff, id) }

	do("sign in as Casey Caseworker",
		chromedp.Navigate(r.staff+"/"),
		chromedp.WaitVisible(css(`#user-casey`)),
		chromedp.Click(css(`#user-casey`)),
		chromedp.WaitVisible(css(`#queue`)),
	)
	if q := text("queue", `#queue tbody`); !strings.Contains(q, "needs review") {
		t.Fatalf("the queue shows nothing waiting for review:\n%s", q)
	}
	do("the request that met an existing order", chromedp.Navigate(page(est.ID)), chromedp.WaitVisible(css(`#rv-h`)))
	if rv := text("review item", `section[aria-labelledby="rv-h"]`); !strings.Contains(rv, "An order already exists") || !strings.Contains(rv, "PA-DR-2021-0107") {
		t.Fatalf("the EST request's review item does not show Pennsylvania's order:\n%s", rv)
	}
	if rp := text("responses", `section[aria-labelledby="rp-h"]`); !strings.Contains(rp, "nj") {
		t.Fatalf("the EST request shows no answer to New Jersey:\n%s", rp)
	}
	do("our answer, delivered to the sample peer", chromedp.Navigate(page(answer.ID)), chromedp.WaitVisible(css(`#rc-h`)))
	if st := text("answer status", `#status`); st != "delivered" {
		t.Fatalf("the answer to New Jersey is %q", st)
	}

	do("sign out, and in as Sam Supervisor on the competing order",
		chromedp.Click(css(`form[action="/logout"] button`)),
		chromedp.WaitVisible(css(`a[href="/login"]`)),
		chromedp.Navigate(page(competing.ID)),
		chromedp.WaitVisible(css(`#user-sam`)),
		chromedp.Click(css(`#user-sam`)),
		chromedp.WaitVisible(css(`button[id^="confirm-"]`)),
	)
	if rv := text("determination", `section[aria-labelledby="rv-h"]`); !strings.Contains(rv, "Controlling-order determination") {
		t.Fatalf("no controlling-order review on the competing order:\n%s", rv)
	}
	do("confirm which order controls",
		chromedp.Click(css(`button[id^="confirm-"]`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	if st := text("status after confirm", `#status`); st != "processed" {
		t.Fatalf("after confirming, the competing order is %q", st)
	}
	// New Jersey is told of the determination too, and its gateway signs for it.
	waitUntil(t, "determination delivered to New Jersey", 60*time.Second, func() bool {
		return len(byStatus("out", "nj", "delivered")) >= 2 && len(byStatus("out", "nj", "queued"))+len(byStatus("out", "nj", "sending")) == 0
	})

	iwo := byStatus("out", "acme", "picked_up")
	ack := byStatus("in", "acme", "processed")
	if len(iwo) != 1 || len(ack) != 1 {
		t.Fatalf("IWO picked up %d, acknowledgments processed %d; want 1 and 1", len(iwo), len(ack))
	}
	do("the IWO's acknowledgment", chromedp.Navigate(page(ack[0].ID)), chromedp.WaitVisible(css(`#status`)))
	if st := text("ack status", `#status`); st != "processed" {
		t.Fatalf("Acme's acknowledgment is %q", st)
	}

	if dl := byStatus("out", "", "dead_letter"); len(dl) != 0 {
		t.Fatalf("dead letters: %+v", dl)
	}
	// The sample peer's own database: what we pushed arrived, nothing died there.
	run, ok := devenv.Layout{Dir: filepath.Join(work, "var")}.ReadRunning()
	if !ok {
		t.Fatal("no running.yaml while dev runs")
	}
	u, err := url.Parse(run.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + devenv.PeerDatabase("nj")
	dctx, dcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer dcancel()
	conn, err := pgx.Connect(dctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(dctx)
	var got, dead int
	if err := conn.QueryRow(dctx, `SELECT count(*) FILTER (WHERE direction = 'in' AND partner = 'ny'),
		count(*) FILTER (WHERE status = 'dead_letter') FROM messages`).Scan(&got, &dead); err != nil {
		t.Fatal(err)
	}
	if got != len(byStatus("out", "nj", "delivered")) || dead != 0 {
		t.Fatalf("sample peer holds %d messages from us (we delivered %d) and %d dead letters", got, len(byStatus("out", "nj", "delivered")), dead)
	}
}
