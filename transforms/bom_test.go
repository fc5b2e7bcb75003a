package transforms_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/transforms/all"
	"github.com/uifsagw/uifsagw/transforms/mapping"
)

// A UTF-8 byte-order mark before an XML document is legal (XML 1.0 §4.3.3)
// and some partners' systems write one: every XML codec reads the document
// with it exactly as without it (issue 15, item 7). A mark anywhere else is
// still text outside the root element.
func TestXMLWithByteOrderMark(t *testing.T) {
	const bom = "\xEF\xBB\xBF"
	reg := all.NewRegistry()
	for _, name := range fixtures {
		b, err := os.ReadFile(filepath.Join("testdata", name+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		plain, errs := reg.Decode("xml-transaction/1", b)
		if errs != nil {
			t.Fatalf("%s: %v", name, errs)
		}
		withBOM, errs := reg.Decode("xml-transaction/1", append([]byte(bom), b...))
		if errs != nil {
			t.Errorf("%s with a byte-order mark: %v", name, errs)
		} else if !reflect.DeepEqual(plain, withBOM) {
			t.Errorf("%s decodes differently with a byte-order mark", name)
		}
		s := string(b)
		if i := strings.Index(s, "?>"); i > 0 {
			if _, errs := reg.Decode("xml-transaction/1", []byte(s[:i+2]+bom+s[i+2:])); errs == nil {
				t.Errorf("%s: a byte-order mark after the declaration was accepted", name)
			}
		}
		if _, errs := reg.Decode("xml-transaction/1", []byte(bom+bom+s)); errs == nil {
			t.Errorf("%s: two byte-order marks were accepted", name)
		}
	}

	iwo, err := os.ReadFile(filepath.Join("eiwo", "testdata", "iwo-org.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, errs := reg.DecodeIWO("eiwo-xml/1", append([]byte(bom), iwo...)); errs != nil {
		t.Errorf("e-IWO with a byte-order mark: %v", errs)
	}

	spec, err := os.ReadFile(filepath.Join("..", "partners", "dialects", "nj-xml-v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	nj, err := mapping.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "partners", "dialects", "testdata", "nj-xml-v2", "enf-r.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, errs := nj.Codec(nj.Format()).Decode(append([]byte(bom), doc...)); errs != nil {
		t.Errorf("NJ dialect with a byte-order mark: %v", errs)
	}
}
