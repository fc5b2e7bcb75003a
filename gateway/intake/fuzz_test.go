package intake

import (
	"bytes"
	"testing"

	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
	"github.com/uifsagw/uifsagw/transforms/csenet"
)

// FuzzFileLines feeds arbitrary files to the per-line checks of
// ReceiveFile: no panic, one outcome per line in order, and a line either
// refused with a reason or holding a transaction that validates and is
// addressed to us from the partner's state. Seeds are in
// testdata/fuzz/FuzzFileLines.
func FuzzFileLines(f *testing.F) {
	f.Add([]byte("\n\r\n"))
	f.Add([]byte("NOT A RECORD\n"))
	codec := csenet.New()
	combos := validate.DefaultCombos()
	s := New(Config{StateFIPS: "36"}, Deps{Validate: func(t *canonical.Transaction) canonical.FieldErrors { return validate.With(t, combos) }})
	p := &partners.Partner{ID: "ca", Kind: partners.KindState, StateFIPS: "06"}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines := splitLines(b)
		if want := bytes.Count(b, []byte("\n")); len(lines) != want && len(lines) != want+1 {
			t.Fatalf("%d lines from %d line ends", len(lines), want)
		}
		s.checkLines(codec, p, lines)
		for i, l := range lines {
			if l.no != i+1 {
				t.Fatalf("line %d numbered %d", i+1, l.no)
			}
			if l.err != nil {
				if l.err.Code == "" || l.err.Message == "" {
					t.Fatalf("line %d refused without a reason: %+v", l.no, l.err)
				}
				continue
			}
			if l.tx.Header.MessageID == "" || l.tx.Header.ReceiverFIPS.State() != "36" || l.tx.Header.SenderFIPS.State() != "06" {
				t.Fatalf("line %d passed: %+v", l.no, l.tx.Header)
			}
		}
	})
}
