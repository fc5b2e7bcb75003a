package safexml

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Reader walks an etree document strictly: the decoder asks for the elements
// it knows, and Finish reports every element and attribute nobody asked for,
// each with its XML path and the canonical path of the block it sits in.
type Reader struct {
	ns   string
	errs canonical.FieldErrors
	seen map[*etree.Element]*seenInfo
}

type seenInfo struct {
	xpath, cpath string
	leaf         bool
	attrs        map[string]bool
}

// Node is one element the decoder has read, with its paths.
type Node struct {
	r     *Reader
	E     *etree.Element
	XPath string
	CPath string
}

// NewReader returns a Reader for documents whose elements are all in ns.
func NewReader(ns string) *Reader {
	return &Reader{ns: ns, seen: make(map[*etree.Element]*seenInfo)}
}

// Add records a problem.
func (r *Reader) Add(xpath, cpath, reason string) {
	r.errs = append(r.errs, canonical.FieldError{Path: cpath, PartnerPath: xpath, Reason: reason})
}

// Root checks the root element's name and namespace and returns it. On a
// mismatch it records the problem and returns nil: nothing else in the
// document can be trusted to mean what our format says.
func (r *Reader) Root(doc *etree.Document, name string) *Node {
	e := doc.Root()
	xpath := "/" + e.Tag
	if uri := e.NamespaceURI(); uri != r.ns {
		r.Add(xpath, "", fmt.Sprintf("wrong namespace %s; want %q", quoteURI(uri), r.ns))
		return nil
	}
	if e.Tag != name {
		r.Add(xpath, "", fmt.Sprintf("root element must be %s", name))
		return nil
	}
	return r.mark(e, xpath, "", false)
}

func quoteURI(uri string) string {
	if uri == "" {
		return "(none)"
	}
	if len(uri) > 80 {
		uri = uri[:80] + "..."
	}
	return strconv.Quote(uri)
}

// mark records that e was asked for. An element reached twice (two fields
// of a mapping under one parent) keeps its first paths and the attributes
// already read, and is a leaf if either reading said so.
func (r *Reader) mark(e *etree.Element, xpath, cpath string, leaf bool) *Node {
	if info, ok := r.seen[e]; ok {
		info.leaf = info.leaf || leaf
		return &Node{r: r, E: e, XPath: info.xpath, CPath: info.cpath}
	}
	r.seen[e] = &seenInfo{xpath: xpath, cpath: cpath, leaf: leaf, attrs: map[string]bool{}}
	return &Node{r: r, E: e, XPath: xpath, CPath: cpath}
}

