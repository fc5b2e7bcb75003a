package exchange_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

func TestInboxListAndAck(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for _, o := range []exchange.Outbound{
		outbound("pa", "P1", "C1", true), outbound("pa", "P2", "C2", true), outbound("pa", "P3", "C3", true),
		outbound("tx", "T1", "C1", true),
	} {
		if _, err := s.EnqueueOutbound(ctx, s.Pool(), o); err != nil {
			t.Fatal(err)
		}
	}
	page1, next, err := s.InboxList(ctx, "pa", 0, 2)
	if err != nil || len(page1) != 2 || page1[0].MessageID != "P1" || page1[1].MessageID != "P2" || next != page1[1].InboxSeq {
		t.Fatalf("page 1 = %v, next %d, %v", page1, next, err)
	}
	if string(page1[0].Raw) != `{"out":"P1","ssn":"456789012"}` || page1[0].Status != exchange.StatusAwaitingPickup {
		t.Fatalf("inbox message = %q %s", page1[0].Raw, page1[0].Status)
	}
	page2, next2, err := s.InboxList(ctx, "pa", next, 2)
	if err != nil || len(page2) != 1 || page2[0].MessageID != "P3" || next2 <= next {
		t.Fatalf("page 2 = %v, next %d, %v", page2, next2, err)
	}
	empty, next3, err := s.InboxList(ctx, "pa", next2, 2)
	if err != nil || len(empty) != 0 || next3 != next2 {
		t.Fatalf("past the end = %v, next %d, %v", empty, next3, err)
	}
	// A message enqueued now lands behind the cursor the partner holds.
	if _, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("pa", "P4", "C4", true)); err != nil {
		t.Fatal(err)
	}
	late, _, err := s.InboxList(ctx, "pa", next2, 10)
	if err != nil || len(late) != 1 || late[0].MessageID != "P4" {
		t.Fatalf("late message = %v, %v", late, err)
	}

	tests := []struct {
		partner string
		ids     []string
		want    int
	}{
		{"pa", []string{"P1", "P2", "T1", "nope"}, 2}, // T1 belongs to tx: ignored
		{"pa", []string{"P1"}, 0},                     // already acked
		{"tx", []string{"P3"}, 0},                     // another partner's message
	}
	for _, tc := range tests {
		got, err := s.InboxAck(ctx, tc.partner, tc.ids)
		if err != nil || got != tc.want {
			t.Fatalf("InboxAck(%s, %v) = %d, %v; want %d", tc.partner, tc.ids, got, err, tc.want)
		}
	}
	rest, _, err := s.InboxList(ctx, "pa", 0, 10)
	if err != nil || len(rest) != 2 || rest[0].MessageID != "P3" || rest[1].MessageID != "P4" {
		t.Fatalf("after ack = %v, %v", rest, err)
	}
	txs, _, err := s.InboxList(ctx, "tx", 0, 10)
	if err != nil || len(txs) != 1 || txs[0].MessageID != "T1" {
		t.Fatalf("tx inbox = %v, %v", txs, err)
	}
	m, err := s.GetBySenderID(ctx, "pa", exchange.DirOut, "P1")
	if err != nil || m.Status != exchange.StatusPickedUp {
		t.Fatalf("P1 = %s, %v", m.Status, err)
	}
}

