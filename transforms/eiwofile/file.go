package eiwofile

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// Kind is the third letter of a file's document codes.
type Kind byte

const (
	// IWOs is a file of IWO detail records, state to employer (FHI).
	IWOs Kind = 'I'
	// Acks is a file of acknowledgments, employer to state (FHA).
	Acks Kind = 'A'
)

// File is one decoded e-IWO file.
type File struct {
	Kind    Kind
	Header  fixedwidth.Values
	Batches []Batch
	Trailer fixedwidth.Values
}

// Batch is one employer's batch: its header, records (DTL or ACK) and trailer.
type Batch struct {
	Header  fixedwidth.Values
	Records []fixedwidth.Values
	Trailer fixedwidth.Values
}

// Error is one problem in a file, placed by line.
type Error struct {
	// Line is the 1-based line of the record, 0 for the file as a whole.
	Line int
	fixedwidth.FieldError
}

func (e Error) Error() string {
	if e.Line == 0 {
		return "file: " + e.FieldError.Error()
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.FieldError.Error())
}

// Errors is every problem found in one file.
type Errors []Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	if len(es) == 1 {
		return parts[0]
	}
	return fmt.Sprintf("%d errors: %s", len(es), strings.Join(parts, "; "))
}

func (k Kind) record() string {
	if k == Acks {
		return "ACK"
	}
	return "DTL"
}

func (l *Layouts) recordBlock(k Kind) *fixedwidth.Block {
	if k == Acks {
		return l.Ack
	}
	return l.Detail
}

type line struct {
	n    int
	code string
	vals fixedwidth.Values
}

