package jsontx_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/strictjson"
	"github.com/uifsagw/uifsagw/transforms/internal/testutil"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeRefuses(t *testing.T) {
	deep := strings.Repeat(`{"header":`, 10000) + strings.Repeat("}", 10000)
	cases := []struct {
		name string
		in   string
		want []canonical.FieldError
	}{
		{"duplicate key", `{"header":{"serial":1,"serial":2}}`,
			[]canonical.FieldError{{Path: "header.serial", PartnerPath: "/header/serial", Reason: "duplicate key"}}},
		{"duplicate key in unknown object", `{"x":{"a":1,"a":2}}`,
			[]canonical.FieldError{{PartnerPath: "/x", Reason: "unknown field"}, {PartnerPath: "/x/a", Reason: "duplicate key"}}},
		{"unknown field with path", `{"orders":[{},{"frequncy":"W"}]}`,
			[]canonical.FieldError{{Path: "orders[1]", PartnerPath: "/orders/1/frequncy", Reason: "unknown field"}}},
		{"wrong type", `{"orders":[{},{"frequency":7}]}`,
			[]canonical.FieldError{{Path: "orders[1].frequency", PartnerPath: "/orders/1/frequency", Reason: "must be a string, not a number"}}},
		{"huge number", `{"header":{"serial":123456789012345678901234567890}}`,
			[]canonical.FieldError{{Path: "header.serial", PartnerPath: "/header/serial", Reason: "number out of range"}}},
		{"fraction", `{"orders":[{"amountCents":200.5}]}`,
			[]canonical.FieldError{{Path: "orders[0].amountCents", PartnerPath: "/orders/0/amountCents", Reason: "must be an integer without fraction or exponent"}}},
		{"exponent", `{"orders":[{"amountCents":2e4}]}`,
			[]canonical.FieldError{{Path: "orders[0].amountCents", PartnerPath: "/orders/0/amountCents", Reason: "must be an integer without fraction or exponent"}}},
		{"child index beyond 32 bits", `{"orders":[{"children":[4294967296]}]}`,
			[]canonical.FieldError{{Path: "orders[0].children[0]", PartnerPath: "/orders/0/children/0", Reason: "number out of range"}}},
		{"null", `{"case":null}`,
			[]canonical.FieldError{{Path: "case", PartnerPath: "/case", Reason: "null not allowed; leave the field out instead"}}},
		{"bad date", `{"header":{"transactionDate":"2026-02-30"}}`,
			[]canonical.FieldError{{Path: "header.transactionDate", PartnerPath: "/header/transactionDate", Reason: "not a date in the form YYYY-MM-DD"}}},
		{"object for string skips whole value", `{"header":{"messageId":{"a":[1,2]},"serial":3}}`,
			[]canonical.FieldError{{Path: "header.messageId", PartnerPath: "/header/messageId", Reason: "must be a string, not an object"}}},
		{"trailing data", `{} {}`,
			[]canonical.FieldError{{Reason: "trailing data after the JSON value"}}},
		{"trailing garbage", `{}x`,
			[]canonical.FieldError{{Reason: "trailing data after the JSON value"}}},
		{"not an object", `[]`,
			[]canonical.FieldError{{Reason: "must be an object, not an array"}}},
		{"truncated", `{"header":{`,
			[]canonical.FieldError{{Path: "header", PartnerPath: "/header", Reason: "unexpected end of JSON"}}},
		{"malformed", `{"header" 1}`,
			[]canonical.FieldError{{Path: "header", PartnerPath: "/header", Reason: "malformed JSON at offset 10: invalid character '1' after object key"}}},
		{"deep nesting", deep,
			[]canonical.FieldError{
				{Path: "header", PartnerPath: "/header/header", Reason: "unknown field"},
				{Path: "header", PartnerPath: strings.Repeat("/header", 32), Reason: "nested deeper than 32"},
			}},
		{"invalid UTF-8", "{\"information\":{\"text\":\"\xff\"}}",
			[]canonical.FieldError{{Reason: "not valid UTF-8"}}},
		{"NUL byte", "{\x00}",
			[]canonical.FieldError{{Reason: "NUL byte at offset 1"}}},
		{"lone high surrogate", `{"information":{"text":"Ca\ud800sey"}}`,
			[]canonical.FieldError{{Path: "information.text", PartnerPath: "/information/text", Reason: strictjson.LoneSurrogateReason}}},
		{"lone low surrogate", `{"information":{"text":"Ca\uDC00sey"}}`,
			[]canonical.FieldError{{Path: "information.text", PartnerPath: "/information/text", Reason: strictjson.LoneSurrogateReason}}},
		{"high surrogate before a letter", `{"information":{"text":"\ud800\u0041"}}`,
			[]canonical.FieldError{{Path: "information.text", PartnerPath: "/information/text", Reason: strictjson.LoneSurrogateReason}}},
		{"two high surrogates", `{"information":{"text":"\ud83d\ud83d"}}`,
			[]canonical.FieldError{{Path: "information.text", PartnerPath: "/information/text", Reason: strictjson.LoneSurrogateReason}}},
		{"lone surrogate in a key", `{"information":{"te\ud800xt":"x"}}`,
			[]canonical.FieldError{{Path: "information", PartnerPath: "/information", Reason: strictjson.LoneSurrogateReason},
				{Path: "information", PartnerPath: "/information/te\uFFFDxt", Reason: "unknown field"}}},
		{"pointer escaping", `{"a/b~c":1}`,
			[]canonical.FieldError{{PartnerPath: "/a~1b~0c", Reason: "unknown field"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := jsontx.New().Decode([]byte(c.in))
			testutil.Equal(t, "errors", []canonical.FieldError(errs), c.want)
		})
	}
}

// Escapes that decode to real characters stay accepted: a valid surrogate
// pair, an escaped backslash before "ud800", and U+FFFD itself.
func TestDecodeAcceptsValidEscapes(t *testing.T) {
	for _, in := range []string{`"\ud83d\ude00"`, `"\\ud800"`, `"\ufffd"`, "\"\uFFFD\"", `"\u00e9\\\ud83d\ude00"`} {
		tx, errs := jsontx.New().Decode([]byte(`{"information":{"text":` + in + `}}`))
		if len(errs) > 0 {
			t.Errorf("%s: %v", in, errs)
		} else if tx.Information == nil || strings.Contains(tx.Information.Text, "\uFFFD") && in != `"\ufffd"` && in != "\"\uFFFD\"" {
			t.Errorf("%s decoded to %q", in, tx.Information.Text)
		}
	}
}

func TestDecodeSizeLimit(t *testing.T) {
	big := bytes.Repeat([]byte(" "), 50<<20)
	_, errs := jsontx.New().Decode(big)
	testutil.Equal(t, "50 MB", []canonical.FieldError(errs),
		[]canonical.FieldError{{Reason: "document of 52428800 bytes exceeds the limit of 1048576 bytes"}})
	small := &jsontx.Codec{Limits: strictjson.Limits{MaxBytes: 64, MaxDepth: 2}}
	if _, errs := small.Decode(fixture(t, "est-r.json")); len(errs) != 1 {
		t.Fatalf("configured size limit: %v", errs)
	}
	if _, errs := small.Decode([]byte(`{"case":{"paymentAddress":{}}}`)); len(errs) != 1 || errs[0].Reason != "nested deeper than 2" {
		t.Fatalf("configured depth limit: %v", errs)
	}
}

func TestEmptyArraysDecodeToNil(t *testing.T) {
	got, errs := jsontx.New().Decode([]byte(`{"participants":[],"orders":[{"children":[]}]}`))
	if errs != nil {
		t.Fatal(errs)
	}
	if got.Participants != nil || got.Orders[0].Children != nil {
		t.Fatalf("got %#v", got)
	}
}

func BenchmarkDecode(b *testing.B) {
	in := fixture(b, "est-r.json")
	c := jsontx.New()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := c.Decode(in); errs != nil {
			b.Fatal(errs)
		}
	}
}
