package stafftext

import (
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// TestPrettyRawDecodes covers the tricks one by one on the renderer itself.
func TestPrettyRawDecodes(t *testing.T) {
	tx := canonical.Transaction{NCP: &canonical.NCPIdentification{SSN: "123456789", DateOfBirth: mustDate("1981-04-17")}}
	cases := []struct{ name, ct, raw string }{
		{"json escaped key and digits", "application/json", `{"\u0073sn":"\u0031\u0032\u0033\u0034\u0035\u0036\u0037\u0038\u0039","dateOf\u0042irth":"\u0031981-04-17"}`},
		{"json escaped value under an innocent key", "application/json", `{"note":"id \u0031\u0032\u0033-45-6789, born 1981\u002d04\u002d17"}`},
		{"json number under an escaped key", "application/json", `{"\u0053SN":123456789}`},
		{"xml hex refs", "application/xml", `<a><SSN>&#x31;&#x32;&#x33;456789</SSN><Note>born &#x31;981-04-17</Note></a>`},
		{"xml decimal refs in an attribute", "application/xml", `<a><P id="&#49;&#50;&#51;-45-6789" b="04/17/&#49;981"/></a>`},
		{"xml cdata", "application/xml", `<a><Info><![CDATA[SSN 123-45-6789 DOB 1981-04-17]]></Info><ssn><![CDATA[123456789]]></ssn></a>`},
		{"xml comment with refs", "application/xml", `<a><!-- &#49;23456789 --><b/></a>`},
		{"xml with a byte-order mark", "application/xml", "\uFEFF<a><x>&#49;23456789</x></a>"},
		{"dots and slashes", "text/plain", "SSN 123.45.6789 DOB 17.04.1981 or 4/17/1981"},
		{"escapes in a body that no longer parses", "application/json", `{"x":"\u0031\u0032\u0033456789", broken`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _ := PrettyRaw([]byte(c.raw), c.ct, tx)
			for _, leak := range []string{"123456789", "123-45-6789", "123.45.6789", "1981-04-17", "04/17/1981", "4/17/1981", "17.04.1981", "&#", `\u00`, "CDATA"} {
				if strings.Contains(out, leak) {
					t.Errorf("shows %q:\n%s", leak, out)
				}
			}
		})
	}
}
