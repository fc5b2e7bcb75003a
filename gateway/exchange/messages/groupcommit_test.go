package messages_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

type call struct {
	partner, msgID, body string
	// kind: "new" (sent once), "dup" (same body twice), "clash" (two bodies)
	kind string
}

type answer struct {
	r      exchange.Receipt
	repeat bool
	err    error
}

// runConcurrently starts every call at the same instant and returns the answers in call order.
func runConcurrently(t *testing.T, s *exchange.Store, calls []call, sign func(c call) func(exchange.Receipt) (string, error)) []answer {
	t.Helper()
	out := make([]answer, len(calls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() {
			<-start
			tx := sampleTx(c.msgID, "CASE-"+c.msgID, "123456789", "234567890", "345678901")
			r, repeat, err := s.Receive(context.Background(), inbound(c.partner, tx, c.body), sign(c))
			out[i] = answer{r, repeat, err}
		})
	}
	close(start)
	wg.Wait()
	return out
}

func sum(body string) string {
	s := sha256.Sum256([]byte(body))
	return hex.EncodeToString(s[:])
}

// TestGroupCommitConcurrentMix sends 200 Receives at once: 80 single
// messages, 40 messages twice with the same body and 20 twice with different
// bodies. Every call must get exactly the answer one-at-a-time intake gives,
// and the tables must hold exactly one stored message per message id.
func TestGroupCommitConcurrentMix(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t, exchange.WithGroupCommit(32, 5*time.Millisecond),
		exchange.WithPoolConfig(func(c *pgxpool.Config) { c.MaxConns = 8 }))
	c := connect(t, url)

	var calls []call
	for i := range 80 {
		calls = append(calls, call{"nj", fmt.Sprintf("NEW-%03d", i), fmt.Sprintf(`{"new":%d}`, i), "new"})
	}
	for i := range 40 {
		id, body := fmt.Sprintf("DUP-%03d", i), fmt.Sprintf(`{"dup":%d}`, i)
		calls = append(calls, call{"pa", id, body, "dup"}, call{"pa", id, body, "dup"})
	}
	for i := range 20 {
		id := fmt.Sprintf("CLASH-%03d", i)
		calls = append(calls, call{"nj", id, fmt.Sprintf(`{"clash":%d,"v":"a"}`, i), "clash"},
			call{"nj", id, fmt.Sprintf(`{"clash":%d,"v":"b"}`, i), "clash"})
	}
	if len(calls) != 200 {
		t.Fatalf("%d calls", len(calls))
	}
	var signs atomic.Int64
	answers := runConcurrently(t, s, calls, func(call) func(exchange.Receipt) (string, error) { return fakeSign(&signs) })

	type key struct{ partner, id string }
	byID := map[key][]int{}
	for i, c := range calls {
		byID[key{c.partner, c.msgID}] = append(byID[key{c.partner, c.msgID}], i)
	}
	winners := map[key]int{} // the call whose body is stored
	for k, idx := range byID {
		var stored, repeats, conflicts []int
		for _, i := range idx {
			a := answers[i]
			switch {
			case errors.Is(a.err, exchange.ErrConflict):
				conflicts = append(conflicts, i)
			case a.err != nil:
				t.Fatalf("%v call %d: %v", k, i, a.err)
			case a.repeat:
				repeats = append(repeats, i)
			default:
				stored = append(stored, i)
			}
		}
		kind := calls[idx[0]].kind
		want := map[string][3]int{"new": {1, 0, 0}, "dup": {1, 1, 0}, "clash": {1, 0, 1}}[kind]
		if got := [3]int{len(stored), len(repeats), len(conflicts)}; got != want {
			t.Fatalf("%v (%s): stored/repeat/conflict = %v; want %v", k, kind, got, want)
		}
		w := stored[0]
		winners[k] = w
		first := answers[w].r
		if first.Partner != k.partner || first.MessageID != k.id || first.BodySHA256 != sum(calls[w].body) || first.ID == "" {
			t.Fatalf("%v: receipt %+v", k, first)
		}
		wantJWS, _ := fakeSign(nil)(exchange.Receipt{ID: first.ID, Partner: first.Partner, MessageID: first.MessageID,
			BodySHA256: first.BodySHA256, ReceivedAt: first.ReceivedAt})
		if first.JWS != wantJWS {
			t.Fatalf("%v: JWS %q; want %q", k, first.JWS, wantJWS)
		}
		for _, i := range repeats {
			if r := answers[i].r; r.ID != first.ID || r.JWS != first.JWS || !r.ReceivedAt.Equal(first.ReceivedAt) || r.BodySHA256 != first.BodySHA256 {
				t.Fatalf("%v: repeat receipt %+v; want the first %+v", k, r, first)
			}
		}
	}

	const unique = 140
	for _, q := range []struct {
		sql  string
		want int
	}{
		{`SELECT count(*) FROM messages WHERE direction = 'in'`, unique},
		{`SELECT count(*) FROM receipts WHERE kind = 'issued'`, unique},
		{`SELECT count(*) FROM message_history WHERE to_status = 'received' AND actor = 'intake'`, unique},
		{`SELECT count(*) FROM message_ssns WHERE path LIKE '%.ssn'`, 3 * unique},
		{`SELECT count(*) FROM message_ssns WHERE path LIKE '%.dateOfBirth'`, 3 * unique},
		{`SELECT count(*) FROM person_keys`, 3 * unique},
		{`SELECT count(DISTINCT r.receipt_id) FROM receipts r JOIN messages m ON m.id = r.message_id`, unique},
	} {
		if got := count(t, c, q.sql); got != q.want {
			t.Errorf("%s = %d; want %d", q.sql, got, q.want)
		}
	}
	if got := signs.Load(); got != unique {
		t.Errorf("signer called %d times; want %d (once per stored message)", got, unique)
	}
	// The stored body and receipt are the winner's, for every message id.
	for k, w := range winners {
		var body, rid string
		if err := c.QueryRow(ctx, `SELECT encode(m.body_sha256, 'hex'), r.receipt_id FROM messages m
			JOIN receipts r ON r.message_id = m.id WHERE m.partner = $1 AND m.sender_message_id = $2`, k.partner, k.id).Scan(&body, &rid); err != nil {
			t.Fatal(err)
		}
		if body != sum(calls[w].body) || rid != answers[w].r.ID {
			t.Fatalf("%v: stored body %s receipt %s; want %s %s", k, body, rid, sum(calls[w].body), answers[w].r.ID)
		}
	}
	// The SSNs sealed in a batch open with the row id they were sealed for.
	m, err := s.GetBySenderID(ctx, "nj", exchange.DirIn, "NEW-042")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"ncp.ssn": "123456789", "participants[0].ssn": "234567890", "participants[1].ssn": "345678901"} {
		got, err := s.Reveal(ctx, m.ID, path)
		if err != nil || got.Digits() != want {
			t.Fatalf("Reveal %s = %v; want %s", path, err, want)
		}
	}

	st := s.GroupCommitStats()
	if st.Messages+st.Alone != 200 || st.Batches == 0 || st.Batches >= st.Messages {
		t.Fatalf("stats %+v: want 200 calls answered in fewer batches than messages", st)
	}
	t.Logf("group commit: %+v", st)
}

