package gateway_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Two gateway replicas share one database: a burst of withholding requests,
// half to each, is processed once and each resulting e-IWO reaches the
// employer once.
func TestTwoReplicasShareTheWork(t *testing.T) {
	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	gwKeys, err := signing.LoadKeySet(l.GatewayJWKS())
	if err != nil {
		t.Fatal(err)
	}
	emp := addPushEmployer(t, l, gwKeys)
	a := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url})
	b := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url})
	clients := []*courier.Client{a.ClientAs("pa"), b.ClientAs("pa")}
	burstProcessedOnce(t, dbPool(t, url), emp, clients, "BURST")
}

// burstProcessedOnce posts 40 withholding requests for one employee at the
// push employer, spread over clients (one per replica), and checks that each
// is processed once and each e-IWO reaches the employer once.
func burstProcessedOnce(t *testing.T, pool *pgxpool.Pool, emp *employerEndpoint, clients []*courier.Client, tag string) {
	t.Helper()
	ctx := context.Background()
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tx := enfIWO(fmt.Sprintf("PA-%s-%d-%d", tag, time.Now().UnixNano(), i), fmt.Sprintf("PA%s%03d", tag, i), "331234567",
				canonical.Cents(10000+100*i))
			res, err := clients[i%len(clients)].Post(ctx, encode(t, tx, "json-transaction/1"), "application/json", tx.Header.MessageID)
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
	// Each request was processed exactly once, by one replica.
	if dup := count(t, pool, `SELECT count(*) FROM (SELECT message_id FROM message_history WHERE to_status = 'processed'
		GROUP BY message_id HAVING count(*) > 1) x`); dup != 0 {
		t.Fatalf("%d messages processed twice", dup)
	}
	rows, err := pool.Query(ctx, `SELECT tracking_number FROM iwos`)
	if err != nil {
		t.Fatal(err)
	}
	var tracking []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		tracking = append(tracking, s)
	}
	rows.Close()
	if len(tracking) != n {
		t.Fatalf("%d IWOs for %d requests", len(tracking), n)
	}
	for _, tn := range tracking {
		if c := emp.count(tn); c != 1 {
			t.Fatalf("IWO %s reached the employer %d times", tn, c)
		}
	}
}
