package eiwofile

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// TestLayoutColumns reads each embedded table row by row, independently of
// the engine: columns contiguous from 1, length equal to the columns, a
// source on every row, and the record lengths.
func TestLayoutColumns(t *testing.T) {
	for _, c := range []struct {
		name   string
		table  []byte
		length int
	}{
		{"header", schemas.EIWOHeaderCSV, 80},
		{"trailer", schemas.EIWOTrailerCSV, 63},
		{"detail", schemas.EIWODetailCSV, 2242},
		{"ack", schemas.EIWOAckCSV, 250},
	} {
		rows := readTable(t, c.table)
		end := 0
		for _, r := range rows {
			start, _ := strconv.Atoi(r["start"])
			e, _ := strconv.Atoi(r["end"])
			length, _ := strconv.Atoi(r["length"])
			if start != end+1 || e-start+1 != length {
				t.Errorf("%s %s: columns %d-%d length %d after column %d", c.name, r["element"], start, e, length, end)
			}
			if r["source"] == "" {
				t.Errorf("%s %s: no source", c.name, r["element"])
			}
			end = e
		}
		if end != c.length {
			t.Errorf("%s: %d columns, want %d", c.name, end, c.length)
		}
	}
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if l.Header.Length() != 80 || l.Trailer.Length() != 63 || l.Detail.Length() != 2242 || l.Ack.Length() != 250 {
		t.Errorf("parsed lengths %d %d %d %d", l.Header.Length(), l.Trailer.Length(), l.Detail.Length(), l.Ack.Length())
	}
}

