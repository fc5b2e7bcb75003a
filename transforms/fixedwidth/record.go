package fixedwidth

import (
	"fmt"
	"strconv"
)

// Repeat is a data block that follows a header as many times as one of the
// header's fields says (a CSENet indicator).
type Repeat struct {
	Block *Block
	// Count is the header field holding the number of occurrences.
	Count string
}

// Schema is a record made of a header and the blocks it announces, in order.
type Schema struct {
	Header *Block
	Body   []Repeat
}

// NewSchema checks that every Repeat's count field is a numeric header field
// and returns the schema.
func NewSchema(header *Block, body ...Repeat) (*Schema, error) {
	for _, r := range body {
		if r.Block == nil {
			return nil, fmt.Errorf("schema: a repeated block is missing")
		}
		f, ok := header.Field(r.Count)
		if !ok {
			return nil, fmt.Errorf("schema: the %s block's count field %q is not in the %s", r.Block.Name, r.Count, header.Name)
		}
		if f.Kind != Numeric {
			return nil, fmt.Errorf("schema: the %s block's count field %q is not numeric", r.Block.Name, r.Count)
		}
	}
	return &Schema{Header: header, Body: body}, nil
}

// Record is one decoded record: its header and each block's occurrences.
type Record struct {
	Header Values
	// Blocks holds the occurrences of each body block by block name.
	Blocks map[string][]Values
}

// Max is the most occurrences the count field allows: its largest valid
// value, or the largest number its columns hold.
func (s *Schema) Max(r Repeat) int {
	f, _ := s.Header.Field(r.Count)
	most := 0
	if len(f.Values) > 0 {
		for _, v := range f.Values {
			if n, err := strconv.Atoi(v.Code); err == nil && n > most {
				most = n
			}
		}
		return most
	}
	for i := 0; i < f.Length() && i < 9; i++ {
		most = most*10 + 9
	}
	return most
}

// Decode reads one record. A header that cannot be read, or whose counts
// disagree with the record's length, stops the decoding there: the columns
// after a missing block cannot be placed.
func (s *Schema) Decode(rec []byte) (Record, Errors) {
	hl := s.Header.Length()
	if len(rec) < hl {
		return Record{}, Errors{{Block: s.Header.Name,
			Reason: fmt.Sprintf("the record is %d columns long, shorter than the %d-column %s", len(rec), hl, s.Header.Name)}}
	}
	hdr, errs := s.Header.Decode(rec[:hl], Place{})
	counts := make([]int, len(s.Body))
	for i, r := range s.Body {
		f, _ := s.Header.Field(r.Count)
		if hasError(errs, f.Name) {
			return Record{}, errs
		}
		v := hdr[r.Count]
		if v == "" {
			// A blank count is not zero: the record would not round-trip,
			// and a producer that leaves it blank may have meant anything.
			errs = append(errs, s.Header.fieldError(f, Place{}, fmt.Sprintf("blank: the %s must say how many %s blocks follow", s.Header.Name, r.Block.Name)))
			return Record{}, errs
		}
		n, _ := strconv.Atoi(v)
		if n > s.Max(r) {
			errs = append(errs, s.Header.fieldError(f, Place{}, fmt.Sprintf("%d %s blocks; at most %d are allowed", n, r.Block.Name, s.Max(r))))
			return Record{}, errs
		}
		counts[i] = n
	}

	out := Record{Header: hdr, Blocks: map[string][]Values{}}
	pos := hl
	for i, r := range s.Body {
		bl := r.Block.Length()
		for occ := 1; occ <= counts[i]; occ++ {
			if pos+bl > len(rec) {
				errs = append(errs, FieldError{Block: r.Block.Name, Occurrence: occ,
					Reason: fmt.Sprintf("missing: the header says %d, the record holds %d", counts[i], occ-1)})
				return Record{}, append(errs, FieldError{Block: "record",
					Reason: fmt.Sprintf("the record is %d columns long; the header's indicators describe %d", len(rec), s.length(counts))})
			}
			vals, ferrs := r.Block.Decode(rec[pos:pos+bl], Place{Occurrence: occ, Offset: pos})
			errs = append(errs, ferrs...)
			out.Blocks[r.Block.Name] = append(out.Blocks[r.Block.Name], vals)
			pos += bl
		}
	}
	if pos < len(rec) {
		errs = append(errs, FieldError{Block: "record", Start: pos + 1, End: len(rec),
			Reason: fmt.Sprintf("%d columns after the blocks the header's indicators describe (%d columns)", len(rec)-pos, pos)})
	}
	if len(errs) > 0 {
		return Record{}, errs
	}
	return out, nil
}

func (s *Schema) length(counts []int) int {
	n := s.Header.Length()
	for i, r := range s.Body {
		n += counts[i] * r.Block.Length()
	}
	return n
}

func hasError(errs Errors, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Encode writes one record. The header's count fields are set from the blocks
// given, so they cannot disagree with them.
func (s *Schema) Encode(r Record) ([]byte, Errors) {
	var errs Errors
	known := map[string]bool{}
	hdr := make(Values, len(r.Header)+len(s.Body))
	for k, v := range r.Header {
		hdr[k] = v
	}
	for _, rp := range s.Body {
		known[rp.Block.Name] = true
		n := len(r.Blocks[rp.Block.Name])
		if most := s.Max(rp); n > most {
			f, _ := s.Header.Field(rp.Count)
			errs = append(errs, s.Header.fieldError(f, Place{}, fmt.Sprintf("%d %s blocks; at most %d are allowed", n, rp.Block.Name, most)))
			continue
		}
		hdr[rp.Count] = strconv.Itoa(n)
	}
	for name := range r.Blocks {
		if !known[name] {
			errs = append(errs, FieldError{Block: name, Reason: "the layout has no such block"})
		}
	}
	size := s.Header.Length()
	for _, rp := range s.Body {
		size += len(r.Blocks[rp.Block.Name]) * rp.Block.Length()
	}
	out, herrs := s.Header.appendEncoded(make([]byte, 0, size), hdr, Place{})
	errs = append(errs, herrs...)
	for _, rp := range s.Body {
		for i, vals := range r.Blocks[rp.Block.Name] {
			var berrs Errors
			out, berrs = rp.Block.appendEncoded(out, vals, Place{Occurrence: i + 1, Offset: len(out)})
			errs = append(errs, berrs...)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}
