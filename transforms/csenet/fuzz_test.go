package csenet

import (
	"reflect"
	"testing"

	"github.com/uifsagw/uifsagw/schemas"
)

func schemasLayout() []byte { return schemas.CSENetLayoutCSV }

// FuzzDecode: no input panics; a transaction that decodes encodes, and its
// encoding decodes to the same transaction.
func FuzzDecode(f *testing.F) {
	c := New()
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, errs := c.Decode(b)
		if len(errs) > 0 {
			return
		}
		out, err := c.Encode(tx)
		if err != nil {
			t.Fatalf("a decoded transaction does not encode: %v", err)
		}
		again, errs := c.Decode(out)
		if len(errs) > 0 {
			t.Fatalf("re-decode: %v", errs)
		}
		if !reflect.DeepEqual(again, tx) {
			t.Fatalf("round trip changed the transaction:\n%+v\n%+v", tx, again)
		}
	})
}
