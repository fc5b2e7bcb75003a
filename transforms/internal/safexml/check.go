// Package safexml is the safe front door of every XML format: a pre-scan that
// refuses hostile documents before a tree is built, a strict reader that
// walks an etree document and reports unknown or repeated elements with their
// paths, and a writer that produces deterministic, well-formed output.
package safexml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"
)

// Default limits. One interstate transaction is a few kilobytes; a megabyte
// leaves room for long free text while bounding the work one request causes.
const (
	DefaultMaxBytes = 1 << 20
	DefaultMaxDepth = 32
)

// Limits bound what Check accepts. Zero fields take the defaults.
type Limits struct {
	MaxBytes int
	MaxDepth int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Check refuses input that is too large, not UTF-8, holds a NUL byte, has a
// DOCTYPE or ENTITY declaration (billion laughs, external entities), a
// processing instruction other than the XML declaration, nesting deeper than
// the limit, or is not one well-formed element. It runs before any tree is
// built, so a hostile document costs one streaming pass and no allocation
// proportional to its expansion.
//
// A UTF-8 byte-order mark before the document is allowed (XML 1.0 §4.3.3)
// and skipped; one anywhere else is text like any other.
func Check(b []byte, lim Limits) error {
	b, lim, err := checkBytes(b, lim)
	if err != nil {
		return err
	}
	d := newDecoder(b)
	depth, roots, first := 0, 0, true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("malformed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			// Only the XML declaration, and only as the very first thing.
			if t.Target != "xml" || !first {
				return fmt.Errorf("processing instruction <?%s?> not allowed (line %d)", t.Target, line(d, b))
			}
		case xml.Directive:
			return fmt.Errorf("DOCTYPE and ENTITY declarations are not allowed (line %d)", line(d, b))
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return fmt.Errorf("more than one root element (line %d)", line(d, b))
				}
			}
			depth++
			if depth > lim.MaxDepth {
				return fmt.Errorf("elements nested deeper than %d (line %d)", lim.MaxDepth, line(d, b))
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("text outside the root element (line %d)", line(d, b))
			}
		}
		first = false
	}
	if roots == 0 {
		return errors.New("no root element")
	}
	return nil
}

// checkBytes is the part of Check that needs no parser: the limits on size,
// NUL bytes and UTF-8. It returns b without its byte-order mark.
func checkBytes(b []byte, lim Limits) ([]byte, Limits, error) {
	b = StripBOM(b)
	lim = lim.withDefaults()
	if len(b) > lim.MaxBytes {
		return nil, lim, fmt.Errorf("document of %d bytes exceeds the limit of %d bytes", len(b), lim.MaxBytes)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return nil, lim, fmt.Errorf("NUL byte at offset %d", i)
	}
	if !utf8.Valid(b) {
		return nil, lim, fmt.Errorf("not valid UTF-8 at offset %d", invalidUTF8Offset(b))
	}
	return b, lim, nil
}

func newDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		// The bytes were checked as UTF-8 before; a declaration naming another
		// charset would make a reader decode them differently than we did.
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8") {
			return input, nil
		}
		return nil, fmt.Errorf("encoding %q not supported; use UTF-8", charset)
	}
	return d
}

// line returns the 1-based line of the decoder's position, for messages.
func line(d *xml.Decoder, b []byte) int {
	off := int(d.InputOffset())
	if off > len(b) {
		off = len(b)
	}
	return bytes.Count(b[:off], []byte{'\n'}) + 1
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// utf8BOM is the UTF-8 encoding of U+FEFF, which some systems write first.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// StripBOM returns b without one leading UTF-8 byte-order mark.
func StripBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }

// Parse refuses what Check refuses, with the same messages, and otherwise
// returns the etree document. It makes one pass: the checks run on each
// token as the tree is built (a tree is bounded by MaxBytes, and no entity
// is ever expanded), where a Check followed by etree's own parse read every
// document twice, a sixth of intake's CPU for an XML message (issue 19).
func Parse(b []byte, lim Limits) (*etree.Document, error) {
	b, lim, err := checkBytes(b, lim)
	if err != nil {
		return nil, err
	}
	d := newDecoder(b)
	doc := etree.NewDocument()
	// stack[len-1] is the element tokens are added to; the document first.
	stack := []*etree.Element{&doc.Element}
	roots, first := 0, true
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed XML: %w", err)
		}
		top := stack[len(stack)-1]
		depth := len(stack) - 1
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target != "xml" || !first {
				return nil, fmt.Errorf("processing instruction <?%s?> not allowed (line %d)", t.Target, line(d, b))
			}
			top.CreateProcInst(t.Target, string(t.Inst))
		case xml.Directive:
			return nil, fmt.Errorf("DOCTYPE and ENTITY declarations are not allowed (line %d)", line(d, b))
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return nil, fmt.Errorf("more than one root element (line %d)", line(d, b))
				}
			}
			if depth+1 > lim.MaxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d (line %d)", lim.MaxDepth, line(d, b))
			}
			// The names are set as the decoder read them (prefix, local
			// name), as etree's own reader does; CreateElement would split
			// a name holding a colon differently.
			e := top.CreateElement("x")
			e.Space, e.Tag = t.Name.Space, t.Name.Local
			for _, a := range t.Attr {
				setAttr(e, a)
			}
			stack = append(stack, e)
		case xml.EndElement:
			// RawToken leaves matching start and end tags to its caller.
			// RawToken leaves matching start and end tags to its caller; the
			// messages are those of the decoder's Token, which Check uses.
			if msg := endMismatch(depth, top, t.Name); msg != "" {
				return nil, fmt.Errorf("malformed XML: %w", &xml.SyntaxError{Msg: msg, Line: line(d, b)})
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("text outside the root element (line %d)", line(d, b))
			}
			top.CreateText(string(t))
		case xml.Comment:
			top.CreateComment(string(t))
		}
		first = false
	}
	if len(stack) > 1 {
		return nil, fmt.Errorf("malformed XML: %w", &xml.SyntaxError{Msg: "unexpected EOF", Line: line(d, b)})
	}
	if roots == 0 || doc.Root() == nil {
		return nil, errors.New("no root element")
	}
	return doc, nil
}

// setAttr adds a to e, or replaces the value of an attribute of the same
// name, as etree's reader does.
func setAttr(e *etree.Element, a xml.Attr) {
	for i := range e.Attr {
		if e.Attr[i].Space == a.Name.Space && e.Attr[i].Key == a.Name.Local {
			e.Attr[i].Value = a.Value
			return
		}
	}
	// No real attribute name holds a NUL (checkBytes refused them), so this
	// placeholder is new; its name is then set as read.
	at := e.CreateAttr("\x00", a.Value)
	at.Space, at.Key = a.Name.Space, a.Name.Local
}

// endMismatch says why end tag name cannot close top, "" if it can.
func endMismatch(depth int, top *etree.Element, name xml.Name) string {
	switch {
	case depth == 0:
		return "unexpected end element </" + name.Local + ">"
	case top.Tag != name.Local:
		return "element <" + top.Tag + "> closed by </" + name.Local + ">"
	case top.Space != name.Space:
		ns := name.Space
		if ns == "" {
			ns = `""`
		}
		return "element <" + top.Tag + "> in space " + top.Space + " closed by </" + name.Local + "> in space " + ns
	}
	return ""
}
