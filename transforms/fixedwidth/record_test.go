package fixedwidth

import (
	"strings"
	"testing"
)

// hdr builds the 19-column test header by hand from testTable.
func hdr(parts, notes string) string { return "ENF00004220261201" + parts + notes }

func TestSchemaDecode(t *testing.T) {
	_, s := testLayout(t)
	ana := "ANA       20160229A"
	leo := "LEO       20200101C"
	note := "CALL BEFORE NOON    "
	for _, c := range []struct {
		name, rec string
		parts     int
		notes     int
		errs      []string
	}{
		{"two participants and a note", hdr("2", "1") + ana + leo + note, 2, 1, nil},
		{"no blocks", hdr("0", "0"), 0, 0, nil},
		{"blank indicator", hdr(" ", "0"), 0, 0, []string{"hdr.Part-Ind. (columns 18-18): blank: the hdr must say how many part blocks follow"}},
		{"promises more than it holds", hdr("2", "0") + ana, 0, 0, []string{
			"part[2]: missing: the header says 2, the record holds 1",
			"record: the record is 38 columns long; the header's indicators describe 57"}},
		{"a block cut short", hdr("1", "1") + ana + "CALL", 0, 0, []string{
			"note[1]: missing: the header says 1, the record holds 0", "record:"}},
		{"more than the header says", hdr("1", "0") + ana + "EXTRA", 0, 0, []string{
			"record (columns 39-43): 5 columns after the blocks the header's indicators describe (38 columns)"}},
		{"indicator out of range", hdr("4", "0"), 0, 0, []string{`hdr.Part-Ind. (columns 18-18): "4" is not a valid value`}},
		{"indicator not a digit", hdr("x", "0"), 0, 0, []string{`hdr.Part-Ind. (columns 18-18): "x" is not a number`}},
		{"shorter than the header", "ENF", 0, 0, []string{"hdr: the record is 3 columns long, shorter than the 19-column hdr"}},
		{"field errors in blocks, all reported", hdr("2", "0") + "ANA       20161399A" + "LEO       20200101Z", 0, 0, []string{
			"part[1].Born (columns 30-37)", "part[2].Role (columns 57-57)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, errs := s.Decode([]byte(c.rec))
			checkErrs(t, errs, c.errs)
			if c.errs != nil {
				return
			}
			if len(rec.Blocks["part"]) != c.parts || len(rec.Blocks["note"]) != c.notes {
				t.Fatalf("blocks = %v", rec.Blocks)
			}
			out, errs := s.Encode(rec)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if string(out) != c.rec {
				t.Errorf("round trip:\n got %q\nwant %q", out, c.rec)
			}
		})
	}
}

func TestSchemaEncodeSetsCounts(t *testing.T) {
	_, s := testLayout(t)
	rec := Record{
		Header: Values{"Kind": "LO1", "Serial": "7", "Sent-Date": "20261201", "Part-Ind.": "3"},
		Blocks: map[string][]Values{"part": {{"Name": "ANA", "Role": "A"}}},
	}
	out, errs := s.Encode(rec)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if want := "LO100000720261201" + "10" + "ANA               A"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}

	rec.Blocks["part"] = make([]Values, 4)
	rec.Blocks["ghost"] = []Values{{}}
	_, errs = s.Encode(rec)
	checkErrs(t, errs, []string{"hdr.Part-Ind. (columns 18-18): 4 part blocks; at most 3 are allowed", "ghost: the layout has no such block"})
}

func TestNewSchemaRefuses(t *testing.T) {
	l, _ := testLayout(t)
	h, _ := l.Block("hdr")
	p, _ := l.Block("part")
	if _, err := NewSchema(h, Repeat{Block: p, Count: "Nope"}); err == nil || !strings.Contains(err.Error(), `"Nope" is not in the hdr`) {
		t.Errorf("err = %v", err)
	}
	if _, err := NewSchema(h, Repeat{Block: p, Count: "Kind"}); err == nil || !strings.Contains(err.Error(), "not numeric") {
		t.Errorf("err = %v", err)
	}
}

func TestFieldErrorText(t *testing.T) {
	e := FieldError{Block: "participant", Occurrence: 2, Reason: "missing: the header says 2, the record holds 1"}
	if got := e.Error(); got != "participant[2]: missing: the header says 2, the record holds 1" {
		t.Errorf("got %q", got)
	}
	if Errors(nil).Err() != nil {
		t.Error("no errors must be a nil error")
	}
}
