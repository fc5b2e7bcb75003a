package exchange_test

import (
	"context"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// TestNotifierServesEveryChannelOnOneConnection: the processor's and the
// sender's channels share one LISTENing session; each wakes only its own
// subscribers; a channel subscribed after Start is listened on too; Stop
// closes every subscriber's channel and the session.
func TestNotifierServesEveryChannelOnOneConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, url := newStore(t)
	admin := connect(t, url)
	n := s.NewNotifier()
	recv, out := n.Subscribe(exchange.ChannelReceived), n.Subscribe(exchange.ChannelOutbox)
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Connecting wakes everyone once: work may have come in before.
	for _, ch := range []<-chan struct{}{recv, out} {
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatal("no wake-up on connect")
		}
	}
	listening := func() int {
		var c int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN%'`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := listening(); c != 1 {
		t.Fatalf("%d LISTENing sessions, want one for both channels", c)
	}

	if _, err := admin.Exec(ctx, `SELECT pg_notify($1, 'x')`, exchange.ChannelOutbox); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out:
	case <-ctx.Done():
		t.Fatal("outbox subscriber not woken")
	}
	// The same session delivers in order: once the received notification is
	// seen, an outbox wake-up for it would already be queued.
	if _, err := admin.Exec(ctx, `SELECT pg_notify($1, 'x')`, exchange.ChannelReceived); err != nil {
		t.Fatal(err)
	}
	select {
	case <-recv:
	case <-ctx.Done():
		t.Fatal("received subscriber not woken")
	}
	select {
	case <-out:
		t.Fatal("the outbox subscriber woke for a received notification")
	default:
	}

	late := n.Subscribe("uifsagw_test_late")
	<-late // the reconnect that LISTENs on it wakes everyone
	<-recv
	<-out
	if _, err := admin.Exec(ctx, `SELECT pg_notify('uifsagw_test_late', 'x')`); err != nil {
		t.Fatal(err)
	}
	select {
	case <-late:
	case <-ctx.Done():
		t.Fatal("a channel subscribed after Start is not listened on")
	}

	n.Stop()
	for _, ch := range []<-chan struct{}{recv, out, late} {
		for range ch {
		}
	}
}
