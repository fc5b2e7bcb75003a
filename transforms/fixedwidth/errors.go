package fixedwidth

import (
	"fmt"
	"strings"
)

// FieldError is one problem in a fixed-width record, placed by block,
// occurrence and field so that a caseworker or a partner's programmer can find
// it in the record: "participant[2].Date-Of-Birth (columns 478-485): ...".
type FieldError struct {
	// Block is the layout block ("header", "participant") or "record" for a
	// problem of the record as a whole (its length).
	Block string
	// Occurrence is the 1-based occurrence of a repeated block; 0 for a block
	// that is not counted (a header, a single e-IWO record).
	Occurrence int
	// Field is the layout's field name, empty when the block as a whole is at
	// fault (missing, cut short).
	Field string
	// Start and End are the 1-based columns in the whole record, 0 when the
	// problem has no columns of its own.
	Start, End int
	// Reason says what is wrong, in words.
	Reason string
}

// Path names the place: block, [occurrence], .field.
func (e FieldError) Path() string {
	var b strings.Builder
	b.WriteString(e.Block)
	if e.Occurrence > 0 {
		fmt.Fprintf(&b, "[%d]", e.Occurrence)
	}
	if e.Field != "" {
		b.WriteString(".")
		b.WriteString(e.Field)
	}
	return b.String()
}

func (e FieldError) Error() string {
	if e.Start > 0 {
		return fmt.Sprintf("%s (columns %d-%d): %s", e.Path(), e.Start, e.End, e.Reason)
	}
	return e.Path() + ": " + e.Reason
}

// Errors is every problem found in one record. A decoder reports all it can
// find rather than the first, so a partner fixes its extract in one round.
type Errors []FieldError

func (es Errors) Error() string {
	switch len(es) {
	case 0:
		return "no errors"
	case 1:
		return es[0].Error()
	}
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return fmt.Sprintf("%d errors: %s", len(es), strings.Join(parts, "; "))
}

// Err returns es as an error, or nil when there are none (a nil Errors in an
// error interface would not compare equal to nil).
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
