// Package strictjson decodes JSON into the canonical Go types more strictly
// than encoding/json: duplicate keys, unknown fields, null, non-integer or
// out-of-range numbers, excessive nesting, invalid UTF-8 and trailing data are
// all refused, and every problem carries both the JSON pointer of the value and
// the canonical path of the field. It walks the token stream and the Go type
// together, so the document is read once and no intermediate tree is built.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Default limits, as for the XML formats.
const (
	DefaultMaxBytes = 1 << 20
	DefaultMaxDepth = 32
)

// Limits bound what Decode accepts. Zero fields take the defaults.
type Limits struct {
	MaxBytes int
	MaxDepth int
}

// Precheck refuses input that is too large, holds a NUL byte or is not UTF-8.
// encoding/json would silently replace invalid UTF-8 in strings with U+FFFD,
// which changes what the sender signed.
func Precheck(b []byte, lim Limits) (Limits, error) {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultMaxBytes
	}
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultMaxDepth
	}
	if len(b) > lim.MaxBytes {
		return lim, fmt.Errorf("document of %d bytes exceeds the limit of %d bytes", len(b), lim.MaxBytes)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return lim, fmt.Errorf("NUL byte at offset %d", i)
	}
	if !utf8.Valid(b) {
		return lim, errors.New("not valid UTF-8")
	}
	return lim, nil
}

// fatal stops decoding: the token stream can no longer be followed.
type fatal struct{ err canonical.FieldError }

type decoder struct {
	src   []byte
	dec   *json.Decoder
	lim   Limits
	depth int
	errs  canonical.FieldErrors
}

// Decode reads b into dst, a pointer to a struct of the canonical package.
func Decode(b []byte, dst any, lim Limits) (errs canonical.FieldErrors) {
	lim, err := Precheck(b, lim)
	if err != nil {
		return canonical.FieldErrors{{Path: "", PartnerPath: "", Reason: err.Error()}}
	}
	d := &decoder{src: b, dec: json.NewDecoder(bytes.NewReader(b)), lim: lim}
	d.dec.UseNumber()
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(fatal)
			if !ok {
				panic(r)
			}
			errs = append(d.errs, f.err)
		}
	}()
	d.value(reflect.ValueOf(dst).Elem(), "", "")
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		d.stop("", "", "trailing data after the JSON value")
	}
	return d.errs
}

func (d *decoder) add(ptr, cpath, reason string) {
	d.errs = append(d.errs, canonical.FieldError{Path: cpath, PartnerPath: ptr, Reason: reason})
}

func (d *decoder) stop(ptr, cpath, reason string) {
	panic(fatal{canonical.FieldError{Path: cpath, PartnerPath: ptr, Reason: reason}})
}

func (d *decoder) token(ptr, cpath string) json.Token {
	before := d.dec.InputOffset()
	tok, err := d.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			d.stop(ptr, cpath, "unexpected end of JSON")
		}
		d.stop(ptr, cpath, fmt.Sprintf("malformed JSON at offset %d: %v", d.dec.InputOffset(), err))
	}
	if s, ok := tok.(string); ok && strings.ContainsRune(s, utf8.RuneError) && LoneSurrogate(d.src[before:d.dec.InputOffset()]) {
		d.add(ptr, cpath, LoneSurrogateReason)
	}
	return tok
}

// LoneSurrogateReason is the field error for a string with an unpaired
// UTF-16 surrogate escape.
const LoneSurrogateReason = `holds an unpaired UTF-16 surrogate escape (such as \ud800), which is no character; send the character itself or a complete surrogate pair`

