package outbox_test

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestFileInboxOneFilePerEndedWindow(t *testing.T) {
	t.Parallel()
	s, url := newStore(t)
	c := connect(t, url)
	ctx := context.Background()
	enqueue := func(id string) {
		t.Helper()
		if _, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("ca", id, "CASE-"+id, true)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"OUT-1", "OUT-2", "OUT-3"} {
		enqueue(id)
	}
	const window = 24 * time.Hour
	// The window is still open: nothing to list yet.
	files, next, err := s.FileInboxList(ctx, "ca", window, time.Now(), 0, 10)
	if err != nil || len(files) != 0 || next != 0 {
		t.Fatalf("open window: %d files, next %d, %v", len(files), next, err)
	}
	later := time.Now().Add(2 * window)
	files, next, err = s.FileInboxList(ctx, "ca", window, later, 0, 10)
	if err != nil || len(files) != 1 {
		t.Fatalf("ended window: %d files, %v", len(files), err)
	}
	f := files[0]
	if len(f.Messages) != 3 || bytes.Count(f.Body, []byte("\n")) != 3 || !bytes.HasPrefix(f.Body, []byte(`{"out":"OUT-1"`)) ||
		f.ContentType != "application/json" || next != f.Cursor || f.FileID == "" {
		t.Fatalf("file %+v body %q", f, f.Body)
	}
	// Listed again from the start it is the same file; after its cursor, nothing.
	again, _, err := s.FileInboxList(ctx, "ca", window, later, 0, 10)
	if err != nil || len(again) != 1 || again[0].FileID != f.FileID || !bytes.Equal(again[0].Body, f.Body) {
		t.Fatalf("listed again: %+v %v", again, err)
	}
	if rest, _, err := s.FileInboxList(ctx, "ca", window, later, next, 10); err != nil || len(rest) != 0 {
		t.Fatalf("after the cursor: %d files, %v", len(rest), err)
	}
	// A transaction queued after the file was made goes into a new file.
	enqueue("OUT-4")
	files, _, err = s.FileInboxList(ctx, "ca", window, later, next, 10)
	if err != nil || len(files) != 1 || len(files[0].Messages) != 1 || files[0].Messages[0].MessageID != "OUT-4" {
		t.Fatalf("late transaction: %+v %v", files, err)
	}
	// Acknowledging the first file picks up its three transactions only;
	// another partner cannot acknowledge it.
	if n, err := s.FileInboxAck(ctx, "nj", []string{f.FileID}); err != nil || n != 0 {
		t.Fatalf("another partner's ack: %d %v", n, err)
	}
	if n, err := s.FileInboxAck(ctx, "ca", []string{f.FileID, "nonsense"}); err != nil || n != 1 {
		t.Fatalf("ack: %d %v", n, err)
	}
	if n := count(t, c, `SELECT count(*) FROM messages WHERE partner = 'ca' AND status = 'picked_up'`); n != 3 {
		t.Fatalf("%d picked up, want 3", n)
	}
	files, _, err = s.FileInboxList(ctx, "ca", window, later, 0, 10)
	if err != nil || len(files) != 1 || files[0].Messages[0].MessageID != "OUT-4" {
		t.Fatalf("after the ack: %+v %v", files, err)
	}
	if _, _, err := s.FileInboxList(ctx, "ca", 0, later, 0, 10); err == nil {
		t.Fatal("a zero window was taken")
	}
}
