// Package mapping decodes and encodes partner dialects described by a
// declarative YAML mapping instead of code: a partner whose XML or JSON
// differs from ours gets a mapping file, not a new codec package.
//
// A mapping is a tree of nodes. Each node names where it sits in the partner's
// document ("from", relative to its parent) and where its data goes in the
// canonical model ("to", a dotted path of JSON field names relative to its
// parent, e.g. "header" or "paymentAddress"). A node holds fields (one value
// each), groups (nested nodes) and lists (repeated nodes or, with "value",
// repeated single values). Paths are element paths for XML ("Envelope/From",
// "@attr" for an attribute, "." for the element itself) and JSON pointers for
// JSON ("/envelope/from", "" for the value itself).
//
// Fields may translate code words ("WEEKLY" -> "W"), parse dates with a
// layout ("01/02/2006"), read money as dollars or cents, number list
// positions from 1 (indexBase), take a default and be required. Every
// translation is invertible, so a reply is written back in the partner's
// dialect with the same mapping; Load refuses mappings that could not round
// trip (ambiguous code words, an optional block whose element other fields
// also write).
//
// Decoding is as strict as our own formats: the same hostile-input checks,
// unknown elements, attributes and JSON fields reported with their partner
// path, and every FieldError carrying both the partner path and the canonical
// path.
package mapping

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/uifsagw/uifsagw/transforms/internal/v1tx"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/internal/safexml"
	"github.com/uifsagw/uifsagw/transforms/internal/strictjson"
)

// Spec is the YAML form of a mapping.
type Spec struct {
	// Format is the versioned format name, e.g. "nj-xml/2".
	Format string `yaml:"format"`
	// Kind is xml or json.
	Kind        string `yaml:"kind"`
	ContentType string `yaml:"contentType"`
	// Root is the XML root element name; Namespace its namespace (may be
	// empty for documents without one).
	Root      string `yaml:"root"`
	Namespace string `yaml:"namespace"`
	// RootAttributes are fixed attributes of the XML root: required with
	// exactly these values when decoding, written when encoding.
	RootAttributes map[string]string `yaml:"rootAttributes"`
	// DateLayout and Money are the defaults for every field (Go time layout;
	// dollars or cents). Their defaults are 2006-01-02 and dollars.
	DateLayout string `yaml:"dateLayout"`
	Money      string `yaml:"money"`
	MaxBytes   int    `yaml:"maxBytes"`
	MaxDepth   int    `yaml:"maxDepth"`
	// Map is the root node; its "to" is the transaction itself.
	Map NodeSpec `yaml:"map"`
}

// NodeSpec is a group, a list, or the root.
type NodeSpec struct {
	From   string      `yaml:"from"`
	To     string      `yaml:"to"`
	Fields []FieldSpec `yaml:"fields"`
	Groups []NodeSpec  `yaml:"groups"`
	Lists  []NodeSpec  `yaml:"lists"`
	// Value makes a list of single values (e.g. the children an order covers);
	// its From is relative to each item and usually "." or "".
	Value *FieldSpec `yaml:"value"`
}

// FieldSpec maps one value.
type FieldSpec struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
	// Codes translates partner words to canonical values; it must be one to one.
	Codes      map[string]string `yaml:"codes"`
	DateLayout string            `yaml:"dateLayout"`
	Money      string            `yaml:"money"`
	// Default is a canonical value ("NA", "true", "2026-01-31", cents for
	// money) used when the partner leaves the field out.
	Default  string `yaml:"default"`
	Required bool   `yaml:"required"`
	// IndexBase is added to integers on the partner side: 1 when the partner
	// numbers participants from 1.
	IndexBase int `yaml:"indexBase"`
	// JSONType is how the value is written in JSON: string, number or
	// boolean. It defaults from the canonical type (string for text, codes
	// and dates; number for amounts and integers; boolean for flags).
	JSONType string `yaml:"jsonType"`
}

