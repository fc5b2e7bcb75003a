package service

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFuncStopWaitsForItsGoroutine(t *testing.T) {
	t.Parallel()
	var returned atomic.Bool
	entered := make(chan struct{})
	f := NewFunc("loop", func(ctx context.Context) {
		close(entered)
		<-ctx.Done()
		returned.Store(true)
	})
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := f.Start(context.Background()); !errors.Is(err, ErrStarted) {
		t.Fatalf("a second Start gave %v", err)
	}
	<-entered
	f.Stop()
	if !returned.Load() {
		t.Fatal("Stop returned before the goroutine did")
	}
	f.Stop() // twice is fine
	var never Func
	never.Stop() // and never started
}

type recorder struct {
	name string
	log  *[]string
	fail bool
}

func (r recorder) Start(context.Context) error {
	*r.log = append(*r.log, "start "+r.name)
	if r.fail {
		return errors.New(r.name + " cannot start")
	}
	return nil
}
func (r recorder) Stop() { *r.log = append(*r.log, "stop "+r.name) }

func TestGroupStartsInOrderAndStopsInReverse(t *testing.T) {
	t.Parallel()
	var log []string
	var g Group
	g.Add(recorder{"notifier", &log, false}, recorder{"processor", &log, false}, recorder{"sender", &log, false})
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	g.Stop()
	g.Stop()
	want := []string{"start notifier", "start processor", "start sender", "stop sender", "stop processor", "stop notifier"}
	if len(log) != len(want) {
		t.Fatalf("got %v", log)
	}
	for i := range want {
		if log[i] != want[i] {
			t.Fatalf("got %v, want %v", log, want)
		}
	}
}

func TestGroupStopsWhatStartedWhenOneFails(t *testing.T) {
	t.Parallel()
	var log []string
	var g Group
	g.Add(recorder{"a", &log, false}, recorder{"b", &log, true}, recorder{"c", &log, false})
	if err := g.Start(context.Background()); err == nil {
		t.Fatal("a failing service did not fail the group")
	}
	want := "start a,start b,stop a"
	got := ""
	for i, l := range log {
		if i > 0 {
			got += ","
		}
		got += l
	}
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestPollerBoundsWorkersAndDrains claims from a queue of 50 items with 3
// workers: every item is handled once, never more than 3 at a time, and no
// claim asks for more items than there are free workers.
func TestPollerBoundsWorkersAndDrains(t *testing.T) {
	t.Parallel()
	const total, workers = 50, 3
	var mu sync.Mutex
	next, inFlight, most, handled := 0, 0, 0, map[int]int{}
	var tooMany atomic.Bool
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	p := &Poller[int]{
		Workers: workers, Batch: 10, Poll: time.Hour, // only claims that come back full go on
		Claim: func(ctx context.Context, limit int) ([]int, error) {
			mu.Lock()
			defer mu.Unlock()
			if limit > workers-inFlight {
				tooMany.Store(true)
			}
			var out []int
			for ; len(out) < limit && next < total; next++ {
				out = append(out, next)
				inFlight++ // claimed counts until handled
			}
			return out, nil
		},
		Handle: func(ctx context.Context, it int) {
			mu.Lock()
			most = max(most, inFlight)
			handled[it]++
			inFlight--
			if len(handled) == total {
				close(done)
			}
			mu.Unlock()
		},
	}
	stopped := make(chan struct{})
	go func() { p.Run(ctx); close(stopped) }()
	<-done
	cancel()
	<-stopped
	if tooMany.Load() {
		t.Fatal("a claim asked for more items than free workers")
	}
	if most > workers {
		t.Fatalf("%d items in hand at once, bound %d", most, workers)
	}
	for i := range total {
		if handled[i] != 1 {
			t.Fatalf("item %d handled %d times", i, handled[i])
		}
	}
}

// TestPollerWakesOnNotification: with an hour's poll interval, only the
// wake-up can bring the second item in.
func TestPollerWakesOnNotification(t *testing.T) {
	t.Parallel()
	wake := make(chan struct{}, 1)
	var mu sync.Mutex
	queue := []string{"first"}
	got := make(chan string, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &Poller[string]{Workers: 1, Batch: 4, Poll: time.Hour, Wake: wake,
		Claim: func(ctx context.Context, limit int) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			n := min(limit, len(queue))
			out := queue[:n]
			queue = queue[n:]
			return out, nil
		},
		Handle: func(ctx context.Context, it string) { got <- it }}
	stopped := make(chan struct{})
	go func() { p.Run(ctx); close(stopped) }()
	if it := <-got; it != "first" {
		t.Fatalf("got %s", it)
	}
	mu.Lock()
	queue = append(queue, "second")
	mu.Unlock()
	wake <- struct{}{}
	if it := <-got; it != "second" {
		t.Fatalf("got %s", it)
	}
	cancel()
	<-stopped
}

// TestPollerHoldsWhilePaused: while Hold says so nothing is claimed; a
// wake-up after the pause lifts brings the work in.
func TestPollerHoldsWhilePaused(t *testing.T) {
	t.Parallel()
	wake := make(chan struct{}, 1)
	var paused atomic.Bool
	paused.Store(true)
	var claims atomic.Int32
	held := make(chan struct{}, 1)
	got := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &Poller[int]{Workers: 1, Batch: 1, Poll: time.Hour, Wake: wake,
		Hold: func(context.Context) bool {
			if paused.Load() {
				select {
				case held <- struct{}{}:
				default:
				}
				return true
			}
			return false
		},
		Claim: func(ctx context.Context, limit int) ([]int, error) {
			if claims.Add(1) == 1 {
				return []int{7}, nil
			}
			return nil, nil
		},
		Handle: func(ctx context.Context, it int) { got <- it }}
	stopped := make(chan struct{})
	go func() { p.Run(ctx); close(stopped) }()
	<-held
	if claims.Load() != 0 {
		t.Fatal("claimed while paused")
	}
	paused.Store(false)
	wake <- struct{}{}
	if it := <-got; it != 7 {
		t.Fatalf("got %d", it)
	}
	cancel()
	<-stopped
}

func TestEveryCallsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	Every(ctx, time.Millisecond, func(ctx context.Context) {
		calls++
		if calls == 3 {
			cancel()
		}
	})
	if calls != 3 {
		t.Errorf("%d calls, want 3 (Every returns once its context ends)", calls)
	}
	// An ended context: no call at all.
	Every(ctx, time.Hour, func(context.Context) { t.Error("called after the context ended") })
}