func readTable(t *testing.T, table []byte) []map[string]string {
	t.Helper()
	all, err := csv.NewReader(bytes.NewReader(table)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, row := range all[1:] {
		m := map[string]string{}
		for i, h := range all[0] {
			m[h] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// handRecord lays values into a record by the table's columns, with no help
// from the engine: text left-justified, numbers as given (the caller writes
// them zero-filled).
func handRecord(t *testing.T, table []byte, vals map[string]string) string {
	t.Helper()
	rows := readTable(t, table)
	last, _ := strconv.Atoi(rows[len(rows)-1]["end"])
	rec := []byte(strings.Repeat(" ", last))
	for name, v := range vals {
		found := false
		for _, r := range rows {
			if r["element"] != name {
				continue
			}
			start, _ := strconv.Atoi(r["start"])
			length, _ := strconv.Atoi(r["length"])
			if len(v) > length {
				t.Fatalf("%s: %q longer than %d", name, v, length)
			}
			copy(rec[start-1:], v)
			found = true
		}
		if !found {
			t.Fatalf("no element %q", name)
		}
	}
	return string(rec)
}

const ctlFile = "3600000000000000000001"

func handAckFile(t *testing.T, recordCount, batchCount string) string {
	hdr := func(code, ctl string) string {
		return handRecord(t, schemas.EIWOHeaderCSV, map[string]string{
			"Document Code": code, "Control Number": ctl, "State FIPS Code": "36000", "EIN": "123456789",
			"Creation Date": "20261201", "Creation Time": "013000"})
	}
	trl := func(code, ctl, batches, records string) string {
		return handRecord(t, schemas.EIWOTrailerCSV, map[string]string{
			"Document Code": code, "Control Number": ctl, "Batch Count": batches, "Record Count": records})
	}
	accepted := handRecord(t, schemas.EIWOAckCSV, map[string]string{
		"Document Code": "ACK", "Document Action Code": "ORG", "Case Identifier": "NY0001",
		"Employee SSN": "123456789", "Employee Last Name": "DOE", "EIN": "123456789",
		"Document Tracking Number": "TRK-1", "Disposition Status Code": "A"})
	gone := handRecord(t, schemas.EIWOAckCSV, map[string]string{
		"Document Code": "ACK", "Document Action Code": "ORG", "Case Identifier": "NY0002",
		"Employee Last Name": "ROE", "Document Tracking Number": "TRK-2",
		"Disposition Status Code": "R", "Disposition Reason Code": "N", "Employment Termination Date": "20261115"})
	batch := "36000000000000000000B1"
	return strings.Join([]string{
		hdr("FHA", ctlFile), hdr("BHA", batch), accepted, gone,
		trl("BTA", batch, "00001", recordCount), trl("FTA", ctlFile, batchCount, "00002"),
	}, "\r\n") + "\r\n"
}

func TestDecodeHandBuiltAckFile(t *testing.T) {
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	in := handAckFile(t, "00002", "00001")
	f, errs := l.Decode([]byte(in))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if f.Kind != Acks || len(f.Batches) != 1 || len(f.Batches[0].Records) != 2 {
		t.Fatalf("file = %+v", f)
	}
	gone := f.Batches[0].Records[1]
	if gone["Disposition Status Code"] != "R" || gone["Disposition Reason Code"] != "N" ||
		gone["Employment Termination Date"] != "20261115" || gone["Document Tracking Number"] != "TRK-2" {
		t.Errorf("second ACK = %v", gone)
	}
	if f.Header["Control Number"] != ctlFile || f.Trailer["Batch Count"] != "00001" {
		t.Errorf("header %v trailer %v", f.Header, f.Trailer)
	}
	// Our encoder writes the same records (with LF line ends).
	out, err := l.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(in, "\r\n", "\n"); string(out) != want {
		t.Errorf("encode differs from the hand-built file:\n got %q\nwant %q", out, want)
	}
}

func TestEncodeIWOFileRedecodes(t *testing.T) {
	l, _ := Default()
	f := &File{
		Kind:   IWOs,
		Header: fixedwidth.Values{"Control Number": "3600000000000000000001", "State FIPS Code": "36000", "Creation Date": "20261201"},
		Batches: []Batch{
			{Header: fixedwidth.Values{"Control Number": "3600000000000000000002", "EIN": "123456789"},
				Records: []fixedwidth.Values{
					{"Document Action Code": "ORG", "Document Date": "20261201", "Case Identifier": "NY0001", "Employer Name": "ACME PAYROLL",
						"Child 1 Last Name": "DOE", "Child 1 Birth Date": "20160229"},
					{"Document Action Code": "TRM", "Document Date": "20261201", "Case Identifier": "NY0002", "Employer Name": "ACME PAYROLL"},
				}},
			{Header: fixedwidth.Values{"Control Number": "3600000000000000000003", "EIN": "987654321"},
				Records: []fixedwidth.Values{{"Document Action Code": "LUM", "Case Identifier": "NY0003"}}},
		},
	}
	out, err := l.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	g, errs := l.Decode(out)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := g.Trailer; got["Batch Count"] != "00002" || got["Record Count"] != "00003" || got["Control Number"] != "3600000000000000000001" {
		t.Errorf("file trailer = %v", got)
	}
	if got := g.Batches[1].Trailer; got["Record Count"] != "00001" || got["Document Code"] != "BTI" {
		t.Errorf("second batch trailer = %v", got)
	}
	again, err := l.Encode(g)
	if err != nil || !bytes.Equal(again, out) {
		t.Errorf("re-encode differs (%v)", err)
	}
	if g.Batches[0].Records[0]["Child 1 Birth Date"] != "20160229" {
		t.Errorf("DTL = %v", g.Batches[0].Records[0])
	}
}

func TestDecodeRefusesWholeFile(t *testing.T) {
	l, _ := Default()
	good := handAckFile(t, "00002", "00001")
	lines := strings.Split(strings.TrimSuffix(good, "\r\n"), "\r\n")
	join := func(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
	badDate := strings.Replace(lines[3], "20261115", "20261131", 1)
	iwoHeader := "FHI" + lines[0][3:]
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"batch count disagrees", handAckFile(t, "00002", "00003"), []string{"line 6: FTA.Batch Count (columns 26-30): says 3; the file holds 1 batches"}},
		{"record count disagrees", handAckFile(t, "00003", "00001"), []string{"line 5: BTA.Record Count (columns 31-35): says 3; the batch holds 2 ACK records"}},
		{"blank count", join(lines[0], lines[1], lines[2], lines[3], lines[4][:30]+"     "+lines[4][35:], lines[5]), []string{"line 5: BTA.Record Count (columns 31-35): blank: the batch holds 2 ACK records"}},
		{"control number disagrees", join(lines[0], lines[1], lines[2], lines[3], strings.Replace(lines[4], "B1", "B2", 1), lines[5]), []string{`line 5: BTA.Control Number (columns 4-25): "36000000000000000000B2" does not match the batch header on line 2`}},
		{"bad date in a record", join(lines[0], lines[1], lines[2], badDate, lines[4], lines[5]), []string{`line 4: ACK.Employment Termination Date (columns 187-194): "20261131" is not a calendar date`}},
		{"record cut short", join(lines[0], lines[1], lines[2][:100], lines[3], lines[4], lines[5]), []string{"line 3: ACK: the record is 100 columns long; the ACK layout has 250"}},
		{"no file trailer", join(lines[:5]...), []string{"line 5: file: no file trailer (FTA)"}},
		{"after the trailer", join(append(lines, lines[2])...), []string{"line 7: ACK: after the file trailer"}},
		{"a DTL in an ack file", join(lines[0], lines[1], "DTL"+lines[2][3:], lines[3], lines[4], lines[5]), []string{"line 3: DTL: not a record of an FHA file"}},
		{"record outside a batch", join(lines[0], lines[2], lines[5]), []string{"line 2: ACK: outside a batch", "line 3: FTA.Batch Count (columns 26-30): says 1; the file holds 0 batches", "line 3: FTA.Record Count (columns 31-35): says 2; the file's batches hold 0 ACK records"}},
		{"batch without trailer", join(lines[0], lines[1], lines[2], lines[3], lines[5]), []string{"line 5: FTA: the batch opened on line 2 has no trailer"}},
		{"does not start with a file header", join(lines[1:]...), []string{"line 1: BHA: a file must start with a file header"}},
		{"second file header", join(lines[0], lines[0], lines[5]), []string{"line 2: FHA: a second file header", "line 3: FTA.Batch Count", "line 3: FTA.Record Count"}},
		{"mixed kinds", join(iwoHeader, lines[1], lines[5]), []string{"line 2: BHA: not a record of an FHI file", "line 3: FTA: not a record of an FHI file"}},
		{"empty", "", []string{"file: file: empty"}},
		{"stray short line", join(lines[0], "X", lines[5]), []string{"line 2: record: 1 columns"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, errs := l.Decode([]byte(c.in))
			if f != nil {
				t.Fatalf("a bad file was taken: %+v", f)
			}
			if len(errs) != len(c.want) {
				t.Fatalf("errors = %v, want %d", errs, len(c.want))
			}
			for i, w := range c.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want %q", i, errs[i].Error(), w)
				}
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	l, _ := Default()
	_, err := l.Encode(&File{Kind: 'K'})
	if err == nil || !strings.Contains(err.Error(), "kind") {
		t.Errorf("err = %v", err)
	}
	_, err = l.Encode(&File{Kind: IWOs, Batches: []Batch{{Records: []fixedwidth.Values{{"Document Code": "ACK", "Document Action Code": "NEW"}}}}})
	if err == nil || !strings.Contains(err.Error(), `line 3: DTL.Document Code: "ACK" where this line is a DTL`) ||
		!strings.Contains(err.Error(), `line 3: DTL.Document Action Code (columns 7-9): "NEW" is not a valid value`) {
		t.Errorf("err = %v", err)
	}
}

func TestLoadRefuses(t *testing.T) {
	noCount := []byte("element,start,end,length,type\nDocument Code,1,3,3,alphanumeric\nControl Number,4,25,22,alphanumeric\n")
	if _, err := Load(schemas.EIWOHeaderCSV, noCount, schemas.EIWODetailCSV, schemas.EIWOAckCSV); err == nil || !strings.Contains(err.Error(), `no "Batch Count"`) {
		t.Errorf("err = %v", err)
	}
	textCounts := bytes.ReplaceAll(schemas.EIWOTrailerCSV, []byte("Record Count,31,35,5,numeric"), []byte("Record Count,31,35,5,alphanumeric"))
	if _, err := Load(schemas.EIWOHeaderCSV, textCounts, schemas.EIWODetailCSV, schemas.EIWOAckCSV); err == nil || !strings.Contains(err.Error(), "numeric") {
		t.Errorf("err = %v", err)
	}
	if _, err := Load(schemas.EIWOHeaderCSV, schemas.EIWOTrailerCSV, []byte("element,start\n"), schemas.EIWOAckCSV); err == nil {
		t.Error("a broken DTL table was loaded")
	}
}

func FuzzDecode(f *testing.F) {
	l, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("FHA"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, errs := l.Decode(b)
		if len(errs) > 0 {
			if file != nil {
				t.Fatal("a file and errors")
			}
			return
		}
		out, err := l.Encode(file)
		if err != nil {
			t.Fatalf("a decoded file does not encode: %v", err)
		}
		again, errs := l.Decode(out)
		if len(errs) > 0 || !reflect.DeepEqual(again, file) {
			t.Fatalf("round trip changed the file (%v)", errs)
		}
	})
}
