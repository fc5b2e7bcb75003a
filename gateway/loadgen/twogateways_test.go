package loadgen_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/loadgen"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// TestTwoGatewaysEndToEnd measures the whole path between two gateways: New
// Jersey's gateway takes messages from its caseworkers (Server.Send: validate,
// encode, outbox) and its sender pushes them over mTLS + JWS to New York's,
// which stores them. Latency is from Send to the row NY stored. It is a
// measurement, not a CI check: it runs only with UIFSAGW_PERF=1, at
// UIFSAGW_PERF_RATE msgs/s (default 200) for UIFSAGW_PERF_SECONDS (default 20).
func TestTwoGatewaysEndToEnd(t *testing.T) {
	if os.Getenv("UIFSAGW_PERF") != "1" {
		t.Skip("measurement; set UIFSAGW_PERF=1")
	}
	rate, seconds := envInt("UIFSAGW_PERF_RATE", 200), envInt("UIFSAGW_PERF_SECONDS", 20)
	ctx := context.Background()
	nyURL, njURL := pgtest.NewDB(t), pgtest.NewDB(t)
	nyLay := gatewaytest.Prepare(t, gatewaytest.Options{StateFIPS: "36", Partners: []devenv.SamplePartner{}})
	njLay := gatewaytest.Prepare(t, gatewaytest.Options{StateFIPS: "34", Partners: []devenv.SamplePartner{}})
	nyLis, njLis := gatewaytest.Listen(t), gatewaytest.Listen(t)
	gatewaytest.Peer(t, nyLay, "nj", njLay, "34", njLis.PartnerURL(), partners.DeliverPush)
	gatewaytest.Peer(t, njLay, "ny", nyLay, "36", nyLis.PartnerURL(), partners.DeliverPush)
	// NY's default limit for a partner is 200/s; a measurement at that rate
	// must not be shaped by it.
	d, err := partners.Load(nyLay.PartnersDir())
	if err != nil {
		t.Fatal(err)
	}
	pt, _ := d.Get("nj")
	pt.Rate = partners.RateLimit{PerSecond: 10000, Burst: 10000}
	b, err := partners.Marshal(pt)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nyLay.PartnersDir(), "nj.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	gatewaytest.Start(t, nyLay, nyLis, gatewaytest.Options{DatabaseURL: nyURL})
	nj := gatewaytest.Start(t, njLay, njLis, gatewaytest.Options{StateFIPS: "34", DatabaseURL: njURL})

	gen := loadgen.Generator{RunID: "e2e" + time.Now().Format("150405"), ReceiverFIPS: "3600000", Date: canonical.DateOf(time.Now()), Federal: true}
	n := rate * seconds
	var (
		mu   sync.Mutex
		sent = make(map[string]time.Time, n)
		wg   sync.WaitGroup
	)
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	// Caseworkers send independently: each Send runs on its own, on schedule.
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d) // the requested rate's schedule, not a wait for a state
		}
		wg.Go(func() {
			tx := gen.Transaction("3400000", "NJ", i)
			mu.Lock()
			sent[tx.Header.MessageID] = time.Now()
			mu.Unlock()
			if _, err := nj.Server.Send(ctx, "load", "ny", tx); err != nil {
				t.Errorf("Send %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	sendSecs := time.Since(start).Seconds()

	c, err := pgx.Connect(ctx, nyURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	// NY's intake notifies on every commit of received messages: listen
	// first, then count, so no commit between the two goes unnoticed.
	if _, err := c.Exec(ctx, "LISTEN "+exchange.ChannelReceived); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		var got int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM messages WHERE direction = 'in' AND partner = 'nj'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got == n {
			break
		}
		if _, err := c.WaitForNotification(wctx); err != nil {
			t.Fatalf("NY stored %d of %d messages (%v)", got, n, err)
		}
	}
	rows, err := c.Query(ctx, `SELECT sender_message_id, created_at FROM messages WHERE direction = 'in' AND partner = 'nj'`)
	if err != nil {
		t.Fatal(err)
	}
	var lat []time.Duration
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		s, ok := sent[id]
		if !ok {
			t.Fatalf("NY stored %s, which was not sent", id)
		}
		lat = append(lat, at.Sub(s))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	l := loadgen.Summarize(lat)
	t.Logf("two gateways: %d messages at %d msgs/s requested (%.1f achieved by the sender loop); send→stored at NY ms: p50 %.1f p95 %.1f p99 %.1f max %.1f",
		n, rate, float64(n)/sendSecs, l.P50, l.P95, l.P99, l.Max)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
