package strictjson

import (
	"reflect"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// doc is a small target shaped like the canonical types: the decoder walks
// any struct with json tags, so the rules can be tested one field at a time.
type doc struct {
	S    string          `json:"s,omitempty"`
	I    int             `json:"i,omitempty"`
	I64  int64           `json:"i64,omitempty"`
	B    bool            `json:"b,omitempty"`
	D    canonical.Date  `json:"d"`
	DP   *canonical.Date `json:"dp,omitempty"`
	P    *doc            `json:"p,omitempty"`
	L    []int           `json:"l,omitempty"`
	Kids []doc           `json:"kids,omitempty"`
	Skip string          `json:"-"`
}

func TestDecodeErrors(t *testing.T) {
	nested := func(n int) string {
		return strings.Repeat(`{"p":`, n-1) + `{}` + strings.Repeat(`}`, n-1)
	}
	cases := []struct {
		name string
		in   string
		lim  Limits
		want canonical.FieldErrors
	}{
		{"empty object", `{}`, Limits{}, nil},
		{"duplicate key", `{"s":"a","s":"b"}`, Limits{},
			canonical.FieldErrors{{Path: "s", PartnerPath: "/s", Reason: "duplicate key"}}},
		{"duplicate key inside an unknown field", `{"x":{"a":1,"a":2}}`, Limits{}, canonical.FieldErrors{
			{PartnerPath: "/x", Reason: "unknown field"},
			{PartnerPath: "/x/a", Reason: "duplicate key"}}},
		{"unknown field", `{"zz":1}`, Limits{},
			canonical.FieldErrors{{PartnerPath: "/zz", Reason: "unknown field"}}},
		{"tag dash is not a field", `{"-":"x"}`, Limits{},
			canonical.FieldErrors{{PartnerPath: "/-", Reason: "unknown field"}}},
		{"go field name is not a field", `{"S":"x"}`, Limits{},
			canonical.FieldErrors{{PartnerPath: "/S", Reason: "unknown field"}}},
		{"pointer escape", `{"a/b~c":1}`, Limits{},
			canonical.FieldErrors{{PartnerPath: "/a~1b~0c", Reason: "unknown field"}}},
		{"null", `{"s":null}`, Limits{},
			canonical.FieldErrors{{Path: "s", PartnerPath: "/s", Reason: "null not allowed; leave the field out instead"}}},
		{"trailing data", `{} {}`, Limits{},
			canonical.FieldErrors{{Reason: "trailing data after the JSON value"}}},
		{"trailing garbage", `{}x`, Limits{},
			canonical.FieldErrors{{Reason: "trailing data after the JSON value"}}},
		{"trailing whitespace is fine", "{}\n\t ", Limits{}, nil},
		{"unexpected end", `{"s":"a"`, Limits{},
			canonical.FieldErrors{{Reason: "unexpected end of JSON"}}},
		{"lone high surrogate", `{"s":"\ud800"}`, Limits{},
			canonical.FieldErrors{{Path: "s", PartnerPath: "/s", Reason: LoneSurrogateReason}}},
		{"lone low surrogate", `{"s":"a\udc00b"}`, Limits{},
			canonical.FieldErrors{{Path: "s", PartnerPath: "/s", Reason: LoneSurrogateReason}}},
		{"surrogate pair is fine", `{"s":"\ud83d\ude00"}`, Limits{}, nil},
		{"escaped U+FFFD is fine", `{"s":"\ufffd"}`, Limits{}, nil},
		{"lone surrogate in a key", `{"\ud800":1}`, Limits{}, canonical.FieldErrors{
			{PartnerPath: "", Reason: LoneSurrogateReason},
			{PartnerPath: "/\ufffd", Reason: "unknown field"}}},
		{"depth at the limit", nested(3), Limits{MaxDepth: 3}, nil},
		{"depth over the limit", nested(4), Limits{MaxDepth: 3},
			canonical.FieldErrors{{Path: "p.p.p", PartnerPath: "/p/p/p", Reason: "nested deeper than 3"}}},
		{"depth counts arrays in skipped values", `{"x":[[[[1]]]]}`, Limits{MaxDepth: 3}, canonical.FieldErrors{
			{PartnerPath: "/x", Reason: "unknown field"},
			{PartnerPath: "/x/0/0", Reason: "nested deeper than 3"}}},
		{"fraction", `{"i":1.5}`, Limits{},
			canonical.FieldErrors{{Path: "i", PartnerPath: "/i", Reason: "must be an integer without fraction or exponent"}}},
		{"exponent", `{"i":1e3}`, Limits{},
			canonical.FieldErrors{{Path: "i", PartnerPath: "/i", Reason: "must be an integer without fraction or exponent"}}},
		{"int is 32 bits", `{"i":2147483648}`, Limits{},
			canonical.FieldErrors{{Path: "i", PartnerPath: "/i", Reason: "number out of range"}}},
		{"int64 out of range", `{"i64":9223372036854775808}`, Limits{},
			canonical.FieldErrors{{Path: "i64", PartnerPath: "/i64", Reason: "number out of range"}}},
		{"string for a number", `{"i":"1"}`, Limits{},
			canonical.FieldErrors{{Path: "i", PartnerPath: "/i", Reason: "must be an integer, not a string"}}},
		{"number for a string", `{"s":1}`, Limits{},
			canonical.FieldErrors{{Path: "s", PartnerPath: "/s", Reason: "must be a string, not a number"}}},
		{"string for a bool", `{"b":"true"}`, Limits{},
			canonical.FieldErrors{{Path: "b", PartnerPath: "/b", Reason: "must be true or false, not a string"}}},
		{"object for an array", `{"l":{"a":1}}`, Limits{},
			canonical.FieldErrors{{Path: "l", PartnerPath: "/l", Reason: "must be an array, not an object"}}},
		{"array for an object", `{"p":[1,2]}`, Limits{},
			canonical.FieldErrors{{Path: "p", PartnerPath: "/p", Reason: "must be an object, not an array"}}},
		{"top level not an object", `[]`, Limits{},
			canonical.FieldErrors{{Reason: "must be an object, not an array"}}},
		{"bad date", `{"d":"2023-02-29"}`, Limits{},
			canonical.FieldErrors{{Path: "d", PartnerPath: "/d", Reason: "not a date in the form YYYY-MM-DD"}}},
		{"date as number", `{"dp":20240101}`, Limits{},
			canonical.FieldErrors{{Path: "dp", PartnerPath: "/dp", Reason: "must be a date string YYYY-MM-DD, not a number"}}},
		{"array element paths", `{"kids":[{},{"i":"x"}]}`, Limits{},
			canonical.FieldErrors{{Path: "kids[1].i", PartnerPath: "/kids/1/i", Reason: "must be an integer, not a string"}}},
		{"several problems at once", `{"zz":1,"i":1.5,"s":null}`, Limits{}, canonical.FieldErrors{
			{PartnerPath: "/zz", Reason: "unknown field"},
			{Path: "i", PartnerPath: "/i", Reason: "must be an integer without fraction or exponent"},
			{Path: "s", PartnerPath: "/s", Reason: "null not allowed; leave the field out instead"}}},
		{"size over the limit", `{"s":"abc"}`, Limits{MaxBytes: 10},
			canonical.FieldErrors{{Reason: "document of 11 bytes exceeds the limit of 10 bytes"}}},
		{"NUL byte", "{\"s\":\"\x00\"}", Limits{},
			canonical.FieldErrors{{Reason: "NUL byte at offset 6"}}},
		{"invalid UTF-8", "{\"s\":\"\xff\"}", Limits{},
			canonical.FieldErrors{{Reason: "not valid UTF-8"}}},
		{"malformed", `{"s" "a"}`, Limits{}, nil}, // checked by prefix below
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v doc
			got := Decode([]byte(c.in), &v, c.lim)
			if c.name == "malformed" {
				if len(got) != 1 || !strings.HasPrefix(got[0].Reason, "malformed JSON at offset") {
					t.Fatalf("errors %v, want one malformed JSON", got)
				}
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("errors\n%#v\nwant\n%#v", got, c.want)
			}
		})
	}
}

