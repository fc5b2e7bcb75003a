package mapping

import (
	"fmt"
	"github.com/uifsagw/uifsagw/transforms/internal/v1tx"
	"reflect"
	"slices"
	"strings"

	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/safexml"
)

type xmlSrc struct{ n *safexml.Node }

func (x xmlSrc) walk(path []string, cpath string) (*safexml.Node, bool) {
	n := x.n
	for _, seg := range path {
		if n = n.One(seg, cpath); n == nil {
			return nil, false
		}
	}
	return n, true
}

func (x xmlSrc) where(path []string) string {
	if len(path) == 0 {
		return x.n.XPath
	}
	return x.n.XPath + "/" + strings.Join(path, "/")
}

func (x xmlSrc) group(path []string, cpath string) (source, bool) {
	n, ok := x.walk(path, cpath)
	if !ok {
		return nil, false
	}
	return xmlSrc{n}, true
}

func (x xmlSrc) items(path []string, cpath string) []source {
	parent, ok := x.walk(path[:len(path)-1], cpath)
	if !ok {
		return nil
	}
	nodes := parent.Many(path[len(path)-1], cpath)
	out := make([]source, len(nodes))
	for i, n := range nodes {
		out[i] = xmlSrc{n}
	}
	return out
}

func (x xmlSrc) leaf(path []string, cpath string) (string, jsonKind, string, bool, bool) {
	if len(path) == 0 {
		s, ok := x.n.LeafText()
		return s, jString, x.n.XPath, ok && s != "", !ok
	}
	loc := x.n.XPath + "/" + strings.Join(path, "/")
	last := path[len(path)-1]
	parent, ok := x.walk(path[:len(path)-1], cpath)
	if !ok {
		return "", jString, loc, false, false
	}
	if name, isAttr := strings.CutPrefix(last, "@"); isAttr {
		v, ok := parent.Attr(name)
		return v, jString, parent.XPath + "/" + last, ok && v != "", false
	}
	s, at, ok := parent.Leaf(last, cpath)
	if at != nil {
		loc = at.XPath
	}
	return s, jString, loc, ok, false
}

func (m *Mapping) decodeXML(b []byte) (v1tx.Transaction, canonical.FieldErrors) {
	doc, err := safexml.Parse(b, m.xmlLimits())
	if err != nil {
		return v1tx.Transaction{}, canonical.FieldErrors{{Path: "", PartnerPath: "/", Reason: err.Error()}}
	}
	r := safexml.NewReader(m.spec.Namespace)
	root := r.Root(doc, m.spec.Root)
	if root == nil {
		return v1tx.Transaction{}, r.Errors(nil)
	}
	for _, k := range sortedKeys(m.spec.RootAttributes) {
		want := m.spec.RootAttributes[k]
		if got, ok := root.Attr(k); !ok || got != want {
			root.Fail(fmt.Sprintf("attribute %s must be %q", k, want))
		}
	}
	var t v1tx.Transaction
	d := &decoder{m: m}
	d.node(m.root, xmlSrc{root}, reflect.ValueOf(&t).Elem(), "")
	errs := append(r.Errors(root), d.errs...)
	if len(errs) == 0 {
		return t, nil
	}
	return t, errs
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type xmlSink struct {
	w *safexml.Writer
	e *etree.Element
}

func childOrNew(e *etree.Element, name string) *etree.Element {
	for _, c := range e.ChildElements() {
		if c.Tag == name && c.Space == "" {
			return c
		}
	}
	return e.CreateElement(name)
}

func (x xmlSink) walk(path []string) *etree.Element {
	e := x.e
	for _, seg := range path {
		e = childOrNew(e, seg)
	}
	return e
}

func (x xmlSink) group(path []string) sink { return xmlSink{x.w, x.walk(path)} }

func (x xmlSink) item(path []string) sink {
	parent := x.walk(path[:len(path)-1])
	return xmlSink{x.w, parent.CreateElement(path[len(path)-1])}
}

func (x xmlSink) scalarItem(path []string, val string, _ jsonKind) {
	x.item(path).set(nil, val, jString)
}

func (x xmlSink) set(path []string, val string, _ jsonKind) {
	if len(path) == 0 {
		x.w.SetText(x.e, val)
		return
	}
	last := path[len(path)-1]
	if name, isAttr := strings.CutPrefix(last, "@"); isAttr {
		x.w.SetAttr(x.walk(path[:len(path)-1]), name, val)
		return
	}
	x.w.SetText(x.walk(path), val)
}

func (x xmlSink) err() error { return nil }

func (m *Mapping) encodeXML(t v1tx.Transaction) ([]byte, error) {
	var attrs []string
	for _, k := range sortedKeys(m.spec.RootAttributes) {
		attrs = append(attrs, k, m.spec.RootAttributes[k])
	}
	w, root := safexml.NewWriter(m.spec.Root, m.spec.Namespace, attrs...)
	if err := encodeNode(m.root, reflect.ValueOf(t), xmlSink{w, root}, ""); err != nil {
		return nil, err
	}
	return w.Bytes()
}
