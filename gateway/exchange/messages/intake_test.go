package messages_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

func TestReceiveIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	c := connect(t, url)
	var signs atomic.Int64
	tx := sampleTx("NJ-0001", "NJCASE1", "123456789", "234567890", "345678901")
	at := time.Date(2026, 11, 2, 15, 4, 5, 123456789, time.UTC)
	in := inbound("nj", tx, `{"first":"body"}`)
	in.ReceivedAt = at

	first, repeat, err := s.Receive(ctx, in, fakeSign(&signs))
	if err != nil || repeat {
		t.Fatalf("first Receive = %v, repeat %v", err, repeat)
	}
	sum := sha256.Sum256([]byte(`{"first":"body"}`))
	if first.ID == "" || first.JWS == "" || first.Partner != "nj" || first.MessageID != "NJ-0001" ||
		first.BodySHA256 != hex.EncodeToString(sum[:]) || !first.ReceivedAt.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("first receipt = %+v", first)
	}

	tests := []struct {
		name       string
		partner    string
		body       string
		wantRepeat bool
		wantErr    error
	}{
		{"same partner, id and body", "nj", `{"first":"body"}`, true, nil},
		{"same id, different body", "nj", `{"second":"body"}`, false, exchange.ErrConflict},
		{"same id from another partner is another message", "pa", `{"first":"body"}`, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := inbound(tc.partner, tx, tc.body)
			in.ReceivedAt = at.Add(time.Hour)
			r, repeat, err := s.Receive(ctx, in, fakeSign(&signs))
			if !errors.Is(err, tc.wantErr) || repeat != tc.wantRepeat {
				t.Fatalf("Receive = %+v, %v, %v; want repeat %v, err %v", r, repeat, err, tc.wantRepeat, tc.wantErr)
			}
			if tc.wantRepeat && (r.ID != first.ID || r.JWS != first.JWS || !r.ReceivedAt.Equal(first.ReceivedAt) || r.BodySHA256 != first.BodySHA256) {
				t.Fatalf("repeat receipt %+v; want the first %+v", r, first)
			}
		})
	}
	if n := count(t, c, `SELECT count(*) FROM messages WHERE partner = 'nj'`); n != 1 {
		t.Fatalf("nj messages = %d; want 1", n)
	}
	if n := count(t, c, `SELECT count(*) FROM receipts r JOIN messages m ON m.id = r.message_id WHERE m.partner = 'nj'`); n != 1 {
		t.Fatalf("nj receipts = %d; want 1", n)
	}
	if got := signs.Load(); got != 2 {
		t.Fatalf("signer called %d times; want 2 (nj first, pa)", got)
	}
	m, err := s.GetBySenderID(ctx, "nj", exchange.DirIn, "NJ-0001")
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != exchange.StatusReceived || m.Function != "ENF" || m.SenderCaseID != "NJCASE1" || m.TraceID != "trace-1" ||
		m.Signature == "" || !m.CreatedAt.Equal(first.ReceivedAt) {
		t.Fatalf("stored message = %+v", m)
	}
	rs, err := s.Receipts(ctx, m.ID)
	if err != nil || len(rs) != 1 || rs[0].ID != first.ID || rs[0].JWS != first.JWS {
		t.Fatalf("Receipts = %+v, %v", rs, err)
	}
	h, err := s.History(ctx, m.ID)
	if err != nil || len(h) != 1 || h[0].To != exchange.StatusReceived || h[0].From != "" {
		t.Fatalf("History = %+v, %v", h, err)
	}
}

func TestReceiveConcurrentIdentical(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t, exchange.WithPoolConfig(func(c *pgxpool.Config) { c.MaxConns = 20 }))
	c := connect(t, url)
	tx := sampleTx("NJ-RACE", "NJCASE2", "123456789", "", "")
	const n = 20
	var (
		wg       sync.WaitGroup
		receipts [n]exchange.Receipt
		repeats  atomic.Int64
		errs     [n]error
		start    = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, repeat, err := s.Receive(ctx, inbound("nj", tx, `{"race":1}`), fakeSign(nil))
			receipts[i], errs[i] = r, err
			if repeat {
				repeats.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Receive %d: %v", i, errs[i])
		}
		if receipts[i].ID != receipts[0].ID || receipts[i].JWS != receipts[0].JWS {
			t.Fatalf("receipt %d = %+v; want %+v", i, receipts[i], receipts[0])
		}
	}
	if got := repeats.Load(); got != n-1 {
		t.Fatalf("repeats = %d; want %d", got, n-1)
	}
	if got := count(t, c, `SELECT count(*) FROM messages`); got != 1 {
		t.Fatalf("messages = %d; want 1", got)
	}
	if got := count(t, c, `SELECT count(*) FROM receipts`); got != 1 {
		t.Fatalf("receipts = %d; want 1", got)
	}
	if got := count(t, c, `SELECT count(*) FROM person_keys`); got != 1 {
		t.Fatalf("person keys = %d; want 1", got)
	}
}

func TestReceiveRejectsIncompleteInput(t *testing.T) {
	s, _ := newStore(t)
	tx := sampleTx("X-1", "C", "", "", "")
	for name, in := range map[string]exchange.Inbound{
		"no partner": inbound("", tx, "{}"),
		"no body":    inbound("nj", tx, ""),
		"no id":      {Partner: "nj", Raw: []byte("{}"), Tx: tx},
	} {
		if _, _, err := s.Receive(context.Background(), in, fakeSign(nil)); !errors.Is(err, exchange.ErrInvalid) {
			t.Errorf("%s: err = %v; want ErrInvalid", name, err)
		}
	}
}

func TestRecordRefusal(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	sum := sha256.Sum256([]byte("refused body"))
	at := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	if err := s.RecordRefusal(ctx, exchange.Refusal{Partner: "nj", RemoteAddr: "10.0.0.7:5501", Code: "bad_signature",
		Reason: "signature does not verify", MessageID: "NJ-9", BodySHA256: hex.EncodeToString(sum[:]), At: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRefusal(ctx, exchange.Refusal{Code: "unknown_certificate", RemoteAddr: "10.0.0.8:1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRefusal(ctx, exchange.Refusal{Code: "x", BodySHA256: "zz"}); !errors.Is(err, exchange.ErrInvalid) {
		t.Fatalf("bad hash: %v", err)
	}
	got, err := s.Refusals(ctx, "nj", 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("Refusals = %+v, %v", got, err)
	}
	if g := got[0]; g.Code != "bad_signature" || g.MessageID != "NJ-9" || g.BodySHA256 != hex.EncodeToString(sum[:]) || !g.At.Equal(at) {
		t.Fatalf("refusal = %+v", g)
	}
	all, err := s.Refusals(ctx, "", 10)
	if err != nil || len(all) != 2 {
		t.Fatalf("all refusals = %d, %v", len(all), err)
	}
}
