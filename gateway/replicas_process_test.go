package gateway_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
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

	var clients []*courier.Client
	for _, r := range replicas {
		clients = append(clients, partnerClient(t, l, "pa", r.partner))
	}
	burstProcessedOnce(t, pool, emp, clients, "PROC")
	// Both processes took part (their lease owners differ by pid).
	if owners := count(t, pool, `SELECT count(DISTINCT actor) FROM message_history WHERE to_status IN ('processing', 'sending')`); owners < 2 {
		t.Logf("only %d worker identity took work in this run", owners)
	}
}
