package loadgen

import (
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
	"github.com/uifsagw/uifsagw/transforms"
)

// TestGeneratorMessagesAreValidAndRealistic: every generated transaction
// validates, survives its codec, is 2-6 KB on the wire (XML about 4.5 KB, the terser JSON about 2.5 KB), carries 2-4
// participants and one order, and no two share a message ID or an SSN.
func TestGeneratorMessagesAreValidAndRealistic(t *testing.T) {
	g := Generator{RunID: "t1", ReceiverFIPS: "3600000", Date: canonical.Date{Year: 2026, Month: 11, Day: 2}}
	ids := map[string]bool{}
	ssns := map[canonical.SSN]string{}
	sizes := map[string][2]int{}
	for _, f := range []struct {
		format, prefix string
		sender         canonical.FIPS
	}{{"xml-transaction/1", "NJ", "3400000"}, {"json-transaction/1", "PA", "4200000"}} {
		lo, hi := 1<<30, 0
		for seq := range 300 {
			tx := g.Transaction(f.sender, f.prefix, seq)
			// The load partners speak the /1 formats, whose transactions the
			// gateway checks by the model's rules, not the federal edits.
			if errs := validate.Model(&tx); len(errs) > 0 {
				t.Fatalf("%s %d invalid: %v", f.prefix, seq, errs)
			}
			if n := len(tx.Participants); n < 2 || n > 4 || len(tx.Orders) != 1 {
				t.Fatalf("%s %d: %d participants, %d orders", f.prefix, seq, n, len(tx.Orders))
			}
			for _, s := range append([]canonical.SSN{tx.NCP.SSN}, participantsSSNs(tx)...) {
				if other, dup := ssns[s]; dup {
					t.Fatalf("SSN reused by %s and %s", other, tx.Header.MessageID)
				}
				ssns[s] = tx.Header.MessageID
			}
			m, err := g.Encode(f.format, f.sender, f.prefix, seq)
			if err != nil {
				t.Fatal(err)
			}
			if ids[m.ID] || m.ID != tx.Header.MessageID {
				t.Fatalf("message ID %q repeated or not the header's", m.ID)
			}
			ids[m.ID] = true
			back, ferrs := transforms.Decode(f.format, m.Body)
			if len(ferrs) > 0 || back.Header.MessageID != m.ID || len(back.Participants) != len(tx.Participants) {
				t.Fatalf("%s does not decode back: %v", m.ID, ferrs)
			}
			lo, hi = min(lo, len(m.Body)), max(hi, len(m.Body))
		}
		sizes[f.format] = [2]int{lo, hi}
		if lo < 2000 || hi > 6000 {
			t.Errorf("%s sizes %d..%d bytes; want about 4 KB", f.format, lo, hi)
		}
	}
	t.Logf("sizes: %v", sizes)
}

func participantsSSNs(tx canonical.Transaction) []canonical.SSN {
	var out []canonical.SSN
	for _, p := range tx.Participants {
		out = append(out, p.SSN)
	}
	return out
}

// With Federal, every transaction passes the federal edits a gateway's own
// Send applies (the two-gateway measurement sends them that way).
func TestFederalGeneratorPassesTheFederalEdits(t *testing.T) {
	g := Generator{RunID: "t2", ReceiverFIPS: "3600000", Date: canonical.Date{Year: 2026, Month: 11, Day: 2}, Federal: true}
	combos := validate.DefaultCombos()
	for seq := range 300 {
		tx := g.Transaction("3400000", "NJ", seq)
		if errs := validate.With(&tx, combos); len(errs) > 0 {
			t.Fatalf("NJ %d fails the federal edits: %v", seq, errs)
		}
	}
	// The default documents are the fuller legacy ones, which the edits refuse.
	tx := Generator{RunID: "t2", ReceiverFIPS: "3600000", Date: g.Date}.Transaction("3400000", "NJ", 1)
	if errs := validate.With(&tx, combos); len(errs) == 0 {
		t.Fatal("the legacy-shaped request passed the federal edits: the Federal switch would be untested")
	}
}
