package stafftext

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// secrets finds the SSNs and dates of birth of one message in text, however
// a partner format spells them: digits with or without separators (dashes,
// spaces, dots, slashes), dates year-first, month-first or day-first. It
// works on decoded text; escapes are resolved before it runs.
type secrets struct {
	ssn []*regexp.Regexp
	// last4 is the tail each SSN pattern keeps in its mask.
	last4 []string
	dob   []*regexp.Regexp
	// plainSSN and plainDOB are the bare digits (9, and CCYYMMDD), for
	// fixed-width text.
	plainSSN, plainDOB []string
}

// sep is what may stand between two digits of one value: at most three
// characters that are neither letters nor digits.
const sep = `[^0-9A-Za-z]{0,3}`

func newSecrets(tx canonical.Transaction) *secrets {
	s := &secrets{}
	addSSN := func(v canonical.SSN) {
		d := v.Digits()
		if len(d) != 9 {
			return
		}
		parts := make([]string, len(d))
		for i, c := range d {
			parts[i] = string(c)
		}
		s.ssn = append(s.ssn, regexp.MustCompile(`(?:^|[^0-9])(`+strings.Join(parts, sep)+`)(?:[^0-9]|$)`))
		s.last4 = append(s.last4, d[5:])
		s.plainSSN = append(s.plainSSN, d)
	}
	addDOB := func(d *canonical.Date) {
		if d == nil || d.IsZero() {
			return
		}
		t := d.Time()
		y, m, dd := t.Format("2006"), t.Format("01"), t.Format("02")
		s.plainDOB = append(s.plainDOB, y+m+dd)
		m1, d1 := `0?`+t.Format("1"), `0?`+t.Format("2")
		for _, order := range [][]string{{y, m, dd}, {m1, d1, y}, {d1, m1, y}} {
			s.dob = append(s.dob, regexp.MustCompile(`(?:^|[^0-9])(`+strings.Join(order, sep)+`)(?:[^0-9]|$)`))
		}
	}
	if tx.NCP != nil {
		addSSN(tx.NCP.SSN)
		addDOB(tx.NCP.DateOfBirth)
		for _, a := range tx.NCP.AliasSSNs {
			addSSN(a)
		}
	}
	for _, p := range tx.Participants {
		addSSN(p.SSN)
		addDOB(p.DateOfBirth)
	}
	return s
}

// Replace masks every occurrence of the message's SSNs and dates of birth in
// text (already decoded).
func (s *secrets) Replace(text string) string {
	for i, re := range s.ssn {
		text = replaceGroup(re, text, "***-**-"+s.last4[i])
	}
	for _, re := range s.dob {
		text = replaceGroup(re, text, MaskedDOB)
	}
	return text
}

// ReplaceAnywhere masks the message's SSNs (9 digits) and dates of birth
// (CCYYMMDD) wherever they occur, with as many characters as they had.
func (s *secrets) ReplaceAnywhere(text string) string {
	var pairs []string
	for _, d := range s.plainSSN {
		pairs = append(pairs, d, "*****"+d[5:])
	}
	for _, d := range s.plainDOB {
		pairs = append(pairs, d, "********")
	}
	if len(pairs) == 0 {
		return text
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// replaceGroup replaces group 1 of every match of re; the non-digits around
// it in the pattern only keep a match from starting inside a longer number.
func replaceGroup(re *regexp.Regexp, text, with string) string {
	var b strings.Builder
	for {
		loc := re.FindStringSubmatchIndex(text)
		if loc == nil {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:loc[2]])
		b.WriteString(with)
		text = text[loc[3]:]
	}
}

// PrettyRaw renders a stored body for a reader without the reveal
// permission. It never shows the bytes as they came: JSON is re-written from
// its decoded tokens (every \u escape resolved) and XML from its parsed tree
// (character references and CDATA resolved, comments decoded), so a value a
// partner spelled with escapes is as visible to the masking as a plain one.
// SSNs and dates of birth are then masked structurally (fields named like ssn
// or birth) and literally (the message's own values wherever they appear).
// The exact bytes are shown only through the audited reveal.
func PrettyRaw(raw []byte, contentType string, tx canonical.Transaction) (text, kind string) {
	if len(raw) > maxRawShown {
		raw = raw[:maxRawShown]
	}
	rep := newSecrets(tx)
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(raw, utf8BOM))
	switch {
	case strings.Contains(contentType, "json") || (len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')):
		if out, ok := decodedJSON(trimmed, rep); ok {
			return rep.Replace(out), "json"
		}
	case strings.Contains(contentType, "xml") || (len(trimmed) > 0 && trimmed[0] == '<'):
		if out, ok := decodedXML(trimmed, rep); ok {
			return rep.Replace(out), "xml"
		}
	}
	text = unescapeText(strings.ToValidUTF8(string(raw), "\uFFFD"))
	// A fixed-width record (CSENet) runs fields together: an SSN or a
	// CCYYMMDD date of birth can sit between other digits, where the
	// patterns above, which keep off the middle of longer numbers, do not
	// look. Such text is masked wherever the digits occur, keeping their
	// length so the columns stay where they were.
	return rep.ReplaceAnywhere(rep.Replace(MaskJSONText(text))), "text"
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decodedJSON re-writes a JSON document from its tokens, indented, in the
// order it came (a reader compares it with the partner's copy), with names and
// strings decoded and values under sensitive names masked.
func decodedJSON(raw []byte, rep *secrets) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b strings.Builder
	if err := writeJSONValue(&b, dec, "", "", rep); err != nil {
		return "", false
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", false
	}
	return b.String(), true
}

func writeJSONValue(b *strings.Builder, dec *json.Decoder, indent, name string, rep *secrets) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	sensitive := name != "" && sensitiveName.MatchString(name)
	switch v := tok.(type) {
	case json.Delim:
		if v != '{' && v != '[' {
			return errors.New("unexpected delimiter")
		}
		closer := json.Delim('}')
		if v == '[' {
			closer = ']'
		}
		b.WriteString(v.String())
		n := 0
		for dec.More() {
			if n > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n" + indent + "  ")
			child := name
			if v == '{' {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				b.WriteString(quoteJSON(rep.Replace(k)) + ": ")
				child = k
			}
			if err := writeJSONValue(b, dec, indent+"  ", child, rep); err != nil {
				return err
			}
			n++
		}
		if end, err := dec.Token(); err != nil || end != closer {
			return errors.New("unbalanced JSON")
		}
		if n > 0 {
			b.WriteString("\n" + indent)
		}
		b.WriteString(closer.String())
	case string:
		if sensitive {
			v = maskFor(name, v)
		}
		b.WriteString(quoteJSON(rep.Replace(v)))
	case json.Number:
		s := string(v)
		if sensitive {
			b.WriteString(quoteJSON(maskFor(name, s)))
		} else if m := rep.Replace(s); m != s {
			b.WriteString(quoteJSON(m))
		} else {
			b.WriteString(s)
		}
	case bool:
		fmt.Fprint(b, v)
	case nil:
		b.WriteString("null")
	}
	return nil
}

