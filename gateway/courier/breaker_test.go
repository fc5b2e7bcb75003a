package courier

import (
	"testing"
	"time"
)

func TestBreakerOpensAndRecovers(t *testing.T) {
	b := newBreaker()
	b.Threshold, b.Cooldown, b.MaxCooldown = 3, 10*time.Second, 25*time.Second
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 2; i++ {
		b.failure("nj", now)
		if ok, _ := b.allow("nj", now); !ok {
			t.Fatalf("closed breaker refused after %d failures", i+1)
		}
	}
	b.failure("nj", now)
	ok, until := b.allow("nj", now)
	if ok || !until.Equal(now.Add(10*time.Second)) {
		t.Fatalf("after threshold: ok=%v until=%v", ok, until)
	}
	if !b.open("nj", now) {
		t.Fatal("open() false while open")
	}
	if ok, _ := b.allow("pa", now); !ok {
		t.Fatal("another partner was affected")
	}
	// Half-open: one probe at a time.
	later := now.Add(11 * time.Second)
	if ok, _ := b.allow("nj", later); !ok {
		t.Fatal("no probe after cool-down")
	}
	if ok, _ := b.allow("nj", later); ok {
		t.Fatal("second concurrent probe allowed")
	}
	// Failed probe doubles the cool-down, capped.
	b.failure("nj", later)
	if _, until := b.allow("nj", later); !until.Equal(later.Add(20 * time.Second)) {
		t.Fatalf("cool-down not doubled: %v", until.Sub(later))
	}
	b.failure("nj", later)
	if _, until := b.allow("nj", later); !until.Equal(later.Add(25 * time.Second)) {
		t.Fatalf("cool-down not capped: %v", until.Sub(later))
	}
	b.success("nj")
	if ok, _ := b.allow("nj", later); !ok || b.open("nj", later) {
		t.Fatal("success did not close the breaker")
	}
}

func TestBackoffBounds(t *testing.T) {
	base, max := 2*time.Second, time.Minute
	for attempt := 1; attempt <= 20; attempt++ {
		for i := 0; i < 50; i++ {
			d := backoff(attempt, base, max)
			ceiling := base << (attempt - 1)
			if attempt > 10 || ceiling > max {
				ceiling = max
			}
			if d < base/2 || d > ceiling {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, base/2, ceiling)
			}
		}
	}
}
