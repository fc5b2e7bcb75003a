package validate

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/uifsagw/uifsagw/schemas"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Combo is one valid combination of function, action and reason. Reason is
// blank when the combination carries none (acknowledgments, for example).
type Combo struct {
	Function    canonical.FunctionCode
	Action      canonical.ActionCode
	Reason      canonical.ReasonCode
	Description string
	// Source is where the combination comes from: SourceFederal,
	// SourceGateway (accepted, never sent to a state) or SourceOperator.
	Source string
}

// Sources of a combination.
const (
	SourceFederal  = "federal"
	SourceGateway  = "gateway"
	SourceOperator = "operator"
)

type comboInfo struct {
	desc, source string
}

type comboKey struct {
	f canonical.FunctionCode
	a canonical.ActionCode
	r canonical.ReasonCode
}

// Combos is a table of valid (function, action, reason) combinations. Build
// it with ParseCombos or DefaultCombos and extend it with Merge before use; a
// table that is no longer modified is safe for concurrent readers.
type Combos struct {
	desc map[comboKey]comboInfo
}

// comboHeader is the header line every combination table starts with; the
// fifth column, source, is optional (operator when absent).
var comboHeader = []string{"function", "action", "reason", "description", "source"}

// ParseCombos reads a combination table: a header line
// "function,action,reason,description" (optionally ",source"), then one
// combination per line. Lines starting with # are comments and blank lines
// are skipped. Every error names the line it was found on.
func ParseCombos(data []byte) (*Combos, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = 0
	c := &Combos{desc: make(map[comboKey]comboInfo)}
	firstLine := make(map[comboKey]int)
	sawHeader := false
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("transaction codes line %d: %w", pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("transaction codes: %w", err)
		}
		line, _ := r.FieldPos(0)
		if !sawHeader {
			if !slices.Equal(rec, comboHeader) && !slices.Equal(rec, comboHeader[:4]) {
				return nil, fmt.Errorf("transaction codes line %d: header must be %q, got %q",
					line, strings.Join(comboHeader[:4], ","), strings.Join(rec, ","))
			}
			sawHeader = true
			r.FieldsPerRecord = len(rec)
			continue
		}
		combo, err := parseCombo(rec)
		if err != nil {
			return nil, fmt.Errorf("transaction codes line %d: %w", line, err)
		}
		k := comboKey{combo.Function, combo.Action, combo.Reason}
		if prev, dup := firstLine[k]; dup {
			return nil, fmt.Errorf("transaction codes line %d: %s repeats line %d", line, k, prev)
		}
		firstLine[k] = line
		c.desc[k] = comboInfo{combo.Description, combo.Source}
	}
	if !sawHeader {
		return nil, fmt.Errorf("transaction codes: no header line %q", strings.Join(comboHeader[:4], ","))
	}
	return c, nil
}

func parseCombo(rec []string) (Combo, error) {
	f, a, r, d := canonical.FunctionCode(rec[0]), canonical.ActionCode(rec[1]), canonical.ReasonCode(rec[2]), strings.TrimSpace(rec[3])
	src := SourceOperator
	if len(rec) > 4 {
		src = strings.TrimSpace(rec[4])
	}
	switch {
	case src != SourceFederal && src != SourceGateway && src != SourceOperator:
		return Combo{}, fmt.Errorf("source %q must be federal, gateway or operator", rec[4])
	case !oneOf(f, canonical.FunctionCodes):
		return Combo{}, fmt.Errorf("unknown function %q", rec[0])
	case !oneOf(a, canonical.ActionCodes):
		return Combo{}, fmt.Errorf("unknown action %q", rec[1])
	case r != "" && !r.WellFormed():
		return Combo{}, fmt.Errorf("reason %q must be blank or 5 characters A-Z 0-9", rec[2])
	case d == "":
		return Combo{}, fmt.Errorf("description is required")
	case hasControl(d, false):
		return Combo{}, fmt.Errorf("description contains a control character")
	}
	return Combo{Function: f, Action: a, Reason: r, Description: d, Source: src}, nil
}