// quoteJSON writes s as a JSON string escaping only what JSON requires, so
// the reader sees characters, not \u escapes.
func quoteJSON(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

// decodedXML re-writes an XML document from its parsed tree: etree resolves
// character references as it reads, CDATA sections become ordinary text, and
// comments and processing instructions, which XML does not decode, are
// decoded here so that references in them cannot hide a value either.
func decodedXML(raw []byte, rep *secrets) (string, bool) {
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(raw); err != nil {
		return "", false
	}
	var walk func(children []etree.Token, parent *etree.Element)
	walk = func(children []etree.Token, parent *etree.Element) {
		for _, c := range children {
			switch x := c.(type) {
			case *etree.Element:
				for i := range x.Attr {
					if sensitiveName.MatchString(x.Attr[i].Key) {
						x.Attr[i].Value = maskFor(x.Attr[i].Key, x.Attr[i].Value)
					} else {
						x.Attr[i].Value = rep.Replace(x.Attr[i].Value)
					}
				}
				if sensitiveName.MatchString(x.Tag) && len(x.ChildElements()) == 0 {
					// SetText also replaces CDATA and splits of the value.
					x.SetText(maskFor(x.Tag, strings.TrimSpace(x.Text())))
				}
				walk(x.Child, x)
			case *etree.CharData:
				data := rep.Replace(x.Data)
				if x.IsCData() && parent != nil {
					// Shown as text: the view is for reading, and a CDATA
					// section in it would be one more way to spell a value.
					at := x.Index()
					parent.RemoveChildAt(at)
					parent.InsertChildAt(at, etree.NewText(data))
					continue
				}
				x.Data = data
			case *etree.Comment:
				x.Data = rep.Replace(unescapeText(x.Data))
			case *etree.ProcInst:
				x.Inst = rep.Replace(unescapeText(x.Inst))
			case *etree.Directive:
				x.Data = rep.Replace(unescapeText(x.Data))
			}
		}
	}
	walk(doc.Child, nil)
	doc.Indent(2)
	out, err := doc.WriteToString()
	if err != nil {
		return "", false
	}
	return out, true
}

// unescapeText resolves JSON \u escapes and XML character references in text
// that is not parsed as either (a body that no longer parses, an XML comment),
// so the masking sees the characters a reader would read.
func unescapeText(s string) string {
	return escapeRef.ReplaceAllStringFunc(s, func(m string) string {
		var n uint64
		var err error
		switch {
		case strings.HasPrefix(m, `\u`):
			n, err = strconv.ParseUint(m[2:], 16, 32)
		case strings.HasPrefix(m, "&#x") || strings.HasPrefix(m, "&#X"):
			n, err = strconv.ParseUint(m[3:len(m)-1], 16, 32)
		default:
			n, err = strconv.ParseUint(m[2:len(m)-1], 10, 32)
		}
		if err != nil || n > unicode.MaxRune || !utf8.ValidRune(rune(n)) {
			return m
		}
		return string(rune(n))
	})
}

var escapeRef = regexp.MustCompile(`\\u[0-9A-Fa-f]{4}|&#[xX][0-9A-Fa-f]{1,8};|&#[0-9]{1,10};`)
