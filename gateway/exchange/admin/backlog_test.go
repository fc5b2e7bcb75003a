package admin_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/exchange/admin"
	"github.com/uifsagw/uifsagw/gateway/exchange/internal/exchangetest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

// The backlog counts received messages until the processor has decided
// them, and a wait for it ends when they are decided or at its timeout.
func TestBacklogCountsUndecidedMessages(t *testing.T) {
	ctx := t.Context()
	srv := pgtest.Shared(t)
	name := fmt.Sprintf("admin_%d_backlog", os.Getpid())
	if err := admin.WithServer(ctx, srv.AdminURL(), func(s *admin.Server) error {
		_, err := s.EnsureDatabase(ctx, name)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.WithServer(context.Background(), srv.AdminURL(), func(s *admin.Server) error { return s.DropDatabase(context.Background(), name) })
	})
	url := srv.URLFor(name)
	if err := exchange.MigrateURL(ctx, url); err != nil {
		t.Fatal(err)
	}
	st, err := exchange.Open(ctx, url, exchangetest.Keys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := admin.OpenBacklog(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	if n, err := b.Waiting(ctx); err != nil || n != 0 {
		t.Fatalf("empty database: Waiting = %d, %v", n, err)
	}
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	exchangetest.Receive(t, st, "nj", "NJ-B1", "C-1", now)
	exchangetest.Receive(t, st, "nj", "NJ-B2", "C-2", now)
	if n, err := b.Waiting(ctx); err != nil || n != 2 {
		t.Fatalf("two received: Waiting = %d, %v", n, err)
	}
	// Nothing decides them: the wait ends at its timeout and says how many wait.
	if _, n, err := b.WaitDrained(ctx, time.Millisecond, 0); err != nil || n != 2 {
		t.Fatalf("WaitDrained on a stuck backlog = %d, %v; want 2 still waiting", n, err)
	}
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `UPDATE messages SET status = 'processed' WHERE direction = 'in'`); err != nil {
		t.Fatal(err)
	}
	if _, n, err := b.WaitDrained(ctx, time.Millisecond, time.Minute); err != nil || n != 0 {
		t.Fatalf("WaitDrained after the decisions = %d, %v; want 0", n, err)
	}
}