// Decode reads a whole file, one record a line (LF or CRLF). It returns the
// file only when every record reads and every trailer agrees with what it
// closes; otherwise every problem found.
func (l *Layouts) Decode(b []byte) (*File, Errors) {
	lines, errs := l.readLines(b)
	if len(errs) > 0 {
		return nil, errs
	}
	f, errs := l.frame(lines)
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

func fileErr(n int, block, field, reason string) Error {
	return Error{Line: n, FieldError: fixedwidth.FieldError{Block: block, Field: field, Reason: reason}}
}

// readLines decodes each line with the layout its document code names.
func (l *Layouts) readLines(b []byte) ([]line, Errors) {
	if len(b) == 0 {
		return nil, Errors{fileErr(0, "file", "", "empty: a file starts with a file header (FHI or FHA)")}
	}
	raw := bytes.Split(b, []byte("\n"))
	if len(raw[len(raw)-1]) == 0 {
		raw = raw[:len(raw)-1]
	}
	var kind Kind
	var out []line
	var errs Errors
	for i, r := range raw {
		n := i + 1
		r = bytes.TrimSuffix(r, []byte("\r"))
		if len(r) < 3 {
			errs = append(errs, fileErr(n, "record", "", fmt.Sprintf("%d columns: a record starts with a 3-letter document code", len(r))))
			continue
		}
		code := string(r[:3])
		if i == 0 {
			if code[:2] != "FH" || (Kind(code[2]) != IWOs && Kind(code[2]) != Acks) {
				return nil, Errors{fileErr(n, code, "", "a file must start with a file header, FHI (IWOs) or FHA (acknowledgments)")}
			}
			kind = Kind(code[2])
		}
		var blk *fixedwidth.Block
		switch code {
		case "FH" + string(kind), "BH" + string(kind):
			blk = l.Header
		case "FT" + string(kind), "BT" + string(kind):
			blk = l.Trailer
		case kind.record():
			blk = l.recordBlock(kind)
		default:
			errs = append(errs, fileErr(n, code, "", fmt.Sprintf("not a record of an FH%c file (FH%c, BH%c, %s, BT%c, FT%c)",
				kind, kind, kind, kind.record(), kind, kind)))
			continue
		}
		if len(r) != blk.Length() {
			errs = append(errs, fileErr(n, code, "", fmt.Sprintf("the record is %d columns long; the %s layout has %d", len(r), code, blk.Length())))
			continue
		}
		vals, ferrs := blk.Decode(r, fixedwidth.Place{})
		for _, fe := range ferrs {
			fe.Block = code
			errs = append(errs, Error{Line: n, FieldError: fe})
		}
		out = append(out, line{n: n, code: code, vals: vals})
	}
	return out, errs
}

// frame checks the order of records and every trailer count.
func (l *Layouts) frame(lines []line) (*File, Errors) {
	kind := Kind(lines[0].code[2])
	f := &File{Kind: kind, Header: lines[0].vals}
	var errs Errors
	var open *Batch
	var openLine line
	var total int
	closed := false
	for _, ln := range lines[1:] {
		switch {
		case closed:
			errs = append(errs, fileErr(ln.n, ln.code, "", "after the file trailer: nothing may follow it"))
		case ln.code[:2] == "BH":
			if open != nil {
				errs = append(errs, fileErr(ln.n, ln.code, "", fmt.Sprintf("a batch header inside the batch opened on line %d, which has no trailer", openLine.n)))
			}
			f.Batches = append(f.Batches, Batch{Header: ln.vals})
			open, openLine = &f.Batches[len(f.Batches)-1], ln
		case ln.code == kind.record():
			if open == nil {
				errs = append(errs, fileErr(ln.n, ln.code, "", "outside a batch: records sit between a batch header and its trailer"))
				continue
			}
			open.Records = append(open.Records, ln.vals)
		case ln.code[:2] == "BT":
			if open == nil {
				errs = append(errs, fileErr(ln.n, ln.code, "", "a batch trailer without a batch header"))
				continue
			}
			open.Trailer = ln.vals
			errs = append(errs, l.checkControl(ln, openLine, "batch header")...)
			errs = append(errs, l.checkCount(ln, fieldRecordCount, len(open.Records),
				fmt.Sprintf("the batch holds %d %s records", len(open.Records), kind.record()))...)
			total += len(open.Records)
			open = nil
		case ln.code[:2] == "FT":
			if open != nil {
				errs = append(errs, fileErr(ln.n, ln.code, "", fmt.Sprintf("the batch opened on line %d has no trailer", openLine.n)))
				total += len(open.Records)
				open = nil
			}
			f.Trailer = ln.vals
			closed = true
			errs = append(errs, l.checkControl(ln, lines[0], "file header")...)
			errs = append(errs, l.checkCount(ln, fieldBatchCount, len(f.Batches), fmt.Sprintf("the file holds %d batches", len(f.Batches)))...)
			// Derived, not confirmed in Chart D-2: the file's record count
			// counts the DTL or ACK records of all batches, not headers and
			// trailers.
			errs = append(errs, l.checkCount(ln, fieldRecordCount, total, fmt.Sprintf("the file's batches hold %d %s records", total, kind.record()))...)
		default:
			errs = append(errs, fileErr(ln.n, ln.code, "", "a second file header: one file header per file"))
		}
	}
	if !closed {
		errs = append(errs, fileErr(lines[len(lines)-1].n, "file", "", fmt.Sprintf("no file trailer (FT%c): the file may be cut short", kind)))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

func (l *Layouts) trailerErr(ln line, field, reason string) Error {
	e := fileErr(ln.n, ln.code, field, reason)
	if f, ok := l.Trailer.Field(field); ok {
		e.Start, e.End = f.Start, f.End
	}
	return e
}

func (l *Layouts) checkControl(trailer, header line, what string) Errors {
	t, h := trailer.vals[fieldControl], header.vals[fieldControl]
	if t == h {
		return nil
	}
	return Errors{l.trailerErr(trailer, fieldControl,
		fmt.Sprintf("%q does not match the %s on line %d (%q)", t, what, header.n, h))}
}

func (l *Layouts) checkCount(ln line, field string, want int, holds string) Errors {
	v := ln.vals[field]
	if v == "" {
		return Errors{l.trailerErr(ln, field, "blank: "+holds)}
	}
	// The layout types the counts numeric, so v is digits.
	if n, _ := strconv.Atoi(v); n != want {
		return Errors{l.trailerErr(ln, field, fmt.Sprintf("says %d; %s", n, holds))}
	}
	return nil
}

// Encode writes f, one record a line ending in LF. Document codes come from
// f.Kind, trailers take their header's control number, and the counts the
// framing checks (batch trailers' record count, the file trailer's batch and
// record counts) are counted from f, so they cannot disagree.
func (l *Layouts) Encode(f *File) ([]byte, error) {
	if f.Kind != IWOs && f.Kind != Acks {
		return nil, Errors{fileErr(0, "file", "", fmt.Sprintf("kind %q: a file is of IWOs (I) or acknowledgments (A)", f.Kind))}
	}
	k := string(f.Kind)
	var buf bytes.Buffer
	var errs Errors
	n := 0
	put := func(blk *fixedwidth.Block, code string, vals fixedwidth.Values, set fixedwidth.Values) {
		n++
		v := make(fixedwidth.Values, len(vals)+len(set)+1)
		for key, val := range vals {
			v[key] = val
		}
		if c := v[fieldDocCode]; c != "" && c != code {
			errs = append(errs, fileErr(n, code, fieldDocCode, fmt.Sprintf("%q where this line is a %s", c, code)))
		}
		v[fieldDocCode] = code
		for key, val := range set {
			v[key] = val
		}
		out, ferrs := blk.Encode(v, fixedwidth.Place{})
		for _, fe := range ferrs {
			fe.Block = code
			errs = append(errs, Error{Line: n, FieldError: fe})
		}
		buf.Write(out)
		buf.WriteByte('\n')
	}
	put(l.Header, "FH"+k, f.Header, nil)
	total := 0
	for _, b := range f.Batches {
		put(l.Header, "BH"+k, b.Header, nil)
		for _, r := range b.Records {
			put(l.recordBlock(f.Kind), f.Kind.record(), r, nil)
		}
		put(l.Trailer, "BT"+k, b.Trailer, fixedwidth.Values{
			fieldControl: b.Header[fieldControl], fieldRecordCount: strconv.Itoa(len(b.Records))})
		total += len(b.Records)
	}
	put(l.Trailer, "FT"+k, f.Trailer, fixedwidth.Values{
		fieldControl: f.Header[fieldControl], fieldBatchCount: strconv.Itoa(len(f.Batches)), fieldRecordCount: strconv.Itoa(total)})
	if len(errs) > 0 {
		return nil, errs
	}
	return buf.Bytes(), nil
}
