package schemas

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
)

// TestPublishedSchemasAreWhatTheyClaim: each JSON Schema names itself by the
// ID the code uses, and the XSDs are well-formed XML.
func TestPublishedSchemasAreWhatTheyClaim(t *testing.T) {
	cases := []struct{ path, id string }{
		{TransactionSchemaPath, TransactionSchemaID},
		{TransactionSchemaV1Path, TransactionSchemaV1ID},
	}
	for _, c := range cases {
		b, err := FS.ReadFile(c.path)
		if err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		var s struct {
			ID string `json:"$id"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if s.ID != c.id {
			t.Errorf("%s has $id %q, the code says %q", c.path, s.ID, c.id)
		}
	}
	xsds, _ := fs.Glob(FS, "xsd/*.xsd")
	if len(xsds) == 0 {
		t.Fatal("no XSD embedded")
	}
	for _, p := range xsds {
		b, _ := FS.ReadFile(p)
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			_, err := d.Token()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("%s: %v", p, err)
				}
				break
			}
		}
	}
}

// TestTables: every embedded table is a CSV with the header its readers
// expect and at least one row, and the bytes exported on their own are the
// ones in FS.
func TestTables(t *testing.T) {
	cases := []struct {
		name   string
		b      []byte
		fsPath string // "" when not in FS
		header string
	}{
		{"CSENet layout", CSENetLayoutCSV, "csenet/layout.csv", "block,field,start,end,length,type,required,values"},
		{"CSENet transactions", CSENetTransactionsCSV, "csenet/transactions.csv", "function,action,reason,description"},
		{"CSENet requirements", CSENetRequirementsCSV, "csenet/requirements.csv", "function,action,reason,block,field,rule"},
		{"e-IWO header", EIWOHeaderCSV, "", "element,start,end,length,type,values,source"},
		{"e-IWO trailer", EIWOTrailerCSV, "", "element,start,end,length,type,values,source"},
		{"e-IWO detail", EIWODetailCSV, "", "element,start,end,length,type,values,source"},
		{"e-IWO acknowledgment", EIWOAckCSV, "", "element,start,end,length,type,values,source"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := csv.NewReader(bytes.NewReader(c.b))
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) < 2 {
				t.Fatalf("%d rows", len(rows))
			}
			if got := strings.Join(rows[0], ","); got != c.header {
				t.Errorf("header %q, want %q", got, c.header)
			}
			if c.fsPath != "" {
				inFS, err := FS.ReadFile(c.fsPath)
				if err != nil || !bytes.Equal(inFS, c.b) {
					t.Errorf("%s in FS differs from the exported bytes (%v)", c.fsPath, err)
				}
			}
		})
	}
	inFS, err := FS.ReadFile("codes/transactions.csv")
	if err != nil || !bytes.Equal(inFS, TransactionCodesCSV) || len(TransactionCodesCSV) == 0 {
		t.Errorf("codes/transactions.csv in FS differs from TransactionCodesCSV (%v)", err)
	}
}
