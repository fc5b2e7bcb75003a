package loadgen_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/loadgen"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// TestLoadSmoke is the CI form of `uifsagw load`: a real gateway over mTLS
// and PostgreSQL takes a few hundred signed XML and JSON messages from eight
// concurrent partner clients; every one must be acknowledged with a receipt
// that verifies, and every one must be stored once. It asserts no timing.
func TestLoadSmoke(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url})

	const count = 300
	rep, err := loadgen.Run(ctx, loadgen.Options{
		Partners: []loadgen.Partner{
			{ID: "nj", Client: g.ClientAs("nj"), Format: "xml-transaction/1", SenderFIPS: "3400000", Prefix: "NJ"},
			{ID: "pa", Client: g.ClientAs("pa"), Format: "json-transaction/1", SenderFIPS: "4200000", Prefix: "PA"},
		},
		Concurrency: 8,
		Count:       count,
		Generator:   loadgen.Generator{RunID: "smoke", ReceiverFIPS: "3600000", Date: canonical.DateOf(time.Now())},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	if rep.Sent != count || rep.Acknowledged != count || rep.Refused != 0 || rep.Errors != 0 || rep.Repeats != 0 {
		t.Fatalf("sent %d, acknowledged %d, repeats %d, refused %d %v, errors %d %v; want all %d acknowledged with verified receipts",
			rep.Sent, rep.Acknowledged, rep.Repeats, rep.Refused, rep.RefusedBy, rep.Errors, rep.ErrorSamples, count)
	}
	if rep.Latency.P50 <= 0 || rep.Latency.Max < rep.Latency.P99 || rep.Latency.P99 < rep.Latency.P50 {
		t.Fatalf("latency summary %+v is not ordered", rep.Latency)
	}
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var msgs, receipts, partners int
	if err := c.QueryRow(ctx, `SELECT count(*), count(DISTINCT partner) FROM messages WHERE direction = 'in'`).Scan(&msgs, &partners); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctx, `SELECT count(*) FROM receipts WHERE kind = 'issued'`).Scan(&receipts); err != nil {
		t.Fatal(err)
	}
	if msgs != count || receipts != count || partners != 2 {
		t.Fatalf("stored %d messages from %d partners with %d receipts; want %d from 2", msgs, partners, receipts, count)
	}
}

// TestSummarize checks the nearest-rank percentiles on a known set.
func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := loadgen.Summarize(ds)
	want := loadgen.Latency{P50: 50, P95: 95, P99: 99, Max: 100, Mean: 50.5}
	if got != want {
		t.Fatalf("Summarize = %+v; want %+v", got, want)
	}
	if got := loadgen.Summarize(nil); got != (loadgen.Latency{}) {
		t.Fatalf("Summarize(nil) = %+v", got)
	}
}