// TestCounterWaitFor: WaitFor returns at once for a count reached, wakes
// when Adds reach it, and gives up with ctx.
func TestCounterWaitFor(t *testing.T) {
	t.Parallel()
	var c Counter
	if err := c.WaitFor(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.WaitFor(context.Background(), 3) }()
	for range 3 {
		c.Add()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c.Load() != 3 {
		t.Fatalf("count %d", c.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.WaitFor(ctx, 4); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitFor past a cancelled context: %v", err)
	}
}

// TestPollerCountsRoundsAndHandles: held rounds count as rounds, and each
// returned Handle counts once.
func TestPollerCountsRoundsAndHandles(t *testing.T) {
	t.Parallel()
	wake := make(chan struct{}, 1)
	var paused atomic.Bool
	paused.Store(true)
	var counts Counts
	rounds, handled := &counts.Rounds, &counts.Handled
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var claims atomic.Int32
	p := &Poller[int]{Workers: 2, Batch: 2, Poll: time.Hour, Wake: wake, Counts: &counts,
		Hold: func(context.Context) bool { return paused.Load() },
		Claim: func(ctx context.Context, limit int) ([]int, error) {
			if claims.Add(1) == 1 {
				return []int{1}, nil
			}
			return nil, nil
		},
		Handle: func(ctx context.Context, it int) {}}
	stopped := make(chan struct{})
	go func() { p.Run(ctx); close(stopped) }()
	if err := rounds.WaitFor(ctx, 1); err != nil {
		t.Fatal(err)
	}
	wake <- struct{}{}
	if err := rounds.WaitFor(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if claims.Load() != 0 || handled.Load() != 0 {
		t.Fatal("claimed while held")
	}
	paused.Store(false)
	wake <- struct{}{}
	if err := handled.WaitFor(ctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-stopped
	if handled.Load() != 1 || counts.Claimed.Load() != 1 || claims.Load() < 1 {
		t.Fatalf("handled %d of %d claimed after %d claims", handled.Load(), counts.Claimed.Load(), claims.Load())
	}
	// Settled: no more rounds will come, so only a done ctx ends the wait.
	if err := counts.Settle(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("Settle on a stopped poller: %v", err)
	}
}
