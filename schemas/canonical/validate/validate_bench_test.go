package validate_test

import (
	"testing"

	"github.com/uifsagw/uifsagw/gateway/loadgen"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

// BenchmarkValidate validates the load generator's realistic transaction
// (an ENF registration with an NCP, locate data, 2-4 participants, an order
// and nine collections), as the edge does for every message.
func BenchmarkValidate(b *testing.B) {
	g := loadgen.Generator{RunID: "bench", ReceiverFIPS: "3600000", Date: canonical.Date{Year: 2026, Month: 11, Day: 2}}
	txs := make([]canonical.Transaction, 16)
	for i := range txs {
		txs[i] = g.Transaction("3400000", "NJ", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if errs := validate.Transaction(&txs[i%len(txs)]); len(errs) > 0 {
			b.Fatal(errs)
		}
		i++
	}
}
