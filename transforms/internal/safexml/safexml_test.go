package safexml

import (
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// TestCheck is what the pre-scan promises: each hostile or broken document is
// refused with a message naming why, and each acceptable one passes.
func TestCheck(t *testing.T) {
	deep := func(n int) string {
		return strings.Repeat("<a>", n) + strings.Repeat("</a>", n)
	}
	cases := []struct {
		name    string
		doc     string
		lim     Limits
		wantErr string // "" means accepted
	}{
		{"plain", `<r>x</r>`, Limits{}, ""},
		{"declaration first", `<?xml version="1.0" encoding="UTF-8"?><r/>`, Limits{}, ""},
		{"declaration utf8 spelling", `<?xml version="1.0" encoding="utf8"?><r/>`, Limits{}, ""},
		{"leading BOM", "\uFEFF<r/>", Limits{}, ""},
		{"BOM then declaration", "\uFEFF<?xml version=\"1.0\"?><r/>", Limits{}, ""},
		{"BOM inside text is text", "<r>a\uFEFFb</r>", Limits{}, ""},
		{"character references", `<r>&#x41;&#66;&amp;&lt;&gt;&quot;&apos;</r>`, Limits{}, ""},
		{"CDATA", `<r><![CDATA[<not-an-element> & ]]></r>`, Limits{}, ""},
		{"comment", `<r><!-- note --></r>`, Limits{}, ""},
		{"whitespace around root", "\n <r/>\n", Limits{}, ""},
		{"depth at the limit", deep(4), Limits{MaxDepth: 4}, ""},
		{"depth over the limit", deep(5), Limits{MaxDepth: 4}, "nested deeper than 4"},
		{"default depth over", deep(DefaultMaxDepth + 1), Limits{}, "nested deeper than 32"},
		{"size at the limit", `<r>12</r>`, Limits{MaxBytes: 9}, ""},
		{"size over the limit", `<r>123</r>`, Limits{MaxBytes: 9}, "document of 10 bytes exceeds the limit of 9 bytes"},
		{"BOM does not count toward size", "\uFEFF<r>12</r>", Limits{MaxBytes: 9}, ""},
		{"DOCTYPE", `<!DOCTYPE r><r/>`, Limits{}, "DOCTYPE and ENTITY declarations are not allowed"},
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><r>&lol2;</r>`, Limits{}, "DOCTYPE and ENTITY declarations are not allowed"},
		{"external entity", `<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>`, Limits{}, "DOCTYPE and ENTITY declarations are not allowed"},
		{"undeclared entity", `<r>&lol;</r>`, Limits{}, "malformed XML"},
		{"bad character reference", `<r>&#0;</r>`, Limits{}, "malformed XML"},
		{"processing instruction", `<r><?php echo 1 ?></r>`, Limits{}, "processing instruction <?php?> not allowed (line 1)"},
		{"declaration not first", "<!-- c --><?xml version=\"1.0\"?><r/>", Limits{}, "not allowed"},
		{"other encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><r/>`, Limits{}, `encoding "ISO-8859-1" not supported; use UTF-8`},
		{"invalid UTF-8", "<r>ab\xff</r>", Limits{}, "not valid UTF-8 at offset 5"},
		{"truncated UTF-8", "<r>\xe2\x82</r>", Limits{}, "not valid UTF-8 at offset 3"},
		{"NUL byte", "<r>\x00</r>", Limits{}, "NUL byte at offset 3"},
		{"two roots", "<r/>\n<s/>", Limits{}, "more than one root element (line 2)"},
		{"text outside root", `<r/>junk`, Limits{}, "text outside the root element"},
		{"empty", ``, Limits{}, "no root element"},
		{"only a comment", `<!-- x -->`, Limits{}, "no root element"},
		{"unclosed", `<r><a></r>`, Limits{}, "malformed XML"},
		{"BOM only at the start", "<r/>\uFEFF", Limits{}, "text outside the root element"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check([]byte(c.doc), c.lim)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.wantErr != "" && err == nil:
				t.Fatalf("accepted; want an error containing %q", c.wantErr)
			case c.wantErr != "" && !strings.Contains(err.Error(), c.wantErr):
				t.Fatalf("error %q; want it to contain %q", err, c.wantErr)
			}
		})
	}
}