func (k comboKey) String() string {
	if k.r == "" {
		return fmt.Sprintf("%s %s (no reason)", k.f, k.a)
	}
	return fmt.Sprintf("%s %s %s", k.f, k.a, k.r)
}

// Merge adds every combination of other to c. Where both list the same
// combination, other's description wins, so an operator's file can reword a
// seed row; nothing is ever removed.
func (c *Combos) Merge(other *Combos) {
	if other == nil {
		return
	}
	if c.desc == nil {
		c.desc = make(map[comboKey]comboInfo, len(other.desc))
	}
	for k, d := range other.desc {
		c.desc[k] = d
	}
}

// Allowed reports whether the table lists the combination. A blank reason is
// allowed only where the table lists the function and action with no reason.
func (c *Combos) Allowed(f canonical.FunctionCode, a canonical.ActionCode, r canonical.ReasonCode) bool {
	if c == nil {
		return false
	}
	_, ok := c.desc[comboKey{f, a, r}]
	return ok
}

// Describe returns the description of the combination, or "" when the table
// does not list it.
func (c *Combos) Describe(f canonical.FunctionCode, a canonical.ActionCode, r canonical.ReasonCode) string {
	if c == nil {
		return ""
	}
	return c.desc[comboKey{f, a, r}].desc
}

// Source returns where the combination comes from (SourceFederal,
// SourceGateway, SourceOperator), or "" when the table does not list it.
func (c *Combos) Source(f canonical.FunctionCode, a canonical.ActionCode, r canonical.ReasonCode) string {
	if c == nil {
		return ""
	}
	return c.desc[comboKey{f, a, r}].source
}

// Sendable reports whether the gateway may send the combination to a state:
// it is listed, and not one of the gateway's own.
func (c *Combos) Sendable(f canonical.FunctionCode, a canonical.ActionCode, r canonical.ReasonCode) bool {
	s := c.Source(f, a, r)
	return s != "" && s != SourceGateway
}

// Sendable reports whether the seed table lets the gateway send the
// combination to a state; see Combos.Sendable.
func Sendable(f canonical.FunctionCode, a canonical.ActionCode, r canonical.ReasonCode) bool {
	return seedCombos().Sendable(f, a, r)
}

// Len returns the number of combinations.
func (c *Combos) Len() int {
	if c == nil {
		return 0
	}
	return len(c.desc)
}

// All returns every combination ordered by function and action (in the order
// of FunctionCodes and ActionCodes), then reason, for listings and exports.
func (c *Combos) All() []Combo {
	if c == nil {
		return nil
	}
	out := make([]Combo, 0, len(c.desc))
	for k, d := range c.desc {
		out = append(out, Combo{Function: k.f, Action: k.a, Reason: k.r, Description: d.desc, Source: d.source})
	}
	slices.SortFunc(out, func(x, y Combo) int {
		if n := slices.Index(canonical.FunctionCodes, x.Function) - slices.Index(canonical.FunctionCodes, y.Function); n != 0 {
			return n
		}
		if n := slices.Index(canonical.ActionCodes, x.Action) - slices.Index(canonical.ActionCodes, y.Action); n != 0 {
			return n
		}
		return strings.Compare(string(x.Reason), string(y.Reason))
	})
	return out
}

// Clone returns an independent copy of c, so that merging into the copy
// leaves c unchanged.
func (c *Combos) Clone() *Combos {
	out := &Combos{desc: make(map[comboKey]comboInfo, c.Len())}
	out.Merge(c)
	return out
}

// seedCombos is the embedded seed table, parsed once and never modified: the
// callers of DefaultCombos get clones, and Validate only reads it.
var seedCombos = sync.OnceValue(func() *Combos {
	c, err := ParseCombos(schemas.TransactionCodesCSV)
	if err != nil {
		// The table is compiled into the binary and tested; a broken one is a
		// build defect, not a runtime condition to handle.
		panic(fmt.Sprintf("canonical: embedded transaction codes: %v", err))
	}
	return c
})

// DefaultCombos returns a fresh copy of the seed table embedded from
// schemas/codes/transactions.csv. Merge an operator's table into it at startup.
func DefaultCombos() *Combos { return seedCombos().Clone() }
