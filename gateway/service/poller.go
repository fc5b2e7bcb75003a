package service

import (
	"context"
	"sync"
	"time"
)

// Poller is the claim/poll loop the processor and the sender share: claim
// up to Batch due items (never more than there are free workers, so no claim
// ages its lease waiting in a queue), hand each to Handle on its own
// goroutine, claim again at once while claims come back full, and otherwise
// wait for a wake-up (NOTIFY) or the poll interval. A lost notification so
// only delays work; it never loses it.
type Poller[T any] struct {
	// Claim leases up to limit items; an error is reported to OnError and
	// the loop waits as if nothing were due.
	Claim func(ctx context.Context, limit int) ([]T, error)
	// Handle works on one claimed item. Handles run concurrently, at most
	// Workers at once, and the loop waits for them before Run returns.
	Handle func(ctx context.Context, item T)
	// Hold, when set and true, skips claiming this round (a global pause).
	Hold func(ctx context.Context) bool
	// OnError hears claim errors (not those of a cancelled context).
	OnError func(error)
	Workers int
	Batch   int
	Wake    <-chan struct{}
	Poll    time.Duration
	// Counts, when set, counts the loop's rounds, claimed items and
	// returned Handle calls.
	Counts *Counts
}

// Counts is what a Poller has done so far. A round is complete when it was
// held (Hold said so) or its claim returned and the items were handed out.
type Counts struct {
	Rounds, Claimed, Handled Counter
}

// Settle waits until the loop has completed n more rounds and then until
// every item claimed by then has been handled: the loop has looked n more
// times and finished what it took. It returns ctx's error if ctx ends first.
func (c *Counts) Settle(ctx context.Context, n uint64) error {
	if err := c.Rounds.WaitFor(ctx, c.Rounds.Load()+n); err != nil {
		return err
	}
	return c.Handled.WaitFor(ctx, c.Claimed.Load())
}

// Run claims and handles until ctx ends, then waits for the handlers.
func (p *Poller[T]) Run(ctx context.Context) {
	workers, batch, poll := max(p.Workers, 1), max(p.Batch, 1), p.Poll
	if poll <= 0 {
		poll = 5 * time.Second
	}
	slots := make(chan struct{}, workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(poll)
	defer timer.Stop()
	wait := func() bool {
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(poll)
		select {
		case <-ctx.Done():
			return false
		case <-p.Wake:
		case <-timer.C:
		}
		return true
	}
	for {
		if p.Hold != nil && p.Hold(ctx) {
			p.Counts.add(roundDone)
			if !wait() {
				return
			}
			continue
		}
		// One free worker at least, then as many more as are free now.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		limit := 1
	more:
		for limit < batch {
			select {
			case slots <- struct{}{}:
				limit++
			default:
				break more
			}
		}
		items, err := p.Claim(ctx, limit)
		if err != nil && ctx.Err() == nil && p.OnError != nil {
			p.OnError(err)
		}
		for range limit - len(items) {
			<-slots
		}
		for _, it := range items {
			p.Counts.add(claimed)
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				p.Handle(ctx, it)
				p.Counts.add(handled)
			}()
		}
		p.Counts.add(roundDone)
		if len(items) == limit && err == nil {
			continue // more may be due now
		}
		if !wait() {
			return
		}
	}
}

const (
	roundDone = iota
	claimed
	handled
)

// add counts one event on c; a nil c counts nothing.
func (c *Counts) add(what int) {
	if c == nil {
		return
	}
	switch what {
	case roundDone:
		c.Rounds.Add()
	case claimed:
		c.Claimed.Add()
	case handled:
		c.Handled.Add()
	}
}
