package messages_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Every text, bytea and jsonb value of every table, dumped as text, must be
// free of the SSNs in any form a careless write would leave: digits,
// hyphenated, or the hex of the digits as a bytea prints.
func TestSSNNeverStoredInClear(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	c := connect(t, url)
	ssns := []canonical.SSN{"123456789", "234567890", "345678901", "456789012", "567890123", "678901234"}

	tx := sampleTx("NJ-PII", "NJCASE9", ssns[0], ssns[1], ssns[2])
	// CSENet's NCP identification block carries two alias SSNs: sealed too.
	tx.NCP.AliasSSNs = []canonical.SSN{ssns[4], ssns[5]}
	tx.Information = &canonical.Information{Text: "caseworker note: NCP is 123-45-6789, born 04/17/1981"}
	body := `{"ncp":{"ssn":"123456789","dob":"1981-04-17"},"cp":{"ssn":"234567890"},"child":{"ssn":"345678901"}}`
	in := inbound("nj", tx, body)
	r, _, err := s.Receive(ctx, in, fakeSign(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("nj", "NY-OUT-PII", "NYCASE9", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("pa", "NY-OUT-PULL", "NYCASE9", true)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.InboxList(ctx, "pa", 0, 10); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRefusal(ctx, exchange.Refusal{Partner: "nj", Code: "schema", Reason: "ncp.ssn: not 9 digits"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendAudit(ctx, nil, exchange.Entry{Actor: "staff:ann", Action: "reveal", Target: "message:1", Details: map[string]string{"path": "ncp.ssn"}}); err != nil {
		t.Fatal(err)
	}

	text := dumpAll(t, c)
	for _, ssn := range ssns {
		d := ssn.Digits()
		for _, form := range []string{d, d[:3] + "-" + d[3:5] + "-" + d[5:], hex.EncodeToString([]byte(d))} {
			if strings.Contains(text, form) {
				t.Errorf("SSN %s found in the database as %q", ssn.Masked(), form)
			}
		}
	}
	assertNoDateOfBirth(t, text, "1981-04-17", "1983-09-30", "2015-01-05")
	// The dump does see the stored rows: the masked forms are there.
	for _, want := range []string{"***-**-6789", "***-**-7890", "***-**-8901", "***-**-9012", "***-**-0123", "***-**-1234", "caseworker note: NCP is ***-**-6789, born ****-**-**"} {
		if !strings.Contains(text, want) {
			t.Errorf("dump lacks %q; the scan would prove nothing", want)
		}
	}

	m, err := s.GetBySenderID(ctx, "nj", exchange.DirIn, "NJ-PII")
	if err != nil {
		t.Fatal(err)
	}
	if m.Tx.NCP.SSN != "***-**-6789" {
		t.Fatalf("GetMessage SSN = %q; want masked", m.Tx.NCP.SSN)
	}
	for path, want := range map[string]canonical.SSN{"ncp.ssn": ssns[0], "participants[0].ssn": ssns[1], "participants[1].ssn": ssns[2]} {
		got, err := s.Reveal(ctx, m.ID, path)
		if err != nil || got != want {
			t.Errorf("Reveal(%s) = %s, %v; want %s", path, got.Masked(), err, want.Masked())
		}
	}
	if _, err := s.Reveal(ctx, m.ID, "participants[7].ssn"); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("Reveal of a missing path: %v", err)
	}
	full, err := s.LoadTransaction(ctx, m.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if full.NCP.SSN != ssns[0] || full.Participants[0].SSN != ssns[1] || full.Participants[1].SSN != ssns[2] ||
		len(full.NCP.AliasSSNs) != 2 || full.NCP.AliasSSNs[0] != ssns[4] || full.NCP.AliasSSNs[1] != ssns[5] {
		t.Fatal("LoadTransaction with PII did not restore the SSNs")
	}
	if full.Participants[1].DateOfBirth == nil || *full.Participants[1].DateOfBirth != *tx.Participants[1].DateOfBirth {
		t.Fatal("LoadTransaction with PII did not restore the dates of birth")
	}
	full.Information = tx.Information // free text stays masked by design
	if full.Header != tx.Header || full.NCP.Name != tx.NCP.Name || *full.NCP.DateOfBirth != *tx.NCP.DateOfBirth {
		t.Fatalf("LoadTransaction = %+v", full.Header)
	}
	masked, err := s.LoadTransaction(ctx, m.ID, false)
	if err != nil || masked.NCP.SSN != "***-**-6789" || masked.NCP.DateOfBirth != nil {
		t.Fatalf("LoadTransaction without PII: %q, %v", masked.NCP.SSN, err)
	}
	raw, err := s.RawBody(ctx, m.ID)
	if err != nil || string(raw) != body {
		t.Fatalf("RawBody = %q, %v", raw, err)
	}
	if r.BodySHA256 != m.BodySHA256 {
		t.Fatalf("receipt hash %s, message hash %s", r.BodySHA256, m.BodySHA256)
	}

	// A store with other keys cannot read what this one wrote.
	other, err := exchange.ParsePIIKeys("b3RoZXJvdGhlcm90aGVyb3RoZXJvdGhlcm90aGVyISE=", "bWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjbWFjISE=")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := exchange.Open(ctx, url, other)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Reveal(ctx, m.ID, "ncp.ssn"); !errors.Is(err, exchange.ErrUnknownKey) {
		t.Fatalf("Reveal with other keys: %v; want ErrUnknownKey", err)
	}
}

// dumpAll prints every row of every table as text, one line per row.
func dumpAll(t *testing.T, c *pgx.Conn) string {
	t.Helper()
	ctx := context.Background()
	rows, err := c.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if rows.Err() != nil || len(tables) < 10 {
		t.Fatalf("tables = %v, %v", tables, rows.Err())
	}
	var dump strings.Builder
	for _, tbl := range tables {
		rows, err := c.Query(ctx, `SELECT t::text FROM `+tbl+` t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			dump.WriteString(tbl + ": " + line + "\n")
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
	}
	return dump.String()
}

// assertNoDateOfBirth fails when text holds any of the dates (ISO) in the
// forms a careless write would leave: ISO, compact, US, or their hex.
func assertNoDateOfBirth(t *testing.T, text string, dates ...string) {
	t.Helper()
	for _, d := range dates {
		compact := strings.ReplaceAll(d, "-", "")
		us := d[5:7] + "/" + d[8:10] + "/" + d[:4]
		for _, form := range []string{d, compact, us, hex.EncodeToString([]byte(d)), hex.EncodeToString([]byte(compact))} {
			if strings.Contains(text, form) {
				t.Errorf("date of birth found in the database as %q", form)
			}
		}
	}
}

// TestDatesOfBirthSealedAndResealed is issue 15 item 2: a message stored by
// an earlier version, with its dates of birth in clear in messages.canonical,
// is sealed at start; afterwards no table holds a date of birth, the person
// keys carry the date's matching key, and the dates come back with PII.
func TestDatesOfBirthSealedAndResealed(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	c := connect(t, url)
	tx := sampleTx("NJ-OLD", "NJCOLD", "123456789", "234567890", "345678901")
	if _, _, err := s.Receive(ctx, inbound("nj", tx, `{}`), fakeSign(nil)); err != nil {
		t.Fatal(err)
	}
	m, err := s.GetBySenderID(ctx, "nj", exchange.DirIn, "NJ-OLD")
	if err != nil {
		t.Fatal(err)
	}
	// Put the message back as version 6 stored it: dates in the canonical
	// form, no sealed date rows, no date keys, and listed as the migration
	// lists such messages.
	old, _ := json.Marshal(tx)
	for _, q := range []string{
		`UPDATE messages SET canonical = $2 WHERE id = $1`,
		`DELETE FROM message_ssns WHERE message_id = $1 AND path LIKE '%dateOfBirth'`,
		`UPDATE person_keys SET dob_hmac = NULL WHERE message_id = $1`,
		`INSERT INTO dob_reseal_pending (message_id) SELECT id FROM messages WHERE id = $1 AND canonical::text LIKE '%"dateOfBirth"%'`,
	} {
		args := []any{m.ID}
		if strings.Contains(q, "$2") {
			args = append(args, old)
		}
		if _, err := c.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(dumpAll(t, c), "1981-04-17") {
		t.Fatal("the old row holds no date of birth; the test proves nothing")
	}
	n, err := s.ResealDatesOfBirth(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ResealDatesOfBirth = %d, %v; want 1", n, err)
	}
	assertNoDateOfBirth(t, dumpAll(t, c), "1981-04-17", "1983-09-30", "2015-01-05")
	if n, err := s.ResealDatesOfBirth(ctx); err != nil || n != 0 {
		t.Fatalf("second ResealDatesOfBirth = %d, %v; want 0", n, err)
	}
	full, err := s.LoadTransaction(ctx, m.ID, true)
	if err != nil || full.NCP.DateOfBirth == nil || full.NCP.DateOfBirth.String() != "1981-04-17" ||
		full.Participants[1].DateOfBirth == nil || full.Participants[1].DateOfBirth.String() != "2015-01-05" {
		t.Fatalf("dates of birth after the reseal: %+v, %v", full.NCP, err)
	}
	var withKey int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM person_keys WHERE message_id = $1 AND dob_hmac = $2`, m.ID,
		s.Keys().HashDOB(*tx.NCP.DateOfBirth)).Scan(&withKey); err != nil || withKey != 1 {
		t.Fatalf("NCP person key with the date's matching key: %d, %v", withKey, err)
	}
}

func TestMatchSSN(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	// The same NCP in two messages; in the third the person is a CP.
	in1 := inbound("nj", sampleTx("M1", "C1", "111223333", "222334444", ""), "{1}")
	in1.ReceivedAt = t0
	in2 := inbound("pa", sampleTx("M2", "C2", "111223333", "", ""), "{2}")
	in2.ReceivedAt = t0.Add(time.Hour)
	in3 := inbound("tx", sampleTx("M3", "C3", "555667777", "111223333", ""), "{3}")
	in3.ReceivedAt = t0.Add(2 * time.Hour)
	var ids []int64
	for _, in := range []exchange.Inbound{in1, in2, in3} {
		if _, _, err := s.Receive(ctx, in, fakeSign(nil)); err != nil {
			t.Fatal(err)
		}
		m, err := s.GetBySenderID(ctx, in.Partner, exchange.DirIn, in.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	got, err := s.MatchSSN(ctx, "111223333", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []exchange.PersonMatch{
		{MessageID: ids[2], Direction: exchange.DirIn, Partner: "tx", Role: "cp", ParticipantIndex: 0, CreatedAt: in3.ReceivedAt},
		{MessageID: ids[1], Direction: exchange.DirIn, Partner: "pa", Role: "ncp", ParticipantIndex: -1, CreatedAt: in2.ReceivedAt},
		{MessageID: ids[0], Direction: exchange.DirIn, Partner: "nj", Role: "ncp", ParticipantIndex: -1, CreatedAt: in1.ReceivedAt},
	}
	if len(got) != len(want) {
		t.Fatalf("MatchSSN = %+v", got)
	}
	for i := range want {
		g := got[i]
		g.CreatedAt = g.CreatedAt.UTC()
		if g != want[i] {
			t.Errorf("match %d = %+v; want %+v", i, g, want[i])
		}
	}
	none, err := s.MatchSSN(ctx, "999887777", 10)
	if err != nil || len(none) != 0 {
		t.Fatalf("unknown SSN matched %+v, %v", none, err)
	}
}
