package xmltx_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
	"github.com/uifsagw/uifsagw/transforms/xmltx"
)

// FuzzDecode: no input panics the decoder, and whatever it accepts encodes
// and decodes back to the same value. Seeds live in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"est-r.xml", "enf-r.xml", "col-p.xml"} {
		f.Add(fixture(f, name))
	}
	c := xmltx.New()
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, errs := c.Decode(b)
		if errs != nil {
			return
		}
		out, err := c.Encode(tx)
		if err != nil {
			t.Fatalf("encode of a decoded transaction: %v", err)
		}
		again, errs := c.Decode(out)
		if errs != nil {
			t.Fatalf("decode of our own output: %v\n%s", errs, out)
		}
		testutil.Equal(t, "round trip", again, tx)
	})
}

// FuzzDecodeV2 is FuzzDecode for xml-transaction/2. Seeds: the canonical
// fixtures written as xml-transaction/2, and testdata/fuzz/FuzzDecodeV2.
func FuzzDecodeV2(f *testing.F) {
	for _, name := range []string{"est-request.json", "enf-iwo-request.json", "col-tax-offset.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "schemas", "canonical", "testdata", "valid", name))
		if err != nil {
			f.Fatal(err)
		}
		tx, errs := jsontx.New().Decode(b)
		if errs != nil {
			f.Fatal(errs)
		}
		out, err := xmltx.NewV2().Encode(tx)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(out)
	}
	c := xmltx.NewV2()
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, errs := c.Decode(b)
		if errs != nil {
			return
		}
		out, err := c.Encode(tx)
		if err != nil {
			// A value the decoder accepts that no writer can write back
			// (an impossible date) is refused on the way out, not a crash.
			return
		}
		again, errs := c.Decode(out)
		if errs != nil {
			t.Fatalf("decode of our own output: %v\n%s", errs, out)
		}
		testutil.Equal(t, "round trip", again, tx)
	})
}
