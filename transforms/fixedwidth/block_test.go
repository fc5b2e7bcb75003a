package fixedwidth

import (
	"strings"
	"testing"
)

const testTable = `block,field,start,end,length,type,required,values
hdr,Kind,1,3,3,alphanumeric,yes,ENF=Enforcement; LO1=Quick locate
hdr,Serial,4,9,6,numeric,yes,
hdr,Sent-Date,10,17,8,numeric,yes,
hdr,Part-Ind.,18,18,1,numeric,yes,0=none; 1=one; 2=two; 3=three
hdr,Note-Ind.,19,19,1,numeric,yes,0=none; 1=one
part,Name,1,10,10,alphanumeric,yes,
part,Born,11,18,8,date,no,
part,Role,19,19,1,alphanumeric,yes,A=custodial party; C=child
note,Text,1,20,20,alphanumeric,no,
`

func testLayout(t testing.TB) (*Layout, *Schema) {
	t.Helper()
	l, err := ParseCSV([]byte(testTable), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := l.Block("hdr")
	p, _ := l.Block("part")
	n, _ := l.Block("note")
	s, err := NewSchema(h, Repeat{Block: p, Count: "Part-Ind."}, Repeat{Block: n, Count: "Note-Ind."})
	if err != nil {
		t.Fatal(err)
	}
	return l, s
}

func TestBlockDecode(t *testing.T) {
	l, _ := testLayout(t)
	p, _ := l.Block("part")
	for _, c := range []struct {
		name, seg string
		want      Values
		errs      []string
	}{
		{"filled", "ANA LOPEZ 20150229C", nil, []string{`part[2].Born (columns 31-38): "20150229" is not a calendar date`}},
		{"valid", "ANA LOPEZ 20160229C", Values{"Name": "ANA LOPEZ", "Born": "20160229", "Role": "C"}, nil},
		{"leading spaces kept", "  ANA     20160229A", Values{"Name": "  ANA", "Born": "20160229", "Role": "A"}, nil},
		{"blank date", "ANA               A", Values{"Name": "ANA", "Role": "A"}, nil},
		{"zero date kept", "ANA       00000000A", Values{"Name": "ANA", "Born": "00000000", "Role": "A"}, nil},
		{"bad code", "ANA       20160229X", nil, []string{`part[2].Role (columns 39-39): "X" is not a valid value (valid: A, C)`}},
		{"date with letters", "ANA       2016022XA", nil, []string{`"2016022X" is not a date in CCYYMMDD`}},
		{"control character", "ANA\tLOPEZ 20160229A", nil, []string{"part[2].Name (columns 21-30): column 4 holds a character that is not printable ASCII"}},
		{"several", "ANA       2016022XX", nil, []string{"part[2].Born", "part[2].Role"}},
		{"short", "ANA", nil, []string{"part[2] (columns 21-23): the block is 19 columns long, not 3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, errs := p.Decode([]byte(c.seg), Place{Occurrence: 2, Offset: 20})
			checkErrs(t, errs, c.errs)
			if c.errs == nil && !equalValues(got, c.want) {
				t.Errorf("values = %v, want %v", got, c.want)
			}
		})
	}
}

func TestBlockEncode(t *testing.T) {
	l, _ := testLayout(t)
	h, _ := l.Block("hdr")
	for _, c := range []struct {
		name string
		in   Values
		want string
		errs []string
	}{
		{"pads and fills", Values{"Kind": "LO1", "Serial": "42", "Sent-Date": "20261201", "Part-Ind.": "1"}, "LO100004220261201 1 "[:17] + "1 ", nil},
		{"too long text", Values{"Kind": "ENFX"}, "", []string{`hdr.Kind (columns 1-3): 4 characters; the field holds 3`}},
		{"not a code", Values{"Kind": "EST"}, "", []string{`"EST" is not a valid value (valid: ENF, LO1)`}},
		{"not digits", Values{"Serial": "4-2"}, "", []string{`hdr.Serial (columns 4-9): "4-2" is not a number`}},
		{"too many digits", Values{"Serial": "1234567"}, "", []string{`"1234567" has 7 digits; the field holds 6`}},
		{"bad date", Values{"Sent-Date": "2026-12-01"}, "", []string{`hdr.Sent-Date (columns 10-17): "2026-12-01" is not a date in CCYYMMDD`}},
		{"unknown field", Values{"Colour": "red"}, "", []string{"hdr.Colour: the layout has no such field"}},
		{"non-ASCII", Values{"Kind": "EÑF"}, "", []string{"not printable ASCII"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, errs := h.Encode(c.in, Place{})
			checkErrs(t, errs, c.errs)
			if c.errs == nil && string(got) != c.want {
				t.Errorf("encoded %q, want %q", got, c.want)
			}
		})
	}
}

func checkErrs(t *testing.T, errs Errors, want []string) {
	t.Helper()
	if len(want) == 0 {
		if len(errs) > 0 {
			t.Fatalf("unexpected errors: %v", errs)
		}
		return
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %d matching %q", errs, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(errs[i].Error(), w) {
			t.Errorf("error %d = %q, want it to contain %q", i, errs[i].Error(), w)
		}
	}
}

func equalValues(a, b Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
