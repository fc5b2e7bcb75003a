// Package testutil holds helpers the transforms tests share: schema
// validation with xmllint and the JSON Schema, and readable value diffs.
package testutil

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// RepoRoot returns the module root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// Equal fails t when got and want differ, showing both as JSON.
func Equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("%s: values differ\n got: %s\nwant: %s", what, g, w)
	}
}

// XSDValid checks doc against the XSD at schemas/xsd/name with xmllint. It
// skips when xmllint is not installed; CI installs libxml2-utils.
func XSDValid(t testing.TB, xsd string, doc []byte) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils)")
	}
	f := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--noout", "--nonet", "--schema", filepath.Join(RepoRoot(), "schemas", "xsd", xsd), f)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("xmllint against %s: %v\n%s\n--- document ---\n%s", xsd, err, out.String(), doc)
	}
}

// JSONSchemaValid checks doc against schemas/json/name; it skips while the
// schema file does not exist yet.
func JSONSchemaValid(t testing.TB, name string, doc []byte) {
	t.Helper()
	path := filepath.Join(RepoRoot(), "schemas", "json", name)
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("%s does not exist yet", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("file:///"+name, schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("file:///" + name)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("%s: %v\n--- document ---\n%s", name, err, doc)
	}
}
