package stafftext

import (
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func mustDate(s string) *canonical.Date {
	d, err := canonical.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

func TestPrettyRawMasks(t *testing.T) {
	tx := canonical.Transaction{
		NCP: &canonical.NCPIdentification{SSN: "123456789", DateOfBirth: mustDate("1981-04-17")},
		Participants: []canonical.Participant{
			{SSN: "234567890", DateOfBirth: mustDate("2015-01-05")},
		},
	}
	cases := []struct {
		name, contentType, raw string
		kind                   string
		want                   []string
		gone                   []string
	}{
		{
			name: "json fields and free text", contentType: "application/json",
			raw:  `{"ncp":{"ssn":"123456789","dateOfBirth":"1981-04-17","name":"Pat"},"note":"child ssn 234-56-7890 born 01/05/2015","ein":"987654321"}`,
			kind: "json",
			want: []string{`"ssn": "***-**-6789"`, `"dateOfBirth": "****-**-**"`, "child ssn ***-**-7890 born ****-**-**", `"ein": "987654321"`, "\n  \"ncp\": {"},
			gone: []string{"123456789", "1981-04-17", "234-56-7890", "01/05/2015"},
		},
		{
			name: "json numeric ssn of an unknown person", contentType: "application/json",
			raw:  `{"otherSSN": 555443333, "birthDate": "1990-02-03"}`,
			kind: "json",
			want: []string{`"otherSSN": "***-**-3333"`, `"birthDate": "****-**-**"`},
			gone: []string{"555443333", "1990-02-03"},
		},
		{
			name: "xml elements and attributes", contentType: "application/xml",
			raw:  `<tx><NCP><SSN>123456789</SSN><DOB>19810417</DOB></NCP><Child ssn="999887777" BirthDate="2015-01-05"/><Info>ssn 123 45 6789</Info></tx>`,
			kind: "xml",
			want: []string{"<SSN>***-**-6789</SSN>", "<DOB>****-**-**</DOB>", `ssn="***-**-7777"`, `BirthDate="****-**-**"`, "ssn ***-**-6789", "\n  <NCP>"},
			gone: []string{"123456789", "19810417", "999887777", "2015-01-05", "123 45 6789"},
		},
		{
			name: "malformed body falls back to text", contentType: "application/json",
			raw:  `{"ssn":"123456789", broken`,
			kind: "text",
			want: []string{"***-**-6789"},
			gone: []string{"123456789"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, kind := PrettyRaw([]byte(c.raw), c.contentType, tx)
			if kind != c.kind {
				t.Fatalf("kind %s, want %s:\n%s", kind, c.kind, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			for _, g := range c.gone {
				if strings.Contains(out, g) {
					t.Errorf("leaks %q in\n%s", g, out)
				}
			}
		})
	}
}

func TestMaskSSN(t *testing.T) {
	for in, want := range map[string]string{
		"123456789":   "***-**-6789",
		"***-**-6789": "***-**-6789",
		"123-45-6789": "***-**-6789",
		"12":          "***-**-****",
		"":            "",
	} {
		if got := MaskSSN(in); got != want {
			t.Errorf("maskSSN(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzPrettyRaw: whatever the body, rendering does not panic and the
// message's own SSN never appears in clear.
func FuzzPrettyRaw(f *testing.F) {
	f.Add([]byte(`{"ssn":"123456789","x":[1,2,{"dob":"1981-04-17"}]}`), "application/json")
	f.Add([]byte(`<a><SSN>123456789</SSN><b ssn="123-45-6789">t</b></a>`), "application/xml")
	f.Add([]byte("plain 123 45 6789 text"), "text/plain")
	tx := canonical.Transaction{NCP: &canonical.NCPIdentification{SSN: "123456789", DateOfBirth: mustDate("1981-04-17")}}
	f.Fuzz(func(t *testing.T, raw []byte, ct string) {
		out, _ := PrettyRaw(raw, ct, tx)
		for _, leak := range []string{"123456789", "123-45-6789", "123 45 6789", "1981-04-17"} {
			if strings.Contains(out, leak) {
				t.Fatalf("%q leaks %q:\n%s", raw, leak, out)
			}
		}
	})
}
