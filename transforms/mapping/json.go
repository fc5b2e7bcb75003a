package mapping

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/uifsagw/uifsagw/transforms/internal/v1tx"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/strictjson"
)

// jv is a JSON value that keeps its keys in order and remembers whether the
// mapping read it, so that everything it did not read can be reported.
type jv struct {
	kind  byte // o object, a array, s string, n number, b boolean, z null
	keys  []string
	vals  []*jv
	arr   []*jv
	s     string
	used  bool
	cpath string
}

func (v *jv) get(k string) *jv {
	for i, key := range v.keys {
		if key == k {
			return v.vals[i]
		}
	}
	return nil
}

func (v *jv) use(cpath string) {
	if !v.used {
		v.used, v.cpath = true, cpath
	}
}

func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

type jsonParser struct {
	src   []byte
	dec   *json.Decoder
	max   int
	depth int
}

type parseError struct {
	ptr, reason string
}

func (p *jsonParser) value(ptr string) (*jv, *parseError) {
	before := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &parseError{ptr, "unexpected end of JSON"}
		}
		return nil, &parseError{ptr, fmt.Sprintf("malformed JSON at offset %d: %v", p.dec.InputOffset(), err)}
	}
	switch t := tok.(type) {
	case json.Delim:
		p.depth++
		if p.depth > p.max {
			return nil, &parseError{ptr, fmt.Sprintf("nested deeper than %d", p.max)}
		}
		defer func() { p.depth-- }()
		if t == '{' {
			v := &jv{kind: 'o'}
			for p.dec.More() {
				kbefore := p.dec.InputOffset()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, &parseError{ptr, fmt.Sprintf("malformed JSON at offset %d: %v", p.dec.InputOffset(), err)}
				}
				k, _ := kt.(string)
				if strings.ContainsRune(k, utf8.RuneError) && strictjson.LoneSurrogate(p.src[kbefore:p.dec.InputOffset()]) {
					return nil, &parseError{ptr, strictjson.LoneSurrogateReason}
				}
				kp := ptr + "/" + escapePointer(k)
				if v.get(k) != nil {
					return nil, &parseError{kp, "duplicate key"}
				}
				child, perr := p.value(kp)
				if perr != nil {
					return nil, perr
				}
				v.keys, v.vals = append(v.keys, k), append(v.vals, child)
			}
			_, err := p.dec.Token()
			if err != nil {
				return nil, &parseError{ptr, fmt.Sprintf("malformed JSON at offset %d: %v", p.dec.InputOffset(), err)}
			}
			return v, nil
		}
		v := &jv{kind: 'a'}
		for i := 0; p.dec.More(); i++ {
			child, perr := p.value(ptr + "/" + strconv.Itoa(i))
			if perr != nil {
				return nil, perr
			}
			v.arr = append(v.arr, child)
		}
		if _, err := p.dec.Token(); err != nil {
			return nil, &parseError{ptr, fmt.Sprintf("malformed JSON at offset %d: %v", p.dec.InputOffset(), err)}
		}
		return v, nil
	case string:
		if strings.ContainsRune(t, utf8.RuneError) && strictjson.LoneSurrogate(p.src[before:p.dec.InputOffset()]) {
			return nil, &parseError{ptr, strictjson.LoneSurrogateReason}
		}
		return &jv{kind: 's', s: t}, nil
	case json.Number:
		return &jv{kind: 'n', s: string(t)}, nil
	case bool:
		return &jv{kind: 'b', s: strconv.FormatBool(t)}, nil
	}
	return &jv{kind: 'z'}, nil
}

// parseJSON reads b under the same rules as json-transaction/1: size, NUL,
// UTF-8, depth, duplicate keys and trailing data.
func parseJSON(b []byte, lim strictjson.Limits) (*jv, *parseError) {
	lim, err := strictjson.Precheck(b, lim)
	if err != nil {
		return nil, &parseError{"", err.Error()}
	}
	p := &jsonParser{src: b, dec: json.NewDecoder(bytes.NewReader(b)), max: lim.MaxDepth}
	p.dec.UseNumber()
	v, perr := p.value("")
	if perr != nil {
		return nil, perr
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &parseError{"", "trailing data after the JSON value"}
	}
	return v, nil
}

type jsonSrc struct {
	d   *decoder
	v   *jv
	ptr string
}

func (j jsonSrc) walk(path []string, cpath string) (*jv, string, bool) {
	cur, p := j.v, j.ptr
	for _, seg := range path {
		if cur.kind != 'o' {
			j.d.add(p, cpath, "must be an object")
			return nil, p, false
		}
		cur.use(cpath)
		next := cur.get(seg)
		p += "/" + escapePointer(seg)
		if next == nil {
			return nil, p, false
		}
		cur = next
	}
	return cur, p, true
}

func (j jsonSrc) where(path []string) string {
	p := j.ptr
	for _, seg := range path {
		p += "/" + escapePointer(seg)
	}
	return p
}

func (j jsonSrc) group(path []string, cpath string) (source, bool) {
	v, p, ok := j.walk(path, cpath)
	if !ok {
		return nil, false
	}
	if v.kind != 'o' {
		v.use(cpath)
		j.d.add(p, cpath, "must be an object")
		return nil, false
	}
	v.use(cpath)
	return jsonSrc{j.d, v, p}, true
}

func (j jsonSrc) items(path []string, cpath string) []source {
	v, p, ok := j.walk(path, cpath)
	if !ok {
		return nil
	}
	v.use(cpath)
	if v.kind != 'a' {
		j.d.add(p, cpath, "must be an array")
		return nil
	}
	out := make([]source, len(v.arr))
	for i, it := range v.arr {
		icpath := fmt.Sprintf("%s[%d]", cpath, i)
		it.use(icpath)
		out[i] = jsonSrc{j.d, it, p + "/" + strconv.Itoa(i)}
	}
	return out
}

