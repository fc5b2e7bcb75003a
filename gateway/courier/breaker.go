package courier

import (
	"sync"
	"time"
)

// breaker is a circuit breaker per partner. After Threshold consecutive
// failures it opens for a cool-down that doubles on each failed probe (up to
// MaxCooldown); while open, deliveries to the partner wait instead of
// spending attempts. One success closes it.
type breaker struct {
	Threshold   int
	Cooldown    time.Duration
	MaxCooldown time.Duration

	mu    sync.Mutex
	state map[string]*circuit
}

type circuit struct {
	failures  int
	openUntil time.Time
	cooldown  time.Duration
	probing   bool
}

func newBreaker() *breaker {
	return &breaker{Threshold: 5, Cooldown: 30 * time.Second, MaxCooldown: 10 * time.Minute, state: map[string]*circuit{}}
}

// allow reports whether a delivery to partner may go now; if not, it returns
// when to try again. While half-open, one probe goes at a time.
func (b *breaker) allow(partner string, now time.Time) (bool, time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.state[partner]
	if c == nil || c.failures < b.Threshold {
		return true, time.Time{}
	}
	if now.Before(c.openUntil) {
		return false, c.openUntil
	}
	if c.probing {
		return false, now.Add(time.Second)
	}
	c.probing = true
	return true, time.Time{}
}

func (b *breaker) success(partner string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.state, partner)
}

func (b *breaker) failure(partner string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.state[partner]
	if c == nil {
		c = &circuit{}
		b.state[partner] = c
	}
	c.failures++
	c.probing = false
	if c.failures >= b.Threshold {
		if c.cooldown == 0 {
			c.cooldown = b.Cooldown
		} else if c.cooldown < b.MaxCooldown {
			c.cooldown *= 2
			if c.cooldown > b.MaxCooldown {
				c.cooldown = b.MaxCooldown
			}
		}
		c.openUntil = now.Add(c.cooldown)
	}
}

// open reports whether partner's circuit is open now (for the metric).
func (b *breaker) open(partner string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.state[partner]
	return c != nil && c.failures >= b.Threshold && now.Before(c.openUntil)
}
