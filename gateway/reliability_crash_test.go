package gateway_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/pgserver"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/transforms"
)

// crashPlan sizes one crash run.
type crashPlan struct {
	clients int
	kills   int
	// minUp and maxUp bound the random number of partner posts the gateway
	// acknowledges between kills (counts, not durations: traffic, not time,
	// is what a kill must interrupt); lastUp is the count the last
	// incarnation acknowledges before the load stops.
	minUp, maxUp, lastUp uint64
	// outboundEvery is how often the test enqueues a message to the push partner.
	outboundEvery time.Duration
	// settle bounds how long after the last restart the backlog may take to
	// be processed and delivered; it grows with the load the plan generates.
	settle time.Duration
}

// TestCrash kills `uifsagw serve` with SIGKILL three times while partners
// post continuously and outbound messages are being pushed, restarting it
// each time. Receipts must mean durability: every receipted message is in the
// database exactly once, none is stuck, and every outbound message reaches
// the push partner (at least once on the wire, exactly once in effect).
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gateway binary")
	}
	runCrash(t, crashPlan{clients: 4, kills: 3, minUp: 200, maxUp: 400, lastUp: 130, outboundEvery: 100 * time.Millisecond, settle: 30 * time.Second})
}

// TestCrashLong is the long form: more clients, twenty kills. Run it with
//
//	UIFSAGW_CHAOS_LONG=1 go test ./gateway -run TestCrashLong -v -timeout 30m
func TestCrashLong(t *testing.T) {
	if os.Getenv("UIFSAGW_CHAOS_LONG") != "1" {
		t.Skip("set UIFSAGW_CHAOS_LONG=1 to run the long crash test")
	}
	runCrash(t, crashPlan{clients: 8, kills: 20, minUp: 250, maxUp: 2000, lastUp: 260, outboundEvery: 50 * time.Millisecond, settle: 2 * time.Minute})
}

