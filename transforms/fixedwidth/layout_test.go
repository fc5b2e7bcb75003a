package fixedwidth

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas"
)

// The federal block lengths (CSENet IGD Appendix C, and the README of
// schemas/csenet): every element's columns must add up to them.
var csenetBlockLengths = []struct {
	name   string
	length int
}{
	{"header", 121}, {"case", 351}, {"ncp_id", 181}, {"ncp_locate", 1421},
	{"participant", 341}, {"order", 254}, {"collection", 70}, {"information", 416},
}

// TestCSENetLayoutColumns reads the embedded table row by row, independently
// of ParseCSV, and checks each element: start after the previous end, length
// equal to its columns, and each block's total.
func TestCSENetLayoutColumns(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(schemas.CSENetLayoutCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	ends := map[string]int{}
	var order []string
	for i, row := range rows[1:] {
		block, field := row[0], row[1]
		start, _ := strconv.Atoi(row[2])
		end, _ := strconv.Atoi(row[3])
		length, _ := strconv.Atoi(row[4])
		if _, seen := ends[block]; !seen {
			order = append(order, block)
		}
		if start != ends[block]+1 {
			t.Errorf("line %d %s.%s: starts at %d, previous field ends at %d", i+2, block, field, start, ends[block])
		}
		if end-start+1 != length {
			t.Errorf("line %d %s.%s: columns %d-%d but length %d", i+2, block, field, start, end, length)
		}
		ends[block] = end
	}
	if len(order) != len(csenetBlockLengths) {
		t.Fatalf("blocks %v, want %d", order, len(csenetBlockLengths))
	}
	l, err := ParseCSV(schemas.CSENetLayoutCSV, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range csenetBlockLengths {
		if order[i] != want.name {
			t.Errorf("block %d is %s, want %s", i, order[i], want.name)
		}
		if ends[want.name] != want.length {
			t.Errorf("%s: fields end at column %d, want %d", want.name, ends[want.name], want.length)
		}
		b, ok := l.Block(want.name)
		if !ok || b.Length() != want.length {
			t.Errorf("parsed %s: %v, length %d, want %d", want.name, ok, b.Length(), want.length)
		}
	}
	if n := len(rows) - 1; n != 272 {
		t.Errorf("%d fields, the federal extraction has 272", n)
	}
}

func TestCSENetLayoutKinds(t *testing.T) {
	l, err := ParseCSV(schemas.CSENetLayoutCSV, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		block, field string
		kind         Kind
	}{
		{"header", "Transaction-Date", Date},
		{"header", "Transaction-Serial-Number", Numeric},
		{"header", "Case-ID", Alphanumeric},
		{"participant", "Date-Of-Birth", Date},
		{"order", "Order-Freq.-Amount", Numeric},
		{"order", "Arrears-TANF-From-Date", Date},
		{"ncp_locate", "Wage-Year", Numeric},
	} {
		b, _ := l.Block(c.block)
		f, ok := b.Field(c.field)
		if !ok || f.Kind != c.kind {
			t.Errorf("%s.%s: kind %v (found %v), want %v", c.block, c.field, f.Kind, ok, c.kind)
		}
	}
	// The extraction cut this description and left "; " inside it: it stays
	// one value.
	c, _ := l.Block("case")
	f, _ := c.Field("Nondisclosure-Finding")
	if len(f.Values) != 1 || f.Values[0].Code != "Y" || !strings.Contains(f.Values[0].Meaning, "treat case as") {
		t.Errorf("Nondisclosure-Finding values = %+v", f.Values)
	}
}

func TestParseCSVRefuses(t *testing.T) {
	const head = "block,field,start,end,length,type,required,values\n"
	for _, c := range []struct {
		name, table, want string
	}{
		{"gap", head + "b,A,1,2,2,numeric,no,\nb,B,4,5,2,numeric,no,\n", "must start at 3"},
		{"overlap", head + "b,A,1,2,2,numeric,no,\nb,B,2,5,4,numeric,no,\n", "must start at 3"},
		{"not from column 1", head + "b,A,2,3,2,numeric,no,\n", "must start at 1"},
		{"length disagrees", head + "b,A,1,2,3,numeric,no,\n", "do not hold length 3"},
		{"duplicate", head + "b,A,1,2,2,numeric,no,\nb,A,3,4,2,numeric,no,\n", "appears twice"},
		{"unknown type", head + "b,A,1,2,2,packed,no,\n", `unknown type "packed"`},
		{"bad required", head + "b,A,1,2,2,numeric,maybe,\n", "neither yes nor no"},
		{"bad start", head + "b,A,x,2,2,numeric,no,\n", `"x" is not a number`},
		{"values without codes", head + "b,A,1,1,1,alphanumeric,no,just words\n", "CODE=meaning"},
		{"date not 8", head + "b,A,1,6,6,date,no,\n", "8 columns"},
		{"no end column", "block,field,start,length\nb,A,1,1\n", `no "end" column`},
		{"no block", "field,start,end,length\nA,1,1,1\n", "no block column"},
		{"empty", head, "no fields"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseCSV([]byte(c.table), ParseOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q", err, c.want)
			}
		})
	}
}

func TestParseCSVOneRecordTable(t *testing.T) {
	// The e-IWO tables name elements, not blocks, and carry their source.
	l, err := ParseCSV([]byte("element,start,end,length,source\nDocument Code,1,3,3,federal chart D-1\nCreation Date,4,11,8,derived\n"),
		ParseOptions{Block: "FHI"})
	if err != nil {
		t.Fatal(err)
	}
	b, ok := l.Block("FHI")
	if !ok || b.Length() != 11 || b.Fields[0].Source != "federal chart D-1" {
		t.Fatalf("block %+v", b)
	}
	// Without a type column a date named so stays text: only numeric dates
	// are inferred, as the CSENet table types them.
	if f, _ := b.Field("Creation Date"); f.Kind != Alphanumeric {
		t.Errorf("Creation Date kind = %v", f.Kind)
	}
}
