package xmltx

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/safexml"
)

// Names of xml-transaction/2: the canonical model in the federal CSENet 2000
// dictionary, as XML (schemas/xsd/xml-transaction-2.xsd). Every field of
// json-transaction/2 is an element named as the JSON field with a capital
// first letter, in the same order; a list is its items repeated, each named
// in the singular (Participant, Order, Alias). A state produces it from its
// CSENet extract field by field.
const (
	FormatV2    = "xml-transaction/2"
	NamespaceV2 = "urn:uifsagw:xml-transaction:2"
	VersionV2   = "2"
)

// V2 reads and writes xml-transaction/2.
type V2 struct {
	Limits safexml.Limits
}

// NewV2 returns an xml-transaction/2 codec with the default limits.
func NewV2() *V2 { return &V2{} }

// Format returns "xml-transaction/2".
func (*V2) Format() string { return FormatV2 }

// ContentType returns "application/xml".
func (*V2) ContentType() string { return ContentType }

// itemNames names the items of each list.
var itemNames = map[string]string{
	"participants": "Participant", "orders": "Order", "collections": "Collection", "employers": "Employer",
	"aliases": "Alias", "aliasSsns": "AliasSsn", "children": "Child",
}

var dateType = reflect.TypeFor[canonical.Date]()

// v2Field is one field of a canonical struct as xml-transaction/2 writes it.
type v2Field struct {
	index     int
	json      string
	elem      string
	omitempty bool
}

func v2Fields(t reflect.Type) []v2Field {
	var out []v2Field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		elem := strings.ToUpper(name[:1]) + name[1:]
		if f.Type.Kind() == reflect.Slice {
			elem = itemNames[name]
		}
		out = append(out, v2Field{index: i, json: name, elem: elem, omitempty: strings.Contains(opts, "omitempty")})
	}
	return out
}

func joinPath(base, name string) string {
	if base == "" {
		return name
	}
	return base + "." + name
}

// Decode reads an xml-transaction/2 document.
func (c *V2) Decode(b []byte) (canonical.Transaction, canonical.FieldErrors) {
	doc, err := safexml.Parse(b, c.Limits)
	if err != nil {
		return canonical.Transaction{}, canonical.FieldErrors{{Path: "", PartnerPath: "/", Reason: err.Error()}}
	}
	r := safexml.NewReader(NamespaceV2)
	root := r.Root(doc, "Transaction")
	if root == nil {
		return canonical.Transaction{}, r.Errors(nil)
	}
	if v, ok := root.Attr("version"); !ok || v != VersionV2 {
		root.Fail(`version attribute must be "2"`)
	}
	var t canonical.Transaction
	readStruct(root, reflect.ValueOf(&t).Elem(), "")
	if errs := r.Errors(root); len(errs) > 0 {
		return t, errs
	}
	return t, nil
}

// readStruct fills v from the children of n.
func readStruct(n *safexml.Node, v reflect.Value, cpath string) {
	for _, f := range v2Fields(v.Type()) {
		fv := v.Field(f.index)
		p := joinPath(cpath, f.json)
		if fv.Kind() == reflect.Slice {
			for i, item := range n.Many(f.elem, p) {
				ev := reflect.New(fv.Type().Elem()).Elem()
				readValue(item, ev, fmt.Sprintf("%s[%d]", p, i))
				fv.Set(reflect.Append(fv, ev))
			}
			continue
		}
		c := n.One(f.elem, p)
		if c == nil {
			continue
		}
		if fv.Kind() == reflect.Pointer {
			pv := reflect.New(fv.Type().Elem())
			if readValue(c, pv.Elem(), p) {
				fv.Set(pv)
			}
			continue
		}
		readValue(c, fv, p)
	}
}

// readValue reads the element n into v and reports whether it held a value.
func readValue(n *safexml.Node, v reflect.Value, cpath string) bool {
	if v.Kind() == reflect.Struct && v.Type() != dateType {
		readStruct(n, v, cpath)
		return true
	}
	s, ok := n.LeafText()
	if !ok {
		return false
	}
	switch {
	case v.Type() == dateType:
		if s == "" {
			n.Fail("empty date")
			return false
		}
		d, err := canonical.ParseDate(s)
		if err != nil {
			n.Fail("not a date in the form YYYY-MM-DD")
			return false
		}
		v.Set(reflect.ValueOf(d))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		bits := 64
		if v.Kind() == reflect.Int {
			bits = 32
		}
		x, err := safexml.ParseInt(s, bits)
		if err != nil {
			n.Fail(err.Error())
			return false
		}
		v.SetInt(x)
	case v.Kind() == reflect.Bool:
		switch s {
		case "true", "1":
			v.SetBool(true)
		case "false", "0":
		default:
			n.Fail("must be true or false")
			return false
		}
	default:
		n.Fail("cannot be read")
		return false
	}
	return true
}

// Encode writes t as xml-transaction/2, fields in the model's order and empty
// optional fields left out.
func (c *V2) Encode(t canonical.Transaction) ([]byte, error) {
	w, root := safexml.NewWriter("Transaction", NamespaceV2, "version", VersionV2)
	writeStruct(w, root, reflect.ValueOf(t))
	b, err := w.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", FormatV2, err)
	}
	return b, nil
}

func writeStruct(w *safexml.Writer, parent *etree.Element, v reflect.Value) {
	for _, f := range v2Fields(v.Type()) {
		fv := v.Field(f.index)
		switch {
		case fv.Kind() == reflect.Slice:
			for i := range fv.Len() {
				writeValue(w, parent, f.elem, fv.Index(i), false)
			}
		case fv.Kind() == reflect.Pointer:
			if !fv.IsNil() {
				writeValue(w, parent, f.elem, fv.Elem(), false)
			}
		default:
			writeValue(w, parent, f.elem, fv, f.omitempty)
		}
	}
}

func writeValue(w *safexml.Writer, parent *etree.Element, name string, v reflect.Value, omitempty bool) {
	switch {
	case v.Type() == dateType:
		if d := v.Interface().(canonical.Date); !d.IsZero() {
			w.Date(parent, name, d)
		}
	case v.Kind() == reflect.Struct:
		writeStruct(w, w.Elem(parent, name), v)
	case v.Kind() == reflect.String:
		// The underlying string: an SSN is written as its digits.
		w.Text(parent, name, v.String())
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		if x := v.Int(); x != 0 || !omitempty {
			w.Int(parent, name, x)
		}
	case v.Kind() == reflect.Bool:
		if v.Bool() {
			w.Bool(parent, name, true)
		}
	default:
		w.Fail(fmt.Errorf("%s: a %s cannot be written", name, v.Type()))
	}
}
