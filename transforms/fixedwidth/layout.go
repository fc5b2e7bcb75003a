// Package fixedwidth reads and writes fixed-width records (CSENet 2000
// transactions, e-IWO records) from layout tables kept as data.
//
// A layout is a CSV table of fields with their 1-based columns, kept in
// schemas/ with its federal source and embedded by the format's codec; an
// operator can load another table without a release. The package is pure: it
// parses tables and records from bytes and does no I/O.
//
// Values are strings, lossless in both directions: text fields lose only their
// space padding on the right, numbers keep every digit (a ZIP code's or a
// county FIPS code's leading zeros are part of the value), dates keep their
// eight characters. Decode followed by Encode gives back the same bytes; the
// fuzz target checks that property.
package fixedwidth

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Kind is how a field's columns are filled.
type Kind int

const (
	// Alphanumeric text: left-justified, space-filled.
	Alphanumeric Kind = iota
	// Numeric digits: right-justified, zero-filled; all spaces means not
	// filled.
	Numeric
	// Date in CCYYMMDD; all spaces or all zeros means no date.
	Date
)

func (k Kind) String() string {
	switch k {
	case Numeric:
		return "numeric"
	case Date:
		return "date"
	default:
		return "alphanumeric"
	}
}

// Value is one valid code of a field and what it means.
type Value struct {
	Code    string
	Meaning string
}

// Field is one element of a block.
type Field struct {
	Name string
	// Start and End are 1-based columns within the block, inclusive.
	Start, End int
	Kind       Kind
	// Required is the source table's flag, kept as data: what a transaction
	// must fill depends on its kind, so the engine does not enforce it.
	Required bool
	// Values, when not empty, are the only codes the field may hold (blank
	// aside).
	Values []Value
	// Source names where the row comes from when the table says so (e-IWO
	// rows are either read in a federal chart or derived).
	Source string
}

// Length is the field's width in columns.
func (f Field) Length() int { return f.End - f.Start + 1 }

// Valid reports whether code is one of the field's values, or whether the
// field has no list of values.
func (f Field) Valid(code string) bool {
	if len(f.Values) == 0 {
		return true
	}
	for _, v := range f.Values {
		if v.Code == code {
			return true
		}
	}
	return false
}

func (f Field) codes() string {
	cs := make([]string, len(f.Values))
	for i, v := range f.Values {
		cs[i] = v.Code
	}
	return strings.Join(cs, ", ")
}

// Block is a run of contiguous fields: a CSENet header or data block, an
// e-IWO record.
type Block struct {
	Name   string
	Fields []Field
	index  map[string]int
}

// Length is the block's width in columns.
func (b *Block) Length() int {
	if len(b.Fields) == 0 {
		return 0
	}
	return b.Fields[len(b.Fields)-1].End
}

// Field returns the named field.
func (b *Block) Field(name string) (Field, bool) {
	i, ok := b.index[name]
	if !ok {
		return Field{}, false
	}
	return b.Fields[i], true
}

// Layout is the blocks of one table, in the table's order.
type Layout struct {
	Blocks []*Block
}

// Block returns the named block.
func (l *Layout) Block(name string) (*Block, bool) {
	for _, b := range l.Blocks {
		if b.Name == name {
			return b, true
		}
	}
	return nil, false
}

// ParseOptions adjusts ParseCSV.
type ParseOptions struct {
	// Block names the block of every row when the table has no block column
	// (an e-IWO table holds one record).
	Block string
}

