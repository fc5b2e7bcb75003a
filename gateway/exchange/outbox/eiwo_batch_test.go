package outbox_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// TestBuildEIWOFiles: documents held for an employer's file are neither in
// the outbox nor in its inbox; one build puts all of one employer's held
// documents in one file, in order, and a second build finds nothing; a
// window not yet elapsed holds them.
func TestBuildEIWOFiles(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	c := connect(t, url)
	for _, o := range []exchange.Outbound{
		outbound("initech", "T1", "C1", false), outbound("initech", "T2", "C2", true), outbound("globex", "T3", "C3", false),
	} {
		o.Batch = true
		if _, err := s.EnqueueOutbound(ctx, s.Pool(), o); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, c, `SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("%d held documents in the outbox", n)
	}
	if n := count(t, c, `SELECT count(*) FROM messages WHERE status = 'awaiting_pickup'`); n != 0 {
		t.Fatalf("%d held documents in an inbox", n)
	}
	build := func(_ context.Context, q exchange.Querier, partner string, docs []exchange.HeldDocument) (exchange.Outbound, error) {
		var body [][]byte
		var ids []string
		for _, d := range docs {
			body = append(body, d.Raw)
			ids = append(ids, d.SenderMsgID)
		}
		out := outbound(partner, "FILE-"+partner+"-"+strings.Join(ids, "+"), "", false)
		out.Raw = bytes.Join(body, []byte("\n"))
		return out, nil
	}
	if n, err := s.BuildEIWOFiles(ctx, time.Hour, build); err != nil || n != 0 {
		t.Fatalf("inside the window: %d files, %v", n, err)
	}
	n, err := s.BuildEIWOFiles(ctx, 0, build)
	if err != nil || n != 2 {
		t.Fatalf("%d files, %v", n, err)
	}
	if got := count(t, c, `SELECT count(*) FROM messages WHERE sender_message_id = 'FILE-initech-T1+T2' AND status = 'queued'`); got != 1 {
		t.Fatal("no file of T1 and T2 for initech")
	}
	if got := count(t, c, `SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.sender_message_id LIKE 'FILE-%'`); got != 2 {
		t.Fatalf("%d files in the outbox", got)
	}
	if got := count(t, c, `SELECT count(*) FROM eiwo_batch_items WHERE file_message IS NULL`); got != 0 {
		t.Fatalf("%d documents left unsent", got)
	}
	if n, err := s.BuildEIWOFiles(ctx, 0, build); err != nil || n != 0 {
		t.Fatalf("second build: %d files, %v", n, err)
	}
	// The documents share their file's fate.
	if _, err := c.Exec(ctx, `UPDATE messages SET status = 'delivered' WHERE sender_message_id = 'FILE-initech-T1+T2'`); err != nil {
		t.Fatal(err)
	}
	if got := count(t, c, `SELECT count(*) FROM messages WHERE sender_message_id IN ('T1', 'T2') AND status = 'delivered'`); got != 2 {
		t.Fatalf("%d documents delivered with their file", got)
	}
	if got := count(t, c, `SELECT count(*) FROM message_history h JOIN messages m ON m.id = h.message_id
		WHERE m.sender_message_id = 'T1' AND h.to_status = 'delivered' AND h.note LIKE 'with its e-IWO file FILE-initech-T1+T2%'`); got != 1 {
		t.Fatal("no history entry naming the file")
	}
	if got := count(t, c, `SELECT count(*) FROM messages WHERE sender_message_id = 'T3' AND status = 'queued'`); got != 1 {
		t.Fatal("another employer's document moved with the file")
	}
}
