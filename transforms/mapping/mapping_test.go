package mapping_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/internal/strictjson"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
	"github.com/uifsagw/uifsagw/transforms/mapping"
)

var update = flag.Bool("update", false, "rewrite the dialect fixtures from their json-transaction/1 twins")

var dialectsDir = filepath.Join(testutil.RepoRoot(), "partners", "dialects")

func load(t testing.TB, file string) transforms.Codec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dialectsDir, file))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mapping.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return m.Codec("")
}

// twin decodes our own JSON form of a fixture.
func twin(t testing.TB, name string) canonical.Transaction {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "transforms", "testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	tx, errs := jsontx.NewV1().Decode(b)
	if errs != nil {
		t.Fatal(errs)
	}
	return tx
}

var dialects = []struct {
	file, dir, ext string
	fixtures       []string
}{
	{"nj-xml-v2.yaml", "nj-xml-v2", ".xml", []string{"est-r", "enf-r", "col-p", "msc-p"}},
	{"pa-json-v1.yaml", "pa-json-v1", ".json", []string{"est-r", "csi-p", "lo1-r", "enf-r"}},
}

func TestDialectFixtures(t *testing.T) {
	for _, d := range dialects {
		c := load(t, d.file)
		for _, name := range d.fixtures {
			t.Run(d.dir+"/"+name, func(t *testing.T) {
				want := twin(t, name)
				path := filepath.Join(dialectsDir, "testdata", d.dir, name+d.ext)
				if *update {
					b, err := c.Encode(want)
					if err != nil {
						t.Fatal(err)
					}
					if d.ext == ".json" {
						var ind bytes.Buffer
						if err := json.Indent(&ind, b, "", "  "); err != nil {
							t.Fatal(err)
						}
						b = append(ind.Bytes(), '\n')
					}
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				in, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				got, errs := c.Decode(in)
				if errs != nil {
					t.Fatalf("decode: %v", errs)
				}
				testutil.Equal(t, "dialect fixture vs json-transaction/1 twin", got, want)

				out, err := c.Encode(got)
				if err != nil {
					t.Fatal(err)
				}
				again, errs := c.Decode(out)
				if errs != nil {
					t.Fatalf("decode re-encoded: %v\n%s", errs, out)
				}
				testutil.Equal(t, "dialect round trip", again, got)
			})
		}
	}
}

func TestDialectRefuses(t *testing.T) {
	nj := load(t, "nj-xml-v2.yaml")
	pa := load(t, "pa-json-v1.yaml")
	njIn := func(t *testing.T) string {
		b, err := os.ReadFile(filepath.Join(dialectsDir, "testdata", "nj-xml-v2", "enf-r.xml"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	paIn := func(t *testing.T) string {
		b, err := os.ReadFile(filepath.Join(dialectsDir, "testdata", "pa-json-v1", "csi-p.json"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name  string
		codec transforms.Codec
		in    func(*testing.T) string
		want  []canonical.FieldError
	}{
		{"xml entity", nj, func(*testing.T) string {
			return `<!DOCTYPE x [<!ENTITY e SYSTEM "http://evil.example/">]><NJInterstateTransmittal>&e;</NJInterstateTransmittal>`
		}, []canonical.FieldError{{PartnerPath: "/", Reason: "DOCTYPE and ENTITY declarations are not allowed (line 1)"}}},
		{"xml wrong namespace", nj, func(t *testing.T) string {
			return strings.Replace(njIn(t), "urn:nj:dcss:interstate:2", "urn:nj:dcss:interstate:1", 1)
		}, []canonical.FieldError{{PartnerPath: "/NJInterstateTransmittal", Reason: `wrong namespace "urn:nj:dcss:interstate:1"; want "urn:nj:dcss:interstate:2"`}}},
		{"xml schema version", nj, func(t *testing.T) string {
			return strings.Replace(njIn(t), `schemaVersion="2.0"`, `schemaVersion="1.9"`, 1)
		}, []canonical.FieldError{{PartnerPath: "/NJInterstateTransmittal", Reason: `attribute schemaVersion must be "2.0"`}}},
		{"xml unknown element", nj, func(t *testing.T) string {
			return strings.Replace(njIn(t), "<Issued>", "<Judge>Hon. A. Smith</Judge><Issued>", 1)
		}, []canonical.FieldError{{Path: "orders[0]", PartnerPath: "/NJInterstateTransmittal/SupportOrders/SupportOrder[1]/Judge", Reason: "unknown element"}}},
		{"xml unknown code word", nj, func(t *testing.T) string {
			return strings.Replace(njIn(t), `per="WEEKLY"`, `per="FORTNIGHTLY"`, 1)
		}, []canonical.FieldError{{Path: "orders[0].frequency", PartnerPath: "/NJInterstateTransmittal/SupportOrders/SupportOrder[1]/CurrentSupport/@per",
			Reason: `unknown code word "FORTNIGHTLY" (known: [ANNUAL BIWEEKLY MONTHLY ONE-TIME QUARTERLY SEMIMONTHLY WEEKLY])`}}},
		{"xml ISO date where US date expected", nj, func(t *testing.T) string {
			return strings.Replace(njIn(t), "<Issued>06/11/2019</Issued>", "<Issued>2019-06-11</Issued>", 1)
		}, []canonical.FieldError{{Path: "orders[0].issueDate", PartnerPath: "/NJInterstateTransmittal/SupportOrders/SupportOrder[1]/Issued",
			Reason: "not a date in the layout 01/02/2006 (year 2006, month 01, day 02)"}}},
		{"xml required missing", nj, func(t *testing.T) string {
			return strings.Replace(njIn(t), `msgRef="NY-2026-000502"`, "", 1)
		}, []canonical.FieldError{{Path: "header.messageId", PartnerPath: "/NJInterstateTransmittal/Envelope/@msgRef", Reason: "required"}}},
		{"xml member position 0", nj, func(t *testing.T) string {
			return strings.Replace(njIn(t), "<CoversMember>2</CoversMember>", "<CoversMember>x</CoversMember>", 1)
		}, []canonical.FieldError{{Path: "orders[0].children[0]", PartnerPath: "/NJInterstateTransmittal/SupportOrders/SupportOrder[1]/CoversMember[1]", Reason: "not a whole number"}}},
		{"json lone surrogate", pa, func(t *testing.T) string {
			return strings.Replace(paIn(t), `"PA5550001"`, `"PA555\ud8000001"`, 1)
		}, []canonical.FieldError{{PartnerPath: "/transmission/origin/case_number", Reason: strictjson.LoneSurrogateReason}}},
		{"json lone surrogate in a key", pa, func(t *testing.T) string {
			return strings.Replace(paIn(t), `"case_number"`, `"case_\udc00number"`, 1)
		}, []canonical.FieldError{{PartnerPath: "/transmission/origin", Reason: strictjson.LoneSurrogateReason}}},
		{"json duplicate key", pa, func(*testing.T) string { return `{"people":[],"people":[]}` },
			[]canonical.FieldError{{PartnerPath: "/people", Reason: "duplicate key"}}},
		{"json unknown field", pa, func(t *testing.T) string {
			return strings.Replace(paIn(t), `"order_type"`, `"order_kind": "x", "order_type"`, 1)
		}, []canonical.FieldError{{Path: "orders[0]", PartnerPath: "/support_orders/0/order_kind", Reason: "unknown field"}}},
		{"json cents as number", pa, func(t *testing.T) string {
			return strings.Replace(paIn(t), `"amount_cents": "43300"`, `"amount_cents": 43300`, 1)
		}, []canonical.FieldError{{Path: "orders[0].amountCents", PartnerPath: "/support_orders/0/obligation/amount_cents", Reason: "must be a JSON string"}}},
		{"json dollars with three decimals", pa, func(t *testing.T) string {
			return strings.Replace(paIn(t), `"amount_dollars": 866.00`, `"amount_dollars": 866.005`, 1)
		}, []canonical.FieldError{{Path: "orders[0].arrearsCents", PartnerPath: "/support_orders/0/arrears/amount_dollars", Reason: "not an amount in dollars with at most 2 decimals"}}},
		{"json null", pa, func(t *testing.T) string {
			return strings.Replace(paIn(t), `"text": "Case open; two payments behind."`, `"text": null`, 1)
		}, []canonical.FieldError{{Path: "information.text", PartnerPath: "/remarks/text", Reason: "null not allowed; leave the field out instead"}}},
		{"json header missing", pa, func(*testing.T) string { return `{"remarks":{"text":"x"}}` },
			[]canonical.FieldError{
				{Path: "header.serial", PartnerPath: "/transmission/serial_no", Reason: "required"},
				{Path: "header.messageId", PartnerPath: "/transmission/message_ref", Reason: "required"},
				{Path: "header.transactionDate", PartnerPath: "/transmission/sent_on", Reason: "required"},
				{Path: "header.senderFips", PartnerPath: "/transmission/origin/fips_code", Reason: "required"},
				{Path: "header.senderCaseId", PartnerPath: "/transmission/origin/case_number", Reason: "required"},
				{Path: "header.receiverFips", PartnerPath: "/transmission/destination/fips_code", Reason: "required"},
				{Path: "header.function", PartnerPath: "/transmission/purpose/function", Reason: "required"},
				{Path: "header.action", PartnerPath: "/transmission/purpose/action", Reason: "required"},
			}},
		{"json huge serial", pa, func(t *testing.T) string {
			return strings.Replace(paIn(t), `"serial_no": 88123`, `"serial_no": 1e400`, 1)
		}, []canonical.FieldError{{Path: "header.serial", PartnerPath: "/transmission/serial_no", Reason: "not a whole number"}}},
		{"json deep", pa, func(*testing.T) string { return strings.Repeat("[", 10000) + strings.Repeat("]", 10000) },
			[]canonical.FieldError{{PartnerPath: strings.Repeat("/0", 32), Reason: "nested deeper than 32"}}},
		{"json trailing", pa, func(*testing.T) string { return `{}{}` },
			[]canonical.FieldError{{Reason: "trailing data after the JSON value"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := c.codec.Decode([]byte(c.in(t)))
			testutil.Equal(t, "errors", []canonical.FieldError(errs), c.want)
		})
	}
}

func TestRegisterDialect(t *testing.T) {
	reg := transforms.NewRegistry()
	b, err := os.ReadFile(filepath.Join(dialectsDir, "nj-xml-v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mapping.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	reg.Register(m.Codec("nj-xml/2-test"))
	in, err := os.ReadFile(filepath.Join(dialectsDir, "testdata", "nj-xml-v2", "col-p.xml"))
	if err != nil {
		t.Fatal(err)
	}
	got, errs := reg.Decode("nj-xml/2-test", in)
	if errs != nil {
		t.Fatal(errs)
	}
	testutil.Equal(t, "decode through the registry", got, twin(t, "col-p"))
	if c, _ := reg.Lookup("nj-xml/2-test"); c.ContentType() != "application/xml" || c.Format() != "nj-xml/2-test" {
		t.Fatalf("codec %q %q", c.Format(), c.ContentType())
	}
}

func benchDialect(b *testing.B, file, fixture string) {
	c := load(b, file)
	in, err := os.ReadFile(filepath.Join(dialectsDir, "testdata", fixture))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := c.Decode(in); errs != nil {
			b.Fatal(errs)
		}
	}
}

func BenchmarkDecodeXMLDialect(b *testing.B) {
	benchDialect(b, "nj-xml-v2.yaml", "nj-xml-v2/est-r.xml")
}

func BenchmarkDecodeJSONDialect(b *testing.B) {
	benchDialect(b, "pa-json-v1.yaml", "pa-json-v1/est-r.json")
}
