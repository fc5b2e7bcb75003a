package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Backlog watches how many received messages still wait for the processor.
// The load tool uses it to keep its CPU meter running until the gateway has
// done all the work the run caused, not only until the last acknowledgment
// (the processor decides after the ack, so stopping there leaves most of
// the database's and some of the gateway's work out of the figures).
type Backlog struct {
	conn *pgx.Conn
}

// OpenBacklog opens one connection to url for the watch; one, so the
// watching itself costs the server a query, not a connection, per look.
func OpenBacklog(ctx context.Context, url string) (*Backlog, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("admin: backlog: %w", err)
	}
	return &Backlog{conn: c}, nil
}

// Waiting is the number of inbound messages received but not yet decided.
func (b *Backlog) Waiting(ctx context.Context) (int64, error) {
	var n int64
	err := b.conn.QueryRow(ctx, `SELECT count(*) FROM messages
		WHERE direction = 'in' AND status IN ('received', 'processing')`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("admin: backlog: %w", err)
	}
	return n, nil
}

// WaitDrained looks every interval until nothing waits or timeout passes,
// and says how long it waited and how many messages still waited at the end
// (more than zero only on timeout).
func (b *Backlog) WaitDrained(ctx context.Context, interval, timeout time.Duration) (time.Duration, int64, error) {
	start := time.Now()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := b.Waiting(ctx)
		if err != nil || n == 0 || time.Since(start) >= timeout {
			return time.Since(start), n, err
		}
		select {
		case <-ctx.Done():
			return time.Since(start), n, ctx.Err()
		case <-t.C:
		}
	}
}

// Close closes the connection.
func (b *Backlog) Close(ctx context.Context) { _ = b.conn.Close(ctx) }
