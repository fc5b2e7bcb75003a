package safexml

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Writer builds a document and collects the values XML cannot carry, so that
// Encode fails instead of writing a document the partner would refuse.
type Writer struct {
	Doc  *etree.Document
	errs []error
}

// NewWriter starts a document with the XML declaration and a root element in
// namespace ns with the given attributes (name, value pairs).
func NewWriter(root, ns string, attrs ...string) (*Writer, *etree.Element) {
	doc := etree.NewDocument()
	doc.WriteSettings = etree.WriteSettings{CanonicalText: true, CanonicalAttrVal: true}
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	r := doc.CreateElement(root)
	if ns != "" {
		r.CreateAttr("xmlns", ns)
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		r.CreateAttr(attrs[i], attrs[i+1])
	}
	return &Writer{Doc: doc}, r
}

// Bytes indents and writes the document, or returns the first problem found
// while building it.
func (w *Writer) Bytes() ([]byte, error) {
	if len(w.errs) > 0 {
		return nil, errors.Join(w.errs...)
	}
	w.Doc.IndentWithSettings(&etree.IndentSettings{Spaces: 2, PreserveLeafWhitespace: true})
	b, err := w.Doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("writing XML: %w", err)
	}
	return b, nil
}

// Elem adds an empty child element.
func (w *Writer) Elem(parent *etree.Element, name string) *etree.Element {
	return parent.CreateElement(name)
}

// SetText sets the text of e after checking that XML can carry it.
func (w *Writer) SetText(e *etree.Element, s string) {
	if err := xmlSafe(s); err != nil {
		// The value itself stays out of the message: it may be personal data.
		w.errs = append(w.errs, fmt.Errorf("%s: %w", e.GetPath(), err))
		return
	}
	e.SetText(s)
}

// SetAttr sets an attribute after checking that XML can carry it.
func (w *Writer) SetAttr(e *etree.Element, key, s string) {
	if err := xmlSafe(s); err != nil {
		w.errs = append(w.errs, fmt.Errorf("%s/@%s: %w", e.GetPath(), key, err))
		return
	}
	e.CreateAttr(key, s)
}

// Fail records a problem found while building.
func (w *Writer) Fail(err error) { w.errs = append(w.errs, err) }

func xmlSafe(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return errors.New("not valid UTF-8")
			}
		}
		if !isXMLChar(r) {
			return fmt.Errorf("character U+%04X cannot be written in XML", r)
		}
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// Text adds a child holding s, unless s is empty.
func (w *Writer) Text(parent *etree.Element, name, s string) {
	if s != "" {
		w.SetText(parent.CreateElement(name), s)
	}
}

// FormatDate writes d as YYYY-MM-DD; it fails for dates that do not exist or
// have no four-digit year, which no reader could parse back.
func FormatDate(d canonical.Date) (string, error) {
	if d.Year < 0 || d.Year > 9999 || canonical.DateOf(d.Time()) != d {
		return "", fmt.Errorf("not a calendar date: %04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return d.String(), nil
}

// Date adds a YYYY-MM-DD child, unless d is zero.
func (w *Writer) Date(parent *etree.Element, name string, d canonical.Date) {
	if d.IsZero() {
		return
	}
	s, err := FormatDate(d)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("%s/%s: %w", parent.GetPath(), name, err))
		return
	}
	parent.CreateElement(name).SetText(s)
}

// DatePtr adds a YYYY-MM-DD child, unless d is nil.
func (w *Writer) DatePtr(parent *etree.Element, name string, d *canonical.Date) {
	if d != nil {
		if d.IsZero() {
			w.errs = append(w.errs, fmt.Errorf("%s/%s: zero date", parent.GetPath(), name))
			return
		}
		w.Date(parent, name, *d)
	}
}

// Money adds a decimal dollar child ("200.00").
func (w *Writer) Money(parent *etree.Element, name string, c canonical.Cents) {
	parent.CreateElement(name).SetText(c.Dollars())
}

// Int adds a decimal integer child.
func (w *Writer) Int(parent *etree.Element, name string, v int64) {
	parent.CreateElement(name).SetText(strconv.FormatInt(v, 10))
}

// Bool adds a true or false child.
func (w *Writer) Bool(parent *etree.Element, name string, v bool) {
	parent.CreateElement(name).SetText(strconv.FormatBool(v))
}
