package jsontx

import (
	"encoding/json"
	"fmt"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/strictjson"
	"github.com/uifsagw/uifsagw/transforms/internal/v1tx"
)

// FormatV1 is the JSON format before the gateway spoke the federal
// dictionary. It stays readable and writable for the partners that use it:
// its codes are mapped to and from the federal ones (canonical.UpgradeLegacy,
// docs/CSENET-CODES.md) and its few different shapes to the federal fields.
const FormatV1 = "json-transaction/1"

// V1 reads and writes json-transaction/1.
type V1 struct {
	Limits strictjson.Limits
}

// NewV1 returns a json-transaction/1 codec with the default limits.
func NewV1() *V1 { return &V1{} }

// Format returns "json-transaction/1".
func (*V1) Format() string { return FormatV1 }

// ContentType returns "application/json".
func (*V1) ContentType() string { return ContentType }

// Decode reads a json-transaction/1 document into the federal model.
func (c *V1) Decode(b []byte) (canonical.Transaction, canonical.FieldErrors) {
	var v v1tx.Transaction
	if errs := strictjson.Decode(b, &v, c.Limits); len(errs) > 0 {
		return canonical.Transaction{}, errs
	}
	return v1tx.ToCanonical(v)
}

// Encode writes t as json-transaction/1: federal codes the old dictionary
// had are written the old way, and fields /1 has no place for are left out.
func (c *V1) Encode(t canonical.Transaction) ([]byte, error) {
	b, err := json.Marshal(v1tx.FromCanonical(t))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", FormatV1, err)
	}
	return b, nil
}
