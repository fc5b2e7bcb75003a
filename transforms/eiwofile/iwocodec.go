package eiwofile

import (
	"fmt"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// Format is the name employers' partner entries give the federal file.
const Format = "eiwo-file"

// Codec is the federal e-IWO file as a per-document codec: one IWO encodes
// to its DTL record alone, because the file and batch framing, with control
// numbers that must never repeat, belong to the delivery that gathers an
// employer's documents (gateway/courier). Decoding takes a whole file holding
// exactly one record, or a bare record.
type Codec struct {
	Layouts *Layouts
}

// NewCodec returns the codec on the embedded layouts.
func NewCodec() (*Codec, error) {
	l, err := Default()
	if err != nil {
		return nil, err
	}
	return &Codec{Layouts: l}, nil
}

// Format returns "eiwo-file".
func (*Codec) Format() string { return Format }

// ContentType is plain text: records of printable ASCII, one a line.
func (*Codec) ContentType() string { return "text/plain; charset=us-ascii" }

// EncodeIWO writes the IWO's DTL record and a line feed.
func (c *Codec) EncodeIWO(iwo canonical.IWO) ([]byte, error) {
	v, errs := DTL(iwo)
	return record("DTL", c.Layouts.Detail, v, errs)
}

// EncodeAck writes the acknowledgment's ACK record and a line feed.
func (c *Codec) EncodeAck(a canonical.EmployerAck) ([]byte, error) {
	v, errs := ACK(a)
	return record("ACK", c.Layouts.Ack, v, errs)
}

// record lays out the elements v of one record (code) in its columns, unless
// making them out of the canonical document found problems (errs).
func record(code string, blk *fixedwidth.Block, v fixedwidth.Values, errs canonical.FieldErrors) ([]byte, error) {
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s %s: %w", Format, code, errs)
	}
	v["Document Code"] = code
	out, ferrs := blk.Encode(v, fixedwidth.Place{})
	if len(ferrs) > 0 {
		return nil, fmt.Errorf("%s %s: %w", Format, code, ferrs)
	}
	return append(out, '\n'), nil
}

// DecodeIWO reads a file of one DTL record, or one bare DTL record.
func (c *Codec) DecodeIWO(b []byte) (canonical.IWO, canonical.FieldErrors) {
	rec, errs := c.one(b, IWOs)
	if errs != nil {
		return canonical.IWO{}, errs
	}
	return IWOFromDTL(rec)
}

// DecodeAck reads a file of one ACK record, or one bare ACK record.
func (c *Codec) DecodeAck(b []byte) (canonical.EmployerAck, canonical.FieldErrors) {
	rec, errs := c.one(b, Acks)
	if errs != nil {
		return canonical.EmployerAck{}, errs
	}
	return AckFromACK(rec)
}

func (c *Codec) one(b []byte, k Kind) (fixedwidth.Values, canonical.FieldErrors) {
	blk := c.Layouts.recordBlock(k)
	line := b
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	if len(line) >= 3 && string(line[:3]) == k.record() && len(line) == blk.Length() {
		v, ferrs := blk.Decode(line, fixedwidth.Place{})
		if len(ferrs) > 0 {
			return nil, fieldErrors(Errors{{Line: 1, FieldError: ferrs[0]}}, ferrs[1:]...)
		}
		return v, nil
	}
	f, errs := c.Layouts.Decode(b)
	if len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	if f.Kind != k {
		return nil, canonical.FieldErrors{{PartnerPath: "line 1", Reason: fmt.Sprintf("an FH%c file where an FH%c file was expected", f.Kind, k)}}
	}
	if len(f.Batches) != 1 || len(f.Batches[0].Records) != 1 {
		return nil, canonical.FieldErrors{{PartnerPath: "file", Reason: fmt.Sprintf("one %s record expected; a file of several is read by the file intake", k.record())}}
	}
	return f.Batches[0].Records[0], nil
}

// fieldErrors restates file errors as canonical field errors, the element
// and line as the partner path.
func fieldErrors(es Errors, more ...fixedwidth.FieldError) canonical.FieldErrors {
	for _, fe := range more {
		es = append(es, Error{Line: 1, FieldError: fe})
	}
	out := make(canonical.FieldErrors, len(es))
	for i, e := range es {
		where := e.Path()
		if e.Line > 0 {
			where = fmt.Sprintf("line %d %s", e.Line, where)
		}
		if e.Start > 0 {
			where += fmt.Sprintf(" (columns %d-%d)", e.Start, e.End)
		}
		out[i] = canonical.FieldError{PartnerPath: where, Reason: e.Reason}
	}
	return out
}