func runCrash(t *testing.T, plan crashPlan) {
	bin := gatewayBinary(t)
	ctx := context.Background()
	dir := searchableTempDir(t)

	pg, err := pgserver.Start(ctx, pgserver.Options{Dir: filepath.Join(dir, "pg"), FastInit: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	dbURL := pg.URLFor("postgres")
	if err := exchange.MigrateURL(ctx, dbURL); err != nil {
		t.Fatal(err)
	}

	rv := listenReceiver(t)
	samples := slices.Clone(devenv.Samples)
	for i := range samples {
		if samples[i].ID == "nj" {
			samples[i].Endpoint = rv.URL()
		}
	}
	staffAddr, partnerAddr := freeAddr(t), freeAddr(t)
	l, _, err := devenv.Prepare(filepath.Join(dir, "gw"), devenv.Options{StateFIPS: "36", Name: "crash-ny",
		PartnerListen: partnerAddr, StaffListen: staffAddr, DatabaseURL: dbURL, Partners: samples})
	if err != nil {
		t.Fatal(err)
	}
	_, _, njJWK := l.Client("nj")
	rv.serve(t, clientPair(t, l, "nj"), njJWK, l.GatewayJWKS())

	env := []string{"UIFSAGW_DATABASE_URL=" + dbURL, "UIFSAGW_WORKERS_LEASE=2s", "UIFSAGW_WORKERS_POLL_INTERVAL=200ms",
		"UIFSAGW_WORKERS_SEND_TIMEOUT=3s", "UIFSAGW_LOG_LEVEL=warn"}
	proc := &gatewayProcess{t: t, bin: bin, config: l.Config(), env: env, staffURL: "http://" + staffAddr,
		logPath: filepath.Join(dir, "gateway.log")}
	proc.start()
	t.Cleanup(proc.stop)

	cfg, err := gateway.LoadConfig(l.Config(), env)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := gateway.LoadPIIKeys(cfg.PII)
	if err != nil {
		t.Fatal(err)
	}
	store, err := exchange.Open(ctx, dbURL, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	pool := store.Pool()

	// Partners post until told to stop; each message is retried with the same
	// id and bytes until a verified receipt comes back.
	var (
		mu        sync.Mutex
		receipts  = map[string]string{} // message id -> receipt id
		sent      atomic.Int64
		attempts  atomic.Int64
		conflicts atomic.Int64
		// acked counts the posts the gateway acknowledged (receipt or
		// duplicate), refused those that failed; the kill loop waits on them.
		acked, refused service.Counter
	)
	stopPosting := make(chan struct{})
	var clients sync.WaitGroup
	for c := range plan.clients {
		cl := partnerClient(t, l, "nj", "https://"+partnerAddr)
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := 0; ; i++ {
				select {
				case <-stopPosting:
					return
				default:
				}
				id := fmt.Sprintf("CR%d-%d-%d", c, i, time.Now().UnixNano()%1e9)
				tx := devenv.SampleEST(id, today())
				tx.Header.SenderCaseID = fmt.Sprintf("NJ%02d%08d", c, i)
				body, err := transforms.Encode(tx, "xml-transaction/1")
				if err != nil {
					t.Error(err)
					return
				}
				sent.Add(1)
				for {
					attempts.Add(1)
					pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					res, err := cl.Post(pctx, body, "application/xml", id)
					cancel()
					if err == nil && (res.Status == http.StatusAccepted || res.Status == http.StatusOK) {
						mu.Lock()
						receipts[id] = res.Receipt.ID
						mu.Unlock()
						acked.Add()
						break
					}
					if err == nil && res.Status == http.StatusConflict {
						conflicts.Add(1)
						acked.Add()
						break
					}
					refused.Add()
					// A partner's retry pacing, not a wait for a state.
					select {
					case <-stopPosting:
						return
					case <-time.After(100 * time.Millisecond):
					}
				}
			}
		}()
	}

	// Outbound messages to the push partner, enqueued as casework would.
	var outIDs []string
	stopOut := make(chan struct{})
	outDone := make(chan struct{})
	go func() {
		defer close(outDone)
		for i := 0; ; i++ {
			select {
			case <-stopOut:
				return
			case <-time.After(plan.outboundEvery):
			}
			id := fmt.Sprintf("NYOUT-%d-%d", i, time.Now().UnixNano()%1e9)
			tx := devenv.SampleEST(id, today())
			tx.Header.SenderFIPS, tx.Header.ReceiverFIPS = "3600000", "3400000"
			tx.Header.SenderCaseID = fmt.Sprintf("NY%010d", i)
			raw, err := transforms.Encode(tx, "xml-transaction/1")
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := store.EnqueueOutbound(ctx, pool, exchange.Outbound{Partner: "nj", MessageID: id,
				Format: "xml-transaction/1", ContentType: "application/xml", Raw: raw, Tx: tx}); err != nil {
				t.Errorf("enqueue %s: %v", id, err)
				return
			}
			outIDs = append(outIDs, id)
		}
	}()

	// waitCount bounds a wait on the partners' counters; only a gateway that
	// stopped answering makes it fail.
	waitCount := func(what string, c *service.Counter, n uint64) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := c.WaitFor(wctx, n); err != nil {
			t.Fatalf("%s: %d of %d (%v); log:\n%s", what, c.Load(), n, err, proc.logTail())
		}
	}
	for k := range plan.kills {
		up := plan.minUp + rand.N(plan.maxUp-plan.minUp)
		waitCount("posts acknowledged before a kill", &acked, acked.Load()+up)
		proc.kill()
		t.Logf("kill %d after %d more posts acknowledged", k+1, up)
		// Down until a partner has found it so.
		waitCount("posts refused while down", &refused, refused.Load()+1)
		proc.start()
	}
	restarted := time.Now()
	waitCount("posts acknowledged by the last incarnation", &acked, acked.Load()+plan.lastUp)
	close(stopOut)
	<-outDone
	close(stopPosting)
	clients.Wait()

	mu.Lock()
	held := make(map[string]string, len(receipts))
	for k, v := range receipts {
		held[k] = v
	}
	mu.Unlock()

	// Every receipt names a committed row, exactly once, with that receipt.
	lost, doubled := 0, 0
	for id, rid := range held {
		var n int
		var stored string
		err := pool.QueryRow(ctx, `SELECT count(*), coalesce(max(r.receipt_id), '')
			FROM messages m LEFT JOIN receipts r ON r.message_id = m.id AND r.kind = 'issued'
			WHERE m.partner = 'nj' AND m.direction = 'in' AND m.sender_message_id = $1`, id).Scan(&n, &stored)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case n == 0:
			lost++
			t.Errorf("receipted message %s is not in the database", id)
		case n > 1:
			doubled++
			t.Errorf("message %s stored %d times", id, n)
		case stored != rid:
			t.Errorf("message %s: client holds receipt %s, database issued %s", id, rid, stored)
		}
	}

	// Nothing stays claimed by a dead process: everything inbound is decided.
	stuckBound := plan.settle
	var stuck int
	settled := eventually(stuckBound, func() bool {
		stuck = countPool(t, pool, `SELECT count(*) FROM messages WHERE direction = 'in' AND status IN ('received', 'processing')`)
		return stuck == 0
	})
	if !settled {
		t.Errorf("%d inbound messages still received/processing %v after the last restart", stuck, stuckBound)
	}
	settledIn := time.Since(restarted)

	// Outbound: everything for the push partner is delivered and the partner
	// has each message; repeats on the wire are absorbed by its idempotency.
	var undelivered int
	if !eventually(stuckBound, func() bool {
		undelivered = countPool(t, pool, `SELECT count(*) FROM messages WHERE direction = 'out' AND partner = 'nj' AND status <> 'delivered'`)
		return undelivered == 0
	}) {
		t.Errorf("%d outbound messages to nj not delivered", undelivered)
	}
	seen := rv.seen()
	outLost, wireRepeats := 0, 0
	rows, err := pool.Query(ctx, `SELECT sender_message_id FROM messages WHERE direction = 'out' AND partner = 'nj'`)
	if err != nil {
		t.Fatal(err)
	}
	dbOut := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		dbOut[id] = true
		if seen[id] == 0 {
			outLost++
			t.Errorf("outbound %s never reached the partner", id)
		}
		wireRepeats += max(seen[id]-1, 0)
	}
	rows.Close()
	for _, id := range outIDs {
		if !dbOut[id] {
			t.Errorf("enqueued %s missing from the database", id)
		}
	}
	for id := range seen {
		if !dbOut[id] {
			t.Errorf("partner received %s, which the gateway never queued", id)
		}
	}
	if bad := rv.badSignatures(); len(bad) > 0 {
		t.Errorf("partner got %d posts with bad signatures: %v", len(bad), bad[0])
	}
	if n := conflicts.Load(); n > 0 {
		t.Errorf("%d retries of identical bytes were refused as conflicts", n)
	}
	if int64(len(held))+conflicts.Load() != sent.Load() {
		t.Errorf("sent %d, receipts %d", sent.Load(), len(held))
	}
	t.Logf("inbound: sent %d, post attempts %d, kills %d, receipts held %d, lost %d, doubled %d, settled %v after the last restart",
		sent.Load(), attempts.Load(), plan.kills, len(held), lost, doubled, settledIn.Round(100*time.Millisecond))
	t.Logf("outbound: enqueued %d (plus %d answers from casework), delivered to partner %d, lost %d, repeated on the wire %d (absorbed by receipt idempotency)",
		len(outIDs), len(dbOut)-len(outIDs), len(seen), outLost, wireRepeats)
}

func countPool(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	return count(t, pool, sql, args...)
}
