package devenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/csenet"

	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

// Every sample file decodes and validates, and a second call writes new
// message IDs (a later dev start sends new messages, not repeats).
func TestWriteSamplesValidAndFresh(t *testing.T) {
	l := Layout{Dir: t.TempDir()}
	ids := func() map[string]string {
		out := map[string]string{}
		if err := WriteSamples(l); err != nil {
			t.Fatal(err)
		}
		for _, s := range Story {
			b, err := os.ReadFile(filepath.Join(l.Dir, "samples", s.File))
			if err != nil {
				t.Fatal(err)
			}
			format := "json-transaction/1"
			if filepath.Ext(s.File) == ".xml" {
				format = "xml-transaction/1"
			}
			tx, errs := transforms.Decode(format, b)
			if len(errs) == 0 {
				errs = validate.Transaction(&tx)
			}
			if len(errs) > 0 {
				t.Fatalf("%s: %v", s.File, errs)
			}
			out[s.File] = tx.Header.MessageID
		}
		return out
	}
	first, second := ids(), ids()
	for f, id := range first {
		if second[f] == id {
			t.Errorf("%s kept message ID %s on a second write", f, id)
		}
	}
	if len(first) != len(Story) {
		t.Errorf("%d files, want %d", len(first), len(Story))
	}
}

// The CSENet sample files: the first holds only good transactions, the
// second a good one and two refused naming the field at fault; a second
// call writes new serial numbers (new transactions, not repeats).
func TestWriteFileSamples(t *testing.T) {
	l := Layout{Dir: t.TempDir()}
	read := func() (good, mixed []csenet.Item) {
		t.Helper()
		if err := WriteFileSamples(l); err != nil {
			t.Fatal(err)
		}
		c := csenet.New()
		for i, s := range FileSamples {
			b, err := os.ReadFile(filepath.Join(l.Dir, "samples", s.File))
			if err != nil {
				t.Fatal(err)
			}
			items := c.DecodeFile(b)
			for k := range items {
				if len(items[k].Errors) == 0 {
					items[k].Errors = validate.Transaction(&items[k].Transaction)
				}
			}
			if i == 0 {
				good = items
			} else {
				mixed = items
			}
		}
		return good, mixed
	}
	good, mixed := read()
	if len(good) != 3 {
		t.Fatalf("%d transactions in %s", len(good), FileSamples[0].File)
	}
	for _, it := range good {
		if len(it.Errors) > 0 || it.Transaction.Header.SenderFIPS.State() != "06" {
			t.Fatalf("line %d: %v (%s)", it.Line, it.Errors, it.Transaction.Header.SenderFIPS)
		}
	}
	if len(mixed) != 3 || len(mixed[0].Errors) > 0 || len(mixed[1].Errors) == 0 || len(mixed[2].Errors) == 0 {
		t.Fatalf("%s: want one good line then two bad: %+v", FileSamples[1].File, mixed)
	}
	if p := mixed[1].Errors[0].Path; p != "header.reason" {
		t.Errorf("bad reason reported at %q", p)
	}
	again, _ := read()
	if again[0].Transaction.Header.MessageID == good[0].Transaction.Header.MessageID {
		t.Errorf("a second call reused serial numbers: %s", good[0].Transaction.Header.MessageID)
	}
}
