package gateway_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Two `uifsagw serve` processes on one database take a burst of withholding
// requests between them: each request is processed once and each e-IWO
// reaches the employer once.
func TestTwoServeProcessesShareTheWork(t *testing.T) {
	bin := gatewayBinary(t)
	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	gwKeys, err := signing.LoadKeySet(l.GatewayJWKS())
	if err != nil {
		t.Fatal(err)
	}
	emp := addPushEmployer(t, l, gwKeys)
	pool := dbPool(t, url)
	ctx := context.Background()

	type replica struct {
		proc    *gatewayProcess
		partner string
	}
	var replicas []replica
	for i := 0; i < 2; i++ {
		partnerAddr, staffAddr := freeAddr(t), freeAddr(t)
		env := []string{"UIFSAGW_DATABASE_URL=" + url, "UIFSAGW_PARTNER_LISTEN=" + partnerAddr, "UIFSAGW_STAFF_LISTEN=" + staffAddr,
			"UIFSAGW_WORKERS_POLL_INTERVAL=200ms", "UIFSAGW_LOG_LEVEL=warn"}
		p := &gatewayProcess{t: t, bin: bin, config: l.Config(), env: env, staffURL: "http://" + staffAddr,
			logPath: filepath.Join(t.TempDir(), fmt.Sprintf("replica%d.log", i))}
		p.start()
		t.Cleanup(p.stop)
		replicas = append(replicas, replica{proc: p, partner: "https://" + partnerAddr})
	}

	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cl := partnerClient(t, l, "pa", replicas[i%2].partner)
			tx := enfIWO(fmt.Sprintf("PA-PROC-%d-%d", time.Now().UnixNano(), i), fmt.Sprintf("PAPROC%03d", i), "331234567",
				canonical.Cents(10000+100*i))
			res, err := cl.Post(ctx, encode(t, tx, "json-transaction/1"), "application/json", tx.Header.MessageID)
			if err != nil || res.Error != nil {
				errs <- fmt.Errorf("post %d: %v %+v", i, err, res.Error)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitFor(t, "every e-IWO delivered", 60*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'delivered'`) == n
	})
	if got := count(t, pool, `SELECT count(*) FROM messages WHERE direction = 'in' AND status = 'processed'`); got != n {
		t.Fatalf("%d of %d requests processed", got, n)
	}
	if dup := count(t, pool, `SELECT count(*) FROM (SELECT message_id FROM message_history WHERE to_status = 'processed'
		GROUP BY message_id HAVING count(*) > 1) x`); dup != 0 {
		t.Fatalf("%d messages processed twice", dup)
	}
	// Both processes took part (their lease owners differ by pid).
	if owners := count(t, pool, `SELECT count(DISTINCT actor) FROM message_history WHERE to_status IN ('processing', 'sending')`); owners < 2 {
		t.Logf("only %d worker identity took work in this run", owners)
	}
	rows, err := pool.Query(ctx, `SELECT tracking_number FROM iwos`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var tn string
		_ = rows.Scan(&tn)
		if c := emp.count(tn); c != 1 {
			t.Fatalf("IWO %s reached the employer %d times", tn, c)
		}
		seen++
	}
	if seen != n {
		t.Fatalf("%d IWOs for %d requests", seen, n)
	}
}
