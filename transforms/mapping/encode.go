package mapping

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// sink is a place in the partner's document being written.
type sink interface {
	group(path []string) sink
	item(path []string) sink
	scalarItem(path []string, val string, kind jsonKind)
	set(path []string, val string, kind jsonKind)
	err() error
}

func encodeNode(n *node, v reflect.Value, sk sink, cpath string) error {
	for _, f := range n.fields {
		fv, ok := walkGet(v, f.to)
		if !ok {
			continue
		}
		s, write, err := f.format(fv)
		if err != nil {
			return fmt.Errorf("%s: %w", join(cpath, f.toName), err)
		}
		if write {
			sk.set(f.from, s, f.json)
		}
	}
	for _, g := range n.groups {
		gv, ok := walkGet(v, g.to)
		if !ok {
			continue
		}
		if g.ptr {
			if gv.IsNil() {
				continue
			}
			gv = gv.Elem()
		}
		sub := sk
		if len(g.from) > 0 {
			sub = sk.group(g.from)
		}
		if err := encodeNode(g, gv, sub, join(cpath, g.toName)); err != nil {
			return err
		}
	}
	for _, l := range n.lists {
		sv, ok := walkGet(v, l.to)
		if !ok {
			continue
		}
		lcpath := join(cpath, l.toName)
		for i := 0; i < sv.Len(); i++ {
			icpath := fmt.Sprintf("%s[%d]", lcpath, i)
			if l.value == nil {
				if err := encodeNode(l, sv.Index(i), sk.item(l.from), icpath); err != nil {
					return err
				}
				continue
			}
			s, write, err := l.value.format(sv.Index(i))
			if err != nil {
				return fmt.Errorf("%s: %w", icpath, err)
			}
			kind := l.value.json
			if !write {
				// Every item is written, so positions stay as they were.
				s, kind = "", jString
			}
			if len(l.value.from) == 0 {
				sk.scalarItem(l.from, s, kind)
			} else {
				sk.item(l.from).set(l.value.from, s, kind)
			}
		}
	}
	return sk.err()
}

// format writes a canonical value in the partner's terms; write is false when
// the value is left out (empty text, zero date, nil pointer).
func (f *field) format(v reflect.Value) (string, bool, error) {
	var s string
	switch f.kind {
	case kString:
		s = v.String()
		if s == "" {
			return "", false, nil
		}
	case kDate, kDatePtr:
		var d canonical.Date
		if f.kind == kDatePtr {
			if v.IsNil() {
				return "", false, nil
			}
			d = *(v.Interface().(*canonical.Date))
		} else {
			d = v.Interface().(canonical.Date)
			if d.IsZero() {
				return "", false, nil
			}
		}
		if d.Year < 0 || d.Year > 9999 || canonical.DateOf(d.Time()) != d {
			return "", false, fmt.Errorf("not a calendar date")
		}
		return d.Time().Format(f.layout), true, nil
	case kCents:
		if f.cents {
			return strconv.FormatInt(v.Int(), 10), true, nil
		}
		return canonical.Cents(v.Int()).Dollars(), true, nil
	case kInt:
		return strconv.FormatInt(v.Int()+f.base, 10), true, nil
	case kBool:
		s = strconv.FormatBool(v.Bool())
	}
	if f.inverse != nil {
		w, ok := f.inverse[s]
		if !ok {
			if f.kind == kBool && s == "false" {
				// A flag whose dialect only has a word for yes: leaving it
				// out means no.
				return "", false, nil
			}
			return "", false, fmt.Errorf("no code word in this dialect for %s", quoteWord(s))
		}
		s = w
	}
	return s, true, nil
}
