package edge

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// Refusal records are evidence, but a caller that is refused a thousand times
// a second must not cost a thousand database writes. Each caller (a known
// partner, or all unknown callers together) has a budget of individual
// records; refusals beyond it are counted in memory per caller and code, and
// written as one record with the count when the caller's budget allows again
// or when the gateway stops (FlushRefusals). Metrics count every refusal.
const (
	refusalRecordRate  = 10 // individual records per second and caller, sustained
	refusalRecordBurst = 50 // and in a burst
)

type aggKey struct{ partner, code string }

type aggregate struct {
	count       int
	first, last time.Time
	remote      string
	reason      string
}

// refusalAggregator holds the counts of refusals not yet written.
type refusalAggregator struct {
	mu      sync.Mutex
	pending map[aggKey]*aggregate
}

func newRefusalAggregator() *refusalAggregator {
	return &refusalAggregator{pending: map[aggKey]*aggregate{}}
}

func (a *refusalAggregator) add(r exchange.Refusal) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := aggKey{r.Partner, r.Code}
	g := a.pending[k]
	if g == nil {
		g = &aggregate{first: r.At}
		a.pending[k] = g
	}
	g.count++
	g.last, g.remote, g.reason = r.At, r.RemoteAddr, r.Reason
}

// take removes and returns the pending aggregates of partner ("" for all),
// as refusal records with their counts, in a stable order.
func (a *refusalAggregator) take(partner string) []exchange.Refusal {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []exchange.Refusal
	for k, g := range a.pending {
		if partner != "" && k.partner != partner {
			continue
		}
		delete(a.pending, k)
		out = append(out, exchange.Refusal{Partner: k.partner, Code: k.code, RemoteAddr: g.remote, At: g.last, Count: g.count,
			Reason: fmt.Sprintf("%d more refusals like this between %s and %s, not recorded one by one; the last: %s",
				g.count, g.first.UTC().Format(time.RFC3339), g.last.UTC().Format(time.RFC3339), g.reason)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Partner != out[j].Partner {
			return out[i].Partner < out[j].Partner
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// store writes one refusal record; a failure is logged and the partner still
// gets its error.
func (s *Server) store(ctx context.Context, ref exchange.Refusal) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := s.deps.Store.RecordRefusal(rctx, ref); err != nil {
		s.deps.Log.Warn("could not record refusal", "partner", ref.Partner, "code", ref.Code, "count", ref.Count, "err", err)
	}
}

// FlushRefusals writes the counts of refusals not yet recorded one by one.
// The gateway calls it when it stops.
func (s *Server) FlushRefusals(ctx context.Context) {
	for _, ref := range s.refusals.take("") {
		s.store(ctx, ref)
	}
}
