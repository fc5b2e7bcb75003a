package messages_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/uifsagw/uifsagw/gateway/exchange"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// The name words the gateway now writes (migration 020) are those the SQL
// function uifsagw_name_keys, which computed the column before, finds in
// the stored canonical form: for single messages, group-committed ones,
// outbound ones and a file's, with hyphens, apostrophes, accents, aliases, an empty
// middle name, digits and no NCP at all.
func TestNameKeysWrittenEqualTheSQLFunction(t *testing.T) {
	ctx := context.Background()
	s, url := newStore(t)
	names := []canonical.Name{
		{First: "Mary-Jo", Middle: "de la", Last: "O'Brien"},
		{First: "JOSÉ", Last: "Nuñez  Ávila"},
		{First: "Ann123456789", Last: "Lee-Smith"},
		{First: "", Middle: "X", Last: "Solo"},
		{First: "Pat", Last: "Doe"},
	}
	for i, n := range names {
		tx := sampleTx("NK-"+string(rune('A'+i)), "NKCASE", "123456789", "234567890", "345678901")
		tx.NCP.Name = n
		tx.Participants[0].Name = names[(i+1)%len(names)]
		tx.NCPLocate = &canonical.NCPLocate{Aliases: []canonical.Name{names[(i+2)%len(names)], {First: "Al", Last: "Ias"}}}
		if i == 4 {
			tx.NCP = nil
		}
		if _, _, err := s.Receive(ctx, inbound("nj", tx, `{}`), fakeSign(nil)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.EnqueueOutbound(ctx, s.Pool(), outbound("nj", "NK-OUT", "NKCASE", true)); err != nil {
		t.Fatal(err)
	}
	// And a file's transactions.
	var calls atomic.Int64
	var outs []exchange.FileOutcome
	fileTx := sampleTx("NK-F1", "NKFILE", "456789012", "567890123", "678901234")
	fileTx.NCP.Name = canonical.Name{First: "Filed", Middle: "Van", Last: "Der-Berg"}
	if _, _, err := s.ReceiveFile(ctx, fileOf("nj", "NK-FILE", inbound("nj", fileTx, `{"id":"NK-F1"}`)),
		fakeSign(nil), fileSigner(&calls, &outs)); err != nil {
		t.Fatal(err)
	}
	c := connect(t, url)
	if n := count(t, c, `SELECT count(*) FROM messages`); n != len(names)+2 {
		t.Fatalf("%d messages stored, want %d", n, len(names)+2)
	}
	rows, err := c.Query(ctx, `SELECT sender_message_id, name_keys, uifsagw_name_keys(canonical) FROM messages ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var got, want []string
		if err := rows.Scan(&id, &got, &want); err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Logf("%s carries no name words", id)
		}
		if !sameSet(got, want) {
			t.Errorf("%s: written %q, the SQL function finds %q", id, got, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return len(a) == len(b)
}