func (j jsonSrc) leaf(path []string, cpath string) (string, jsonKind, string, bool, bool) {
	v, p, ok := j.walk(path, cpath)
	if !ok {
		return "", jString, p, false, false
	}
	v.use(cpath)
	switch v.kind {
	case 's':
		return v.s, jString, p, v.s != "", false
	case 'n':
		return v.s, jNumber, p, true, false
	case 'b':
		return v.s, jBool, p, true, false
	case 'z':
		j.d.add(p, cpath, "null not allowed; leave the field out instead")
	default:
		j.d.add(p, cpath, "must be a single value, not an object or array")
	}
	return "", jString, p, false, true
}

// unread reports every value the mapping did not read.
func unread(v *jv, ptr string, d *decoder) {
	switch v.kind {
	case 'o':
		for i, k := range v.keys {
			c, kp := v.vals[i], ptr+"/"+escapePointer(k)
			if !c.used {
				d.add(kp, v.cpath, "unknown field")
				continue
			}
			unread(c, kp, d)
		}
	case 'a':
		for i, c := range v.arr {
			unread(c, ptr+"/"+strconv.Itoa(i), d)
		}
	}
}

func (m *Mapping) decodeJSON(b []byte) (v1tx.Transaction, canonical.FieldErrors) {
	root, perr := parseJSON(b, m.jsonLimits())
	if perr != nil {
		return v1tx.Transaction{}, canonical.FieldErrors{{Path: "", PartnerPath: perr.ptr, Reason: perr.reason}}
	}
	d := &decoder{m: m}
	if root.kind != 'o' {
		return v1tx.Transaction{}, canonical.FieldErrors{{Reason: "must be a JSON object"}}
	}
	root.use("")
	var t v1tx.Transaction
	d.node(m.root, jsonSrc{d, root, ""}, reflect.ValueOf(&t).Elem(), "")
	unread(root, "", d)
	if len(d.errs) == 0 {
		return t, nil
	}
	return t, d.errs
}

type jsonSink struct {
	v    *jv
	errs *[]error
}

func (j jsonSink) child(v *jv, k string, kind byte) *jv {
	if c := v.get(k); c != nil {
		if c.kind != kind {
			*j.errs = append(*j.errs, fmt.Errorf("dialect writes two different kinds of value at %q", k))
		}
		return c
	}
	c := &jv{kind: kind}
	v.keys, v.vals = append(v.keys, k), append(v.vals, c)
	return c
}

func (j jsonSink) walk(path []string) *jv {
	cur := j.v
	for _, seg := range path {
		cur = j.child(cur, seg, 'o')
	}
	return cur
}

func (j jsonSink) group(path []string) sink { return jsonSink{j.walk(path), j.errs} }

func (j jsonSink) array(path []string) *jv {
	return j.child(j.walk(path[:len(path)-1]), path[len(path)-1], 'a')
}

func (j jsonSink) item(path []string) sink {
	arr := j.array(path)
	it := &jv{kind: 'o'}
	arr.arr = append(arr.arr, it)
	return jsonSink{it, j.errs}
}

func scalar(val string, kind jsonKind) *jv {
	switch kind {
	case jNumber:
		return &jv{kind: 'n', s: val}
	case jBool:
		return &jv{kind: 'b', s: val}
	}
	return &jv{kind: 's', s: val}
}

func (j jsonSink) scalarItem(path []string, val string, kind jsonKind) {
	if !utf8.ValidString(val) {
		*j.errs = append(*j.errs, fmt.Errorf("%s: not valid UTF-8", strings.Join(path, "/")))
		return
	}
	arr := j.array(path)
	arr.arr = append(arr.arr, scalar(val, kind))
}

func (j jsonSink) set(path []string, val string, kind jsonKind) {
	if len(path) == 0 {
		*j.errs = append(*j.errs, errors.New("a value needs a key in a JSON dialect"))
		return
	}
	if !utf8.ValidString(val) {
		// encoding/json would write U+FFFD instead, changing the value.
		*j.errs = append(*j.errs, fmt.Errorf("%s: not valid UTF-8", strings.Join(path, "/")))
		return
	}
	parent := j.walk(path[:len(path)-1])
	k := path[len(path)-1]
	if parent.get(k) != nil {
		*j.errs = append(*j.errs, fmt.Errorf("dialect writes %q twice", k))
		return
	}
	parent.keys, parent.vals = append(parent.keys, k), append(parent.vals, scalar(val, kind))
}

func (j jsonSink) err() error { return errors.Join(*j.errs...) }

func writeJSON(buf *bytes.Buffer, v *jv) {
	switch v.kind {
	case 'o':
		buf.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			buf.Write(kb)
			buf.WriteByte(':')
			writeJSON(buf, v.vals[i])
		}
		buf.WriteByte('}')
	case 'a':
		buf.WriteByte('[')
		for i, c := range v.arr {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, c)
		}
		buf.WriteByte(']')
	case 's':
		sb, _ := json.Marshal(v.s)
		buf.Write(sb)
	case 'n', 'b':
		buf.WriteString(v.s)
	default:
		buf.WriteString("null")
	}
}

func (m *Mapping) encodeJSON(t v1tx.Transaction) ([]byte, error) {
	root := &jv{kind: 'o'}
	var errs []error
	if err := encodeNode(m.root, reflect.ValueOf(t), jsonSink{root, &errs}, ""); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	writeJSON(&buf, root)
	return buf.Bytes(), nil
}