// Mapping is a loaded, checked mapping.
type Mapping struct {
	spec Spec
	root *node
	xml  bool
}

type leafKind int

const (
	kString leafKind = iota
	kDate
	kDatePtr
	kCents
	kInt
	kBool
)

type jsonKind byte

const (
	jString jsonKind = 's'
	jNumber jsonKind = 'n'
	jBool   jsonKind = 'b'
)

type node struct {
	from   []string // parsed source path; nil for the node's own element
	to     []int    // struct field indexes from the parent
	toName string
	ptr    bool // the target is a pointer to a struct: present only if from is present
	fields []*field
	groups []*node
	lists  []*node
	list   bool
	elem   reflect.Type // list element type
	value  *field       // list of single values
}

type field struct {
	from     []string
	to       []int
	toName   string
	kind     leafKind
	bits     int
	codes    map[string]string
	inverse  map[string]string
	layout   string
	cents    bool
	def      string
	hasDef   bool
	required bool
	base     int64
	json     jsonKind
}

// Load parses and checks a YAML mapping.
func Load(yamlBytes []byte) (*Mapping, error) {
	var s Spec
	dec := yaml.NewDecoder(bytes.NewReader(yamlBytes))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	return Compile(s)
}

// Compile checks a Spec and prepares it for use.
func Compile(s Spec) (*Mapping, error) {
	m := &Mapping{spec: s}
	switch s.Kind {
	case "xml":
		m.xml = true
		if s.Root == "" {
			return nil, errors.New("mapping: root is required for kind xml")
		}
		if s.ContentType == "" {
			m.spec.ContentType = "application/xml"
		}
	case "json":
		if s.Root != "" || s.Namespace != "" || len(s.RootAttributes) > 0 {
			return nil, errors.New("mapping: root, namespace and rootAttributes apply to kind xml only")
		}
		if s.ContentType == "" {
			m.spec.ContentType = "application/json"
		}
	default:
		return nil, fmt.Errorf("mapping: kind must be xml or json, got %q", s.Kind)
	}
	if s.Format == "" {
		return nil, errors.New("mapping: format is required (e.g. nj-xml/2)")
	}
	if m.spec.DateLayout == "" {
		m.spec.DateLayout = time.DateOnly
	}
	if m.spec.Money == "" {
		m.spec.Money = "dollars"
	}
	if s.Map.From != "" || s.Map.To != "" {
		return nil, errors.New("mapping: the root node (map) takes no from or to; it is the whole document and the whole transaction")
	}
	c := &compiler{m: m, parents: map[*node]*node{}}
	root, err := c.node(s.Map, reflect.TypeFor[v1tx.Transaction](), "", false)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", s.Format, err)
	}
	m.root = root
	if err := c.checkOptionalGroups(); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", s.Format, err)
	}
	return m, nil
}

type compiler struct {
	m *Mapping
	// sources records every absolute source path with the optional group it
	// sits in, to refuse optional groups whose element others also write.
	sources  []sourceUse
	optional []sourceUse
	// stack holds the nodes being compiled; parents links each optional
	// group or list to the optional group or list around it.
	stack   []*node
	parents map[*node]*node
}

type sourceUse struct {
	path  string
	owner *node // innermost optional group, or nil
	what  string
}

func (c *compiler) parsePath(p string) ([]string, error) {
	if c.m.xml {
		if p == "" || p == "." {
			return nil, nil
		}
		segs := strings.Split(p, "/")
		for i, s := range segs {
			if s == "" || s == "." || s == ".." {
				return nil, fmt.Errorf("path %q: empty, . or .. segment", p)
			}
			if strings.HasPrefix(s, "@") && i != len(segs)-1 {
				return nil, fmt.Errorf("path %q: an attribute must come last", p)
			}
		}
		return segs, nil
	}
	if p == "" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("path %q: a JSON pointer starts with /", p)
	}
	segs := strings.Split(p[1:], "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs, nil
}

