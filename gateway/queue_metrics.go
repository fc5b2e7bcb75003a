package gateway

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// queueStatuses are the statuses whose age matters: work not yet done.
var queueStatuses = []string{"received", "processing", "needs_review", "queued", "sending", "awaiting_pickup", "dead_letter"}

// defaultQueueGaugeTTL is how long queue figures are reused between scrapes.
const defaultQueueGaugeTTL = 5 * time.Second

// queueGauges reports queue depth and the age of the oldest item per status.
// Both are database-wide (every replica reports the same figure), read at
// most every ttl however often Prometheus scrapes.
type queueGauges struct {
	store *exchange.Store
	ttl   time.Duration
	mu    sync.Mutex
	at    time.Time
	depth map[exchange.Status]int64
	age   map[string]float64
}

func (g *queueGauges) refresh(ctx context.Context) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if time.Since(g.at) < g.ttl {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if d, err := g.store.StatusCounts(ctx); err == nil {
		g.depth = d
	}
	if age, err := g.store.OldestAges(ctx, queueStatuses); err == nil {
		g.age = age
	}
	g.at = time.Now()
}

func (s *Server) registerQueueGauges(ttl time.Duration) {
	if ttl <= 0 {
		ttl = defaultQueueGaugeTTL
	}
	g := &queueGauges{store: s.store, ttl: ttl}
	m := s.metrics.Meter()
	depth, _ := m.Int64ObservableGauge("uifsagw.queue.depth", metric.WithDescription("Messages by status (database-wide)."))
	age, _ := m.Float64ObservableGauge("uifsagw.queue.oldest_age", metric.WithUnit("s"),
		metric.WithDescription("Age of the oldest message in a status that still needs work (database-wide)."))
	_, _ = m.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		g.refresh(ctx)
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, st := range exchange.Statuses {
			o.ObserveInt64(depth, g.depth[st], metric.WithAttributes(attribute.String("status", string(st))))
		}
		for _, st := range queueStatuses {
			o.ObserveFloat64(age, g.age[st], metric.WithAttributes(attribute.String("status", st)))
		}
		return nil
	}, depth, age)
}
