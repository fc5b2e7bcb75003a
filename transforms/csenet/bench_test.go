package csenet

import (
	"bytes"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// A file of 10,000 ENF transactions (each 3,426 columns with a case, NCP,
// locate, two participants, an order and information): what the batch
// endpoint takes in one request.
func BenchmarkDecodeFile10k(b *testing.B) {
	c := New()
	t := &testing.T{}
	file := []byte(strings.Repeat(handENF(t)+"\n", 10_000))
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		items := c.DecodeFile(file)
		if len(items) != 10_000 || len(items[9_999].Errors) > 0 {
			b.Fatal("bad decode")
		}
	}
}

func BenchmarkEncodeFile10k(b *testing.B) {
	c := New()
	t := &testing.T{}
	tx, errs := c.Decode([]byte(handENF(t)))
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	txs := make([]canonical.Transaction, 10_000)
	for i := range txs {
		txs[i] = tx
	}
	for b.Loop() {
		out, err := c.EncodeFile(txs)
		if err != nil || bytes.Count(out, []byte("\n")) != 10_000 {
			b.Fatal(err)
		}
	}
}