// LoneSurrogate reports whether raw, the bytes of one or more JSON tokens,
// holds a \u escape of a UTF-16 surrogate that is not half of a valid pair.
// encoding/json turns such an escape into U+FFFD, so what would be stored
// differs from what the sender signed.
func LoneSurrogate(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		r, ok := hex4(raw, i+2)
		if !ok {
			continue
		}
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			lo, ok := hex4(raw, i+8)
			if !ok || i+7 >= len(raw) || raw[i+6] != '\\' || raw[i+7] != 'u' || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (d *decoder) enter(ptr, cpath string) {
	d.depth++
	if d.depth > d.lim.MaxDepth {
		d.stop(ptr, cpath, fmt.Sprintf("nested deeper than %d", d.lim.MaxDepth))
	}
}

var dateType = reflect.TypeFor[canonical.Date]()

// zeroDate is how canonical.Date marshals its zero value.
const zeroDate = "0000-00-00"

func kindName(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a value"
}

// value reads one JSON value into v.
func (d *decoder) value(v reflect.Value, ptr, cpath string) {
	tok := d.token(ptr, cpath)
	if tok == nil {
		d.add(ptr, cpath, "null not allowed; leave the field out instead")
		return
	}
	d.valueFrom(tok, v, ptr, cpath)
}

// valueFrom reads a value whose first token has already been read.
func (d *decoder) valueFrom(tok json.Token, v reflect.Value, ptr, cpath string) {
	t := v.Type()
	if t == dateType || t.Kind() == reflect.Pointer {
		// Pointers to pointers and dates behind pointers: re-dispatch with
		// the token we hold.
		d.dispatchHeld(tok, v, ptr, cpath)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if tok != json.Delim('{') {
			d.mismatch(tok, ptr, cpath, "an object")
			return
		}
		d.object(v, ptr, cpath)
	case reflect.Slice:
		if tok != json.Delim('[') {
			d.mismatch(tok, ptr, cpath, "an array")
			return
		}
		d.array(v, ptr, cpath)
	case reflect.String:
		s, ok := tok.(string)
		if !ok {
			d.mismatch(tok, ptr, cpath, "a string")
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := tok.(bool)
		if !ok {
			d.mismatch(tok, ptr, cpath, "true or false")
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := tok.(json.Number)
		if !ok {
			d.mismatch(tok, ptr, cpath, "an integer")
			return
		}
		bits := t.Bits()
		if t.Kind() == reflect.Int {
			// int is 64 bits here but 32 on some platforms and in some
			// partners' languages; keep counts and indexes portable.
			bits = 32
		}
		i, err := strconv.ParseInt(string(n), 10, bits)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
				d.add(ptr, cpath, "number out of range")
			} else {
				d.add(ptr, cpath, "must be an integer without fraction or exponent")
			}
			return
		}
		v.SetInt(i)
	default:
		panic(fmt.Sprintf("strictjson: unsupported type %s", t))
	}
}

func (d *decoder) dispatchHeld(tok json.Token, v reflect.Value, ptr, cpath string) {
	t := v.Type()
	if t == dateType {
		s, ok := tok.(string)
		if !ok {
			d.mismatch(tok, ptr, cpath, "a date string YYYY-MM-DD")
			return
		}
		if s == zeroDate {
			// canonical.Date writes its zero value this way; reading it back
			// as the zero date keeps our own output readable, and Validate
			// reports the missing date.
			v.Set(reflect.ValueOf(canonical.Date{}))
			return
		}
		date, err := canonical.ParseDate(s)
		if err != nil {
			d.add(ptr, cpath, "not a date in the form YYYY-MM-DD")
			return
		}
		v.Set(reflect.ValueOf(date))
		return
	}
	nv := reflect.New(t.Elem())
	d.valueFrom(tok, nv.Elem(), ptr, cpath)
	v.Set(nv)
}

// mismatch reports a value of the wrong JSON type and skips the rest of it.
func (d *decoder) mismatch(tok json.Token, ptr, cpath, want string) {
	d.add(ptr, cpath, fmt.Sprintf("must be %s, not %s", want, kindName(tok)))
	d.skipFrom(tok, ptr, cpath)
}

// skipFrom skips the rest of a value whose first token was tok, still
// refusing duplicate keys and excessive depth inside it.
func (d *decoder) skipFrom(tok json.Token, ptr, cpath string) {
	delim, ok := tok.(json.Delim)
	if !ok {
		return
	}
	d.enter(ptr, cpath)
	if delim == '{' {
		keys := map[string]bool{}
		for d.dec.More() {
			k, _ := d.token(ptr, cpath).(string)
			kp := ptr + "/" + escape(k)
			if keys[k] {
				d.add(kp, cpath, "duplicate key")
			}
			keys[k] = true
			d.skipFrom(d.token(kp, cpath), kp, cpath)
		}
	} else {
		for i := 0; d.dec.More(); i++ {
			ip := ptr + "/" + strconv.Itoa(i)
			d.skipFrom(d.token(ip, cpath), ip, cpath)
		}
	}
	d.token(ptr, cpath) // the closing delimiter
	d.depth--
}

type field struct {
	index int
	name  string
}

var fieldCache sync.Map // reflect.Type -> map[string]field

func fieldsOf(t reflect.Type) map[string]field {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]field)
	}
	m := make(map[string]field, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		m[name] = field{index: i, name: name}
	}
	fieldCache.Store(t, m)
	return m
}

func join(cpath, name string) string {
	if cpath == "" {
		return name
	}
	return cpath + "." + name
}

// escape escapes a key for a JSON pointer (RFC 6901).
func escape(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func (d *decoder) object(v reflect.Value, ptr, cpath string) {
	d.enter(ptr, cpath)
	fields := fieldsOf(v.Type())
	seen := make(map[string]bool, len(fields))
	for d.dec.More() {
		k, _ := d.token(ptr, cpath).(string)
		kp := ptr + "/" + escape(k)
		if seen[k] {
			// Two values for one key: parsers disagree on which wins, so the
			// signed bytes could mean different things to different readers.
			d.add(kp, join(cpath, k), "duplicate key")
			d.skipFrom(d.token(kp, cpath), kp, cpath)
			continue
		}
		seen[k] = true
		f, ok := fields[k]
		if !ok {
			d.add(kp, cpath, "unknown field")
			d.skipFrom(d.token(kp, cpath), kp, cpath)
			continue
		}
		d.value(v.Field(f.index), kp, join(cpath, f.name))
	}
	d.token(ptr, cpath)
	d.depth--
}

func (d *decoder) array(v reflect.Value, ptr, cpath string) {
	d.enter(ptr, cpath)
	et := v.Type().Elem()
	var items []reflect.Value
	for i := 0; d.dec.More(); i++ {
		ev := reflect.New(et).Elem()
		d.value(ev, ptr+"/"+strconv.Itoa(i), fmt.Sprintf("%s[%d]", cpath, i))
		items = append(items, ev)
	}
	d.token(ptr, cpath)
	d.depth--
	// An empty array stays nil, as the encoder leaves it out: decoding what we
	// wrote gives back the same value.
	if len(items) > 0 {
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, it := range items {
			s.Index(i).Set(it)
		}
		v.Set(s)
	}
}
