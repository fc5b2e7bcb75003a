// Package csenet is the csenet-2000 codec: the federal CSENet 2000
// transaction record (Interface Guidance Document v8.0, Appendix C) to and
// from the canonical model, and files of many transactions, one a line.
//
// The record layout is data (schemas/csenet/layout.csv, overridable with
// NewWithLayout) read by the fixed-width engine, which checks the record
// length against the header's block indicators, digits, dates and codes.
// This package maps the engine's fields onto the model, field for field:
// what the layout holds decodes and encodes back unchanged. The few
// normalisations are of "nothing" only: a zero-filled date or number the
// model holds as absent is written back blank, a blank Attachments-Ind. as
// N, and a blank required amount as zeros.
package csenet

import (
	"bytes"
	"fmt"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// Format and ContentType name the wire format in the codec registry.
const (
	Format      = "csenet-2000"
	ContentType = "text/plain"
)

// Codec reads and writes CSENet 2000 transactions.
type Codec struct {
	schema *fixedwidth.Schema
}

// New returns a codec on the embedded federal layout.
func New() *Codec {
	s, err := DefaultLayout()
	if err != nil {
		// The embedded table is fixed at build time and tested; a failure
		// here is a broken build, not bad input.
		panic("csenet: the embedded layout does not load: " + err.Error())
	}
	return &Codec{schema: s}
}

// NewWithLayout returns a codec on an operator's layout table.
func NewWithLayout(table []byte) (*Codec, error) {
	s, err := LoadLayout(table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Format, err)
	}
	return &Codec{schema: s}, nil
}

// Format returns "csenet-2000".
func (*Codec) Format() string { return Format }

// ContentType returns "text/plain": a CSENet record is plain ASCII.
func (*Codec) ContentType() string { return ContentType }

// Decode reads one transaction record (a trailing line end is allowed).
func (c *Codec) Decode(b []byte) (canonical.Transaction, canonical.FieldErrors) {
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	rec, errs := c.schema.Decode(b)
	if len(errs) > 0 {
		return canonical.Transaction{}, fromEngine(errs)
	}
	if v := rec.Header["CSENet-Version-Number"]; v != version {
		return canonical.Transaction{}, canonical.FieldErrors{{Path: "header", PartnerPath: "header.CSENet-Version-Number",
			Reason: fmt.Sprintf("version %q: CSENet 2000 transactions are version %s", v, version)}}
	}
	return fromRecord(rec, nil), nil
}

// Encode writes t as one transaction record, without a line end.
func (c *Codec) Encode(t canonical.Transaction) ([]byte, error) {
	rec, errs := toRecord(t)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", Format, errs)
	}
	out, eerrs := c.schema.Encode(rec)
	if len(eerrs) > 0 {
		return nil, fmt.Errorf("%s: %w", Format, fromEngine(eerrs))
	}
	return out, nil
}

// blockPath is the canonical path of a record block occurrence.
func blockPath(block string, occ int) string {
	for _, b := range bodyBlocks {
		if b.block != block {
			continue
		}
		switch block {
		case blockParticipant, blockOrder, blockCollection:
			return fmt.Sprintf("%s[%d]", b.path, occ-1)
		}
		return b.path
	}
	if block == blockHeader {
		return "header"
	}
	return ""
}

func fromEngine(es fixedwidth.Errors) canonical.FieldErrors {
	out := make(canonical.FieldErrors, len(es))
	for i, e := range es {
		partner := e.Path()
		if e.Start > 0 {
			partner = fmt.Sprintf("%s (columns %d-%d)", partner, e.Start, e.End)
		}
		out[i] = canonical.FieldError{Path: blockPath(e.Block, e.Occurrence), PartnerPath: partner, Reason: e.Reason}
	}
	return out
}

// Item is one line of a CSENet file: its transaction, or why it was refused.
type Item struct {
	// Line is the 1-based line of the transaction in the file.
	Line        int
	Transaction canonical.Transaction
	Errors      canonical.FieldErrors
}

// DecodeFile reads a file of transactions, one a line (LF or CRLF). Each
// transaction stands alone: a bad one is reported on its line and the others
// are still read.
func (c *Codec) DecodeFile(b []byte) []Item {
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	items := make([]Item, len(lines))
	for i, l := range lines {
		items[i].Line = i + 1
		l = bytes.TrimSuffix(l, []byte("\r"))
		if len(l) == 0 {
			items[i].Errors = canonical.FieldErrors{{Path: "", PartnerPath: fmt.Sprintf("line %d", i+1), Reason: "empty line: one transaction a line"}}
			continue
		}
		items[i].Transaction, items[i].Errors = c.Decode(l)
	}
	return items
}

// EncodeFile writes transactions one a line, each line ending in LF. It
// writes nothing unless every transaction encodes.
func (c *Codec) EncodeFile(ts []canonical.Transaction) ([]byte, error) {
	var buf bytes.Buffer
	for i, t := range ts {
		b, err := c.Encode(t)
		if err != nil {
			return nil, fmt.Errorf("transaction %d: %w", i+1, err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}
