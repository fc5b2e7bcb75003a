package all_test

import (
	"slices"
	"testing"

	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/all"
)

// The built-in formats, as partners and employers name them. A format added
// or dropped is a change partners see, so it is listed here by hand.
var (
	wantTx  = []string{"csenet-2000", "json-transaction/1", "json-transaction/2", "xml-transaction/1", "xml-transaction/2"}
	wantIWO = []string{"eiwo-file", "eiwo-json/1", "eiwo-xml/1"}
)

func TestInstallOnAFreshRegistry(t *testing.T) {
	r := transforms.NewRegistry()
	if len(r.Formats()) != 0 || len(r.IWOFormats()) != 0 {
		t.Fatal("a new registry is not empty")
	}
	all.Install(r)
	checkRegistry(t, r)

	// Installing again replaces, it does not add or fail.
	all.Install(r)
	checkRegistry(t, r)
}

func TestNewRegistry(t *testing.T) {
	r := all.NewRegistry()
	checkRegistry(t, r)
	if r == transforms.Default {
		t.Fatal("NewRegistry returned the default registry")
	}
	// A private registry is private: a codec registered in it is not in
	// the default one.
	c, _ := r.Lookup("xml-transaction/1")
	r.Register(renamed{c, "private/1"})
	if _, ok := transforms.Default.Lookup("private/1"); ok {
		t.Fatal("a codec registered in a private registry reached the default one")
	}
}

func TestImportFillsDefault(t *testing.T) {
	checkRegistry(t, transforms.Default)
}

func checkRegistry(t *testing.T, r *transforms.Registry) {
	t.Helper()
	if got := r.Formats(); !slices.Equal(got, wantTx) {
		t.Errorf("transaction formats %v, want %v", got, wantTx)
	}
	if got := r.IWOFormats(); !slices.Equal(got, wantIWO) {
		t.Errorf("IWO formats %v, want %v", got, wantIWO)
	}
	for _, f := range wantTx {
		c, ok := r.Lookup(f)
		if !ok {
			continue
		}
		if c.Format() != f || c.ContentType() == "" {
			t.Errorf("codec under %q says format %q, content type %q", f, c.Format(), c.ContentType())
		}
		// Every decoder refuses empty input with a reason, not a panic.
		if _, errs := c.Decode(nil); len(errs) == 0 {
			t.Errorf("%s decoded empty input without an error", f)
		}
	}
	for _, f := range wantIWO {
		c, ok := r.LookupIWO(f)
		if !ok {
			continue
		}
		if c.Format() != f || c.ContentType() == "" {
			t.Errorf("IWO codec under %q says format %q, content type %q", f, c.Format(), c.ContentType())
		}
		if _, errs := c.DecodeIWO(nil); len(errs) == 0 {
			t.Errorf("%s decoded an empty IWO without an error", f)
		}
		if _, errs := c.DecodeAck(nil); len(errs) == 0 {
			t.Errorf("%s decoded an empty acknowledgment without an error", f)
		}
	}
}

type renamed struct {
	transforms.Codec
	name string
}

func (r renamed) Format() string { return r.name }
