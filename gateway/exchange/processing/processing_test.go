package processing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// TestClaimCompleteAndHistory claims received messages in order under a
// lease, refuses completions that processing may not make, and commits the
// decision's own writes with the status, or nothing when it fails.
func TestClaimCompleteAndHistory(t *testing.T) {
	s, url := newStore(t, exchange.WithProcessingLease(time.Minute))
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	receive(t, s, "nj", "P-1", "NJC1", at)
	receive(t, s, "nj", "P-2", "NJC2", at.Add(time.Minute))
	if _, err := s.ClaimReceived(ctx, "", 5); !errors.Is(err, exchange.ErrInvalid) {
		t.Fatalf("claim without owner: %v", err)
	}
	got, err := s.ClaimReceived(ctx, "worker-a", 5)
	if err != nil || len(got) != 2 || got[0].MessageID != "P-1" || got[1].MessageID != "P-2" {
		t.Fatalf("ClaimReceived = %+v, %v", got, err)
	}
	if got[0].Status != exchange.StatusProcessing || got[0].Tx.NCP == nil || got[0].Tx.NCP.SSN == "123456789" {
		t.Fatalf("claimed message: status %s, NCP %+v; want processing with the SSN masked", got[0].Status, got[0].Tx.NCP)
	}
	if again, err := s.ClaimReceived(ctx, "worker-b", 5); err != nil || len(again) != 0 {
		t.Fatalf("second claim = %d messages, %v; want none", len(again), err)
	}
	if err := s.Complete(ctx, got[0].ID, exchange.StatusQueued, "", nil); !errors.Is(err, exchange.ErrInvalid) {
		t.Fatalf("completing to queued: %v", err)
	}
	c := connect(t, url)
	// A decision that fails leaves nothing behind: its review item rolls back.
	boom := errors.New("rules failed")
	err = s.Complete(ctx, got[0].ID, exchange.StatusNeedsReview, "held", func(q exchange.Querier) error {
		if _, err := exchange.AddReviewItem(ctx, q, exchange.ReviewItem{MessageID: got[0].ID, Kind: "rules"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failing decision: %v", err)
	}
	if n := count(t, c, `SELECT count(*) FROM review_items WHERE message_id = $1`, got[0].ID); n != 0 {
		t.Fatalf("review items after a failed decision = %d", n)
	}
	err = s.CompleteWith(ctx, got[0].ID, func(q exchange.Querier) (exchange.Status, string, error) {
		_, err := exchange.AddReviewItem(ctx, q, exchange.ReviewItem{MessageID: got[0].ID, Kind: "rules"})
		return exchange.StatusNeedsReview, "needs a caseworker", err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, c, `SELECT count(*) FROM review_items WHERE message_id = $1`, got[0].ID); n != 1 {
		t.Fatalf("review items = %d, want 1", n)
	}
	if err := s.Complete(ctx, got[0].ID, exchange.StatusProcessed, "", nil); !errors.Is(err, exchange.ErrState) {
		t.Fatalf("completing a message no longer in processing: %v", err)
	}
	if err := s.Complete(ctx, got[1].ID, exchange.StatusProcessed, "answered", nil); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, got[1].ID)
	if err != nil || len(h) < 3 {
		t.Fatalf("History = %+v, %v", h, err)
	}
	last := h[len(h)-1]
	if last.From != exchange.StatusProcessing || last.To != exchange.StatusProcessed || last.Actor != "worker-a" {
		t.Fatalf("last history entry = %+v; want processing → processed by the lease owner", last)
	}
	if err := s.SetStatus(ctx, s.Pool(), got[1].ID, exchange.Status("bogus"), "ada", ""); !errors.Is(err, exchange.ErrInvalid) {
		t.Fatalf("SetStatus to an unknown status: %v", err)
	}
	if _, err := s.IssuedReceipt(ctx, got[1].ID); err != nil {
		t.Fatalf("IssuedReceipt: %v", err)
	}
}
