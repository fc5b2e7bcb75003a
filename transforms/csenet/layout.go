package csenet

import (
	"fmt"
	"strings"

	"github.com/uifsagw/uifsagw/schemas"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// Block names of the federal layout table, in transaction order, with the
// header indicator that counts each (IGD v8.0 Appendix C: the header's
// columns 90-96).
const (
	blockHeader      = "header"
	blockCase        = "case"
	blockNCPID       = "ncp_id"
	blockNCPLocate   = "ncp_locate"
	blockParticipant = "participant"
	blockOrder       = "order"
	blockCollection  = "collection"
	blockInfo        = "information"
)

var bodyBlocks = []struct{ block, indicator, path string }{
	{blockCase, "Case-Data-Ind.", "case"},
	{blockNCPID, "NCP-Identification-Ind.", "ncp"},
	{blockNCPLocate, "NCP-Locate-Data-Ind.", "ncpLocate"},
	{blockParticipant, "Participant-Data-Ind.", "participants"},
	{blockOrder, "Order-Data-Ind.", "orders"},
	{blockCollection, "Collection-Data-Ind.", "collections"},
	{blockInfo, "Information-Ind.", "information"},
}

// LoadLayout builds the transaction schema from a layout table in the form of
// schemas/csenet/layout.csv; an operator's table replaces the embedded one.
func LoadLayout(table []byte) (*fixedwidth.Schema, error) {
	l, err := fixedwidth.ParseCSV(table, fixedwidth.ParseOptions{})
	if err != nil {
		return nil, err
	}
	header, ok := l.Block(blockHeader)
	if !ok {
		return nil, fmt.Errorf("layout: no %s block", blockHeader)
	}
	var body []fixedwidth.Repeat
	for _, b := range bodyBlocks {
		blk, ok := l.Block(b.block)
		if !ok {
			return nil, fmt.Errorf("layout: no %s block", b.block)
		}
		body = append(body, fixedwidth.Repeat{Block: blk, Count: b.indicator})
	}
	s, err := fixedwidth.NewSchema(header, body...)
	if err != nil {
		return nil, err
	}
	// The mapping reads fields by name: a table without one of them would
	// silently lose data, so it is refused here.
	for _, blk := range append([]*fixedwidth.Block{header}, blocksOf(body)...) {
		for _, name := range fieldsUsed[blk.Name] {
			if _, ok := blk.Field(name); !ok {
				return nil, fmt.Errorf("layout: the %s block has no field %q", blk.Name, name)
			}
		}
		// The amount encoding (amount.go) writes every amount at one width.
		for _, f := range blk.Fields {
			if strings.HasSuffix(f.Name, "-Amount") && (f.Kind != fixedwidth.Numeric || f.Length() != amountWidth) {
				return nil, fmt.Errorf("layout: %s.%s must be a %d-column numeric amount", blk.Name, f.Name, amountWidth)
			}
		}
	}
	return s, nil
}

func blocksOf(rs []fixedwidth.Repeat) []*fixedwidth.Block {
	out := make([]*fixedwidth.Block, len(rs))
	for i, r := range rs {
		out[i] = r.Block
	}
	return out
}

// DefaultLayout is the federal layout embedded from schemas/csenet/layout.csv.
func DefaultLayout() (*fixedwidth.Schema, error) { return LoadLayout(schemas.CSENetLayoutCSV) }
