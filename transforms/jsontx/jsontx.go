// Package jsontx is the JSON transaction format json-transaction/2, which is
// the canonical model's own JSON in the federal CSENet dictionary
// (schemas/json/transaction.schema.json), and the older json-transaction/1
// (v1.go), mapped to it.
//
// Decoding is strict (see transforms/internal/strictjson): duplicate keys,
// unknown fields, null, fractional or out-of-range numbers, deep nesting,
// invalid UTF-8 and trailing data are refused with JSON pointer and canonical
// paths. Encoding is encoding/json over the canonical types, which is
// deterministic: struct fields in declaration order, empty optional fields
// left out.
package jsontx

import (
	"encoding/json"
	"fmt"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/strictjson"
)

// Names of the format.
const (
	Format      = "json-transaction/2"
	ContentType = "application/json"
)

// Codec reads and writes json-transaction/2. The zero value uses the default
// limits (1 MiB, depth 32).
type Codec struct {
	Limits strictjson.Limits
}

// New returns a codec with the default limits.
func New() *Codec { return &Codec{} }

// Format returns "json-transaction/2".
func (*Codec) Format() string { return Format }

// ContentType returns "application/json".
func (*Codec) ContentType() string { return ContentType }

// Decode reads a json-transaction/2 document.
func (c *Codec) Decode(b []byte) (canonical.Transaction, canonical.FieldErrors) {
	var t canonical.Transaction
	if errs := strictjson.Decode(b, &t, c.Limits); len(errs) > 0 {
		return t, errs
	}
	return t, nil
}

// Encode writes t as compact JSON.
func (c *Codec) Encode(t canonical.Transaction) ([]byte, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Format, err)
	}
	return b, nil
}