// Errors finishes the walk from root (which may be nil when Root failed) and
// returns every problem found.
func (r *Reader) Errors(root *Node) canonical.FieldErrors {
	if root != nil {
		r.finish(root.E)
	}
	// An element reached along several paths is reported once.
	var out canonical.FieldErrors
	seen := make(map[canonical.FieldError]bool, len(r.errs))
	for _, e := range r.errs {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

func (r *Reader) finish(e *etree.Element) {
	info := r.seen[e]
	for _, a := range e.Attr {
		if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			continue
		}
		if a.Space != "" || !info.attrs[a.Key] {
			r.Add(info.xpath+"/@"+a.FullKey(), info.cpath, "unknown attribute")
		}
	}
	if info.leaf {
		// A leaf holding elements was reported when it was read.
		return
	}
	counts := map[string]int{}
	for _, c := range e.ChildElements() {
		counts[c.FullTag()]++
	}
	idx := map[string]int{}
	for _, t := range e.Child {
		switch c := t.(type) {
		case *etree.Element:
			idx[c.FullTag()]++
			if r.seen[c] == nil {
				p := info.xpath + "/" + c.FullTag()
				if counts[c.FullTag()] > 1 {
					p += fmt.Sprintf("[%d]", idx[c.FullTag()])
				}
				reason := "unknown element"
				if uri := c.NamespaceURI(); uri != r.ns {
					reason = fmt.Sprintf("unknown element (namespace %s)", quoteURI(uri))
				}
				r.Add(p, info.cpath, reason)
				continue
			}
			r.finish(c)
		case *etree.CharData:
			if strings.TrimSpace(c.Data) != "" {
				r.Add(info.xpath, info.cpath, "unexpected text between elements")
			}
		}
	}
}

// Attr returns the unqualified attribute name and marks it as known.
func (n *Node) Attr(name string) (string, bool) {
	n.r.seen[n.E].attrs[name] = true
	for _, a := range n.E.Attr {
		if a.Space == "" && a.Key == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *Node) children(name string) []*etree.Element {
	var out []*etree.Element
	for _, c := range n.E.ChildElements() {
		if c.Tag == name && c.NamespaceURI() == n.r.ns {
			out = append(out, c)
		}
	}
	return out
}

// One returns the child element name, or nil when absent; a repeated
// element is reported and only the first is used.
func (n *Node) One(name, cpath string) *Node {
	return n.one(name, cpath, false)
}

func (n *Node) one(name, cpath string, leaf bool) *Node {
	cs := n.children(name)
	if len(cs) == 0 {
		return nil
	}
	for i, c := range cs[1:] {
		p := fmt.Sprintf("%s/%s[%d]", n.XPath, name, i+2)
		n.r.mark(c, p, cpath, true)
		n.r.Add(p, cpath, "repeated; at most one allowed")
	}
	return n.r.mark(cs[0], n.XPath+"/"+name, cpath, leaf)
}

// Many returns every child element name, with XML paths Name[1], Name[2]
// and canonical paths cbase[0], cbase[1], ...
func (n *Node) Many(name, cbase string) []*Node {
	cs := n.children(name)
	out := make([]*Node, len(cs))
	for i, c := range cs {
		out[i] = n.r.mark(c, fmt.Sprintf("%s/%s[%d]", n.XPath, name, i+1), fmt.Sprintf("%s[%d]", cbase, i), false)
	}
	return out
}

// LeafText returns the text of n, which must hold no elements.
func (n *Node) LeafText() (string, bool) {
	n.r.seen[n.E].leaf = true
	var sb strings.Builder
	for _, t := range n.E.Child {
		switch c := t.(type) {
		case *etree.CharData:
			sb.WriteString(c.Data)
		case *etree.Element:
			n.r.Add(n.XPath, n.CPath, "must hold text, not elements")
			return "", false
		}
	}
	return sb.String(), true
}

// Leaf returns the text of the child element name; ok is false when the
// element is absent, empty or could not be read.
func (n *Node) Leaf(name, cpath string) (text string, at *Node, ok bool) {
	c := n.one(name, cpath, true)
	if c == nil {
		return "", nil, false
	}
	s, ok := c.LeafText()
	if !ok || s == "" {
		return "", c, false
	}
	return s, c, true
}

// Fail records a problem at n.
func (n *Node) Fail(reason string) { n.r.Add(n.XPath, n.CPath, reason) }

// Str reads a text child.
func (n *Node) Str(name, cpath string) string {
	s, _, _ := n.Leaf(name, cpath)
	return s
}

// Date reads a YYYY-MM-DD child; absent is the zero date.
func (n *Node) Date(name, cpath string) canonical.Date {
	s, at, ok := n.Leaf(name, cpath)
	if !ok {
		return canonical.Date{}
	}
	d, err := canonical.ParseDate(s)
	if err != nil {
		at.Fail("not a date in the form YYYY-MM-DD")
		return canonical.Date{}
	}
	return d
}

// DatePtr reads an optional YYYY-MM-DD child.
func (n *Node) DatePtr(name, cpath string) *canonical.Date {
	if d := n.Date(name, cpath); !d.IsZero() {
		return &d
	}
	return nil
}

// Money reads a decimal dollar amount ("200.00") into cents.
func (n *Node) Money(name, cpath string) canonical.Cents {
	s, at, ok := n.Leaf(name, cpath)
	if !ok {
		return 0
	}
	c, err := canonical.ParseDollars(s)
	if err != nil {
		at.Fail("not an amount in dollars with at most 2 decimals (e.g. 200.00)")
		return 0
	}
	return c
}

// Int64 reads a whole number that fits in 64 bits.
func (n *Node) Int64(name, cpath string) int64 {
	return n.intBits(name, cpath, 64)
}

// Int reads a whole number that fits in 32 bits, the range every format and
// platform shares.
func (n *Node) Int(name, cpath string) int {
	return int(n.intBits(name, cpath, 32))
}

func (n *Node) intBits(name, cpath string, bits int) int64 {
	s, at, ok := n.Leaf(name, cpath)
	if !ok {
		return 0
	}
	v, err := ParseInt(s, bits)
	if err != nil {
		at.Fail(err.Error())
	}
	return v
}

// ParseInt reads an optionally negative decimal integer of the given bit
// size; it refuses signs like "+", spaces, exponents and fractions.
func ParseInt(s string, bits int) (int64, error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, fmt.Errorf("not a whole number")
	}
	v, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("number out of range")
	}
	return v, nil
}

// Bool reads an xs:boolean child: true, false, 1 or 0.
func (n *Node) Bool(name, cpath string) bool {
	s, at, ok := n.Leaf(name, cpath)
	if !ok {
		return false
	}
	switch s {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	at.Fail("must be true or false")
	return false
}

// Code reads a coded text child into its typed string.
func Code[T ~string](n *Node, name, cpath string) T { return T(n.Str(name, cpath)) }
