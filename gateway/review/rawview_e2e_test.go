package review_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/all"
	"github.com/uifsagw/uifsagw/transforms/mapping"
)

// The SSNs and dates of birth of sampleTx in every spelling a reader would
// recognise; none may reach a page or answer without an audited reveal.
var sampleSecrets = []string{
	"123456789", "123-45-6789", "123 45 6789", "234567890", "234-56-7890", "345678901", "345-67-8901",
	"1981-04-17", "19810417", "04/17/1981", "1983-09-30", "19830930", "09/30/1983", "2015-01-05", "20150105", "01/05/2015",
}

// escapeJSONStrings writes every letter and digit inside JSON strings (names
// and values) as a \u escape: valid JSON that decodes to the same document,
// but in which no SSN or key name is legible as text.
func escapeJSONStrings(b []byte) []byte {
	var out strings.Builder
	in, esc := false, false
	for _, c := range string(b) {
		switch {
		case esc:
			esc = false
			out.WriteRune(c)
		case in && c == '\\':
			esc = true
			out.WriteRune(c)
		case c == '"':
			in = !in
			out.WriteRune(c)
		case in && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
			fmt.Fprintf(&out, `\u%04x`, c)
		default:
			out.WriteRune(c)
		}
	}
	return []byte(out.String())
}

var (
	xmlText = regexp.MustCompile(`>([^<]+)<`)
	xmlAttr = regexp.MustCompile(`(\s[A-Za-z_:][-A-Za-z0-9_:.]*=")([^"]*)(")`)
)

// escapeXML rewrites an XML document's text and attribute values (not the
// declaration) with character references or CDATA; all three spellings
// parse to the same document.
func escapeXML(b []byte, style string) []byte {
	s := string(b)
	decl := ""
	if strings.HasPrefix(s, "<?xml") {
		i := strings.Index(s, "?>") + 2
		decl, s = s[:i], s[i:]
	}
	digits := func(v string) string {
		var out strings.Builder
		for _, c := range v {
			switch {
			case c >= '0' && c <= '9' && style == "hex":
				fmt.Fprintf(&out, "&#x%x;", c)
			case c >= '0' && c <= '9':
				fmt.Fprintf(&out, "&#%d;", c)
			default:
				out.WriteRune(c)
			}
		}
		return out.String()
	}
	s = xmlText.ReplaceAllStringFunc(s, func(m string) string {
		v := m[1 : len(m)-1]
		if strings.TrimSpace(v) == "" {
			return m
		}
		if style == "cdata" {
			if strings.Contains(v, "&") {
				return m // already escaped text stays as it is
			}
			return "><![CDATA[" + v + "]]><"
		}
		return ">" + digits(v) + "<"
	})
	if style != "cdata" {
		s = xmlAttr.ReplaceAllStringFunc(s, func(m string) string {
			p := xmlAttr.FindStringSubmatch(m)
			if strings.HasPrefix(strings.TrimSpace(p[1]), "xmlns") {
				return m
			}
			return p[1] + digits(p[2]) + p[3]
		})
	}
	return []byte(decl + s)
}

// codecsUnderTest are the built-in formats and every shipped dialect.
func codecsUnderTest(t *testing.T) map[string]transforms.Codec {
	t.Helper()
	reg := all.NewRegistry()
	out := map[string]transforms.Codec{}
	for _, f := range reg.Formats() {
		c, _ := reg.Lookup(f)
		out[f] = c
	}
	files, err := filepath.Glob("../../partners/dialects/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dialects found: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mapping.Load(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[m.Format()] = m.Codec(m.Format())
	}
	return out
}

