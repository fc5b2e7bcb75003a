package lookup_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// TestPagesAndReveals pages messages newest first by keyset, rejects a
// cursor it did not make, and reveals sealed values only for the message
// and path they were sealed for.
func TestPagesAndReveals(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"L-1", "L-2", "L-3"} {
		receive(t, s, "nj", id, "NJC1", at.Add(time.Duration(i)*time.Minute))
	}
	receive(t, s, "pa", "L-PA", "PAC1", at)

	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("paging did not end")
		}
		ms, next, err := s.ListMessages(ctx, exchange.Filter{Partner: "nj"}, exchange.Page{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			seen = append(seen, m.MessageID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 3 || seen[0] != "L-3" || seen[2] != "L-1" {
		t.Fatalf("pages = %v; want L-3, L-2, L-1", seen)
	}
	if _, _, err := s.ListMessages(ctx, exchange.Filter{}, exchange.Page{Cursor: "not-a-cursor"}); !errors.Is(err, exchange.ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
	counts, err := s.CountByStatus(ctx)
	if err != nil || counts[exchange.StatusReceived] != 4 {
		t.Fatalf("CountByStatus = %v, %v", counts, err)
	}

	m, err := s.GetBySenderID(ctx, "nj", exchange.DirIn, "L-2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetBySenderID(ctx, "nj", exchange.DirOut, "L-2"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("wrong direction: %v", err)
	}
	if _, err := s.GetMessage(ctx, m.ID+1000); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("missing message: %v", err)
	}
	if m.Tx.NCP == nil || m.Tx.NCP.SSN == "123456789" {
		t.Fatalf("stored canonical form carries the NCP's SSN: %+v", m.Tx.NCP)
	}
	ssn, err := s.Reveal(ctx, m.ID, "ncp.ssn")
	if err != nil || ssn != "123456789" {
		t.Fatalf("Reveal = %q, %v", ssn, err)
	}
	if _, err := s.Reveal(ctx, m.ID, "participants[9].ssn"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("Reveal of a path with no SSN: %v", err)
	}
	tx, err := s.LoadTransaction(ctx, m.ID, true)
	if err != nil || tx.NCP.SSN != "123456789" || tx.Participants[1].SSN != "345678901" {
		t.Fatalf("LoadTransaction(withPII) = %+v, %v", tx.NCP, err)
	}
	raw, err := s.RawBody(ctx, m.ID)
	if err != nil || string(raw) != `{"id":"L-2"}` {
		t.Fatalf("RawBody = %q, %v", raw, err)
	}
	matches, err := s.MatchSSN(ctx, "123456789", 10)
	if err != nil || len(matches) != 4 || matches[0].Role != "ncp" || matches[0].ParticipantIndex != -1 {
		t.Fatalf("MatchSSN = %+v, %v; want the NCP of all four messages", matches, err)
	}
	h, err := s.History(ctx, m.ID)
	if err != nil || len(h) != 1 || h[0].To != exchange.StatusReceived {
		t.Fatalf("History = %+v, %v", h, err)
	}
	rs, err := s.Receipts(ctx, m.ID)
	if err != nil || len(rs) != 1 || rs[0].MessageID != "L-2" {
		t.Fatalf("Receipts = %+v, %v", rs, err)
	}
}
