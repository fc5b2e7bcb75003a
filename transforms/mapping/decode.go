package mapping

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/safexml"
)

// source is a place in the partner's document.
type source interface {
	group(path []string, cpath string) (source, bool)
	items(path []string, cpath string) []source
	// leaf returns the value at path. present is false when the value is
	// absent or empty; bad is true when a problem was already reported.
	leaf(path []string, cpath string) (val string, kind jsonKind, loc string, present, bad bool)
	// where is the partner path of path below this place.
	where(path []string) string
}

// absentSrc stands for a group the partner left out whose canonical block
// always exists (the header): its required fields are reported and its
// defaults applied as if each field were missing.
type absentSrc struct {
	at   string
	json bool
}

func (a absentSrc) group(path []string, _ string) (source, bool) { return nil, false }
func (a absentSrc) items(path []string, _ string) []source       { return nil }
func (a absentSrc) leaf(path []string, _ string) (string, jsonKind, string, bool, bool) {
	return "", jString, a.where(path), false, false
}
func (a absentSrc) where(path []string) string {
	p := a.at
	for _, seg := range path {
		if a.json {
			seg = escapePointer(seg)
		}
		p += "/" + seg
	}
	return p
}

type decoder struct {
	m    *Mapping
	errs canonical.FieldErrors
}

func (d *decoder) add(loc, cpath, reason string) {
	d.errs = append(d.errs, canonical.FieldError{Path: cpath, PartnerPath: loc, Reason: reason})
}

func join(cpath, name string) string {
	switch {
	case cpath == "":
		return name
	case name == "":
		return cpath
	}
	return cpath + "." + name
}

// walkSet returns the field at idx below v, allocating pointers on the way.
func walkSet(v reflect.Value, idx []int) reflect.Value {
	for _, i := range idx {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v
}

// walkGet returns the field at idx below v, or false behind a nil pointer.
func walkGet(v reflect.Value, idx []int) (reflect.Value, bool) {
	for _, i := range idx {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

func (d *decoder) node(n *node, src source, dst reflect.Value, cpath string) {
	for _, f := range n.fields {
		d.field(f, src, dst, join(cpath, f.toName))
	}
	for _, g := range n.groups {
		gcpath := join(cpath, g.toName)
		sub := src
		if len(g.from) > 0 {
			var ok bool
			if sub, ok = src.group(g.from, gcpath); !ok {
				if g.ptr {
					continue
				}
				sub = absentSrc{at: src.where(g.from), json: !d.m.xml}
			}
		}
		gv := walkSet(dst, g.to)
		if g.ptr {
			nv := reflect.New(gv.Type().Elem())
			gv.Set(nv)
			gv = nv.Elem()
		}
		d.node(g, sub, gv, gcpath)
	}
	for _, l := range n.lists {
		lcpath := join(cpath, l.toName)
		items := src.items(l.from, lcpath)
		if len(items) == 0 {
			continue
		}
		sv := reflect.MakeSlice(reflect.SliceOf(l.elem), len(items), len(items))
		for i, it := range items {
			icpath := fmt.Sprintf("%s[%d]", lcpath, i)
			if l.value != nil {
				d.field(l.value, it, sv.Index(i), icpath)
			} else {
				d.node(l, it, sv.Index(i), icpath)
			}
		}
		walkSet(dst, l.to).Set(sv)
	}
}

// leafVal is a parsed value of any leaf kind.
type leafVal struct {
	s string
	d canonical.Date
	i int64
	b bool
}

func (d *decoder) field(f *field, src source, dst reflect.Value, cpath string) {
	val, kind, loc, present, bad := src.leaf(f.from, cpath)
	if bad {
		return
	}
	if !present {
		switch {
		case f.hasDef:
			lv, _ := f.parseCanonical(f.def)
			f.set(walkSet(dst, f.to), lv)
		case f.required:
			d.add(loc, cpath, "required")
		}
		return
	}
	if !d.m.xml && kind != f.json {
		d.add(loc, cpath, "must be a JSON "+jsonKindName(f.json))
		return
	}
	lv, err := f.parse(val)
	if err != nil {
		d.add(loc, cpath, err.Error())
		return
	}
	f.set(walkSet(dst, f.to), lv)
}

func jsonKindName(k jsonKind) string {
	switch k {
	case jNumber:
		return "number"
	case jBool:
		return "boolean"
	}
	return "string"
}

// quoteWord quotes a partner's code word for a message, cut short so that a
// hostile value cannot bloat the answer.
func quoteWord(s string) string {
	r := []rune(s)
	if len(r) > 16 {
		return strconv.Quote(string(r[:16])) + "..."
	}
	return strconv.Quote(s)
}

// parse reads a partner value.
func (f *field) parse(val string) (leafVal, error) {
	if f.codes != nil {
		c, ok := f.codes[val]
		if !ok {
			return leafVal{}, fmt.Errorf("unknown code word %s (known: %v)", quoteWord(val), f.words())
		}
		val = c
	}
	switch f.kind {
	case kDate, kDatePtr:
		t, err := time.Parse(f.layout, val)
		if err != nil {
			return leafVal{}, fmt.Errorf("not a date in the layout %s", layoutForHumans(f.layout))
		}
		return leafVal{d: canonical.DateOf(t)}, nil
	case kCents:
		if f.cents {
			v, err := safexml.ParseInt(val, 64)
			if err != nil {
				return leafVal{}, fmt.Errorf("amount in cents: %w", err)
			}
			return leafVal{i: v}, nil
		}
		c, err := canonical.ParseDollars(val)
		if err != nil {
			return leafVal{}, fmt.Errorf("not an amount in dollars with at most 2 decimals")
		}
		return leafVal{i: int64(c)}, nil
	case kInt:
		v, err := safexml.ParseInt(val, f.bits)
		if err != nil {
			return leafVal{}, err
		}
		return leafVal{i: v - f.base}, nil
	case kBool:
		switch val {
		case "true", "1":
			return leafVal{b: true}, nil
		case "false", "0":
			return leafVal{b: false}, nil
		}
		return leafVal{}, fmt.Errorf("must be true or false")
	}
	return leafVal{s: val}, nil
}

func (f *field) words() []string {
	out := make([]string, 0, len(f.codes))
	for w := range f.codes {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

func layoutForHumans(layout string) string {
	return time.Date(2006, 1, 2, 0, 0, 0, 0, time.UTC).Format(layout) + " (year 2006, month 01, day 02)"
}

// parseCanonical reads a default written in canonical terms.
func (f *field) parseCanonical(s string) (leafVal, error) {
	switch f.kind {
	case kDate, kDatePtr:
		d, err := canonical.ParseDate(s)
		return leafVal{d: d}, err
	case kCents:
		v, err := strconv.ParseInt(s, 10, 64)
		return leafVal{i: v}, err
	case kInt:
		v, err := strconv.ParseInt(s, 10, f.bits)
		return leafVal{i: v}, err
	case kBool:
		v, err := strconv.ParseBool(s)
		return leafVal{b: v}, err
	}
	return leafVal{s: s}, nil
}

func (f *field) set(target reflect.Value, lv leafVal) {
	switch f.kind {
	case kString:
		target.SetString(lv.s)
	case kDate:
		target.Set(reflect.ValueOf(lv.d))
	case kDatePtr:
		d := lv.d
		target.Set(reflect.ValueOf(&d))
	case kCents, kInt:
		target.SetInt(lv.i)
	case kBool:
		target.SetBool(lv.b)
	}
}
