package mapping_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
)

func fuzzDialect(f *testing.F, file, dir string, seeds []string) {
	c := load(f, file)
	for _, s := range seeds {
		b, err := os.ReadFile(filepath.Join(dialectsDir, "testdata", dir, s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { roundTrip(t, c, b) })
}

func roundTrip(t *testing.T, c transforms.Codec, b []byte) {
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
}

// FuzzDecodeXMLDialect runs the nj-xml/2 mapping: no panic, and what it
// accepts round-trips through the dialect.
func FuzzDecodeXMLDialect(f *testing.F) {
	fuzzDialect(f, "nj-xml-v2.yaml", "nj-xml-v2", []string{"est-r.xml", "enf-r.xml", "col-p.xml"})
}

// FuzzDecodeJSONDialect runs the pa-json/1 mapping likewise.
func FuzzDecodeJSONDialect(f *testing.F) {
	fuzzDialect(f, "pa-json-v1.yaml", "pa-json-v1", []string{"est-r.json", "csi-p.json", "lo1-r.json"})
}
