package gateway_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// TestPartnerFailures pushes to three failing partners at once: one answers
// after the send timeout, one answers 500, one presents a server certificate
// from a CA nobody trusts. Deliveries must retry with backoff, end in
// dead_letter with a review item after the partner's max attempts, be
// counted in uifsagw_delivery_dead_letters_total, and open the circuit
// breaker of the partner that failed five times in a row. When that partner
// recovers, everything queued for it since arrives exactly once.
func TestPartnerFailures(t *testing.T) {
	ctx := context.Background()
	slow, flaky, badcert := listenReceiver(t), listenReceiver(t), listenReceiver(t)
	extra := []devenv.SamplePartner{
		{ID: "slow", Kind: partners.KindState, Name: "Connecticut (slow)", StateFIPS: "09", Format: "xml-transaction/1",
			Delivery: partners.DeliverPush, Endpoint: slow.URL()},
		{ID: "flaky", Kind: partners.KindState, Name: "Delaware (500s)", StateFIPS: "10", Format: "xml-transaction/1",
			Delivery: partners.DeliverPush, Endpoint: flaky.URL()},
		{ID: "badcert", Kind: partners.KindState, Name: "District of Columbia (wrong certificate)", StateFIPS: "11",
			Format: "xml-transaction/1", Delivery: partners.DeliverPush, Endpoint: badcert.URL()},
	}
	l := gatewaytest.Prepare(t, gatewaytest.Options{Partners: append(slices.Clone(devenv.Samples), extra...)})
	retry := map[string]partners.RetryPolicy{
		"slow":    {MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 500 * time.Millisecond},
		"flaky":   {MaxAttempts: 5, BaseDelay: 200 * time.Millisecond, MaxDelay: time.Second},
		"badcert": {MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 500 * time.Millisecond},
	}
	for id, rp := range retry {
		path := filepath.Join(l.PartnersDir(), id+".yaml")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var p partners.Partner
		if err := yaml.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		p.Retry = rp
		if b, err = partners.Marshal(&p); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, b)
	}
	_, _, slowJWK := l.Client("slow")
	_, _, flakyJWK := l.Client("flaky")
	_, _, badJWK := l.Client("badcert")
	slow.serve(t, clientPair(t, l, "slow"), slowJWK, l.GatewayJWKS())
	flaky.serve(t, clientPair(t, l, "flaky"), flakyJWK, l.GatewayJWKS())
	other, err := pki.NewCA("Untrusted CA", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	oc, ok, err := other.Issue("localhost", []string{"localhost"}, nil, pki.Usage{Server: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	badcert.serve(t, pki.TLSCertificate(oc, ok), badJWK, l.GatewayJWKS())

	sendTimeout := 300 * time.Millisecond
	slow.set("slow", 4*sendTimeout)
	flaky.set("fail", 0)

	url := pgtest.NewDB(t)
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url,
		Configure: func(c *gateway.Config) {
			c.Workers.SendTimeout = sendTimeout
			c.Workers.PollInterval = 100 * time.Millisecond
			c.Workers.Lease = 2 * time.Second
			c.Workers.BreakerCooldown = 3 * time.Second
		}})
	pool := dbPool(t, url)

	send := func(partner, fips string) string {
		t.Helper()
		id := gatewaytest.MustMessageID("NY-" + partner)
		tx := devenv.SampleEST(id, today())
		tx.Header.SenderFIPS, tx.Header.ReceiverFIPS = "3600000", canonical.FIPS(fips)
		if _, err := g.Server.Send(ctx, "test", partner, tx); err != nil {
			t.Fatalf("send to %s: %v", partner, err)
		}
		return id
	}
	start := time.Now()
	ids := map[string]string{"slow": send("slow", "0900000"), "flaky": send("flaky", "1000000"), "badcert": send("badcert", "1100000")}

	status := func(id string) (string, int) {
		var st string
		var attempts int
		if err := pool.QueryRow(ctx, `SELECT m.status, o.attempts FROM messages m JOIN outbox o ON o.message_id = m.id
			WHERE m.direction = 'out' AND m.sender_message_id = $1`, id).Scan(&st, &attempts); err != nil {
			t.Fatal(err)
		}
		return st, attempts
	}
	if !eventually(25*time.Second, func() bool {
		for _, id := range ids {
			if st, _ := status(id); st != "dead_letter" {
				return false
			}
		}
		return true
	}) {
		for p, id := range ids {
			st, n := status(id)
			t.Errorf("%s: %s after %d attempts", p, st, n)
		}
		t.FailNow()
	}
	deadAfter := time.Since(start)
	for p, id := range ids {
		_, attempts := status(id)
		if attempts != retry[p].MaxAttempts {
			t.Errorf("%s: %d attempts, want %d", p, attempts, retry[p].MaxAttempts)
		}
		if n := count(t, pool, `SELECT count(*) FROM review_items r JOIN messages m ON m.id = r.message_id
			WHERE m.sender_message_id = $1 AND r.kind = 'dead_letter'`, id); n != 1 {
			t.Errorf("%s: %d dead-letter review items", p, n)
		}
		v, found := metricValue(t, g.StaffURL(), "uifsagw_delivery_dead_letters_total", map[string]string{"partner": p})
		if !found || v != 1 {
			t.Errorf("%s: uifsagw_delivery_dead_letters_total = %v (found %v), want 1", p, v, found)
		}
	}
	// What each partner saw: the slow one every attempt (answered too late),
	// the failing one every attempt spaced by backoff, the impostor nothing
	// (the handshake fails before any byte of the message is sent).
	if n := len(slow.times(ids["slow"])); n != 3 {
		t.Errorf("slow partner saw %d posts, want 3", n)
	}
	if n := len(badcert.seen()); n != 0 {
		t.Errorf("the partner with the wrong certificate received %d messages", n)
	}
	posts := flaky.times(ids["flaky"])
	if len(posts) != 5 {
		t.Fatalf("failing partner saw %d posts, want 5", len(posts))
	}
	var gaps []time.Duration
	for i := 1; i < len(posts); i++ {
		gap := posts[i].Sub(posts[i-1])
		gaps = append(gaps, gap.Round(time.Millisecond))
		// backoff never waits less than half the base delay (jitter floor)
		if gap < retry["flaky"].BaseDelay/2 {
			t.Errorf("retry %d came %v after the previous one; backoff floor is %v", i, gap, retry["flaky"].BaseDelay/2)
		}
	}
	if v, found := metricValue(t, g.StaffURL(), "uifsagw_delivery_circuit_open", map[string]string{"partner": "flaky"}); !found || v != 1 {
		t.Errorf("circuit for flaky: %v (found %v), want 1 after five failures in a row", v, found)
	}
	if v, _ := metricValue(t, g.StaffURL(), "uifsagw_delivery_circuit_open", map[string]string{"partner": "slow"}); v != 0 {
		t.Errorf("circuit for slow: %v, want 0 after three failures", v)
	}
	if v, _ := metricValue(t, g.StaffURL(), "uifsagw_delivery_retries_total", map[string]string{"partner": "flaky"}); v != 4 {
		t.Errorf("retries for flaky: %v, want 4", v)
	}

	// The partner recovers. Messages queued meanwhile wait for the breaker's
	// cool-down, then go, each exactly once; the dead letter stays dead.
	flaky.set("ok", 0)
	recovered := time.Now()
	var later []string
	for range 3 {
		later = append(later, send("flaky", "1000000"))
	}
	if !eventually(50*time.Second, func() bool {
		for _, id := range later {
			if st, _ := status(id); st != "delivered" {
				return false
			}
		}
		return true
	}) {
		for _, id := range later {
			st, n := status(id)
			t.Errorf("%s: %s after %d attempts", id, st, n)
		}
		t.FailNow()
	}
	drained := time.Since(recovered)
	seen := flaky.seen()
	for _, id := range later {
		if seen[id] != 1 {
			t.Errorf("%s reached the recovered partner %d times, want 1", id, seen[id])
		}
	}
	if seen[ids["flaky"]] != 5 {
		t.Errorf("the dead letter was posted again (%d posts)", seen[ids["flaky"]])
	}
	if st, _ := status(ids["flaky"]); st != "dead_letter" {
		t.Errorf("dead letter now %s", st)
	}
	if v, _ := metricValue(t, g.StaffURL(), "uifsagw_delivery_circuit_open", map[string]string{"partner": "flaky"}); v != 0 {
		t.Errorf("circuit for flaky still %v after a successful delivery", v)
	}
	if bad := append(flaky.badSignatures(), slow.badSignatures()...); len(bad) > 0 {
		t.Errorf("partners got badly signed posts: %v", bad)
	}
	t.Logf("dead letters after %v; flaky retry gaps %v; recovered partner drained %d queued messages %v after recovery (breaker cool-down)",
		deadAfter.Round(10*time.Millisecond), gaps, len(later), drained.Round(10*time.Millisecond))
}
