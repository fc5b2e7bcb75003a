package fixedwidth

import (
	"bytes"
	"testing"

	"github.com/uifsagw/uifsagw/schemas"
)

// csenetSchema wires the federal CSENet table the way the csenet codec does,
// so the engine is fuzzed on the real layout.
func csenetSchema(t testing.TB) *Schema {
	t.Helper()
	l, err := ParseCSV(schemas.CSENetLayoutCSV, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	block := func(n string) *Block {
		b, ok := l.Block(n)
		if !ok {
			t.Fatalf("no block %s", n)
		}
		return b
	}
	s, err := NewSchema(block("header"),
		Repeat{Block: block("case"), Count: "Case-Data-Ind."},
		Repeat{Block: block("ncp_id"), Count: "NCP-Identification-Ind."},
		Repeat{Block: block("ncp_locate"), Count: "NCP-Locate-Data-Ind."},
		Repeat{Block: block("participant"), Count: "Participant-Data-Ind."},
		Repeat{Block: block("order"), Count: "Order-Data-Ind."},
		Repeat{Block: block("collection"), Count: "Collection-Data-Ind."},
		Repeat{Block: block("information"), Count: "Information-Ind."},
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzSchemaDecode: no input panics, and every record the engine accepts
// encodes back to the same bytes.
func FuzzSchemaDecode(f *testing.F) {
	s := csenetSchema(f)
	rec, errs := s.Encode(Record{
		Header: Values{"Local-FIPS-State": "36", "Local-FIPS-County": "000", "Other-FIPS-State": "06",
			"Other-FIPS-County": "000", "CSENet-Version-Number": "003", "Transaction-Serial-Number": "1",
			"Action-Code": "R", "Functional-Type-Code": "CSI", "Transaction-Date": "20261201",
			"Case-ID": "NY1", "Action-Reason": "FRINF", "Attachments-Ind.": "N"},
		Blocks: map[string][]Values{
			"participant": {{"Name-Last": "LOPEZ", "Relationship": "C", "Date-Of-Birth": "20160229"}},
			"information": {{"Information-Text-Line-1": "PLEASE SEND CASE STATUS"}},
		},
	})
	if len(errs) > 0 {
		f.Fatal(errs)
	}
	f.Add(rec)
	f.Add(rec[:121])
	f.Add(append(bytes.Clone(rec), 'X'))
	f.Add([]byte("36"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, errs := s.Decode(b)
		if len(errs) > 0 {
			for _, e := range errs {
				if e.Block == "" || e.Reason == "" {
					t.Fatalf("error without a place or a reason: %+v", e)
				}
			}
			return
		}
		out, errs := s.Encode(got)
		if len(errs) > 0 {
			t.Fatalf("decoded record does not encode: %v", errs)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip changed the record:\n in %q\nout %q", b, out)
		}
	})
}

// FuzzParseCSV: an operator's layout table never panics the parser, and a
// table it accepts has contiguous blocks from column 1.
func FuzzParseCSV(f *testing.F) {
	f.Add(schemas.CSENetLayoutCSV, "")
	f.Add([]byte(testTable), "")
	f.Add([]byte("element,start,end,length,type,values\nDocument Code,1,3,3,alphanumeric,ACK=ack\nWhen,4,11,8,date,\n"), "ACK")
	f.Add([]byte("block,field,start,end,length,values\nb,A,1,1,1,X=1; =2; Y=3\n"), "")
	f.Fuzz(func(t *testing.T, table []byte, block string) {
		l, err := ParseCSV(table, ParseOptions{Block: block})
		if err != nil {
			return
		}
		for _, b := range l.Blocks {
			end := 0
			for _, fl := range b.Fields {
				if fl.Start != end+1 || fl.End < fl.Start {
					t.Fatalf("%s.%s: columns %d-%d after %d", b.Name, fl.Name, fl.Start, fl.End, end)
				}
				end = fl.End
			}
		}
	})
}
