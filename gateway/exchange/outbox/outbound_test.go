package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

func claimIDs(t *testing.T, s *exchange.Store, owner string, limit int) []string {
	t.Helper()
	items, err := s.ClaimOutbox(context.Background(), owner, limit, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.SenderMsgID)
	}
	sort.Strings(ids)
	return ids
}

func TestOutboxKeepsCaseOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	ids := map[string]int64{}
	for _, o := range []exchange.Outbound{
		outbound("nj", "A1", "CASEA", false),
		outbound("nj", "B1", "CASEB", false),
		outbound("nj", "A2", "CASEA", false),
		outbound("pa", "A1-pa", "CASEA", false), // same case, another partner: its own order
	} {
		id, err := s.EnqueueOutbound(ctx, s.Pool(), o)
		if err != nil {
			t.Fatal(err)
		}
		ids[o.MessageID] = id
	}
	// Enqueuing the same decision again does not double it.
	again, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("nj", "A1", "CASEA", false))
	if err != nil || again != ids["A1"] {
		t.Fatalf("re-enqueue = %d, %v; want %d", again, err, ids["A1"])
	}
	changed := outbound("nj", "A1", "CASEA", false)
	changed.Raw = []byte("other")
	if _, err := s.EnqueueOutbound(ctx, s.Pool(), changed); !errors.Is(err, exchange.ErrConflict) {
		t.Fatalf("same id, other body: %v", err)
	}

	steps := []struct {
		name    string
		deliver string
		want    []string
	}{
		{"oldest of each case", "", []string{"A1", "A1-pa", "B1"}},
		{"A2 waits while A1 is in flight", "", nil},
		{"A2 after A1 is delivered", "A1", []string{"A2"}},
	}
	for _, st := range steps {
		if st.deliver != "" {
			if err := s.MarkDelivered(ctx, ids[st.deliver], "receipt-jws"); err != nil {
				t.Fatal(err)
			}
		}
		if got := claimIDs(t, s, "w1", 10); fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Fatalf("%s: claimed %v; want %v", st.name, got, st.want)
		}
	}
	m, err := s.GetMessage(ctx, ids["A1"])
	if err != nil || m.Status != exchange.StatusDelivered || m.Direction != exchange.DirOut {
		t.Fatalf("A1 = %+v, %v", m.Status, err)
	}
	rs, err := s.Receipts(ctx, ids["A1"])
	if err != nil || len(rs) != 1 || rs[0].JWS != "receipt-jws" {
		t.Fatalf("partner receipt = %+v, %v", rs, err)
	}
	h, err := s.History(ctx, ids["A1"])
	if err != nil {
		t.Fatal(err)
	}
	var path []exchange.Status
	for _, e := range h {
		path = append(path, e.To)
	}
	if fmt.Sprint(path) != "[queued sending delivered]" {
		t.Fatalf("A1 history %v", path)
	}
}

func TestOutboxEnqueueInCallerTransaction(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	c := connect(t, url)
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnqueueOutbound(ctx, tx, outbound("nj", "ROLLED", "C", false)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, c, `SELECT count(*) FROM messages`); n != 0 {
		t.Fatalf("rolled back enqueue left %d messages", n)
	}
	err = pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		_, err := s.EnqueueOutbound(ctx, tx, outbound("nj", "KEPT", "C", false))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, c, `SELECT count(*) FROM outbox`); n != 1 {
		t.Fatalf("outbox rows = %d; want 1", n)
	}
}

