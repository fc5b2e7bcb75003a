package devenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/uifsagw/uifsagw/transforms"
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
				errs = tx.Validate()
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