// TestRawViewResolvesEscapes is the attack of issue 15 item 1: a partner
// spells the SSNs and dates of birth with JSON \u escapes, XML character
// references (hex and decimal) or CDATA, in every format and dialect. The
// message is valid and accepted; a viewer must still see no SSN or date of
// birth in the message page or API, and the exact bytes come only through an
// audited reveal, which a viewer cannot make.
func TestRawViewResolvesEscapes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	viv, casey := e.token("viv"), e.token("casey")
	n := 0
	for format, codec := range codecsUnderTest(t) {
		tx := sampleTx("X", "NJC-ESC")
		plain, err := codec.Encode(tx)
		if err != nil {
			t.Fatalf("%s: encode: %v", format, err)
		}
		variants := map[string][]byte{}
		switch codec.ContentType() {
		case "application/json":
			variants["json-escapes"] = escapeJSONStrings(plain)
		case "text/plain":
			// A fixed-width CSENet record has no escapes: the attack is its
			// fields run together, an SSN right beside other digits.
			variants["fixed-width"] = plain
		default:
			for _, st := range []string{"hex", "dec", "cdata"} {
				variants["xml-"+st] = escapeXML(plain, st)
			}
		}
		for name, body := range variants {
			t.Run(format+"/"+name, func(t *testing.T) {
				n++
				decoded, ferrs := codec.Decode(body)
				if len(ferrs) > 0 {
					t.Fatalf("the escaped body does not decode: %v\n%s", ferrs, body)
				}
				if decoded.NCP == nil || decoded.NCP.SSN.Digits() != "123456789" {
					t.Fatalf("the escaped body lost the SSN: %+v", decoded.NCP)
				}
				for _, s := range sampleSecrets {
					// CDATA hides markup, not digits: that variant attacks
					// the structure, the others the spelling.
					if name != "xml-cdata" && name != "fixed-width" && strings.Contains(string(body), s) {
						t.Fatalf("the attack body spells %q in clear; the test proves nothing", s)
					}
				}
				msgID := fmt.Sprintf("NJ-ESC-%d", n)
				decoded.Header.MessageID = msgID
				in := exchange.Inbound{Partner: "NJ", MessageID: msgID, Format: format, ContentType: codec.ContentType(),
					Raw: body, Tx: decoded, Signature: "eyJhbGciOiJFUzI1NiJ9..sig", TraceID: "trace-esc"}
				if _, _, err := e.store.Receive(context.Background(), in, func(r exchange.Receipt) (string, error) {
					return "jws(" + r.ID + ")", nil
				}); err != nil {
					t.Fatal(err)
				}
				m, err := e.store.GetBySenderID(context.Background(), "NJ", exchange.DirIn, msgID)
				if err != nil {
					t.Fatal(err)
				}
				for _, path := range []string{"/messages/%d", "/api/messages/%d"} {
					status, page := e.call("GET", idPath(path, m.ID), viv, nil)
					if status != 200 {
						t.Fatalf("%s: status %d", path, status)
					}
					// JSON answers escape again; read them decoded as well.
					readable := page + "\n" + unescapeForTest(page)
					mustNotContain(t, readable, sampleSecrets...)
					if strings.Contains(page, `\u0031`) || strings.Contains(page, "&amp;#") {
						t.Errorf("%s shows escapes instead of decoded text", path)
					}
					mustContain(t, readable, "***-**-6789")
				}
				// A viewer cannot reveal the exact bytes; a caseworker can, audited.
				if status, _ := e.call("POST", idPath("/api/messages/%d/reveal", m.ID), viv,
					map[string]string{"field": "raw", "reason": "locate"}); status != 403 {
					t.Errorf("viewer reveal of the raw body: status %d", status)
				}
				status, ans := e.call("POST", idPath("/api/messages/%d/reveal", m.ID), casey,
					map[string]string{"field": "raw", "reason": "locate"})
				var got struct{ Base64 string }
				if status != 200 || json.Unmarshal([]byte(ans), &got) != nil {
					t.Fatalf("caseworker reveal of the raw body: %d %s", status, ans)
				}
				if exact, _ := base64.StdEncoding.DecodeString(got.Base64); string(exact) != string(body) {
					t.Errorf("the revealed body is not the exact bytes received")
				}
				recs, err := e.store.AuditTrail(context.Background(), idPath("message:%d", m.ID), 10)
				if err != nil || len(recs) != 1 || recs[0].Action != "reveal" || !strings.Contains(string(recs[0].Details), `"raw"`) {
					t.Errorf("audit trail after the reveal: %+v %v", recs, err)
				}
			})
		}
	}
	if n < 6 {
		t.Fatalf("only %d variants ran", n)
	}
}

var escapeForTest = regexp.MustCompile(`\\u[0-9A-Fa-f]{4}|&#[xX]?[0-9A-Fa-f]+;`)

// unescapeForTest reads \u escapes and character references the way a
// person reading the answer would.
func unescapeForTest(s string) string {
	return escapeForTest.ReplaceAllStringFunc(s, func(m string) string {
		var r rune
		switch {
		case strings.HasPrefix(m, `\u`):
			_, _ = fmt.Sscanf(m[2:], "%x", &r)
		case strings.HasPrefix(m, "&#x") || strings.HasPrefix(m, "&#X"):
			_, _ = fmt.Sscanf(m[3:len(m)-1], "%x", &r)
		default:
			_, _ = fmt.Sscanf(m[2:len(m)-1], "%d", &r)
		}
		return string(r)
	})
}