// resolve follows a dotted path of JSON names from t.
func resolve(t reflect.Type, path string) ([]int, reflect.Type, error) {
	if path == "" {
		return nil, t, nil
	}
	var idx []int
	for _, name := range strings.Split(path, ".") {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == reflect.TypeFor[canonical.Date]() {
			return nil, nil, fmt.Errorf("canonical path %q: %s has no fields", path, t)
		}
		found := false
		for i := 0; i < t.NumField(); i++ {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if tag == name {
				idx = append(idx, i)
				t = t.Field(i).Type
				found = true
				break
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("canonical path %q: no field %q", path, name)
		}
	}
	return idx, t, nil
}

func joinPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "/" + b
}

func (c *compiler) node(ns NodeSpec, parent reflect.Type, absFrom string, isList bool) (*node, error) {
	n := &node{toName: ns.To, list: isList}
	var err error
	if n.from, err = c.parsePath(ns.From); err != nil {
		return nil, err
	}
	idx, t, err := resolve(parent, ns.To)
	if err != nil {
		return nil, err
	}
	n.to = idx
	where := ns.To
	if where == "" {
		where = "(root)"
	}
	if isList {
		if t.Kind() != reflect.Slice {
			return nil, fmt.Errorf("list %s: target is not a list", where)
		}
		if len(n.from) == 0 {
			return nil, fmt.Errorf("list %s: from is required", where)
		}
		n.elem = t.Elem()
		t = t.Elem()
		if ns.Value != nil {
			if len(ns.Fields)+len(ns.Groups)+len(ns.Lists) > 0 {
				return nil, fmt.Errorf("list %s: value excludes fields, groups and lists", where)
			}
			if ns.Value.To != "" {
				return nil, fmt.Errorf("list %s: value has no to", where)
			}
			f, err := c.field(*ns.Value, t, joinPath(absFrom, ns.From))
			if err != nil {
				return nil, fmt.Errorf("list %s: %w", where, err)
			}
			n.value = f
			return n, nil
		}
	} else if ns.Value != nil {
		return nil, fmt.Errorf("group %s: value applies to lists only", where)
	}
	if t.Kind() == reflect.Pointer && !isList {
		n.ptr = true
		t = t.Elem()
		if len(n.from) == 0 {
			return nil, fmt.Errorf("group %s is optional in the canonical model, so it needs its own from: its presence says whether the block is present", where)
		}
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[canonical.Date]() {
		return nil, fmt.Errorf("%s: target is not a block; map it as a field", where)
	}
	abs := joinPath(absFrom, ns.From)
	if n.ptr || n.list {
		c.parents[n] = c.currentOwner(nil)
	}
	if n.ptr {
		c.optional = append(c.optional, sourceUse{path: abs, owner: n, what: "group " + where})
	}
	owner := c.currentOwner(n)
	c.sources = append(c.sources, sourceUse{path: abs, owner: owner, what: "group " + where})
	c.push(n)
	defer c.pop()
	for _, fs := range ns.Fields {
		f, err := c.field(fs, t, abs)
		if err != nil {
			return nil, err
		}
		n.fields = append(n.fields, f)
	}
	for _, gs := range ns.Groups {
		g, err := c.node(gs, t, abs, false)
		if err != nil {
			return nil, err
		}
		n.groups = append(n.groups, g)
	}
	for _, ls := range ns.Lists {
		l, err := c.node(ls, t, abs, true)
		if err != nil {
			return nil, err
		}
		n.lists = append(n.lists, l)
	}
	return n, nil
}

func (c *compiler) push(n *node) { c.stack = append(c.stack, n) }
func (c *compiler) pop()         { c.stack = c.stack[:len(c.stack)-1] }

func (c *compiler) currentOwner(self *node) *node {
	if self != nil && (self.ptr || self.list) {
		return self
	}
	for i := len(c.stack) - 1; i >= 0; i-- {
		if c.stack[i].ptr || c.stack[i].list {
			return c.stack[i]
		}
	}
	return nil
}

// checkOptionalGroups refuses a mapping in which something outside an
// optional group writes into that group's element: encoding an absent block
// would create the element, and decoding it back would invent the block.
func (c *compiler) checkOptionalGroups() error {
	for _, og := range c.optional {
		for _, s := range c.sources {
			if s.owner == og.owner || c.inside(s.owner, og.owner) {
				continue
			}
			if s.path == og.path || strings.HasPrefix(s.path, og.path+"/") {
				return fmt.Errorf("%s uses %q, inside the element of %s (%q); an optional block needs an element of its own", s.what, s.path, og.what, og.path)
			}
		}
	}
	return nil
}

// inside reports whether owner a is nested in b (recorded in parents).
func (c *compiler) inside(a, b *node) bool {
	for a != nil {
		p, ok := c.parents[a]
		if !ok {
			return false
		}
		if p == b {
			return true
		}
		a = p
	}
	return false
}

func (c *compiler) field(fs FieldSpec, parent reflect.Type, absFrom string) (*field, error) {
	f := &field{toName: fs.To, required: fs.Required, base: int64(fs.IndexBase)}
	var err error
	if f.from, err = c.parsePath(fs.From); err != nil {
		return nil, err
	}
	where := fs.To
	if where == "" {
		where = "value"
	}
	idx, t, err := resolve(parent, fs.To)
	if err != nil {
		return nil, err
	}
	f.to = idx
	switch {
	case t == reflect.TypeFor[canonical.Date]():
		f.kind = kDate
	case t == reflect.TypeFor[*canonical.Date]():
		f.kind = kDatePtr
	case t == reflect.TypeFor[canonical.Cents]():
		f.kind = kCents
	case t.Kind() == reflect.String:
		f.kind = kString
	case t.Kind() == reflect.Bool:
		f.kind = kBool
	case t.Kind() == reflect.Int64:
		f.kind, f.bits = kInt, 64
	case t.Kind() == reflect.Int:
		f.kind, f.bits = kInt, 32
	default:
		return nil, fmt.Errorf("field %s: %s is not a single value; map it as a group or list", where, t)
	}
	if f.base != 0 && f.kind != kInt {
		return nil, fmt.Errorf("field %s: indexBase applies to integers only", where)
	}
	f.layout = fs.DateLayout
	if f.layout == "" {
		f.layout = c.m.spec.DateLayout
	}
	if fs.DateLayout != "" && f.kind != kDate && f.kind != kDatePtr {
		return nil, fmt.Errorf("field %s: dateLayout applies to dates only", where)
	}
	if f.kind == kDate || f.kind == kDatePtr {
		// A layout must carry a four-digit year, month and day, or dates
		// could not be written back exactly.
		probe := time.Date(1931, 12, 29, 0, 0, 0, 0, time.UTC)
		back, err := time.Parse(f.layout, probe.Format(f.layout))
		if err != nil || !back.Equal(probe) {
			return nil, fmt.Errorf("field %s: date layout %q must hold a 4-digit year (2006), month (01) and day (02)", where, f.layout)
		}
	}
	money := fs.Money
	if money == "" {
		money = c.m.spec.Money
	}
	if fs.Money != "" && f.kind != kCents {
		return nil, fmt.Errorf("field %s: money applies to amounts only", where)
	}
	switch money {
	case "dollars":
	case "cents":
		f.cents = true
	default:
		return nil, fmt.Errorf("field %s: money must be dollars or cents, got %q", where, money)
	}
	if len(fs.Codes) > 0 {
		if f.kind != kString && f.kind != kBool {
			return nil, fmt.Errorf("field %s: codes apply to text, codes and flags only", where)
		}
		f.codes = fs.Codes
		f.inverse = make(map[string]string, len(fs.Codes))
		words := make([]string, 0, len(fs.Codes))
		for w := range fs.Codes {
			words = append(words, w)
		}
		slices.Sort(words)
		for _, w := range words {
			v := fs.Codes[w]
			if w == "" {
				return nil, fmt.Errorf("field %s: empty code word", where)
			}
			if prev, dup := f.inverse[v]; dup {
				return nil, fmt.Errorf("field %s: code words %q and %q both mean %q; a reply could not choose", where, prev, w, v)
			}
			if f.kind == kBool && v != "true" && v != "false" {
				return nil, fmt.Errorf("field %s: a flag's code word must mean true or false, not %q", where, v)
			}
			f.inverse[v] = w
		}
	}
	switch fs.JSONType {
	case "":
		switch {
		case f.codes != nil, f.kind == kString, f.kind == kDate, f.kind == kDatePtr:
			f.json = jString
		case f.kind == kBool:
			f.json = jBool
		default:
			f.json = jNumber
		}
	case "string":
		f.json = jString
	case "number":
		if f.kind != kCents && f.kind != kInt {
			return nil, fmt.Errorf("field %s: jsonType number applies to amounts and integers", where)
		}
		f.json = jNumber
	case "boolean":
		if f.kind != kBool || f.codes != nil {
			return nil, fmt.Errorf("field %s: jsonType boolean applies to flags without codes", where)
		}
		f.json = jBool
	default:
		return nil, fmt.Errorf("field %s: jsonType must be string, number or boolean", where)
	}
	if fs.JSONType != "" && c.m.xml {
		return nil, fmt.Errorf("field %s: jsonType applies to kind json only", where)
	}
	if fs.Default != "" {
		if _, err := f.parseCanonical(fs.Default); err != nil {
			return nil, fmt.Errorf("field %s: default: %w", where, err)
		}
		f.def, f.hasDef = fs.Default, true
	}
	c.sources = append(c.sources, sourceUse{path: joinPath(absFrom, fs.From), owner: c.currentOwner(nil), what: "field " + where})
	return f, nil
}

// Format returns the mapping's format name.
func (m *Mapping) Format() string { return m.spec.Format }

// Codec returns a codec for the mapping under name, or under the mapping's
// own format name when name is empty.
func (m *Mapping) Codec(name string) transforms.Codec {
	if name == "" {
		name = m.spec.Format
	}
	return &codec{m: m, name: name}
}

type codec struct {
	m    *Mapping
	name string
}

func (c *codec) Format() string      { return c.name }
func (c *codec) ContentType() string { return c.m.spec.ContentType }

// Decode reads the partner's document. A dialect maps onto the /1 model
// (transforms/internal/v1tx), which it was written for, and the result is
// converted to the federal model as the /1 formats are.
func (c *codec) Decode(b []byte) (canonical.Transaction, canonical.FieldErrors) {
	var (
		v    v1tx.Transaction
		errs canonical.FieldErrors
	)
	if c.m.xml {
		v, errs = c.m.decodeXML(b)
	} else {
		v, errs = c.m.decodeJSON(b)
	}
	if len(errs) > 0 {
		return canonical.Transaction{}, errs
	}
	return v1tx.ToCanonical(v)
}

func (c *codec) Encode(t canonical.Transaction) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	v := v1tx.FromCanonical(t)
	if c.m.xml {
		b, err = c.m.encodeXML(v)
	} else {
		b, err = c.m.encodeJSON(v)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	return b, nil
}

func (m *Mapping) xmlLimits() safexml.Limits {
	return safexml.Limits{MaxBytes: m.spec.MaxBytes, MaxDepth: m.spec.MaxDepth}
}

func (m *Mapping) jsonLimits() strictjson.Limits {
	return strictjson.Limits{MaxBytes: m.spec.MaxBytes, MaxDepth: m.spec.MaxDepth}
}
