// Package eiwofile reads and writes federal e-IWO files: the records of
// Appendix D of the employer's guide (OMB 0970-0154) and their framing.
//
// An outbound file (state to employer) is FHI, then per employer a BHI, its
// DTL records and a BTI, then FTI. An inbound file (employer to state) is FHA,
// BHA, ACK records, BTA, FTA. The records are read with the fixed-width
// engine from tables kept as data (schemas/eiwo, each row with its source);
// this package knows only records and framing, not what an IWO means.
//
// A file is taken or refused whole: a trailer whose count disagrees with what
// the file holds, or any record that cannot be read, refuses the file, naming
// the line, the record and the field or count.
package eiwofile

import (
	"fmt"
	"sync"

	"github.com/uifsagw/uifsagw/schemas"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// Layouts are the four record layouts of an e-IWO file.
type Layouts struct {
	// Header is the universal header of files and batches (Chart D-1).
	Header *fixedwidth.Block
	// Trailer is the universal trailer of files and batches (Chart D-2).
	Trailer *fixedwidth.Block
	// Detail is the DTL record (Chart D-3).
	Detail *fixedwidth.Block
	// Ack is the ACK record (Chart D-4).
	Ack *fixedwidth.Block
}

// Load parses the four tables (element, start, end, length, type, values,
// source) and checks that each has the fields the framing reads.
func Load(header, trailer, detail, ack []byte) (*Layouts, error) {
	var l Layouts
	for _, t := range []struct {
		name  string
		table []byte
		into  **fixedwidth.Block
		needs []string
	}{
		{"header", header, &l.Header, []string{fieldDocCode, fieldControl}},
		{"trailer", trailer, &l.Trailer, []string{fieldDocCode, fieldControl, fieldBatchCount, fieldRecordCount}},
		{"DTL", detail, &l.Detail, []string{fieldDocCode}},
		{"ACK", ack, &l.Ack, []string{fieldDocCode}},
	} {
		lay, err := fixedwidth.ParseCSV(t.table, fixedwidth.ParseOptions{Block: t.name})
		if err != nil {
			return nil, fmt.Errorf("e-IWO %s layout: %w", t.name, err)
		}
		if len(lay.Blocks) != 1 {
			return nil, fmt.Errorf("e-IWO %s layout: one record per table, found %d blocks", t.name, len(lay.Blocks))
		}
		b := lay.Blocks[0]
		for _, f := range t.needs {
			if _, ok := b.Field(f); !ok {
				return nil, fmt.Errorf("e-IWO %s layout: no %q element", t.name, f)
			}
		}
		if f, _ := b.Field(fieldDocCode); f.Start != 1 || f.Length() != 3 {
			return nil, fmt.Errorf("e-IWO %s layout: the document code must be columns 1-3, not %d-%d", t.name, f.Start, f.End)
		}
		for _, name := range []string{fieldBatchCount, fieldRecordCount} {
			if f, ok := b.Field(name); ok && t.name == "trailer" && f.Kind != fixedwidth.Numeric {
				return nil, fmt.Errorf("e-IWO trailer layout: %q must be numeric", name)
			}
		}
		*t.into = b
	}
	return &l, nil
}

var defaults = sync.OnceValues(func() (*Layouts, error) {
	return Load(schemas.EIWOHeaderCSV, schemas.EIWOTrailerCSV, schemas.EIWODetailCSV, schemas.EIWOAckCSV)
})

// Default returns the layouts embedded from schemas/eiwo.
func Default() (*Layouts, error) { return defaults() }

// Element names the framing reads; the tables must use them.
const (
	fieldDocCode     = "Document Code"
	fieldControl     = "Control Number"
	fieldBatchCount  = "Batch Count"
	fieldRecordCount = "Record Count"
)
