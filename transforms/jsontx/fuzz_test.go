package jsontx_test

import (
	"testing"

	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
)

// FuzzDecode: no input panics the decoder, and whatever it accepts encodes
// and decodes back to the same value. Seeds live in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"est-r.json", "enf-r.json", "col-p.json"} {
		f.Add(fixture(f, name))
	}
	c := jsontx.New()
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

// FuzzDecodeV1 is FuzzDecode for json-transaction/1, read into the federal
// model. Seeds live in testdata/fuzz/FuzzDecodeV1.
func FuzzDecodeV1(f *testing.F) {
	for _, name := range []string{"est-r.json", "enf-r.json", "col-p.json"} {
		f.Add(fixture(f, name))
	}
	c := jsontx.NewV1()
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
