package xmltx

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
)

var updateXSD = flag.Bool("update", false, "rewrite schemas/xsd/xml-transaction-2.xsd from the canonical types")

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// v2Codes are the code lists the XSD restricts coded elements to.
var v2Codes = map[reflect.Type][]string{
	reflect.TypeFor[canonical.FunctionCode]():      strs(canonical.FunctionCodes),
	reflect.TypeFor[canonical.ActionCode]():        strs(canonical.ActionCodes),
	reflect.TypeFor[canonical.CaseType]():          strs(canonical.CaseTypes),
	reflect.TypeFor[canonical.CaseStatus]():        strs(canonical.CaseStatuses),
	reflect.TypeFor[canonical.Sex]():               strs(canonical.Sexes),
	reflect.TypeFor[canonical.Race]():              strs(canonical.Races),
	reflect.TypeFor[canonical.HairColor]():         strs(canonical.HairColors),
	reflect.TypeFor[canonical.EyeColor]():          strs(canonical.EyeColors),
	reflect.TypeFor[canonical.YesNo]():             strs(canonical.YesNos),
	reflect.TypeFor[canonical.AddressConfirmed]():  strs(canonical.AddressConfirmations),
	reflect.TypeFor[canonical.Relationship]():      strs(canonical.Relationships),
	reflect.TypeFor[canonical.ParticipantStatus](): strs(canonical.ParticipantStatuses),
	reflect.TypeFor[canonical.DependentRelation](): strs(canonical.DependentRelations),
	reflect.TypeFor[canonical.PaternityStatus]():   strs(canonical.PaternityStatuses),
	reflect.TypeFor[canonical.OrderType]():         strs(canonical.OrderTypes),
	reflect.TypeFor[canonical.DebtType]():          strs(canonical.DebtTypes),
	reflect.TypeFor[canonical.Frequency]():         strs(canonical.Frequencies),
	reflect.TypeFor[canonical.ControllingFlag]():   strs(canonical.ControllingFlags),
	reflect.TypeFor[canonical.CollectionSource]():  strs(canonical.CollectionSources),
	reflect.TypeFor[canonical.PaymentMethod]():     strs(canonical.PaymentMethods),
}

var v2MaxItems = map[string]int{"participants": canonical.MaxBlocks, "orders": canonical.MaxBlocks, "collections": canonical.MaxBlocks,
	"children": canonical.MaxBlocks, "employers": canonical.MaxEmployers, "aliases": canonical.MaxAliases, "aliasSsns": canonical.MaxAliasSSNs}

// generateXSD writes the XSD of xml-transaction/2 from the canonical types,
// so the published schema and the codec cannot drift apart.
func generateXSD() string {
	var b strings.Builder
	complexTypes := map[string]string{}
	simpleTypes := map[string][]string{}
	var typeName func(t reflect.Type) string
	var fields func(t reflect.Type) string
	typeName = func(t reflect.Type) string {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t == dateType:
			return "xs:date"
		case v2Codes[t] != nil:
			simpleTypes[t.Name()] = v2Codes[t]
			return t.Name()
		case t.Kind() == reflect.Struct:
			if _, ok := complexTypes[t.Name()]; !ok {
				complexTypes[t.Name()] = ""
				complexTypes[t.Name()] = fields(t)
			}
			return t.Name()
		case t.Kind() == reflect.String:
			return "xs:string"
		case t.Kind() == reflect.Int64:
			return "xs:long"
		case t.Kind() == reflect.Int:
			return "xs:int"
		case t.Kind() == reflect.Bool:
			return "xs:boolean"
		}
		panic("no XSD type for " + t.String())
	}
	fields = func(t reflect.Type) string {
		var s strings.Builder
		s.WriteString("      <xs:sequence>\n")
		for _, f := range v2Fields(t) {
			ft := t.Field(f.index).Type
			occurs := ` minOccurs="0"`
			if t == reflect.TypeFor[canonical.Transaction]() && f.json == "header" {
				occurs = ""
			}
			if ft.Kind() == reflect.Slice {
				occurs += fmt.Sprintf(` maxOccurs="%d"`, v2MaxItems[f.json])
				ft = ft.Elem()
			}
			fmt.Fprintf(&s, "        <xs:element name=%q type=%q%s/>\n", f.elem, typeName(ft), occurs)
		}
		s.WriteString("      </xs:sequence>\n")
		return s.String()
	}
	root := fields(reflect.TypeFor[canonical.Transaction]())
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!-- xml-transaction/2: one interstate case transaction in the federal CSENet 2000 dictionary
     (Interface Guidance Document v8.0, Appendix C; schemas/csenet/layout.csv). Generated from the
     canonical types: go test ./transforms/xmltx -run TestXSDv2 -update. Element names are the
     json-transaction/2 names with a capital first letter; lists repeat their items. The gateway's
     validation (lengths, patterns, the federal per-transaction edits) is in schemas/canonical. -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:uifsagw:xml-transaction:2"
           targetNamespace="urn:uifsagw:xml-transaction:2" elementFormDefault="qualified">
  <xs:element name="Transaction">
    <xs:complexType>
