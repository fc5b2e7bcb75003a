package messages_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// fileSigner records what it was asked to sign and signs a readable stand-in.
func fileSigner(calls *atomic.Int64, got *[]exchange.FileOutcome) exchange.FileSigner {
	return func(r exchange.FileReceipt, outs []exchange.FileOutcome) ([]byte, string, error) {
		calls.Add(1)
		*got = append([]exchange.FileOutcome(nil), outs...)
		doc, err := json.Marshal(map[string]any{"receiptId": r.ID, "fileId": r.FileID, "sha": r.BodySHA256, "outcomes": outs})
		return doc, "jws(" + r.ID + ")", err
	}
}

func fileOf(partner, fileID string, items ...exchange.Inbound) exchange.InboundFile {
	var raw strings.Builder
	for _, it := range items {
		raw.Write(it.Raw)
		raw.WriteByte('\n')
	}
	return exchange.InboundFile{Partner: partner, FileID: fileID, Raw: []byte(raw.String()), Items: items, ReceivedAt: time.Now()}
}

func item(partner, msgID, body string) exchange.Inbound {
	return inbound(partner, sampleTx(msgID, "CASE-"+msgID, "123456789", "234567890", "345678901"), body)
}

func TestReceiveFileStoresEveryTransactionOnceWithOneReceipt(t *testing.T) {
	t.Parallel()
	s, url := newStore(t)
	c := connect(t, url)
	ctx := context.Background()

	// One transaction was posted on its own before the file came.
	single := receive(t, s, "ny", "T-2", "CASE-T-2", time.Now())

	var calls atomic.Int64
	var outs []exchange.FileOutcome
	f := fileOf("ny", "FILE-1",
		item("ny", "T-1", `{"id":"T-1"}`),
		item("ny", "T-2", `{"id":"T-2"}`), // the one stored before, same bytes
		item("ny", "T-3", `{"id":"T-3"}`),
		item("ny", "T-1", `{"id":"T-1"}`),       // twice in the file, same bytes
		item("ny", "T-3", `{"id":"T-3","x":1}`), // twice in the file, other bytes
		item("ny", "T-2", `{"id":"T-2","x":1}`), // stored before with other bytes
	)
	r, repeat, err := s.ReceiveFile(ctx, f, fakeSign(nil), fileSigner(&calls, &outs))
	if err != nil || repeat {
		t.Fatalf("ReceiveFile: %v repeat=%v", err, repeat)
	}
	if r.JWS != "jws("+r.ID+")" || r.Transactions != 6 || calls.Load() != 1 {
		t.Fatalf("receipt %+v after %d signatures", r, calls.Load())
	}
	want := []struct {
		repeat, conflict bool
		receipt          string
	}{
		{false, false, ""}, {true, false, single.ID}, {false, false, ""},
		{true, false, outs[0].ReceiptID}, {false, true, ""}, {false, true, ""},
	}
	for i, w := range want {
		o := outs[i]
		if o.Repeat != w.repeat || o.Conflict != w.conflict || (w.receipt != "" && o.ReceiptID != w.receipt) || (!o.Conflict && o.ReceiptID == "") {
			t.Errorf("item %d: %+v, want repeat=%v conflict=%v receipt %q", i, o, w.repeat, w.conflict, w.receipt)
		}
	}
	if n := count(t, c, `SELECT count(*) FROM messages WHERE direction = 'in'`); n != 3 {
		t.Fatalf("%d messages, want 3 (T-1, T-2, T-3 once each)", n)
	}
	// Each stored transaction is a whole message: history, keys, SSNs and a receipt.
	for _, q := range []string{
		`SELECT count(*) FROM message_history h JOIN messages m ON m.id = h.message_id WHERE m.sender_message_id IN ('T-1', 'T-3')`,
		`SELECT count(*) FROM receipts r JOIN messages m ON m.id = r.message_id WHERE m.sender_message_id IN ('T-1', 'T-3') AND r.jws LIKE 'jws(rcpt_%|ny|T-%'`,
	} {
		if n := count(t, c, q); n != 2 {
			t.Errorf("%s: %d, want 2", q, n)
		}
	}
	if n := count(t, c, `SELECT count(*) FROM person_keys k JOIN messages m ON m.id = k.message_id WHERE m.sender_message_id IN ('T-1', 'T-3')`); n != 6 {
		t.Errorf("%d matching keys, want 3 people x 2 messages", n)
	}
	m3, err := s.GetBySenderID(ctx, "ny", exchange.DirIn, "T-3")
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.LoadTransaction(ctx, m3.ID, true)
	if err != nil || full.NCP.SSN != "123456789" || full.Header.SenderCaseID != "CASE-T-3" {
		t.Fatalf("stored T-3 does not read back whole: %v %+v", err, full.Header)
	}
	if raw, err := s.RawBody(ctx, m3.ID); err != nil || string(raw) != `{"id":"T-3"}` {
		t.Fatalf("T-3 raw body %q, %v", raw, err)
	}

	// The same file again: the same receipt, nothing signed or stored again.
	again, repeat, err := s.ReceiveFile(ctx, f, fakeSign(nil), fileSigner(&calls, &outs))
	if err != nil || !repeat || again.ID != r.ID || again.JWS != r.JWS || string(again.Document) != string(r.Document) {
		t.Fatalf("re-post: %+v repeat=%v err=%v, want receipt %s", again, repeat, err, r.ID)
	}
	if calls.Load() != 1 {
		t.Fatalf("signed %d times", calls.Load())
	}
	// The same file ID with other bytes is a conflict.
	other := fileOf("ny", "FILE-1", item("ny", "T-9", `{"id":"T-9"}`))
	if _, _, err := s.ReceiveFile(ctx, other, fakeSign(nil), fileSigner(&calls, &outs)); !errors.Is(err, exchange.ErrConflict) {
		t.Fatalf("other bytes under FILE-1: %v, want ErrConflict", err)
	}
	// File IDs are per partner.
	if _, repeat, err := s.ReceiveFile(ctx, fileOf("nj", "FILE-1", item("nj", "T-1", `{"id":"T-1"}`)), fakeSign(nil), fileSigner(&calls, &outs)); err != nil || repeat {
		t.Fatalf("another partner's FILE-1: %v repeat=%v", err, repeat)
	}
}