func TestOutboxConcurrentClaimersNeverShare(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	const n = 60
	for i := range n {
		// 20 cases of three messages each.
		if _, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("nj", fmt.Sprintf("M%02d", i), fmt.Sprintf("CASE%02d", i%20), false)); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu      sync.Mutex
		claimed = map[string]string{}
		order   = map[string][]string{}
		wg      sync.WaitGroup
		failed  = make(chan error, 2)
	)
	for w := range 2 {
		owner := fmt.Sprintf("w%d", w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each claimer runs until every message has been claimed by one
			// of them; an empty claim means the other holds the head of each
			// case left, and it delivers that at once. The deadline only
			// bounds a bug: the count below then says what was left.
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				mu.Lock()
				all := len(claimed) == n
				mu.Unlock()
				if all {
					return
				}
				items, err := s.ClaimOutbox(ctx, owner, 4, time.Minute)
				if err != nil {
					failed <- err
					return
				}
				if len(items) == 0 {
					runtime.Gosched()
					continue
				}
				for _, it := range items {
					mu.Lock()
					if prev, dup := claimed[it.SenderMsgID]; dup {
						mu.Unlock()
						failed <- fmt.Errorf("%s claimed by %s and %s", it.SenderMsgID, prev, owner)
						return
					}
					claimed[it.SenderMsgID] = owner
					order[it.OrderingKey] = append(order[it.OrderingKey], it.SenderMsgID)
					mu.Unlock()
					if err := s.MarkDelivered(ctx, it.MessageID, ""); err != nil {
						failed <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Fatal(err)
	}
	if len(claimed) != n {
		t.Fatalf("claimed %d of %d", len(claimed), n)
	}
	for key, seq := range order {
		if !sort.StringsAreSorted(seq) {
			t.Errorf("case %s left out of order: %v", key, seq)
		}
	}
	counts, err := s.CountByStatus(ctx)
	if err != nil || counts[exchange.StatusDelivered] != n || len(counts) != 1 {
		t.Fatalf("CountByStatus = %v, %v", counts, err)
	}
}

func TestOutboxRetryDeadLetterAndRescue(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	c := connect(t, url)
	id, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("nj", "R1", "C1", false))
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.ClaimOutbox(ctx, "w1", 10, time.Minute)
	if err != nil || len(items) != 1 || items[0].Attempts != 1 || string(items[0].Raw) != `{"out":"R1","ssn":"456789012"}` {
		t.Fatalf("claim = %+v, %v", items, err)
	}
	if err := s.MarkRetry(ctx, id, "503 from partner", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, s, "w1", 10); len(got) != 0 {
		t.Fatalf("claimed %v before the retry is due", got)
	}
	if err := s.MarkRetry(ctx, id, "again", time.Now()); !errors.Is(err, exchange.ErrState) {
		t.Fatalf("retry of a pending item: %v; want ErrState", err)
	}
	// Make it due now, as the clock would.
	if _, err := s.Pool().Exec(ctx, `UPDATE outbox SET next_attempt_at = now() - interval '1 second' WHERE message_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	items, err = s.ClaimOutbox(ctx, "w2", 10, time.Minute)
	if err != nil || len(items) != 1 || items[0].Attempts != 2 {
		t.Fatalf("second claim = %+v, %v", items, err)
	}
	if err := s.MarkDeadLetter(ctx, id, "gave up after 2 attempts"); err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMessage(ctx, id)
	if err != nil || m.Status != exchange.StatusDeadLetter {
		t.Fatalf("status = %s, %v", m.Status, err)
	}
	ri, err := s.ReviewItems(ctx, id)
	if err != nil || len(ri) != 1 || ri[0].Kind != "dead_letter" || ri[0].State != exchange.ReviewOpen {
		t.Fatalf("review items = %+v, %v", ri, err)
	}
	tests := []struct {
		name string
		op   func() error
		want error
	}{
		{"retry a dead item", func() error { return s.MarkRetry(ctx, id, "x", time.Now()) }, exchange.ErrState},
		{"dead-letter it twice", func() error { return s.MarkDeadLetter(ctx, id, "x") }, exchange.ErrState},
		{"deliver an unknown item", func() error { return s.MarkDelivered(ctx, 999999, "") }, exchange.ErrNotFound},
		{"bad claim", func() error { _, err := s.ClaimOutbox(ctx, "", 1, time.Second); return err }, exchange.ErrInvalid},
	}
	for _, tc := range tests {
		if err := tc.op(); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, err, tc.want)
		}
	}

	// A lease that runs out goes back to the queue.
	id2, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("nj", "R2", "C2", false))
	if err != nil {
		t.Fatal(err)
	}
	if items, err := s.ClaimOutbox(ctx, "crashed", 1, time.Millisecond); err != nil || len(items) != 1 {
		t.Fatalf("claim = %v, %v", items, err)
	}
	// Wait until the lease has run out by the database's clock, the one the
	// rescue reads; a millisecond lease does within a few queries.
	for deadline := time.Now().Add(10 * time.Second); count(t, c,
		`SELECT count(*) FROM outbox WHERE state = 'leased' AND lease_expires_at < now()`) != 1; {
		if time.Now().After(deadline) {
			t.Fatal("the 1 ms lease did not run out")
		}
	}
	n, err := s.RescueExpiredLeases(ctx)
	if err != nil || n != 1 {
		t.Fatalf("rescued %d, %v; want 1", n, err)
	}
	if m, _ := s.GetMessage(ctx, id2); m.Status != exchange.StatusQueued {
		t.Fatalf("rescued status = %s", m.Status)
	}
	if got := claimIDs(t, s, "w3", 10); fmt.Sprint(got) != "[R2]" {
		t.Fatalf("after rescue claimed %v", got)
	}
}
