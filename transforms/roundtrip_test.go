package transforms_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/all"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the XML twins of the JSON fixtures")

// fixtures are realistic transactions; each has a JSON form (name.json) and
// an XML twin (name.xml) that must decode to the same canonical value.
var fixtures = []string{"est-r", "enf-r", "csi-p", "msc-p", "lo1-r", "col-p"}

func TestFixturesRoundTrip(t *testing.T) {
	reg := all.NewRegistry()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			jsonIn, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			fromJSON, errs := reg.Decode("json-transaction/1", jsonIn)
			if errs != nil {
				t.Fatalf("decode JSON: %v", errs)
			}
			if verrs := validate.Transaction(&fromJSON); verrs != nil {
				t.Fatalf("fixture is not a valid transaction: %v", verrs)
			}

			// JSON -> canonical -> JSON -> canonical.
			jsonOut, err := reg.Encode(fromJSON, "json-transaction/1")
			if err != nil {
				t.Fatal(err)
			}
			again, errs := reg.Decode("json-transaction/1", jsonOut)
			if errs != nil {
				t.Fatalf("decode re-encoded JSON: %v", errs)
			}
			testutil.Equal(t, "JSON round trip", again, fromJSON)
			testutil.JSONSchemaValid(t, "transaction-1.schema.json", jsonOut)

			xmlPath := filepath.Join("testdata", name+".xml")
			if *update {
				b, err := reg.Encode(fromJSON, "xml-transaction/1")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(xmlPath, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			xmlIn, err := os.ReadFile(xmlPath)
			if err != nil {
				t.Fatal(err)
			}
			fromXML, errs := reg.Decode("xml-transaction/1", xmlIn)
			if errs != nil {
				t.Fatalf("decode XML: %v", errs)
			}
			testutil.Equal(t, "XML twin", fromXML, fromJSON)

			// XML -> canonical -> XML: the canonical XML is the fixture byte
			// for byte, and decodes to the same value.
			xmlOut, err := reg.Encode(fromXML, "xml-transaction/1")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(xmlOut, xmlIn) {
				t.Errorf("re-encoded XML differs from %s:\n%s", xmlPath, xmlOut)
			}
			again, errs = reg.Decode("xml-transaction/1", xmlOut)
			if errs != nil {
				t.Fatalf("decode re-encoded XML: %v", errs)
			}
			testutil.Equal(t, "XML round trip", again, fromXML)
			testutil.XSDValid(t, "xml-transaction-1.xsd", xmlOut)
		})
	}
}

func TestUnknownFormat(t *testing.T) {
	reg := all.NewRegistry()
	_, errs := reg.Decode("csenet-flat/3", []byte("x"))
	if len(errs) != 1 || errs[0].Path != "" ||
		errs[0].Reason != `unknown format "csenet-flat/3" (registered: [csenet-2000 json-transaction/1 json-transaction/2 xml-transaction/1 xml-transaction/2])` {
		t.Fatalf("Decode: got %v", errs)
	}
	_, err := reg.Encode(canonical.Transaction{}, "csenet-flat/3")
	var ufe *transforms.UnknownFormatError
	if !errors.As(err, &ufe) || ufe.Format != "csenet-flat/3" {
		t.Fatalf("Encode: got %v", err)
	}
	if _, err := reg.EncodeIWO(canonical.IWO{}, "xml-transaction/1"); !errors.As(err, &ufe) {
		t.Fatalf("EncodeIWO with a transaction format: got %v", err)
	}
	if got := reg.IWOFormats(); len(got) != 3 || got[0] != "eiwo-file" || got[1] != "eiwo-json/1" || got[2] != "eiwo-xml/1" {
		t.Fatalf("IWOFormats = %v", got)
	}
}

func TestDefaultRegistryFilledByAll(t *testing.T) {
	for _, f := range []string{"xml-transaction/1", "json-transaction/1"} {
		c, ok := transforms.Lookup(f)
		if !ok || c.Format() != f {
			t.Errorf("Lookup(%q) = %v, %v", f, c, ok)
		}
	}
	if _, ok := transforms.LookupIWO("eiwo-xml/1"); !ok {
		t.Error("eiwo-xml/1 not registered")
	}
}
