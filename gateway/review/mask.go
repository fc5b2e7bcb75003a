package review

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

const (
	maskedDOB    = "****-**-**"
	maskedSSNAll = "***-**-****"
	maxRawShown  = 1 << 20
)

// maskSSN masks a stored value that may already be masked ("***-**-1234").
func maskSSN(s string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if len(d) >= 4 {
		return "***-**-" + d[len(d)-4:]
	}
	if s == "" {
		return ""
	}
	return maskedSSNAll
}

// sensitiveName says whether a JSON key, XML element or attribute holds an
// SSN or a date of birth, whatever the partner format calls it.
var sensitiveName = regexp.MustCompile(`(?i)(ssn|social|birth|dob|tin$)`)

func maskFor(name, value string) string {
	n := strings.ToLower(name)
	if strings.Contains(n, "birth") || strings.Contains(n, "dob") {
		if value == "" {
			return ""
		}
		return maskedDOB
	}
	return maskSSN(value)
}

// secrets are the literal SSNs and dates of birth of one message, in every
// spelling a partner format might use, with their masks.
func secrets(tx canonical.Transaction) *strings.Replacer {
	var pairs []string
	addSSN := func(s canonical.SSN) {
		d := s.Digits()
		if len(d) == 9 {
			m := "***-**-" + d[5:]
			pairs = append(pairs, d[:3]+"-"+d[3:5]+"-"+d[5:], m, d[:3]+" "+d[3:5]+" "+d[5:], m, d, m)
		}
	}
	addDOB := func(d *canonical.Date) {
		if d == nil || d.IsZero() {
			return
		}
		t := d.Time()
		for _, layout := range []string{"2006-01-02", "20060102", "01/02/2006", "01022006", "1/2/2006"} {
			pairs = append(pairs, t.Format(layout), maskedDOB)
		}
	}
	if tx.NCP != nil {
		addSSN(tx.NCP.SSN)
		addDOB(tx.NCP.DateOfBirth)
	}
	for _, p := range tx.Participants {
		addSSN(p.SSN)
		addDOB(p.DateOfBirth)
	}
	return strings.NewReplacer(pairs...)
}

// prettyRaw indents a raw body for reading and masks SSNs and dates of
// birth in it: structurally (fields named like ssn or birth) and literally
// (the message's own values wherever they appear, in free text too).
func prettyRaw(raw []byte, contentType string, tx canonical.Transaction) (text, kind string) {
	if len(raw) > maxRawShown {
		raw = raw[:maxRawShown]
	}
	rep := secrets(tx)
	trimmed := bytes.TrimSpace(raw)
	switch {
	case strings.Contains(contentType, "json") || (len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')):
		if out, ok := prettyJSON(trimmed); ok {
			return rep.Replace(out), "json"
		}
	case strings.Contains(contentType, "xml") || (len(trimmed) > 0 && trimmed[0] == '<'):
		if out, ok := prettyXML(trimmed); ok {
			return rep.Replace(out), "xml"
		}
	}
	return rep.Replace(string(raw)), "text"
}

func prettyJSON(raw []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	// Key order matters to a reader comparing with the partner's copy, so
	// the body is indented as it came and masked value by value.
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return "", false
	}
	return maskJSONText(buf.String()), true
}

// jsonSensitive finds "key": "value" or "key": number pairs whose key names
// an SSN or a date of birth.
var jsonSensitive = regexp.MustCompile(`"([^"\\]*(?i:ssn|social|birth|dob)[^"\\]*)"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+)`)

func maskJSONText(s string) string {
	return jsonSensitive.ReplaceAllStringFunc(s, func(m string) string {
		sub := jsonSensitive.FindStringSubmatch(m)
		val := strings.Trim(sub[3], `"`)
		return `"` + sub[1] + `"` + sub[2] + `"` + maskFor(sub[1], val) + `"`
	})
}

func prettyXML(raw []byte) (string, bool) {
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(raw); err != nil {
		return "", false
	}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		for i := range e.Attr {
			if sensitiveName.MatchString(e.Attr[i].Key) {
				e.Attr[i].Value = maskFor(e.Attr[i].Key, e.Attr[i].Value)
			}
		}
		if sensitiveName.MatchString(e.Tag) && len(e.ChildElements()) == 0 {
			e.SetText(maskFor(e.Tag, strings.TrimSpace(e.Text())))
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	if root := doc.Root(); root != nil {
		walk(root)
	}
	doc.Indent(2)
	out, err := doc.WriteToString()
	if err != nil {
		return "", false
	}
	return out, true
}

// maskedTransactionJSON is the canonical transaction as the API shows it:
// SSNs masked (they are stored masked) and dates of birth masked too.
func maskedTransactionJSON(tx canonical.Transaction) json.RawMessage {
	b, err := json.Marshal(tx)
	if err != nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(secrets(tx).Replace(maskJSONText(string(b))))
}