`)
	b.WriteString(strings.ReplaceAll(root, "\n  ", "\n  "))
	b.WriteString("      <xs:attribute name=\"version\" type=\"xs:string\" use=\"required\" fixed=\"2\"/>\n    </xs:complexType>\n  </xs:element>\n")
	names := make([]string, 0, len(complexTypes))
	for n := range complexTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  <xs:complexType name=%q>\n%s  </xs:complexType>\n", n, complexTypes[n])
	}
	names = names[:0]
	for n := range simpleTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  <xs:simpleType name=%q>\n    <xs:restriction base=\"xs:string\">\n", n)
		for _, v := range simpleTypes[n] {
			fmt.Fprintf(&b, "      <xs:enumeration value=%q/>\n", v)
		}
		b.WriteString("    </xs:restriction>\n  </xs:simpleType>\n")
	}
	b.WriteString("</xs:schema>\n")
	return b.String()
}

func TestXSDv2(t *testing.T) {
	path := filepath.Join(testutil.RepoRoot(), "schemas", "xsd", "xml-transaction-2.xsd")
	want := generateXSD()
	if *updateXSD {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Error("schemas/xsd/xml-transaction-2.xsd differs from the canonical types; run go test ./transforms/xmltx -run TestXSDv2 -update")
	}
}

// TestV2RoundTrip: every valid canonical fixture (json-transaction/2) encodes
// to xml-transaction/2 that the XSD accepts and decodes to the same value.
func TestV2RoundTrip(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(), "schemas", "canonical", "testdata", "valid")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			tx, errs := jsontx.New().Decode(b)
			if errs != nil {
				t.Fatal(errs)
			}
			out, err := NewV2().Encode(tx)
			if err != nil {
				t.Fatal(err)
			}
			again, errs := NewV2().Decode(out)
			if errs != nil {
				t.Fatalf("%v\n%s", errs, out)
			}
			testutil.Equal(t, "xml-transaction/2 round trip", again, tx)
			testutil.XSDValid(t, "xml-transaction-2.xsd", out)
		})
	}
}

func TestV2Refuses(t *testing.T) {
	head := `<?xml version="1.0" encoding="UTF-8"?><Transaction xmlns="urn:uifsagw:xml-transaction:2" version="2"><Header>` +
		`<SenderFips>3606100</SenderFips><Serial>1</Serial><TransactionDate>2026-11-20</TransactionDate>`
	for _, tt := range []struct{ name, doc, want string }{
		{"unknown element", head + `<Colour>red</Colour></Header></Transaction>`, "Colour"},
		{"list named in the plural", head + `</Header><Orders/></Transaction>`, "Orders"},
		{"bad number", `<?xml version="1.0"?><Transaction xmlns="urn:uifsagw:xml-transaction:2" version="2"><Header><Serial>1e3</Serial></Header></Transaction>`, "not a whole number"},
		{"bad date value", `<?xml version="1.0"?><Transaction xmlns="urn:uifsagw:xml-transaction:2" version="2"><Header><TransactionDate>2026-02-30</TransactionDate></Header></Transaction>`, "not a date"},
		{"wrong version", `<?xml version="1.0"?><Transaction xmlns="urn:uifsagw:xml-transaction:2" version="1"><Header/></Transaction>`, `version attribute must be "2"`},
		{"repeated block", `<?xml version="1.0"?><Transaction xmlns="urn:uifsagw:xml-transaction:2" version="2"><Header/><Case/><Case/></Transaction>`, "repeated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := NewV2().Decode([]byte(tt.doc))
			if errs == nil || !strings.Contains(errs.Error(), tt.want) {
				t.Errorf("errors %v, want one containing %q", errs, tt.want)
			}
		})
	}
}
