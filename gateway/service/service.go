// Package service gives every background loop of the gateway an owner: a
// Service starts with Start(ctx) and ends with Stop, which returns only when
// every goroutine the service started has returned. Base does the
// bookkeeping (a cancel function and a wait group), Func turns a
// run-until-cancelled function into a Service, and Group starts a list of
// services in order and stops them in reverse. The layout follows
// riverqueue/river's start/stop services.
package service

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Service is one background loop (or a few goroutines serving one purpose).
type Service interface {
	// Start launches the service's goroutines and returns; they run until
	// Stop, or until ctx ends.
	Start(ctx context.Context) error
	// Stop asks the goroutines to end and waits until they have. It may be
	// called more than once, and on a service never started.
	Stop()
}

// ErrStarted says Start was called on a service that is already running.
var ErrStarted = errors.New("service: already started")

// Base tracks the goroutines of one service. The zero value is ready.
type Base struct {
	mu      sync.Mutex
	cancel  context.CancelFunc
	ctx     context.Context
	wg      sync.WaitGroup
	running bool
}

// Begin marks the service started and returns the context its goroutines
// run under: ctx, cancelled by Stop.
func (b *Base) Begin(ctx context.Context) (context.Context, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running {
		return nil, ErrStarted
	}
	b.ctx, b.cancel = context.WithCancel(ctx)
	b.running = true
	return b.ctx, nil
}

// Go runs f in a goroutine Stop waits for, under the service's context. Go
// on a service that is not running does nothing: the service is stopping,
// and work started now would outlive it.
func (b *Base) Go(f func(ctx context.Context)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.running {
		return
	}
	ctx := b.ctx
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		f(ctx)
	}()
}

// Stop cancels the service's context and waits for its goroutines.
func (b *Base) Stop() {
	b.mu.Lock()
	cancel := b.cancel
	b.running = false
	b.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	b.wg.Wait()
}

// Func is a Service made of one function that runs until its context ends.
type Func struct {
	Name string
	Run  func(ctx context.Context)
	base Base
}

// NewFunc returns a service that runs run in one goroutine.
func NewFunc(name string, run func(ctx context.Context)) *Func { return &Func{Name: name, Run: run} }

// Start runs the function.
func (f *Func) Start(ctx context.Context) error {
	if _, err := f.base.Begin(ctx); err != nil {
		return err
	}
	f.base.Go(f.Run)
	return nil
}

// Stop cancels the function and waits for it to return.
func (f *Func) Stop() { f.base.Stop() }

// Group starts services in the order added and stops them in reverse, so a
// service can rely on the ones added before it (the notifier before the
// workers that wait on it).
type Group struct {
	mu       sync.Mutex
	services []Service
	started  int
}

// Add appends services to the group; they start with the next Start.
func (g *Group) Add(s ...Service) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.services = append(g.services, s...)
}

// Start starts every service in order. If one fails, those already started
// are stopped again and its error returned.
func (g *Group) Start(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.started < len(g.services) {
		if err := g.services[g.started].Start(ctx); err != nil {
			g.stopLocked()
			return err
		}
		g.started++
	}
	return nil
}

// Stop stops the started services, last first, each waiting for its goroutines.
func (g *Group) Stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopLocked()
}

func (g *Group) stopLocked() {
	for ; g.started > 0; g.started-- {
		g.services[g.started-1].Stop()
	}
}

// Every calls f every interval until ctx ends (the first call one interval
// after the start), for the loops that only look at the clock: retention,
// audit checkpoints, e-IWO batches. A call that outlasts the interval delays
// the next; calls never overlap.
func Every(ctx context.Context, interval time.Duration, f func(ctx context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A tick and the end can be ready together; the end wins.
			if ctx.Err() != nil {
				return
			}
			f(ctx)
		}
	}
}