func TestDecodeValues(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want doc
	}{
		{"escapes", `{"s":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC"}`, doc{S: "a\"b\\c/d\b\f\n\r\té€"}},
		{"surrogate pair", `{"s":"\ud83d\ude00"}`, doc{S: "\U0001F600"}},
		{"raw non-ASCII", `{"s":"Zoë"}`, doc{S: "Zoë"}},
		{"numbers", `{"i":-2147483648,"i64":9223372036854775807}`, doc{I: -2147483648, I64: 9223372036854775807}},
		{"zero with sign", `{"i":-0}`, doc{I: 0}},
		{"bool", `{"b":true}`, doc{B: true}},
		{"date", `{"d":"2024-02-29"}`, doc{D: canonical.Date{Year: 2024, Month: 2, Day: 29}}},
		{"zero date reads as zero", `{"d":"0000-00-00"}`, doc{}},
		{"date pointer", `{"dp":"2024-01-02"}`, doc{DP: &canonical.Date{Year: 2024, Month: 1, Day: 2}}},
		{"empty array stays nil", `{"l":[]}`, doc{}},
		{"array", `{"l":[1,2,3]}`, doc{L: []int{1, 2, 3}}},
		{"nested", `{"p":{"s":"x"},"kids":[{"i":1}]}`, doc{P: &doc{S: "x"}, Kids: []doc{{I: 1}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v doc
			if errs := Decode([]byte(c.in), &v, Limits{}); errs != nil {
				t.Fatal(errs)
			}
			if !reflect.DeepEqual(v, c.want) {
				t.Fatalf("got %+v, want %+v", v, c.want)
			}
		})
	}
}

func TestPrecheckDefaults(t *testing.T) {
	lim, err := Precheck([]byte(`{}`), Limits{})
	if err != nil || lim.MaxBytes != DefaultMaxBytes || lim.MaxDepth != DefaultMaxDepth {
		t.Fatalf("Precheck = %+v, %v; want the defaults", lim, err)
	}
	lim, err = Precheck([]byte(`{}`), Limits{MaxBytes: 5, MaxDepth: 2})
	if err != nil || lim.MaxBytes != 5 || lim.MaxDepth != 2 {
		t.Fatalf("Precheck = %+v, %v; want the given limits", lim, err)
	}
}

func TestLoneSurrogate(t *testing.T) {
	cases := []struct {
		raw  string
		want bool
	}{
		{`"\ud800"`, true},
		{`"\uDBFF"`, true},
		{`"\udc00"`, true},
		{`"\ud800\u0041"`, true},  // high then not a low
		{`"\ud800\ud800"`, true},  // two highs
		{`"\ud800x"`, true},       // high then text
		{`"\ud83d\ude00"`, false}, // a pair
		{`"\uD83D\uDE00"`, false},
		{`"\\ud800"`, false}, // an escaped backslash, then text
		{`"\u0041"`, false},
		{`"\u00"`, false}, // not four hex digits: the JSON parser refuses it
		{`"plain"`, false},
		{`"\ud83d\ude00\udc00"`, true}, // a pair then a lone low
	}
	for _, c := range cases {
		if got := LoneSurrogate([]byte(c.raw)); got != c.want {
			t.Errorf("LoneSurrogate(%s) = %v, want %v", c.raw, got, c.want)
		}
	}
}
