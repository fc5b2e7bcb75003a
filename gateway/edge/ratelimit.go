package edge

import (
	"sync"
	"time"
)

// limiter is a token bucket per partner. Buckets are created on first use and
// pick up a partner's new rate after a directory reload.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
	rate   float64
	burst  float64
}

func newLimiter() *limiter { return &limiter{buckets: map[string]*bucket{}} }

// allow takes one token from partner's bucket if one is there.
func (l *limiter) allow(partner string, rate float64, burst int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[partner]
	if b == nil || b.rate != rate || b.burst != float64(burst) {
		b = &bucket{tokens: float64(burst), last: now, rate: rate, burst: float64(burst)}
		l.buckets[partner] = b
	}
	b.tokens += now.Sub(b.last).Seconds() * b.rate
	if b.tokens > b.burst {
		b.tokens = b.burst
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
