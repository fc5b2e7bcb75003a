package exchangetest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// The helpers promise a migrated database per store, a sample naming an NCP,
// a CP and a child, and a receipt signer whose calls can be counted.
func TestHelpersGiveAWorkingStore(t *testing.T) {
	s, url := NewStore(t)
	if tx := SampleTx("NJ-1", "C-1", "123456789", "234567890", "345678901"); tx.NCP == nil || len(tx.Participants) != 2 {
		t.Fatalf("the sample names no NCP or not two participants: %+v", tx)
	}
	var calls atomic.Int64
	in := Inbound("nj", SampleTx("NJ-1", "C-1", "123456789", "234567890", "345678901"), `{"id":"NJ-1"}`)
	in.ReceivedAt = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	r, repeat, err := s.Receive(context.Background(), in, FakeSign(&calls))
	if err != nil || repeat {
		t.Fatalf("receive: %v (repeat %v)", err, repeat)
	}
	if calls.Load() != 1 || r.MessageID != "NJ-1" {
		t.Fatalf("signer called %d times, receipt for %q", calls.Load(), r.MessageID)
	}
	c := Connect(t, url)
	if n := Count(t, c, `SELECT count(*) FROM messages WHERE partner = $1`, "nj"); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
	// A second store gets a database of its own.
	_, url2 := NewStore(t)
	if url2 == url {
		t.Fatal("two stores share one database")
	}
	if n := Count(t, Connect(t, url2), `SELECT count(*) FROM messages`); n != 0 {
		t.Fatalf("a fresh store holds %d messages", n)
	}
}

func TestDateAndKeys(t *testing.T) {
	if d := Date("2026-11-02"); d.String() != "2026-11-02" {
		t.Fatalf("Date = %v", d)
	}
	if !Keys(t).Valid() {
		t.Fatal("test keys are not valid PII keys")
	}
}
