package safexml

import (
	"strings"
	"testing"

	"github.com/beevik/etree"
)

// parseDocs are documents on which Parse must behave exactly as Check
// followed by etree's own reader did before Parse made one pass.
var parseDocs = []string{
	`<r>x</r>`,
	`<?xml version="1.0" encoding="UTF-8"?><r/>`,
	"\uFEFF<?xml version=\"1.0\"?>\n<r a=\"1\" b='2'>t<!-- c --><![CDATA[<x> & ]]>u</r>\n",
	`<r>&#x41;&#66;&amp;&lt;&gt;&quot;&apos;</r>`,
	`<p:r xmlns:p="urn:a" p:k="v" k="w"><p:a>1</p:a><b xmlns="urn:b">2</b></p:r>`,
	`<r a="1" a="2"/>`,
	`<r><a>  </a>  <b/>
</r>`,
	`<r><a:b:c/></r>`,
	`<r><:a/></r>`,
	`<r><a></r>`,
	`<r></a>`,
	`</r>`,
	`<r><a>`,
	`<r>`,
	`<r/></r>`,
	`<r/><s/>`,
	`<r/>x`,
	`x<r/>`,
	`<r><?pi x?></r>`,
	`<?pi x?><r/>`,
	`<!-- c --><?xml version="1.0"?><r/>`,
	`<!DOCTYPE r><r/>`,
	`<r><!DOCTYPE r></r>`,
	`<?xml version="1.0" encoding="latin1"?><r/>`,
	`<r>&lol;</r>`,
	`<r a=1/>`,
	"<r>\x00</r>",
	"<r>\xff</r>",
	``,
	`   `,
	`<!-- only -->`,
	strings.Repeat("<a>", 32) + strings.Repeat("</a>", 32),
	strings.Repeat("<a>", 33) + strings.Repeat("</a>", 33),
	"<r>\r\nline\r\n</r>",
}

// TestParseIsCheckThenRead: for every document, Parse refuses with Check's
// message, or builds the same tree etree's reader builds.
func TestParseIsCheckThenRead(t *testing.T) {
	for _, doc := range parseDocs {
		assertParseIsCheckThenRead(t, []byte(doc))
	}
}

func assertParseIsCheckThenRead(t *testing.T, b []byte) {
	t.Helper()
	got, err := Parse(b, Limits{})
	want := etree.NewDocument()
	wantErr := Check(b, Limits{})
	if wantErr == nil {
		if rerr := want.ReadFromBytes(StripBOM(b)); rerr != nil {
			// Check accepted what etree refuses: Parse must refuse it too.
			if err == nil {
				t.Fatalf("%q: Parse accepted; etree refused: %v", b, rerr)
			}
			return
		}
	}
	switch {
	case wantErr != nil && err == nil:
		t.Fatalf("%q: Parse accepted; Check: %v", b, wantErr)
	case wantErr == nil && err != nil:
		t.Fatalf("%q: Parse refused: %v; Check accepted", b, err)
	case wantErr != nil && err.Error() != wantErr.Error():
		t.Fatalf("%q: Parse: %v\nCheck: %v", b, err, wantErr)
	case wantErr == nil:
		g, _ := got.WriteToString()
		w, _ := want.WriteToString()
		if g != w {
			t.Fatalf("%q: tree\n%s\nwant\n%s", b, g, w)
		}
		for _, e := range []*etree.Element{got.Root()} {
			if e.NamespaceURI() != want.Root().NamespaceURI() {
				t.Fatalf("%q: namespace %q, want %q", b, e.NamespaceURI(), want.Root().NamespaceURI())
			}
		}
	}
}

func FuzzParseIsCheckThenRead(f *testing.F) {
	for _, doc := range parseDocs {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		assertParseIsCheckThenRead(t, b)
	})
}
