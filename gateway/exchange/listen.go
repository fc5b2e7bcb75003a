package exchange

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen subscribes to a notification channel (ChannelReceived,
// ChannelOutbox) on a dedicated connection and returns a channel that
// receives a value after one or more notifications; bursts coalesce, as a
// worker only needs to know that there is work. If the connection drops,
// Listen reconnects and sends one value, because notifications may have been
// missed meanwhile. The channel is closed when ctx ends or the store closes.
//
// Workers should still poll now and then: a notification is a hint, not a
// delivery guarantee.
func (s *Store) Listen(ctx context.Context, channel string) (<-chan struct{}, error) {
	conn, err := s.listenConn(ctx, channel)
	if err != nil {
		return nil, err
	}
	out := make(chan struct{}, 1)
	go s.listenLoop(ctx, channel, conn, out)
	return out, nil
}

func (s *Store) listenConn(ctx context.Context, channel string) (*pgx.Conn, error) {
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("exchange: listen: %w", err)
	}
	// The connection leaves the pool: a LISTENing session must not be
	// handed to other work.
	conn := pc.Hijack()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("exchange: listen %s: %w", channel, err)
	}
	return conn, nil
}

func (s *Store) listenLoop(ctx context.Context, channel string, conn *pgx.Conn, out chan<- struct{}) {
	defer close(out)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	backoff := 100 * time.Millisecond
	for {
		if conn == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			c, err := s.listenConn(ctx, channel)
			if err != nil {
				backoff = min(2*backoff, 10*time.Second)
				continue
			}
			conn, backoff = c, 100*time.Millisecond
			signal()
		}
		_, err := conn.WaitForNotification(ctx)
		if err == nil {
			signal()
			continue
		}
		_ = conn.Close(context.Background())
		conn = nil
		if ctx.Err() != nil {
			return
		}
	}
}