// TestParseValues reads what the parser hands on: references resolved, CDATA
// kept as text, the BOM gone.
func TestParseValues(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"character references", `<r>&#x41;&#66;&amp;&lt;</r>`, "AB&<"},
		{"CDATA", `<r><![CDATA[a<b & c]]></r>`, "a<b & c"},
		{"BOM", "\uFEFF<r>x</r>", "x"},
		{"non-ASCII", `<r>Zoë Ñúñez</r>`, "Zoë Ñúñez"},
		{"astral reference", `<r>&#x1F600;</r>`, "\U0001F600"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Parse([]byte(c.doc), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Root().Text(); got != c.want {
				t.Fatalf("text %q, want %q", got, c.want)
			}
		})
	}
	if _, err := Parse([]byte(`<!DOCTYPE r><r/>`), Limits{}); err == nil {
		t.Fatal("Parse accepted a DOCTYPE: it must run Check first")
	}
}

func TestStripBOM(t *testing.T) {
	cases := []struct{ in, want string }{
		{"\uFEFF<r/>", "<r/>"},
		{"\uFEFF\uFEFF<r/>", "\uFEFF<r/>"}, // only one
		{"<r/>", "<r/>"},
		{"", ""},
		{"\xEF\xBB", "\xEF\xBB"}, // a partial mark is not a mark
	}
	for _, c := range cases {
		if got := string(StripBOM([]byte(c.in))); got != c.want {
			t.Errorf("StripBOM(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseInt(t *testing.T) {
	cases := []struct {
		in      string
		bits    int
		want    int64
		wantErr string
	}{
		{"0", 32, 0, ""},
		{"42", 32, 42, ""},
		{"-7", 32, -7, ""},
		{"007", 32, 7, ""},
		{"2147483647", 32, 2147483647, ""},
		{"2147483648", 32, 0, "number out of range"},
		{"-2147483648", 32, -2147483648, ""},
		{"2147483648", 64, 2147483648, ""},
		{"9223372036854775808", 64, 0, "number out of range"},
		{"", 32, 0, "not a whole number"},
		{"-", 32, 0, "not a whole number"},
		{"+1", 32, 0, "not a whole number"},
		{" 1", 32, 0, "not a whole number"},
		{"1.0", 32, 0, "not a whole number"},
		{"1e3", 32, 0, "not a whole number"},
		{"--1", 32, 0, "not a whole number"},
		{"0x10", 32, 0, "not a whole number"},
	}
	for _, c := range cases {
		got, err := ParseInt(c.in, c.bits)
		if c.wantErr != "" {
			if err == nil || err.Error() != c.wantErr {
				t.Errorf("ParseInt(%q, %d) error %v, want %q", c.in, c.bits, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseInt(%q, %d) = %d, %v; want %d", c.in, c.bits, got, err, c.want)
		}
	}
}

const ns = "urn:test"

// TestReader covers the strict walk: every element and attribute nobody asked
// for, repeated elements, wrong roots and badly typed values are reported with
// their XML and canonical paths.
func TestReader(t *testing.T) {
	type read func(root *Node)
	cases := []struct {
		name string
		doc  string
		read read
		want canonical.FieldErrors
	}{
		{
			name: "all known",
			doc:  `<T xmlns="urn:test" v="1"><A>x</A><B><C>2</C></B></T>`,
			read: func(r *Node) {
				r.Attr("v")
				r.Str("A", "a")
				if b := r.One("B", "b"); b != nil {
					b.Int("C", "b.c")
				}
			},
		},
		{
			name: "unknown element and attribute",
			doc:  `<T xmlns="urn:test" x="1"><A>x</A><Z/></T>`,
			read: func(r *Node) { r.Str("A", "a") },
			want: canonical.FieldErrors{
				{Path: "", PartnerPath: "/T/@x", Reason: "unknown attribute"},
				{Path: "", PartnerPath: "/T/Z", Reason: "unknown element"},
			},
		},
		{
			name: "repeated element",
			doc:  `<T xmlns="urn:test"><A>x</A><A>y</A></T>`,
			read: func(r *Node) { r.Str("A", "a") },
			want: canonical.FieldErrors{{Path: "a", PartnerPath: "/T/A[2]", Reason: "repeated; at most one allowed"}},
		},
		{
			name: "unknown repeated element is indexed",
			doc:  `<T xmlns="urn:test"><Z/><Z/></T>`,
			read: func(r *Node) {},
			want: canonical.FieldErrors{
				{PartnerPath: "/T/Z[1]", Reason: "unknown element"},
				{PartnerPath: "/T/Z[2]", Reason: "unknown element"},
			},
		},
		{
			name: "element in another namespace",
			doc:  `<T xmlns="urn:test" xmlns:o="urn:other"><o:A>x</o:A></T>`,
			read: func(r *Node) { r.Str("A", "a") },
			want: canonical.FieldErrors{{PartnerPath: "/T/o:A", Reason: `unknown element (namespace "urn:other")`}},
		},
		{
			name: "many with paths",
			doc:  `<T xmlns="urn:test"><P><N>1</N></P><P><N>x</N></P></T>`,
			read: func(r *Node) {
				for _, p := range r.Many("P", "ps") {
					p.Int("N", p.CPath+".n")
				}
			},
			want: canonical.FieldErrors{{Path: "ps[1].n", PartnerPath: "/T/P[2]/N", Reason: "not a whole number"}},
		},
		{
			name: "leaf holding elements",
			doc:  `<T xmlns="urn:test"><A><B/></A></T>`,
			read: func(r *Node) { r.Str("A", "a") },
			want: canonical.FieldErrors{{Path: "a", PartnerPath: "/T/A", Reason: "must hold text, not elements"}},
		},
		{
			name: "text between elements",
			doc:  `<T xmlns="urn:test">stray<A>x</A></T>`,
			read: func(r *Node) { r.Str("A", "a") },
			want: canonical.FieldErrors{{PartnerPath: "/T", Reason: "unexpected text between elements"}},
		},
		{
			name: "typed values",
			doc: `<T xmlns="urn:test"><D>2024-02-30</D><M>1.234</M><B>yes</B><I>99999999999</I><L>99999999999</L>` +
				`<G>2024-02-29</G><N>12.50</N><Y>1</Y></T>`,
			read: func(r *Node) {
				r.Date("D", "d")
				r.Money("M", "m")
				r.Bool("B", "b")
				r.Int("I", "i")
				if got := r.Int64("L", "l"); got != 99999999999 {
					t.Errorf("Int64 = %d", got)
				}
				if got := r.Date("G", "g"); got != (canonical.Date{Year: 2024, Month: 2, Day: 29}) {
					t.Errorf("Date = %v", got)
				}
				if got := r.Money("N", "n"); got != 1250 {
					t.Errorf("Money = %d", got)
				}
				if !r.Bool("Y", "y") {
					t.Error("Bool(1) = false")
				}
			},
			want: canonical.FieldErrors{
				{Path: "d", PartnerPath: "/T/D", Reason: "not a date in the form YYYY-MM-DD"},
				{Path: "m", PartnerPath: "/T/M", Reason: "not an amount in dollars with at most 2 decimals (e.g. 200.00)"},
				{Path: "b", PartnerPath: "/T/B", Reason: "must be true or false"},
				{Path: "i", PartnerPath: "/T/I", Reason: "number out of range"},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Parse([]byte(c.doc), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			r := NewReader(ns)
			root := r.Root(doc, "T")
			if root == nil {
				t.Fatalf("root refused: %v", r.Errors(nil))
			}
			c.read(root)
			got := r.Errors(root)
			if len(got) != len(c.want) {
				t.Fatalf("errors %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("error %d: %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestReaderRoot(t *testing.T) {
	cases := []struct{ doc, want string }{
		{`<T xmlns="urn:test"/>`, ""},
		{`<T/>`, `wrong namespace (none); want "urn:test"`},
		{`<T xmlns="urn:evil"/>`, `wrong namespace "urn:evil"; want "urn:test"`},
		{`<U xmlns="urn:test"/>`, "root element must be T"},
	}
	for _, c := range cases {
		doc, err := Parse([]byte(c.doc), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		r := NewReader(ns)
		root := r.Root(doc, "T")
		errs := r.Errors(root)
		if c.want == "" {
			if root == nil || len(errs) > 0 {
				t.Errorf("%s: refused: %v", c.doc, errs)
			}
			continue
		}
		if root != nil || len(errs) != 1 || errs[0].Reason != c.want {
			t.Errorf("%s: root %v, errors %v; want %q", c.doc, root, errs, c.want)
		}
	}
}

// TestWriter: what XML cannot carry fails Bytes, with the path and without
// the value; what it can carry round-trips through Parse.
func TestWriter(t *testing.T) {
	cases := []struct {
		name    string
		build   func(w *Writer, root *etree.Element)
		wantErr string
	}{
		{"ok", func(w *Writer, r *etree.Element) { w.Text(r, "A", "x & <y>") }, ""},
		{"control character", func(w *Writer, r *etree.Element) { w.Text(r, "A", "bad\x01secret") }, "/T/A: character U+0001 cannot be written in XML"},
		{"invalid UTF-8", func(w *Writer, r *etree.Element) { w.Text(r, "A", "bad\xffsecret") }, "/T/A: not valid UTF-8"},
		{"attribute", func(w *Writer, r *etree.Element) { w.SetAttr(r, "k", "\uFFFE") }, "/T/@k: character U+FFFE cannot be written in XML"},
		{"impossible date", func(w *Writer, r *etree.Element) { w.Date(r, "D", canonical.Date{Year: 2023, Month: 2, Day: 29}) }, "/T/D: not a calendar date: 2023-02-29"},
		{"zero date pointer", func(w *Writer, r *etree.Element) { w.DatePtr(r, "D", &canonical.Date{}) }, "/T/D: zero date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, root := NewWriter("T", ns)
			c.build(w, root)
			b, err := w.Bytes()
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := Check(b, Limits{}); err != nil {
					t.Fatalf("writer output refused by Check: %v\n%s", err, b)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want %q", err, c.wantErr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error %q holds the value", err)
			}
		})
	}
}

func TestWriterRoundTrip(t *testing.T) {
	date := canonical.Date{Year: 2024, Month: 2, Day: 29}
	w, root := NewWriter("T", ns, "version", "2")
	w.Text(root, "S", " spaced & <odd> \u00e9 ")
	w.Text(root, "Empty", "") // left out
	w.Date(root, "D", date)
	w.Date(root, "Z", canonical.Date{}) // left out
	w.DatePtr(root, "P", nil)           // left out
	w.Money(root, "M", 20050)
	w.Int(root, "I", -12)
	w.Bool(root, "B", true)
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse(b, Limits{})
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	r := NewReader(ns)
	n := r.Root(doc, "T")
	if v, _ := n.Attr("version"); v != "2" {
		t.Errorf("version %q", v)
	}
	if s := n.Str("S", "s"); s != " spaced & <odd> \u00e9 " {
		t.Errorf("S %q", s)
	}
	if d := n.Date("D", "d"); d != date {
		t.Errorf("D %v", d)
	}
	if m := n.Money("M", "m"); m != 20050 {
		t.Errorf("M %d", m)
	}
	if i := n.Int("I", "i"); i != -12 {
		t.Errorf("I %d", i)
	}
	if !n.Bool("B", "b") {
		t.Error("B false")
	}
	for _, absent := range []string{"Empty", "Z", "P"} {
		if n.One(absent, "") != nil {
			t.Errorf("%s written though empty", absent)
		}
	}
	if errs := r.Errors(n); len(errs) > 0 {
		t.Errorf("errors %v", errs)
	}
}

func TestFormatDate(t *testing.T) {
	cases := []struct {
		d       canonical.Date
		want    string
		wantErr bool
	}{
		{canonical.Date{Year: 2024, Month: 1, Day: 31}, "2024-01-31", false},
		{canonical.Date{Year: 1, Month: 1, Day: 1}, "0001-01-01", false},
		{canonical.Date{Year: 2024, Month: 4, Day: 31}, "", true},
		{canonical.Date{Year: 10000, Month: 1, Day: 1}, "", true},
		{canonical.Date{Year: -1, Month: 1, Day: 1}, "", true},
		{canonical.Date{Year: 2024, Month: 13, Day: 1}, "", true},
	}
	for _, c := range cases {
		got, err := FormatDate(c.d)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("FormatDate(%+v) = %q, %v; want %q, error %v", c.d, got, err, c.want, c.wantErr)
		}
	}
}
