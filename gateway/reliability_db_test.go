package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgserver"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/transforms"
)

// TestDatabaseRestart stops PostgreSQL under load and starts it again. While
// it is down the gateway must answer 503 unavailable and never a receipt, and
// /readyz must say not ready; once it is back the gateway must recover by
// itself, and every message it gave a receipt for must be stored once.
func TestDatabaseRestart(t *testing.T) {
	ctx := context.Background()
	dir := searchableTempDir(t)
	pgOpts := pgserver.Options{Dir: filepath.Join(dir, "pg"), FastInit: true}
	pg, err := pgserver.Start(ctx, pgOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	url := pg.URLFor("postgres")
	if err := exchange.MigrateURL(ctx, url); err != nil {
		t.Fatal(err)
	}
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url,
		Configure: func(c *gateway.Config) { c.Workers.Lease = 2 * time.Second }})
	pool := dbPool(t, url)

	readyz := func() int {
		resp, err := http.Get(g.StaffURL() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := readyz(); st != http.StatusOK {
		t.Fatalf("readyz before the outage: %d", st)
	}

	var (
		mu          sync.Mutex
		receipts    = map[string]string{}
		otherErrors atomic.Int64
		sent        atomic.Int64
		// acked counts receipts, unavailable the 503 answers; the test waits
		// on them instead of letting the load run for a while.
		acked, unavailable service.Counter
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 3 {
		cl := g.ClientAs("nj")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("DB%d-%d-%d", c, i, time.Now().UnixNano()%1e9)
				body, err := transforms.Encode(devenv.SampleEST(id, today()), "xml-transaction/1")
				if err != nil {
					t.Error(err)
					return
				}
				sent.Add(1)
				for {
					pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					res, err := cl.Post(pctx, body, "application/xml", id)
					cancel()
					if err == nil && (res.Status == http.StatusAccepted || res.Status == http.StatusOK) {
						mu.Lock()
						receipts[id] = res.Receipt.ID
						mu.Unlock()
						acked.Add()
						break
					}
					switch {
					case err == nil && res.Status == http.StatusServiceUnavailable && res.Error != nil && res.Error.Code == "unavailable":
						unavailable.Add()
					default:
						otherErrors.Add(1)
						t.Errorf("post %s: status %d err %v %s", id, res.Status, err, res.Body)
						return
					}
					// A partner's retry pacing, not a wait for a state.
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
				}
			}
		}()
	}

	// waitCount bounds a wait on the load's counters; only a gateway that
	// stopped answering makes it fail.
	waitCount := func(what string, c *service.Counter, n uint64) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := c.WaitFor(wctx, n); err != nil {
			t.Fatalf("%s: %d of %d (%v)", what, c.Load(), n, err)
		}
	}
	waitCount("receipts before the outage", &acked, 100)
	if err := pg.Stop(); err != nil {
		t.Fatalf("stop postgres: %v", err)
	}

	// While the database is down: probes get 503 unavailable, no receipt, and
	// readiness fails.
	probe := g.ClientAs("nj")
	// The outage lasts until ten probes and, between them, the load's own
	// 503 answers have seen it.
	probes := 0
	for probes < 10 {
		id := gatewaytest.MustMessageID("DOWN")
		res, err := probe.Post(ctx, encode(t, devenv.SampleEST(id, today()), "xml-transaction/1"), "application/xml", id)
		if err != nil {
			t.Fatalf("probe while down: %v", err)
		}
		if res.Status != http.StatusServiceUnavailable || res.Error == nil || res.Error.Code != "unavailable" || res.ReceiptJWS != "" {
			t.Fatalf("probe while down: status %d %+v receipt %q", res.Status, res.Error, res.ReceiptJWS)
		}
		if st := readyz(); st != http.StatusServiceUnavailable {
			t.Fatalf("readyz while the database is down: %d", st)
		}
		probes++
		waitCount("503 answers to the load while down", &unavailable, unavailable.Load()+1)
	}

	pg, err = pgserver.Start(ctx, pgOpts)
	if err != nil {
		t.Fatalf("restart postgres: %v", err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	upAt := time.Now()
	if !eventually(30*time.Second, func() bool { return readyz() == http.StatusOK }) {
		t.Fatal("the gateway did not become ready again within 30s of the database's return")
	}
	readyAfter := time.Since(upAt)
	id := gatewaytest.MustMessageID("BACK")
	res, err := probe.Post(ctx, encode(t, devenv.SampleEST(id, today()), "xml-transaction/1"), "application/xml", id)
	if err != nil || res.Status != http.StatusAccepted {
		t.Fatalf("first post after the outage: %d %v %s", res.Status, err, res.Body)
	}
	waitCount("receipts from the recovered gateway", &acked, acked.Load()+100)
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	lost := 0
	for id, rid := range receipts {
		var n int
		var stored string
		if err := pool.QueryRow(ctx, `SELECT count(*), coalesce(max(r.receipt_id), '')
			FROM messages m LEFT JOIN receipts r ON r.message_id = m.id AND r.kind = 'issued'
			WHERE m.partner = 'nj' AND m.direction = 'in' AND m.sender_message_id = $1`, id).Scan(&n, &stored); err != nil {
			t.Fatal(err)
		}
		if n != 1 || stored != rid {
			lost++
			t.Errorf("receipted %s: %d rows, receipt %q vs held %q", id, n, stored, rid)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM messages WHERE sender_message_id LIKE 'DOWN-%'`); n != 0 {
		t.Errorf("%d messages refused during the outage were stored anyway", n)
	}
	// Workers reconnect too: everything received gets decided.
	if !eventually(30*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM messages WHERE direction = 'in' AND status IN ('received', 'processing')`) == 0
	}) {
		t.Error("messages still waiting for processing 30s after the outage")
	}
	if otherErrors.Load() != 0 {
		t.Errorf("%d answers other than a receipt or 503 unavailable", otherErrors.Load())
	}
	var statuses []string
	rows, _ := pool.Query(ctx, `SELECT status || '=' || count(*) FROM messages WHERE direction = 'in' GROUP BY status ORDER BY status`)
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		statuses = append(statuses, s)
	}
	rows.Close()
	t.Logf("sent %d, receipts %d, lost %d, 503 answers to load %d, down-probes %d (all 503), ready %v after PostgreSQL returned; inbound %s",
		sent.Load(), len(receipts), lost, unavailable.Load(), probes, readyAfter.Round(10*time.Millisecond), strings.Join(statuses, " "))
}
