package reviewdb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestNameKeys(t *testing.T) {
	for in, want := range map[string][]string{
		"O'Brien-Smith":    {"obrien", "smith"},
		"  Pat   DOE ":     {"pat", "doe"},
		"José":             {"jos"}, // letters outside a-z drop, as in the index
		"123-45-6789":      nil,     // digits never make a key
		"":                 nil,
		"Mary\tAnn  Jones": {"mary", "ann", "jones"},
	} {
		if got := exchange.NameKeys(in); !slices.Equal(got, want) {
			t.Errorf("NameKeys(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStaffViews(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	receive(t, s, "NJ", "SV-1", "C1", t0)
	receive(t, s, "NJ", "SV-2", "C2", t0.Add(time.Hour))
	tx := sampleTx("SV-3", "C3", "123456789", "", "")
	tx.NCP.Name = canonical.Name{First: "Mary-Ann", Last: "O'Brien"}
	in := inbound("PA", tx, `{"id":"SV-3"}`)
	in.ReceivedAt = t0.Add(24 * time.Hour)
	if _, _, err := s.Receive(ctx, in, fakeSign(nil)); err != nil {
		t.Fatal(err)
	}
	search := func(f exchange.StaffFilter) []string {
		t.Helper()
		ms, _, err := s.SearchMessages(ctx, f, exchange.Page{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.MessageID)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		name string
		f    exchange.StaffFilter
		want []string
	}{
		{"name, any case and order", exchange.StaffFilter{Name: "doe PAT"}, []string{"SV-1", "SV-2"}},
		{"hyphenated and apostrophe", exchange.StaffFilter{Name: "obrien mary"}, []string{"SV-3"}},
		{"child's name", exchange.StaffFilter{Name: "Sam Doe"}, []string{"SV-1", "SV-2", "SV-3"}},
		{"every word must match", exchange.StaffFilter{Name: "pat obrien"}, nil},
		{"SSNs are not names", exchange.StaffFilter{Name: "123456789"}, []string{"SV-1", "SV-2", "SV-3"}},
		{"partner in any case", exchange.StaffFilter{PartnerFold: "nj"}, []string{"SV-1", "SV-2"}},
	} {
		if got := search(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// The index holds names only: no SSN digits and no dates of birth.
	c := connect(t, url)
	if n := count(t, c, `SELECT count(*) FROM messages WHERE array_to_string(name_keys, ' ') ~ '[0-9]'`); n != 0 {
		t.Fatalf("%d rows of name_keys hold digits", n)
	}
	var keys []string
	if err := c.QueryRow(ctx, `SELECT name_keys FROM messages WHERE sender_message_id = 'SV-3'`).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if want := []string{"ann", "chris", "doe", "mary", "obrien", "sam"}; !slices.Equal(keys, want) {
		t.Fatalf("name keys %v, want %v", keys, want)
	}

	sorted, err := s.SearchMessagesSorted(ctx, exchange.StaffFilter{}, exchange.Sort{Column: "partner", Asc: false}, 2, 0)
	// Descending by partner; within a partner the oldest first (the index's
	// order read backwards).
	if err != nil || len(sorted) != 2 || sorted[0].Partner != "PA" || sorted[1].MessageID != "SV-1" {
		t.Fatalf("sorted by partner: %+v %v", sorted, err)
	}
	page2, err := s.SearchMessagesSorted(ctx, exchange.StaffFilter{}, exchange.Sort{Column: "partner", Asc: false}, 2, 2)
	if err != nil || len(page2) != 1 || page2[0].MessageID != "SV-2" {
		t.Fatalf("second page: %+v %v", page2, err)
	}
	if _, err := s.SearchMessagesSorted(ctx, exchange.StaffFilter{}, exchange.Sort{Column: "sender_message_id; drop table messages"}, 2, 0); err == nil {
		t.Fatal("an unknown sort column was accepted")
	}
	if n, err := s.CountMessages(ctx, exchange.StaffFilter{PartnerFold: "Nj"}, 1000); err != nil || n != 2 {
		t.Fatalf("count %d %v", n, err)
	}
	if n, err := s.CountMessages(ctx, exchange.StaffFilter{}, 2); err != nil || n != 2 {
		t.Fatalf("capped count %d %v", n, err)
	}
	first := sorted[1].ID // SV-1
	if n, err := s.CountMessages(ctx, exchange.StaffFilter{AfterID: first}, 100); err != nil || n != 2 {
		t.Fatalf("newer than SV-1: %d %v", n, err)
	}

	waiting, err := s.OldestWaiting(ctx, []exchange.Status{exchange.StatusDeadLetter, exchange.StatusReceived})
	if err != nil || len(waiting) != 1 || waiting[0].Status != exchange.StatusReceived || !waiting[0].CreatedAt.Equal(t0) {
		t.Fatalf("oldest waiting %+v %v", waiting, err)
	}

	if err := s.RecordRefusal(ctx, exchange.Refusal{Partner: "PA", Code: "invalid", Reason: "the transaction is not valid",
		At: t0.Add(2 * time.Hour), Fields: []canonical.FieldError{{Path: "orders[0].frequency", Reason: "must be one of W, B, S, M"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRefusal(ctx, exchange.Refusal{Partner: "PA", Code: "bad_signature", At: t0.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	refs, err := s.RefusalsPage(ctx, exchange.RefusalFilter{PartnerFold: "pa", Code: "invalid"}, 0, 10)
	if err != nil || len(refs) != 1 || len(refs[0].Fields) != 1 || refs[0].Fields[0].Path != "orders[0].frequency" {
		t.Fatalf("refusals %+v %v", refs, err)
	}
	older, err := s.RefusalsPage(ctx, exchange.RefusalFilter{}, refs[0].ID, 10)
	if err != nil || len(older) != 0 {
		t.Fatalf("refusals before the first: %+v %v", older, err)
	}
	counts, err := s.RefusalCounts(ctx, exchange.RefusalFilter{Since: t0})
	if err != nil || len(counts) != 2 || counts[0].Partner != "PA" || counts[0].Count != 1 {
		t.Fatalf("refusal counts %+v %v", counts, err)
	}

	days, err := s.DailyVolume(ctx, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, d := range days {
		got[d.Partner+" "+d.Day.Format(time.DateOnly)] = [2]int64{d.Messages, d.Refusals}
	}
	want := map[string][2]int64{"NJ 2026-11-01": {2, 0}, "PA 2026-11-01": {0, 2}, "PA 2026-11-02": {1, 0}}
	if len(got) != len(want) {
		t.Fatalf("daily volume %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("daily volume %v, want %v", got, want)
		}
	}

	for i, a := range []string{"reveal", "reprocess", "reveal"} {
		if _, err := s.AppendAudit(ctx, s.Pool(), exchange.Entry{At: t0.Add(time.Duration(i) * time.Hour), Actor: []string{"casey", "sam", "casey"}[i],
			Action: a, Target: []string{"message:1", "message:2", "review:3"}[i]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		f    exchange.AuditFilter
		want int
	}{
		{exchange.AuditFilter{Actor: "casey"}, 2},
		{exchange.AuditFilter{Action: "reprocess"}, 1},
		{exchange.AuditFilter{Target: "message:"}, 2},
		{exchange.AuditFilter{Target: "message:1"}, 1},
		{exchange.AuditFilter{Since: t0.Add(time.Hour)}, 2},
		{exchange.AuditFilter{Before: t0.Add(time.Hour)}, 1},
		{exchange.AuditFilter{Actor: "casey", Action: "reprocess"}, 0},
	} {
		rs, err := s.AuditSearch(ctx, c.f, 0, 10)
		if err != nil || len(rs) != c.want {
			t.Errorf("audit %+v: %d records %v, want %d", c.f, len(rs), err, c.want)
		}
	}
}
