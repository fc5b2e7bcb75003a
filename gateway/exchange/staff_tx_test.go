package exchange_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uifsagw/uifsagw/gateway/exchange"
)

func TestParseStaffAction(t *testing.T) {
	for _, a := range exchange.StaffActions {
		if got, err := exchange.ParseStaffAction(string(a)); err != nil || got != a {
			t.Errorf("%s: %q, %v", a, got, err)
		}
	}
	for _, bad := range []string{"", "Resolve", "delete", "reprocess ", "determination_confirm"} {
		if _, err := exchange.ParseStaffAction(bad); !errors.Is(err, exchange.ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", bad, err)
		}
	}
}

// Every staff change commits with its audit record, or neither does.
func TestStaffTransactions(t *testing.T) {
	ctx := context.Background()
	s, c, id, item := awaitingReview(t, "existing_order")
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	audits := func() int {
		return count(t, c, `SELECT count(*) FROM audit_log WHERE target = $1`, "message:"+strconv.FormatInt(id, 10))
	}

	// Claims: the claim and its record; a second person is refused and
	// nothing is recorded; a release with no claim records nothing.
	if _, err := s.StaffClaim(ctx, id, "kim", "Kim", at, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StaffClaim(ctx, id, "lee", "Lee", at, false); !errors.Is(err, exchange.ErrClaimed) {
		t.Fatalf("second claim: %v, want ErrClaimed", err)
	}
	if ok, err := s.StaffRelease(ctx, id, "lee", false, at); err != nil || ok {
		t.Fatalf("release by someone without the claim: %v %v", ok, err)
	}
	if n := audits(); n != 1 {
		t.Fatalf("%d audit records after claims, want 1 (the claim)", n)
	}
	if ok, err := s.StaffRelease(ctx, id, "kim", false, at); err != nil || !ok {
		t.Fatalf("release: %v %v", ok, err)
	}

	// A refused action changes nothing and records nothing.
	if _, err := s.ApplyStaffAction(ctx, exchange.StaffChange{Message: id, Action: exchange.ActRoute, Actor: "kim", At: at}); !errors.Is(err, exchange.ErrInvalid) {
		t.Fatalf("route through ApplyStaffAction: %v", err)
	}
	before := audits()
	to, err := s.ApplyStaffAction(ctx, exchange.StaffChange{Message: id, Action: exchange.ActResolve, Actor: "kim",
		Note: "settled by phone", At: at})
	if err != nil || to != exchange.StatusResolved {
		t.Fatalf("resolve: %s %v", to, err)
	}
	if n := count(t, c, `SELECT count(*) FROM review_items WHERE id = $1 AND state = 'resolved'`, item); n != 1 {
		t.Fatal("the open review item was not closed with the message")
	}
	if n := count(t, c, `SELECT count(*) FROM message_history WHERE message_id = $1 AND note = 'resolve by kim: settled by phone'`, id); n != 1 {
		t.Fatal("no history line for the resolve")
	}
	if _, err := s.ApplyStaffAction(ctx, exchange.StaffChange{Message: id, Action: exchange.ActCancel, Actor: "kim", At: at}); !errors.Is(err, exchange.ErrState) {
		t.Fatalf("cancel a resolved message: %v, want ErrState", err)
	}
	if n := audits(); n != before+1 {
		t.Fatalf("%d audit records, want %d (the resolve only)", n, before+1)
	}
}

// A decision whose notices fail leaves the item open and the registry and
// the audit chain as they were.
func TestDecideReviewItemIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, c, id, item := awaitingReview(t, "controlling_order")
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	rule := func(it exchange.ReviewItem) (exchange.Ruling, error) {
		return exchange.Ruling{Resolution: "confirmed: no controlling order", AuditAction: "determination_confirm",
			Details: map[string]any{"message": it.MessageID}}, nil
	}
	boom := errors.New("notice refused")
	_, err := s.DecideReviewItem(ctx, item, "sup", at, rule, func(context.Context, exchange.Querier, exchange.ReviewItem, exchange.Ruling) error {
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed notices: %v", err)
	}
	if n := count(t, c, `SELECT count(*) FROM review_items WHERE id = $1 AND state <> 'resolved'`, item); n != 1 {
		t.Fatal("the item was resolved although its notices failed")
	}
	if n := count(t, c, `SELECT count(*) FROM audit_log`); n != 0 {
		t.Fatalf("%d audit records for a decision that did not happen", n)
	}
	refused := errors.New("not this one")
	if _, err := s.DecideReviewItem(ctx, item, "sup", at, func(exchange.ReviewItem) (exchange.Ruling, error) { return exchange.Ruling{}, refused }, nil); !errors.Is(err, refused) {
		t.Fatalf("refused ruling: %v", err)
	}
	it, err := s.DecideReviewItem(ctx, item, "sup", at, rule, nil)
	if err != nil || it.State != exchange.ReviewResolved || it.Resolution != "confirmed: no controlling order" {
		t.Fatalf("decision: %+v %v", it, err)
	}
	m, err := s.GetMessage(ctx, id)
	if err != nil || m.Status != exchange.StatusProcessed {
		t.Fatalf("message after its last item was decided: %s %v", m.Status, err)
	}
	if n := count(t, c, `SELECT count(*) FROM audit_log WHERE action = 'determination_confirm' AND target = $1`, "review_item:"+strconv.FormatInt(item, 10)); n != 1 {
		t.Fatal("no audit record of the decision")
	}
}

// awaitingReview stores a received message waiting for a person with one
// open review item of kind, and returns the store, a connection, the
// message and the item.
func awaitingReview(t *testing.T, kind string) (*exchange.Store, *pgx.Conn, int64, int64) {
	t.Helper()
	ctx := context.Background()
	s, url := newStore(t)
	c := connect(t, url)
	receive(t, s, "NJ", "ST-1", "C1", time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))
	var id int64
	if err := c.QueryRow(ctx, `SELECT id FROM messages WHERE sender_message_id = 'ST-1'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, s.Pool(), id, exchange.StatusNeedsReview, "test", "to review"); err != nil {
		t.Fatal(err)
	}
	item, err := exchange.AddReviewItem(ctx, s.Pool(), exchange.ReviewItem{MessageID: id, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, id, item
}
