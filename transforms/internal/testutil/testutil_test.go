package testutil

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// recorder stands in for the test a helper is given, so a helper's failure
// can be seen instead of failing this test. Everything else (TempDir, ...)
// is the real test's.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(), "transforms", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRepoRootIsTheModule(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(RepoRoot(), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("module github.com/uifsagw/uifsagw\n")) {
		t.Fatalf("RepoRoot found another module:\n%s", b)
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	type v struct{ A, B int }
	r := &recorder{TB: t}
	Equal(r, "same", v{1, 2}, v{1, 2})
	if r.failed != "" {
		t.Fatalf("equal values failed: %s", r.failed)
	}
	Equal(r, "differ", v{1, 2}, v{1, 3})
	if !strings.Contains(r.failed, "differ: values differ") || !strings.Contains(r.failed, `"B": 2`) ||
		!strings.Contains(r.failed, `"B": 3`) {
		t.Fatalf("a difference must fail and show both values: %q", r.failed)
	}
}

func TestXSDValid(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils)")
	}
	doc := fixture(t, "est-r.xml")
	r := &recorder{TB: t}
	XSDValid(r, "xml-transaction-1.xsd", doc)
	if r.failed != "" {
		t.Fatalf("a valid fixture failed: %s", r.failed)
	}
	// An element the schema does not know.
	bad := bytes.Replace(doc, []byte("</Header>"), []byte("<Surprise/></Header>"), 1)
	if bytes.Equal(bad, doc) {
		t.Fatal("the fixture has no </Header> to spoil")
	}
	XSDValid(r, "xml-transaction-1.xsd", bad)
	if !strings.Contains(r.failed, "xmllint against xml-transaction-1.xsd") || !strings.Contains(r.failed, "Surprise") {
		t.Fatalf("an invalid document must fail, naming what is wrong: %q", r.failed)
	}
}

func TestJSONSchemaValid(t *testing.T) {
	t.Parallel()
	doc := fixture(t, "est-r.json")
	r := &recorder{TB: t}
	JSONSchemaValid(r, "transaction-1.schema.json", doc)
	if r.failed != "" {
		t.Fatalf("a valid fixture failed: %s", r.failed)
	}
	JSONSchemaValid(r, "transaction-1.schema.json", []byte(`{"header": 7}`))
	if !strings.HasPrefix(r.failed, "transaction-1.schema.json: ") {
		t.Fatalf("an invalid document must fail against the schema: %q", r.failed)
	}
}
