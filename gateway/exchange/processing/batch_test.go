package processing_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// TestBatchDecidesEachMessageAlone decides three messages in one batch: the
// one whose decision fails keeps none of its writes and is parked in
// processing under the lease, the others commit with one history entry
// each; a second claimer meanwhile sees none of them; a batch abandoned
// before its commit (a crash) leaves its messages received with nothing
// written.
func TestBatchDecidesEachMessageAlone(t *testing.T) {
	s, url := newStore(t, exchange.WithProcessingLease(time.Minute))
	ctx := context.Background()
	c := connect(t, url)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"B-1", "B-2", "B-3", "B-4"} {
		receive(t, s, "nj", id, "NJC"+id, at.Add(time.Duration(i)*time.Minute))
	}
	if _, err := s.ClaimBatch(ctx, "", 3); !errors.Is(err, exchange.ErrInvalid) {
		t.Fatalf("claim without owner: %v", err)
	}
	b, err := s.ClaimBatch(ctx, "worker-a", 3)
	if err != nil || b == nil || len(b.Messages) != 3 || b.Messages[0].MessageID != "B-1" || b.Messages[2].MessageID != "B-3" {
		t.Fatalf("ClaimBatch = %+v, %v", b, err)
	}
	// The batch reveals each message as LoadTransaction does.
	for _, m := range b.Messages {
		got, err := b.Transaction(m)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.LoadTransaction(ctx, m.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || got.NCP == nil || got.NCP.SSN != "123456789" {
			t.Fatalf("Transaction(%s) = %+v\nLoadTransaction = %+v", m.MessageID, got, want)
		}
	}
	other, err := s.ClaimBatch(ctx, "worker-b", 3)
	if err != nil || other == nil || len(other.Messages) != 1 || other.Messages[0].MessageID != "B-4" {
		t.Fatalf("second claimer = %+v, %v; want only B-4", other, err)
	}
	// The second claimer crashes: its message stays received, untouched.
	if err := other.Decide(ctx, other.Messages[0], func(q exchange.Querier) (exchange.Status, string, error) {
		_, err := exchange.AddReviewItem(ctx, q, exchange.ReviewItem{MessageID: other.Messages[0].ID, Kind: "rules"})
		return exchange.StatusNeedsReview, "held", err
	}); err != nil {
		t.Fatal(err)
	}
	other.Rollback(ctx)

	boom := errors.New("rules failed")
	for i, m := range b.Messages {
		err := b.Decide(ctx, m, func(q exchange.Querier) (exchange.Status, string, error) {
			if _, err := exchange.AddReviewItem(ctx, q, exchange.ReviewItem{MessageID: m.ID, Kind: "rules"}); err != nil {
				return "", "", err
			}
			if i == 1 {
				return "", "", boom
			}
			return exchange.StatusNeedsReview, "needs a caseworker", nil
		})
		if (i == 1) != errors.Is(err, boom) {
			t.Fatalf("Decide of %s: %v", m.MessageID, err)
		}
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx); !errors.Is(err, exchange.ErrState) {
		t.Fatalf("second commit: %v", err)
	}
	want := map[string]string{"B-1": "needs_review", "B-2": "processing", "B-3": "needs_review", "B-4": "received"}
	wantItems := map[string]int{"B-1": 1, "B-2": 0, "B-3": 1, "B-4": 0}
	for id, st := range want {
		var got string
		var owner *string
		if err := c.QueryRow(ctx, `SELECT status, lease_owner FROM messages WHERE sender_message_id = $1`, id).Scan(&got, &owner); err != nil {
			t.Fatal(err)
		}
		if got != st || (st == "processing") != (owner != nil && *owner == "worker-a") {
			t.Errorf("%s: status %s, lease owner %v; want %s", id, got, owner, st)
		}
		if n := count(t, c, `SELECT count(*) FROM review_items r JOIN messages m ON m.id = r.message_id
			WHERE m.sender_message_id = $1`, id); n != wantItems[id] {
			t.Errorf("%s: %d review items, want %d", id, n, wantItems[id])
		}
	}
	h, err := s.History(ctx, b.Messages[0].ID)
	if err != nil || len(h) < 2 {
		t.Fatalf("History = %+v, %v", h, err)
	}
	if last := h[len(h)-1]; last.From != exchange.StatusReceived || last.To != exchange.StatusNeedsReview ||
		last.Actor != "worker-a" || last.Note != "needs a caseworker" {
		t.Fatalf("last history entry = %+v; want received → needs_review by worker-a", last)
	}
	if again, err := s.ClaimBatch(ctx, "worker-c", 5); err != nil || again == nil || len(again.Messages) != 1 ||
		again.Messages[0].MessageID != "B-4" {
		t.Fatalf("claim after the batch = %+v, %v; want only B-4", again, err)
	} else {
		again.Rollback(ctx)
	}
}