// TestGroupCommitIsolatesFailures: one member whose receipt cannot be signed
// and one whose row PostgreSQL refuses share a batch with good messages;
// only those two fail, and nothing of theirs is stored.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	s, url := newStore(t, exchange.WithGroupCommit(64, 20*time.Millisecond))
	c := connect(t, url)
	var calls []call
	for i := range 30 {
		calls = append(calls, call{"nj", fmt.Sprintf("OK-%02d", i), fmt.Sprintf(`{"ok":%d}`, i), "new"})
	}
	calls = append(calls, call{"nj", "NOSIGN", `{"nosign":1}`, "new"}, call{"nj", "NUL\x00ID", `{"nul":1}`, "new"})
	errSign := errors.New("signing key unavailable")
	answers := runConcurrently(t, s, calls, func(c call) func(exchange.Receipt) (string, error) {
		if c.msgID == "NOSIGN" {
			return func(exchange.Receipt) (string, error) { return "", errSign }
		}
		return fakeSign(nil)
	})
	for i, c := range calls {
		a := answers[i]
		switch c.msgID {
		case "NOSIGN":
			if !errors.Is(a.err, errSign) {
				t.Fatalf("NOSIGN: err %v; want %v", a.err, errSign)
			}
		case "NUL\x00ID":
			if a.err == nil || errors.Is(a.err, exchange.ErrConflict) {
				t.Fatalf("NUL: err %v; want a database error", a.err)
			}
		default:
			if a.err != nil || a.repeat || a.r.JWS == "" {
				t.Fatalf("%s: %+v", c.msgID, a)
			}
		}
	}
	if got := count(t, c, `SELECT count(*) FROM messages`); got != 30 {
		t.Fatalf("messages = %d; want 30", got)
	}
	if got := count(t, c, `SELECT count(*) FROM receipts`); got != 30 {
		t.Fatalf("receipts = %d; want 30", got)
	}
	if got := count(t, c, `SELECT count(*) FROM messages WHERE sender_message_id = 'NOSIGN'`); got != 0 {
		t.Fatalf("the unsigned message was stored")
	}
}

// TestGroupCommitOff: WithGroupCommit(1, 0) stores each message in its own
// transaction with the same answers.
func TestGroupCommitOff(t *testing.T) {
	s, url := newStore(t, exchange.WithGroupCommit(1, 0))
	c := connect(t, url)
	calls := []call{{"nj", "A", `{"a":1}`, "new"}, {"nj", "A", `{"a":1}`, "dup"}, {"nj", "A", `{"a":2}`, "clash"}}
	for i, cl := range calls {
		a := runConcurrently(t, s, []call{cl}, func(call) func(exchange.Receipt) (string, error) { return fakeSign(nil) })[0]
		wantRepeat, wantErr := i == 1, i == 2
		if a.repeat != wantRepeat || errors.Is(a.err, exchange.ErrConflict) != wantErr || (!wantErr && a.err != nil) {
			t.Fatalf("call %d: %+v", i, a)
		}
	}
	if got := count(t, c, `SELECT count(*) FROM messages`); got != 1 {
		t.Fatalf("messages = %d; want 1", got)
	}
	if st := s.GroupCommitStats(); st != (exchange.GroupCommitStats{}) {
		t.Fatalf("stats %+v with group commit off", st)
	}
}