// ParseCSV reads a layout table. Its first row names the columns, in any
// order: block (or record), field (or element), start, end, length, and
// optionally type (numeric, alphanumeric, date; N, A, A/N), required
// (yes/no, R/O), values ("CODE=meaning; CODE=meaning") and source.
//
// A numeric field eight columns long whose name says "date" is a CCYYMMDD
// date: the federal CSENet layout types its dates as numeric and names them
// so. A table may also say "date" itself.
//
// The table is refused, with its line, unless every block's fields are
// contiguous from column 1 and each row's length agrees with its columns.
func ParseCSV(data []byte, opts ParseOptions) (*Layout, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("layout: reading the heading row: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "record":
			h = "block"
		case "element":
			h = "field"
		}
		col[h] = i
	}
	for _, need := range []string{"field", "start", "end", "length"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("layout: the heading row has no %q column", need)
		}
	}
	if _, ok := col["block"]; !ok && opts.Block == "" {
		return nil, errors.New("layout: the table has no block column and no block name was given")
	}
	get := func(row []string, name string) string {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}

	l := &Layout{}
	byName := map[string]*Block{}
	line := 1
	for {
		row, err := r.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("layout: line %d: %w", line, err)
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		bname := get(row, "block")
		if bname == "" {
			bname = opts.Block
		}
		if bname == "" {
			return nil, fmt.Errorf("layout: line %d: no block", line)
		}
		f, err := parseField(row, get)
		if err != nil {
			return nil, fmt.Errorf("layout: line %d (%s.%s): %w", line, bname, get(row, "field"), err)
		}
		b := byName[bname]
		if b == nil {
			b = &Block{Name: bname, index: map[string]int{}}
			byName[bname] = b
			l.Blocks = append(l.Blocks, b)
		}
		if _, dup := b.index[f.Name]; dup {
			return nil, fmt.Errorf("layout: line %d: %s.%s appears twice", line, bname, f.Name)
		}
		if want := b.Length() + 1; f.Start != want {
			return nil, fmt.Errorf("layout: line %d: %s.%s starts at column %d; the block's previous field ends at %d, so it must start at %d",
				line, bname, f.Name, f.Start, want-1, want)
		}
		b.index[f.Name] = len(b.Fields)
		b.Fields = append(b.Fields, f)
	}
	if len(l.Blocks) == 0 {
		return nil, errors.New("layout: the table has no fields")
	}
	return l, nil
}

func parseField(row []string, get func([]string, string) string) (Field, error) {
	f := Field{Name: get(row, "field"), Source: get(row, "source")}
	if f.Name == "" {
		return f, errors.New("no field name")
	}
	var err error
	if f.Start, err = atoiPositive(get(row, "start")); err != nil {
		return f, fmt.Errorf("start: %w", err)
	}
	if f.End, err = atoiPositive(get(row, "end")); err != nil {
		return f, fmt.Errorf("end: %w", err)
	}
	length, err := atoiPositive(get(row, "length"))
	if err != nil {
		return f, fmt.Errorf("length: %w", err)
	}
	if f.End < f.Start || f.End-f.Start+1 != length {
		return f, fmt.Errorf("columns %d-%d do not hold length %d", f.Start, f.End, length)
	}
	switch t := strings.ToLower(get(row, "type")); t {
	case "", "alphanumeric", "a", "a/n", "an", "text":
		f.Kind = Alphanumeric
	case "numeric", "n":
		f.Kind = Numeric
		if length == 8 && strings.Contains(strings.ToLower(f.Name), "date") {
			f.Kind = Date
		}
	case "date":
		if length != 8 {
			return f, fmt.Errorf("a CCYYMMDD date is 8 columns, not %d", length)
		}
		f.Kind = Date
	default:
		return f, fmt.Errorf("unknown type %q", t)
	}
	switch req := strings.ToLower(get(row, "required")); req {
	case "", "no", "n", "o", "optional":
	case "yes", "y", "r", "required":
		f.Required = true
	default:
		return f, fmt.Errorf("required: %q is neither yes nor no", req)
	}
	f.Values, err = parseValues(get(row, "values"), length)
	return f, err
}

func atoiPositive(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < 1 {
		return 0, fmt.Errorf("%d is not a positive column", n)
	}
	return n, nil
}

// parseValues reads "CODE=meaning; CODE=meaning". A part that does not start
// with a code as long as the field at most, then "=", continues the previous
// meaning: the federal extraction's descriptions themselves hold "; ".
func parseValues(s string, length int) ([]Value, error) {
	if s == "" {
		return nil, nil
	}
	var vs []Value
	for part := range strings.SplitSeq(s, "; ") {
		code, meaning, ok := strings.Cut(part, "=")
		code = strings.TrimSpace(code)
		if !ok || code == "" || len(code) > length || strings.ContainsRune(code, ' ') {
			if len(vs) == 0 {
				return nil, fmt.Errorf("values: %q does not start with CODE=meaning", part)
			}
			vs[len(vs)-1].Meaning += "; " + part
			continue
		}
		vs = append(vs, Value{Code: code, Meaning: strings.TrimSpace(meaning)})
	}
	return vs, nil
}