func TestReceiveFileWritesNothingWhenItFails(t *testing.T) {
	t.Parallel()
	s, url := newStore(t)
	c := connect(t, url)
	f := fileOf("ny", "FILE-X", item("ny", "A-1", `{"id":"A-1"}`), item("ny", "A-2", `{"id":"A-2"}`))
	_, _, err := s.ReceiveFile(context.Background(), f, fakeSign(nil), func(exchange.FileReceipt, []exchange.FileOutcome) ([]byte, string, error) {
		return nil, "", errors.New("signing key unavailable")
	})
	if err == nil {
		t.Fatal("a file whose receipt cannot be signed was stored")
	}
	for _, table := range []string{"messages", "receipts", "message_history", "person_keys", "message_ssns", "file_receipts"} {
		if n := count(t, c, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s holds %d rows after a failed file", table, n)
		}
	}
}

// TestReceiveFileTenThousand stores a 10,000-transaction file and logs the
// rate; the figure is for the record, not an assertion.
func TestReceiveFileTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 10,000 messages")
	}
	t.Parallel()
	s, url := newStore(t)
	c := connect(t, url)
	const n = 10000
	items := make([]exchange.Inbound, n)
	for i := range items {
		id := fmt.Sprintf("BULK-%05d", i)
		items[i] = item("ny", id, fmt.Sprintf(`{"id":%q,"pad":%q}`, id, strings.Repeat("x", 1500)))
	}
	f := fileOf("ny", "BULK", items...)
	var calls atomic.Int64
	var outs []exchange.FileOutcome
	start := time.Now()
	r, _, err := s.ReceiveFile(context.Background(), f, fakeSign(nil), fileSigner(&calls, &outs))
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stored %d transactions in %v: %.0f transactions/s", n, took.Round(time.Millisecond), n/took.Seconds())
	if got := count(t, c, `SELECT count(*) FROM messages`); got != n || r.Transactions != n || len(outs) != n {
		t.Fatalf("%d messages, %d in receipt, %d outcomes; want %d", got, r.Transactions, len(outs), n)
	}
	if got := count(t, c, `SELECT count(*) FROM receipts`); got != n {
		t.Fatalf("%d receipts, want %d", got, n)
	}
}
