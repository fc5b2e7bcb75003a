package service

import (
	"context"
	"sync"
)

// Counter counts events of a loop (poll rounds, handled items) and lets a
// caller wait until a count is reached, without polling: tests wait on it
// for "the courier looked again", and metrics read it. The zero value is
// ready.
type Counter struct {
	mu sync.Mutex
	n  uint64
	// moved is closed (and replaced) at every Add, waking the waiters.
	moved chan struct{}
}

// Add counts one event.
func (c *Counter) Add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.moved != nil {
		close(c.moved)
		c.moved = nil
	}
}

// Load returns the count so far.
func (c *Counter) Load() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// WaitFor returns once the count is at least n, or ctx's error if ctx ends first.
func (c *Counter) WaitFor(ctx context.Context, n uint64) error {
	for {
		c.mu.Lock()
		if c.n >= n {
			c.mu.Unlock()
			return nil
		}
		if c.moved == nil {
			c.moved = make(chan struct{})
		}
		moved := c.moved
		c.mu.Unlock()
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
