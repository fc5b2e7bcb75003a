package exchange

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/service"
)

// Notifier holds one connection that LISTENs on every channel a worker has
// subscribed to (ChannelReceived, ChannelOutbox) and wakes the subscribers of
// a channel when it is notified; bursts coalesce, as a worker only needs to
// know that there is work. If the connection drops, it reconnects with
// backoff and wakes every subscriber once, because notifications may have
// been missed meanwhile. It is a service: Start, Stop.
//
// Workers should still poll now and then: a notification is a hint, not a
// delivery guarantee.
type Notifier struct {
	store *Store
	base  service.Base

	mu   sync.Mutex
	subs map[string][]chan struct{}
	// relisten asks the loop to reconnect, so that a channel subscribed
	// after Start is LISTENed on too.
	relisten chan struct{}
	conn     *pgx.Conn // a connection to use first (Store.Listen's)
	running  bool
}

// NewNotifier returns a notifier on the store's database; it connects when started.
func (s *Store) NewNotifier() *Notifier {
	return &Notifier{store: s, subs: map[string][]chan struct{}{}, relisten: make(chan struct{}, 1)}
}

// Subscribe returns a channel that receives a value after notifications on
// channel. It is closed when the notifier stops.
func (n *Notifier) Subscribe(channel string) <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	known := len(n.subs[channel]) > 0
	ch := make(chan struct{}, 1)
	n.subs[channel] = append(n.subs[channel], ch)
	if n.running && !known {
		select {
		case n.relisten <- struct{}{}:
		default:
		}
	}
	return ch
}

// Listen subscribes to channel; with Subscribe's channel, it fits the
// workers that take a Listen function.
func (n *Notifier) Listen(_ context.Context, channel string) (<-chan struct{}, error) {
	return n.Subscribe(channel), nil
}

// Start connects in the background and listens until Stop (or ctx ends, or
// the store closes).
func (n *Notifier) Start(ctx context.Context) error {
	if _, err := n.base.Begin(ctx); err != nil {
		return err
	}
	n.mu.Lock()
	n.running = true
	n.mu.Unlock()
	n.base.Go(n.run)
	return nil
}

// Stop closes the connection and every subscriber's channel, and waits.
func (n *Notifier) Stop() { n.base.Stop() }

func (n *Notifier) channels() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, 0, len(n.subs))
	for c := range n.subs {
		out = append(out, c)
	}
	return out
}

func (n *Notifier) wake(channel string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for c, subs := range n.subs {
		if channel != "" && c != channel {
			continue
		}
		for _, ch := range subs {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

func (n *Notifier) connect(ctx context.Context) (*pgx.Conn, error) {
	pc, err := n.store.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("exchange: listen: %w", err)
	}
	// The connection leaves the pool: a LISTENing session must not be
	// handed to other work.
	conn := pc.Hijack()
	for _, channel := range n.channels() {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
			_ = conn.Close(context.Background())
			return nil, fmt.Errorf("exchange: listen %s: %w", channel, err)
		}
	}
	return conn, nil
}

func (n *Notifier) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n.mu.Lock()
	conn := n.conn
	n.conn = nil
	n.mu.Unlock()
	defer func() {
		if conn != nil {
			_ = conn.Close(context.Background())
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		n.running = false
		for c, subs := range n.subs {
			for _, ch := range subs {
				close(ch)
			}
			delete(n.subs, c)
		}
	}()
	// Waiting for a notification holds the connection; a new subscription
	// or the store closing interrupts the wait.
	waitCtx, interrupt := context.WithCancel(ctx)
	var watch sync.WaitGroup
	defer watch.Wait()
	defer func() { interrupt() }()
	watchFor := func(wctx context.Context, stop context.CancelFunc) {
		watch.Add(1)
		go func() {
			defer watch.Done()
			select {
			case <-n.store.closed:
				cancel()
			case <-n.relisten:
				stop()
			case <-wctx.Done():
			}
		}()
	}
	watchFor(waitCtx, interrupt)
	backoff := 100 * time.Millisecond
	for {
		if conn == nil {
			if ctx.Err() != nil {
				return
			}
			c, err := n.connect(ctx)
			if err != nil {
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 10*time.Second)
				continue
			}
			conn, backoff = c, 100*time.Millisecond
			n.wake("")
		}
		note, err := conn.WaitForNotification(waitCtx)
		if err == nil {
			n.wake(note.Channel)
			continue
		}
		_ = conn.Close(context.Background())
		conn = nil
		if ctx.Err() != nil {
			return
		}
		if waitCtx.Err() != nil {
			// A new subscription: reconnect and LISTEN on every channel.
			waitCtx, interrupt = context.WithCancel(ctx)
			watchFor(waitCtx, interrupt)
		}
	}
}

// Listen subscribes to one notification channel on a connection of its own
// and returns a channel that receives a value after one or more
// notifications. The channel is closed when ctx ends or the store closes.
// The gateway's workers share one Notifier instead; Listen serves tools and
// tests that wait on one channel.
func (s *Store) Listen(ctx context.Context, channel string) (<-chan struct{}, error) {
	n := s.NewNotifier()
	out := n.Subscribe(channel)
	conn, err := n.connect(ctx)
	if err != nil {
		return nil, err
	}
	n.conn = conn
	if err := n.Start(ctx); err != nil {
		_ = conn.Close(context.Background())
		return nil, err
	}
	return out, nil
}
