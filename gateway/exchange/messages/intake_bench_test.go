package messages_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// BenchmarkReceive measures the intake transaction against PostgreSQL
// (fsync on): one caller at a time, and 32 at once with group commit off
// and on. ns/op is wall time per stored message.
func BenchmarkReceive(b *testing.B) {
	body := fmt.Sprintf(`{"pad":%q}`, make([]byte, 4000))
	for _, bc := range []struct {
		name     string
		parallel bool
		opts     []exchange.Option
	}{
		{"serial", false, nil},
		{"parallel32/group-off", true, []exchange.Option{exchange.WithGroupCommit(1, 0)}},
		{"parallel32/group-on", true, []exchange.Option{exchange.WithGroupCommit(exchange.DefaultGroupCommitBatch, exchange.DefaultGroupCommitWait)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := append(bc.opts, exchange.WithPoolConfig(func(c *pgxpool.Config) { c.MaxConns = 16 }))
			s, _ := newStore(b, opts...)
			ctx := context.Background()
			var seq atomic.Int64
			one := func() {
				id := fmt.Sprintf("B-%d", seq.Add(1))
				in := inbound("nj", sampleTx(id, "CASE", "123456789", "234567890", "345678901"), body)
				in.ReceivedAt = time.Now()
				if _, _, err := s.Receive(ctx, in, fakeSign(nil)); err != nil {
					b.Error(err)
				}
			}
			b.ReportAllocs()
			if !bc.parallel {
				for b.Loop() {
					one()
				}
				return
			}
			b.SetParallelism(16) // 32 goroutines on 2 cores
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					one()
				}
			})
			b.ReportMetric(float64(s.GroupCommitStats().Messages)/max(1, float64(s.GroupCommitStats().Batches)), "msgs/batch")
		})
	}
}
