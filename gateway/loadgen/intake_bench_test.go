package loadgen_test

import (
	"context"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/loadgen"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// BenchmarkIntakeEndToEnd posts b.N signed messages from 16 partner clients
// through a whole in-process gateway (mTLS, JWS, decode, validate, store,
// receipt) and the casework workers behind it. Client and gateway share the
// process, so use it with -cpuprofile to see where intake spends its time,
// not as the throughput figure (`uifsagw load` against a separate process is).
func BenchmarkIntakeEndToEnd(b *testing.B) {
	url := pgtest.NewDB(b)
	l := gatewaytest.Prepare(b, gatewaytest.Options{})
	g := gatewaytest.Start(b, l, gatewaytest.Listen(b), gatewaytest.Options{DatabaseURL: url})
	ps := []loadgen.Partner{
		{ID: "nj", Client: g.ClientAs("nj"), Format: "xml-transaction/1", SenderFIPS: "3400000", Prefix: "NJ"},
		{ID: "pa", Client: g.ClientAs("pa"), Format: "json-transaction/1", SenderFIPS: "4200000", Prefix: "PA"},
	}
	b.ResetTimer()
	rep, err := loadgen.Run(context.Background(), loadgen.Options{Partners: ps, Concurrency: 16, Count: b.N,
		Generator: loadgen.Generator{RunID: "bench" + time.Now().Format("150405.000"), ReceiverFIPS: "3600000", Date: canonical.DateOf(time.Now())}})
	if err != nil {
		b.Fatal(err)
	}
	if rep.Errors > 0 || rep.Refused > 0 {
		b.Fatalf("%d errors %v, %d refused %v", rep.Errors, rep.ErrorSamples, rep.Refused, rep.RefusedBy)
	}
	b.ReportMetric(rep.MsgsPerSec, "msgs/s")
	b.ReportMetric(rep.Latency.P99, "p99-ms")
}
