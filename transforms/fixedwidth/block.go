package fixedwidth

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Values are a block's fields by name. A field that is not filled is absent
// or "".
type Values map[string]string

// Place tells a block where it sits in the record, for error messages.
type Place struct {
	// Occurrence is the 1-based occurrence of a repeated block, 0 otherwise.
	Occurrence int
	// Offset is the number of record columns before the block.
	Offset int
}

// Decode reads one occurrence of b from seg, which must be exactly b.Length()
// bytes. It checks every field and returns every problem.
func (b *Block) Decode(seg []byte, at Place) (Values, Errors) {
	if len(seg) != b.Length() {
		return nil, Errors{{Block: b.Name, Occurrence: at.Occurrence, Start: at.Offset + 1, End: at.Offset + len(seg),
			Reason: fmt.Sprintf("the block is %d columns long, not %d", b.Length(), len(seg))}}
	}
	vals := make(Values, len(b.Fields))
	var errs Errors
	// One string for the block: the values are substrings of it, not one
	// allocation per field.
	all := string(seg)
	for _, f := range b.Fields {
		raw := all[f.Start-1 : f.End]
		v, reason := decodeField(f, raw)
		if reason != "" {
			errs = append(errs, b.fieldError(f, at, reason))
			continue
		}
		if v != "" {
			vals[f.Name] = v
		}
	}
	return vals, errs
}

func (b *Block) fieldError(f Field, at Place, reason string) FieldError {
	return FieldError{Block: b.Name, Occurrence: at.Occurrence, Field: f.Name,
		Start: at.Offset + f.Start, End: at.Offset + f.End, Reason: reason}
}

func decodeField(f Field, raw string) (string, string) {
	if i := strings.IndexFunc(raw, notPrintable); i >= 0 {
		return "", fmt.Sprintf("column %d holds a character that is not printable ASCII (%q); records are plain ASCII so that columns stay in place", f.Start+i, raw[i])
	}
	blank := strings.Trim(raw, " ") == ""
	switch f.Kind {
	case Numeric:
		if blank {
			return "", ""
		}
		if !allDigits(raw) {
			return "", fmt.Sprintf("%q is not a number: numeric fields are digits only, right-justified and zero-filled", raw)
		}
	case Date:
		if blank {
			return "", ""
		}
		if reason := checkDate(raw); reason != "" {
			return "", reason
		}
		return raw, ""
	default:
		raw = strings.TrimRight(raw, " ")
	}
	if raw != "" && !f.Valid(raw) {
		return "", fmt.Sprintf("%q is not a valid value (valid: %s)", raw, f.codes())
	}
	return raw, ""
}

// Encode writes one occurrence of b from vals. It refuses a name b does not
// have, a value too long for its columns, a number that is not digits, a date
// that is not CCYYMMDD and a code not in the field's values, naming each.
func (b *Block) Encode(vals Values, at Place) ([]byte, Errors) {
	return b.appendEncoded(make([]byte, 0, b.Length()), vals, at)
}

// appendEncoded appends the occurrence to dst, so that a record is built in
// one buffer.
func (b *Block) appendEncoded(dst []byte, vals Values, at Place) ([]byte, Errors) {
	var errs Errors
	for name := range vals {
		if _, ok := b.index[name]; !ok {
			errs = append(errs, FieldError{Block: b.Name, Occurrence: at.Occurrence, Field: name,
				Reason: "the layout has no such field"})
		}
	}
	if len(errs) > 1 {
		// Map order is random; the report is not.
		slices.SortFunc(errs, func(x, y FieldError) int { return strings.Compare(x.Field, y.Field) })
	}
	base := len(dst)
	for range b.Length() {
		dst = append(dst, ' ')
	}
	for _, f := range b.Fields {
		if reason := encodeField(f, vals[f.Name], dst[base+f.Start-1:base+f.End]); reason != "" {
			errs = append(errs, b.fieldError(f, at, reason))
		}
	}
	return dst, errs
}

// encodeField writes v into col, which holds spaces, or says why it cannot.
func encodeField(f Field, v string, col []byte) string {
	n := len(col)
	if v == "" {
		return ""
	}
	if i := strings.IndexFunc(v, notPrintable); i >= 0 {
		return fmt.Sprintf("the value holds a character that is not printable ASCII (%q) at position %d", v[i], i+1)
	}
	switch f.Kind {
	case Numeric:
		if !allDigits(v) {
			return fmt.Sprintf("%q is not a number: numeric fields take digits only", v)
		}
		if len(v) > n {
			return fmt.Sprintf("%q has %d digits; the field holds %d", v, len(v), n)
		}
		for i := range n - len(v) {
			col[i] = '0'
		}
		copy(col[n-len(v):], v)
		// Codes are checked as they will be read: full width, zero-filled.
		if len(f.Values) > 0 && !f.Valid(string(col)) {
			return fmt.Sprintf("%q is not a valid value (valid: %s)", string(col), f.codes())
		}
	case Date:
		if reason := checkDate(v); reason != "" {
			return reason
		}
		copy(col, v)
	default:
		if len(v) > n {
			return fmt.Sprintf("%d characters; the field holds %d", len(v), n)
		}
		if t := strings.TrimRight(v, " "); !f.Valid(t) {
			return fmt.Sprintf("%q is not a valid value (valid: %s)", t, f.codes())
		}
		copy(col, v)
	}
	return ""
}

// checkDate accepts a calendar date in CCYYMMDD, or eight zeros, which
// fixed-width producers write for "no date" in a zero-filled numeric field.
func checkDate(s string) string {
	if s == "00000000" {
		return ""
	}
	if len(s) != 8 || !allDigits(s) {
		return fmt.Sprintf("%q is not a date in CCYYMMDD", s)
	}
	if _, err := time.Parse("20060102", s); err != nil {
		return fmt.Sprintf("%q is not a calendar date in CCYYMMDD", s)
	}
	return ""
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func notPrintable(r rune) bool { return r < 0x20 || r > 0x7e }