func TestListMessagesKeyset(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var all []exchange.Receipt
	for i := range 11 {
		at := t0.Add(time.Duration(i) * time.Minute)
		if i >= 8 { // three messages share one instant: the id breaks the tie
			at = t0.Add(8 * time.Minute)
		}
		partner := "nj"
		if i%3 == 0 {
			partner = "pa"
		}
		all = append(all, receive(t, s, partner, fmt.Sprintf("L%02d", i), fmt.Sprintf("CASE%d", i%2), at))
	}
	type key struct {
		at time.Time
		id int64
	}
	var want []string
	var keys []key
	ids := map[string]int64{}
	for _, r := range all {
		m, err := s.GetBySenderID(ctx, r.Partner, exchange.DirIn, r.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		ids[r.MessageID] = m.ID
		keys = append(keys, key{m.CreatedAt, m.ID})
	}
	sort.Slice(keys, func(i, j int) bool {
		if !keys[i].at.Equal(keys[j].at) {
			return keys[i].at.After(keys[j].at)
		}
		return keys[i].id > keys[j].id
	})
	for _, k := range keys {
		for name, id := range ids {
			if id == k.id {
				want = append(want, name)
			}
		}
	}

	walk := func(f exchange.Filter, size int) ([]string, int) {
		var got []string
		cursor, pages := "", 0
		for {
			msgs, next, err := s.ListMessages(ctx, f, exchange.Page{Limit: size, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, m := range msgs {
				got = append(got, m.MessageID)
			}
			if next == "" {
				return got, pages
			}
			cursor = next
		}
	}
	got, pages := walk(exchange.Filter{}, 3)
	if fmt.Sprint(got) != fmt.Sprint(want) || pages != 4 {
		t.Fatalf("pages %d:\n got %v\nwant %v", pages, got, want)
	}
	pa, _ := walk(exchange.Filter{Partner: "pa", Statuses: []exchange.Status{exchange.StatusReceived}}, 2)
	if fmt.Sprint(pa) != "[L09 L06 L03 L00]" {
		t.Fatalf("pa = %v", pa)
	}
	case1, _ := walk(exchange.Filter{CaseID: "CASE1", Since: t0.Add(5 * time.Minute)}, 10)
	if fmt.Sprint(case1) != "[L09 L07 L05]" {
		t.Fatalf("case 1 since 12:05 = %v", case1)
	}
	none, _ := walk(exchange.Filter{Statuses: []exchange.Status{exchange.StatusDelivered}}, 10)
	if len(none) != 0 {
		t.Fatalf("delivered = %v", none)
	}
	if _, _, err := s.ListMessages(ctx, exchange.Filter{}, exchange.Page{Cursor: "not-a-cursor"}); !errors.Is(err, exchange.ErrInvalid) {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestClaimReceivedAndComplete(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t, exchange.WithProcessingLease(time.Hour))
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		receive(t, s, "nj", fmt.Sprintf("W%d", i), "CASEW", t0.Add(time.Duration(i)*time.Second))
	}
	got, err := s.ClaimReceived(ctx, "worker-a", 2)
	if err != nil || len(got) != 2 || got[0].MessageID != "W0" || got[1].MessageID != "W1" || got[0].Status != exchange.StatusProcessing {
		t.Fatalf("claim = %v, %v", got, err)
	}
	if got[0].Tx.NCP == nil || got[0].Tx.NCP.SSN != "***-**-6789" {
		t.Fatal("claimed message lacks its masked canonical form")
	}
	more, err := s.ClaimReceived(ctx, "worker-b", 5)
	if err != nil || len(more) != 1 || more[0].MessageID != "W2" {
		t.Fatalf("second claim = %v, %v", more, err)
	}

	id := got[0].ID
	err = s.Complete(ctx, id, exchange.StatusProcessed, "answered", func(q exchange.Querier) error {
		if _, err := s.EnqueueOutbound(ctx, q, outbound("nj", "ANS-W0", "NYCASE", false)); err != nil {
			return err
		}
		_, err := exchange.AddReviewItem(ctx, q, exchange.ReviewItem{MessageID: id, Kind: "possible_duplicate_order", Evidence: map[string]int{"orders": 2}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMessage(ctx, id)
	if err != nil || m.Status != exchange.StatusProcessed {
		t.Fatalf("status = %s, %v", m.Status, err)
	}
	h, _ := s.History(ctx, id)
	if last := h[len(h)-1]; last.From != exchange.StatusProcessing || last.To != exchange.StatusProcessed || last.Actor != "worker-a" || last.Note != "answered" {
		t.Fatalf("last history = %+v", last)
	}
	if ri, err := s.ReviewItems(ctx, id); err != nil || len(ri) != 1 || ri[0].Kind != "possible_duplicate_order" || string(ri[0].Evidence.(json.RawMessage)) != `{"orders": 2}` {
		t.Fatalf("review = %+v, %v", ri, err)
	}
	if _, err := s.GetBySenderID(ctx, "nj", exchange.DirOut, "ANS-W0"); err != nil {
		t.Fatalf("answer not enqueued: %v", err)
	}

	// A failing fn rolls back everything it did, and the status stays.
	boom := errors.New("boom")
	err = s.Complete(ctx, got[1].ID, exchange.StatusProcessed, "", func(q exchange.Querier) error {
		if _, err := s.EnqueueOutbound(ctx, q, outbound("nj", "ANS-W1", "NYCASE", false)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Complete = %v; want boom", err)
	}
	if _, err := s.GetBySenderID(ctx, "nj", exchange.DirOut, "ANS-W1"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("rolled back answer exists: %v", err)
	}
	if m, _ := s.GetMessage(ctx, got[1].ID); m.Status != exchange.StatusProcessing {
		t.Fatalf("status after failed complete = %s", m.Status)
	}

	for name, tc := range map[string]struct {
		id     int64
		status exchange.Status
		want   error
	}{
		"complete twice":      {id, exchange.StatusProcessed, exchange.ErrState},
		"unknown message":     {999999, exchange.StatusProcessed, exchange.ErrNotFound},
		"not a final status":  {got[1].ID, exchange.StatusSending, exchange.ErrInvalid},
		"give back to intake": {got[1].ID, exchange.StatusReceived, nil},
	} {
		if err := s.Complete(ctx, tc.id, tc.status, "", nil); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", name, err, tc.want)
		}
	}
}

func TestListenWakesOnReceive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, _ := newStore(t)
	recv, err := s.Listen(ctx, exchange.ChannelReceived)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Listen(ctx, exchange.ChannelOutbox)
	if err != nil {
		t.Fatal(err)
	}
	receive(t, s, "nj", "N1", "C", time.Now())
	select {
	case <-recv:
	case <-ctx.Done():
		t.Fatal("no notification on receive")
	}
	select {
	case <-out:
		t.Fatal("outbox channel woke on a receive")
	case <-time.After(200 * time.Millisecond):
	}
	if _, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("nj", "O1", "C", false)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out:
	case <-ctx.Done():
		t.Fatal("no notification on enqueue")
	}
	cancel()
	for range recv {
	}
}

func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	c := connect(t, url)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.AppendAudit(ctx, nil, exchange.Entry{Actor: fmt.Sprintf("staff:%d", i), Action: "view", Target: "message:1",
				Details: map[string]any{"b": 2, "a": []int{1, i}}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	n, bad, err := s.VerifyAudit(ctx)
	if err != nil || n != 10 || bad != 0 {
		t.Fatalf("VerifyAudit = %d, %d, %v; want 10, 0, nil", n, bad, err)
	}
	trail, err := s.AuditTrail(ctx, "message:1", 100)
	if err != nil || len(trail) != 10 {
		t.Fatalf("trail = %d, %v", len(trail), err)
	}

	// The table refuses edits and deletions, even from its owner.
	for _, sql := range []string{`UPDATE audit_log SET actor = 'mallory'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if _, err := c.Exec(ctx, sql); err == nil {
			t.Fatalf("%s succeeded", sql)
		}
	}

	// A superuser can switch the trigger off; the chain still tells.
	third, fifth := trail[2].ID, trail[4].ID
	tamper := func(sql string, args ...any) {
		t.Helper()
		for _, q := range []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, sql, `ALTER TABLE audit_log ENABLE TRIGGER USER`} {
			a := args
			if q != sql {
				a = nil
			}
			if _, err := c.Exec(ctx, q, a...); err != nil {
				t.Fatal(err)
			}
		}
	}
	tamper(`UPDATE audit_log SET details = '{"a":[1,0],"b":3}' WHERE id = $1`, fifth)
	n, bad, err = s.VerifyAudit(ctx)
	if !errors.Is(err, exchange.ErrAuditTampered) || bad != fifth || n != 5 {
		t.Fatalf("after edit: VerifyAudit = %d, %d, %v; want first bad %d", n, bad, err, fifth)
	}
	tamper(`DELETE FROM audit_log WHERE id = $1`, third)
	_, bad, err = s.VerifyAudit(ctx)
	if !errors.Is(err, exchange.ErrAuditTampered) || bad != trail[3].ID {
		t.Fatalf("after delete: first bad %d, %v; want %d", bad, err, trail[3].ID)
	}
}
