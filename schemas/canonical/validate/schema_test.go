package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/uifsagw/uifsagw/schemas"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// The JSON Schema is the public json-transaction/2 format and the Go types are
// the canonical model; these tests keep the two saying the same thing.

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := schemas.FS.ReadFile(schemas.TransactionSchemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemas.TransactionSchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemas.TransactionSchemaID)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

// schemaDoc is the schema as plain JSON, for walking its structure.
type schemaDoc map[string]any

func loadSchemaDoc(t *testing.T) schemaDoc {
	t.Helper()
	raw, err := schemas.FS.ReadFile(schemas.TransactionSchemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var d schemaDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	if d["$id"] != schemas.TransactionSchemaID {
		t.Fatalf("$id = %v, want %s", d["$id"], schemas.TransactionSchemaID)
	}
	if d["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Fatalf("$schema = %v, want draft 2020-12", d["$schema"])
	}
	return d
}

// resolve follows local $refs and returns the node with its JSON pointer.
func (d schemaDoc) resolve(t *testing.T, node any, ptr string) (map[string]any, string) {
	t.Helper()
	for range 10 {
		m, ok := node.(map[string]any)
		if !ok {
			t.Fatalf("%s: not a schema object", ptr)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			t.Fatalf("%s: $ref %q is not local", ptr, ref)
		}
		node, ptr = d["$defs"].(map[string]any)[name], "/$defs/"+name
		if node == nil {
			t.Fatalf("%s: $ref %q names nothing", ptr, ref)
		}
	}
	t.Fatalf("%s: $ref loop", ptr)
	return nil, ""
}

func (d schemaDoc) def(t *testing.T, name string) map[string]any {
	t.Helper()
	m, _ := d.resolve(t, map[string]any{"$ref": "#/$defs/" + name}, "")
	return m
}

func (d schemaDoc) at(t *testing.T, path ...string) map[string]any {
	t.Helper()
	node, ptr := d.resolve(t, map[string]any(d), "")
	for _, p := range path {
		var next any
		if p == "[]" {
			next = node["items"]
		} else {
			props, _ := node["properties"].(map[string]any)
			next = props[p]
		}
		if next == nil {
			t.Fatalf("schema has no %s under %s", p, ptr)
		}
		node, ptr = d.resolve(t, next, ptr+"/"+p)
	}
	return node
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// codeLists maps each code type to its Go list; the schema enum for a field of
// that type must equal the list, in the same order.
var codeLists = map[reflect.Type][]string{
	reflect.TypeFor[canonical.FunctionCode]():      strs(canonical.FunctionCodes),
	reflect.TypeFor[canonical.ActionCode]():        strs(canonical.ActionCodes),
	reflect.TypeFor[canonical.CaseType]():          strs(canonical.CaseTypes),
	reflect.TypeFor[canonical.CaseStatus]():        strs(canonical.CaseStatuses),
	reflect.TypeFor[canonical.Sex]():               strs(canonical.Sexes),
	reflect.TypeFor[canonical.Relationship]():      strs(canonical.Relationships),
	reflect.TypeFor[canonical.PaternityStatus]():   strs(canonical.PaternityStatuses),
	reflect.TypeFor[canonical.OrderType]():         strs(canonical.OrderTypes),
	reflect.TypeFor[canonical.Frequency]():         strs(canonical.Frequencies),
	reflect.TypeFor[canonical.CollectionSource]():  strs(canonical.CollectionSources),
	reflect.TypeFor[canonical.Race]():              strs(canonical.Races),
	reflect.TypeFor[canonical.HairColor]():         strs(canonical.HairColors),
	reflect.TypeFor[canonical.EyeColor]():          strs(canonical.EyeColors),
	reflect.TypeFor[canonical.YesNo]():             strs(canonical.YesNos),
	reflect.TypeFor[canonical.AddressConfirmed]():  strs(canonical.AddressConfirmations),
	reflect.TypeFor[canonical.ParticipantStatus](): strs(canonical.ParticipantStatuses),
	reflect.TypeFor[canonical.DependentRelation](): strs(canonical.DependentRelations),
	reflect.TypeFor[canonical.DebtType]():          strs(canonical.DebtTypes),
	reflect.TypeFor[canonical.ControllingFlag]():   strs(canonical.ControllingFlags),
	reflect.TypeFor[canonical.PaymentMethod]():     strs(canonical.PaymentMethods),
}

func TestSchemaMatchesGoTypes(t *testing.T) {
	d := loadSchemaDoc(t)
	matched := map[string]bool{}
	root, ptr := d.resolve(t, map[string]any(d), "")
	walkStruct(t, d, reflect.TypeFor[canonical.Transaction](), root, ptr, "$", matched)

	// Every enum in the schema must be one the walk compared with a Go list,
	// or one of the two state lists checked in TestSchemaStatesMatchGo.
	matched["/$defs/stateFips"], matched["/$defs/postalState"] = true, true
	var all []string
	var collect func(ptr string, v any)
	collect = func(ptr string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["enum"]; ok {
				all = append(all, ptr)
			}
			for k, c := range v {
				collect(ptr+"/"+k, c)
			}
		case []any:
			for i, c := range v {
				collect(fmt.Sprintf("%s/%d", ptr, i), c)
			}
		}
	}
	collect("", map[string]any(d))
	for _, p := range all {
		if !matched[p] {
			t.Errorf("schema enum at %s belongs to no Go code list", p)
		}
	}
	if len(all) != len(codeLists)+2 {
		t.Errorf("schema has %d enums, want %d (one per Go code list plus two state lists)", len(all), len(codeLists)+2)
	}
}

func walkStruct(t *testing.T, d schemaDoc, typ reflect.Type, node map[string]any, ptr, path string, matched map[string]bool) {
	t.Helper()
	if node["type"] != "object" || node["additionalProperties"] != false {
		t.Errorf("%s (%s): want type object with additionalProperties false", path, ptr)
	}
	props, _ := node["properties"].(map[string]any)
	var goNames, goRequired []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			// Unexported fields (Transaction.legacy) never reach JSON.
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if !f.IsExported() || name == "-" || name == "" {
			t.Fatalf("%s.%s: every field needs a JSON name", path, f.Name)
		}
		goNames = append(goNames, name)
		// A field without omitempty is always written, so the schema can
		// require it; one with omitempty is left out when empty, so
		// requiring it would make valid Go output fail the schema.
		if !slices.Contains(strings.Split(opts, ","), "omitempty") {
			goRequired = append(goRequired, name)
		}
		child, ok := props[name]
		if !ok {
			t.Errorf("%s.%s: Go field %s is not in the schema (%s)", path, name, f.Name, ptr)
			continue
		}
		cn, cptr := d.resolve(t, child, ptr+"/properties/"+name)
		walkValue(t, d, f.Type, cn, cptr, path+"."+name, matched)
	}
	for name := range props {
		if !slices.Contains(goNames, name) {
			t.Errorf("%s.%s: schema property has no Go field (%s)", path, name, ptr)
		}
	}
	var schemaRequired []string
	req, _ := node["required"].([]any)
	for _, r := range req {
		schemaRequired = append(schemaRequired, r.(string))
	}
	sort.Strings(goRequired)
	sort.Strings(schemaRequired)
	if !slices.Equal(goRequired, schemaRequired) {
		t.Errorf("%s: schema requires %v, Go fields without omitempty are %v", path, schemaRequired, goRequired)
	}
}

func walkValue(t *testing.T, d schemaDoc, typ reflect.Type, node map[string]any, ptr, path string, matched map[string]bool) {
	t.Helper()
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ == reflect.TypeFor[canonical.Date]() {
		if ptr != "/$defs/date" {
			t.Errorf("%s: a Date must use $defs/date, uses %s", path, ptr)
		}
		return
	}
	if list, ok := codeLists[typ]; ok {
		var enum []string
		for _, e := range node["enum"].([]any) {
			enum = append(enum, e.(string))
		}
		if !slices.Equal(enum, list) {
			t.Errorf("%s (%s): schema enum %v, Go %s list %v", path, ptr, enum, typ.Name(), list)
		}
		matched[ptr] = true
		return
	}
	want := map[reflect.Kind]string{
		reflect.Struct: "object", reflect.Slice: "array", reflect.String: "string",
		reflect.Int: "integer", reflect.Int64: "integer", reflect.Bool: "boolean",
	}[typ.Kind()]
	if node["type"] != want {
		t.Errorf("%s (%s): schema type %v, want %q for Go %s", path, ptr, node["type"], want, typ)
	}
	switch typ.Kind() {
	case reflect.Struct:
		walkStruct(t, d, typ, node, ptr, path, matched)
	case reflect.Slice:
		items, iptr := d.resolve(t, node["items"], ptr+"/items")
		walkValue(t, d, typ.Elem(), items, iptr, path+"[]", matched)
	}
}

func TestSchemaLimitsMatchGo(t *testing.T) {
	d := loadSchemaDoc(t)
	num := func(m map[string]any, key string) int64 {
		t.Helper()
		f, ok := m[key].(float64)
		if !ok {
			t.Fatalf("no number %s in %v", key, m)
		}
		return int64(f)
	}
	str := func(m map[string]any, key string) string {
		t.Helper()
		s, ok := m[key].(string)
		if !ok {
			t.Fatalf("no string %s in %v", key, m)
		}
		return s
	}
	checks := []struct {
		what string
		got  any
		want any
	}{
		{"messageId maxLength", num(d.def(t, "messageId"), "maxLength"), int64(canonical.MaxMessageIDLen)},
		{"messageId pattern", str(d.def(t, "messageId"), "pattern"), messageIDPattern},
		{"caseId maxLength", num(d.def(t, "caseId"), "maxLength"), int64(canonical.MaxCaseIDLen)},
		{"caseId pattern", str(d.def(t, "caseId"), "pattern"), caseIDPattern},
		{"docket maxLength", num(d.def(t, "docket"), "maxLength"), int64(canonical.MaxDocketLen)},
		{"docket pattern", str(d.def(t, "docket"), "pattern"), singleLinePattern},
		{"name last maxLength", num(d.at(t, "ncp", "name", "last"), "maxLength"), int64(canonical.MaxNameLen)},
		{"name first maxLength", num(d.at(t, "ncp", "name", "first"), "maxLength"), int64(canonical.MaxFirstNameLen)},
		{"name middle maxLength", num(d.at(t, "ncp", "name", "middle"), "maxLength"), int64(canonical.MaxMiddleNameLen)},
		{"name suffix maxLength", num(d.at(t, "ncp", "name", "suffix"), "maxLength"), int64(canonical.MaxSuffixLen)},
		{"name pattern", str(d.at(t, "ncp", "name", "last"), "pattern"), singleLinePattern},
		{"city maxLength", num(d.at(t, "case", "paymentAddress", "city"), "maxLength"), int64(canonical.MaxCityLen)},
		{"employer name maxLength", num(d.at(t, "ncpLocate", "employers", "[]", "name"), "maxLength"), int64(canonical.MaxEmployerNameLen)},
		{"addressLine maxLength", num(d.def(t, "addressLine"), "maxLength"), int64(canonical.MaxAddressLineLen)},
		{"addressLine pattern", str(d.def(t, "addressLine"), "pattern"), singleLinePattern},
		{"information text maxLength", num(d.at(t, "information", "text"), "maxLength"), int64(canonical.MaxTextLen)},
		{"information text pattern", str(d.at(t, "information", "text"), "pattern"), multiLinePattern},
		{"zip pattern", str(d.at(t, "case", "paymentAddress", "zip"), "pattern"), zipPattern},
		{"phone pattern", str(d.def(t, "phone"), "pattern"), phonePattern},
		{"email pattern", str(d.at(t, "case", "contact", "email"), "pattern"), emailPattern},
		{"email maxLength", num(d.at(t, "case", "contact", "email"), "maxLength"), int64(canonical.MaxEmailLen)},
		{"ein pattern", str(d.at(t, "ncpLocate", "employers", "[]", "ein"), "pattern"), einPattern},
		{"serial minimum", num(d.at(t, "header", "serial"), "minimum"), int64(1)},
		{"serial maximum", num(d.at(t, "header", "serial"), "maximum"), int64(canonical.MaxSerial)},
		{"cents minimum", num(d.def(t, "cents"), "minimum"), int64(0)},
		{"cents maximum", num(d.def(t, "cents"), "maximum"), int64(canonical.MaxCents)},
		{"collection minimum", num(d.at(t, "collections", "[]", "amountCents"), "minimum"), int64(-canonical.MaxCents)},
		{"collection maximum", num(d.at(t, "collections", "[]", "amountCents"), "maximum"), int64(canonical.MaxCents)},
		{"arrears minimum", num(d.at(t, "orders", "[]", "arrearsCents"), "minimum"), int64(-canonical.MaxCents)},
		{"participants maxItems", num(d.at(t, "participants"), "maxItems"), int64(canonical.MaxBlocks)},
		{"orders maxItems", num(d.at(t, "orders"), "maxItems"), int64(canonical.MaxBlocks)},
		{"collections maxItems", num(d.at(t, "collections"), "maxItems"), int64(canonical.MaxBlocks)},
		{"employers maxItems", num(d.at(t, "ncpLocate", "employers"), "maxItems"), int64(canonical.MaxEmployers)},
		{"aliases maxItems", num(d.at(t, "ncpLocate", "aliases"), "maxItems"), int64(canonical.MaxAliases)},
		{"children maxItems", num(d.at(t, "orders", "[]", "children"), "maxItems"), int64(canonical.MaxBlocks)},
		{"children item maximum", num(d.at(t, "orders", "[]", "children", "[]"), "maximum"), int64(canonical.MaxBlocks - 1)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: schema %v, Go %v", c.what, c.got, c.want)
		}
	}
}

func TestSchemaStatesMatchGo(t *testing.T) {
	d := loadSchemaDoc(t)
	var fipsWant, postalWant []string
	for f, p := range canonical.StatePostal {
		fipsWant, postalWant = append(fipsWant, f), append(postalWant, p)
	}
	sort.Strings(fipsWant)
	sort.Strings(postalWant)
	enum := func(name string) []string {
		var out []string
		for _, e := range d.def(t, name)["enum"].([]any) {
			out = append(out, e.(string))
		}
		return out
	}
	if got := enum("stateFips"); !slices.Equal(got, fipsWant) {
		t.Errorf("stateFips enum %v, want %v", got, fipsWant)
	}
	if got := enum("postalState"); !slices.Equal(got, postalWant) {
		t.Errorf("postalState enum %v, want %v", got, postalWant)
	}
	fips := regexp.MustCompile(d.def(t, "fips")["pattern"].(string))
	for st := range 100 {
		for _, rest := range []string{"00000", "06100", "99999"} {
			f := canonical.FIPS(fmt.Sprintf("%02d%s", st, rest))
			if fips.MatchString(string(f)) != f.Valid() {
				t.Errorf("FIPS %s: schema pattern matches %v, Valid() %v", f, !f.Valid(), f.Valid())
			}
		}
	}
	for _, f := range []canonical.FIPS{"360000", "36000000", "36O0000", " 360000"} {
		if fips.MatchString(string(f)) || f.Valid() {
			t.Errorf("FIPS %q accepted", f)
		}
	}
}

func TestSchemaSSNMatchesGo(t *testing.T) {
	d := loadSchemaDoc(t)
	re := regexp.MustCompile(d.def(t, "ssn")["pattern"].(string))
	check := func(s canonical.SSN) {
		if re.MatchString(string(s)) != s.Valid() {
			t.Errorf("SSN %s: schema pattern matches %v, Valid() %v", s.Masked(), !s.Valid(), s.Valid())
		}
	}
	for n := range 1000 {
		check(canonical.SSN(fmt.Sprintf("%03d450001", n))) // every area
	}
	for n := range 100 {
		check(canonical.SSN(fmt.Sprintf("123%02d6789", n))) // every group
	}
	for n := range 10000 {
		check(canonical.SSN(fmt.Sprintf("12345%04d", n))) // every serial
	}
	for _, s := range []canonical.SSN{"", "12345678", "1234567890", "12345678a", "123-45-6789"} {
		check(s)
	}
}

// TestSchemaDateIsLooserThanGo: the date pattern cannot know month lengths, so
// the schema accepts 2026-02-30 and the Go decoder refuses it; everything the
// Go side accepts the schema must accept too, and the year range must agree.
func TestSchemaDateIsLooserThanGo(t *testing.T) {
	d := loadSchemaDoc(t)
	re := regexp.MustCompile(d.def(t, "date")["pattern"].(string))
	for _, y := range []int{1, 1799, 1800, 1999, 2026, 2999, 3000} {
		for m := 0; m <= 13; m++ {
			for day := 0; day <= 32; day++ {
				s := fmt.Sprintf("%04d-%02d-%02d", y, m, day)
				v, err := canonical.ParseDate(s)
				goOK := err == nil && v.Valid()
				if goOK && !re.MatchString(s) {
					t.Errorf("%s: Go accepts, schema refuses", s)
				}
				inRange := y >= 1800 && y <= 2999 && m >= 1 && m <= 12 && day >= 1 && day <= 31
				if re.MatchString(s) != inRange {
					t.Errorf("%s: schema pattern matches %v, want %v", s, !inRange, inRange)
				}
			}
		}
	}
}

// fixtureDir holds the valid and invalid transactions; they stay beside the
// model because the transforms' tests read them too.
var fixtureDir = filepath.Join("..", "testdata")

func fixtures(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(fixtureDir, dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(n)] = b
	}
	return out
}

func decodeStrict(b []byte) (*canonical.Transaction, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var tx canonical.Transaction
	if err := dec.Decode(&tx); err != nil {
		return nil, err
	}
	return &tx, nil
}

func TestValidFixtures(t *testing.T) {
	sch := compileSchema(t)
	files := fixtures(t, "valid")
	if len(files) < 8 {
		t.Fatalf("%d valid fixtures, want at least 8", len(files))
	}
	for name, b := range files {
		t.Run(name, func(t *testing.T) {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("schema refuses: %v", err)
			}
			tx, err := decodeStrict(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if errs := Transaction(tx); errs != nil {
				t.Errorf("Validate() = %v", errs)
			}
			out, err := json.Marshal(tx)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("re-marshalled JSON differs:\n got %s\nwant %s", out, bytes.Join(bytes.Fields(b), nil))
			}
		})
	}
}

func TestInvalidFixtures(t *testing.T) {
	sch := compileSchema(t)
	// want is the Go side's answer: "decode: " and a piece of the decoder's
	// error, or the exact Validate errors.
	want := map[string]string{
		"unknown-field.json":            `decode: unknown field "priority"`,
		"string-amount.json":            "decode: cannot unmarshal string into Go struct field Collection.collections.amountCents",
		"impossible-month.json":         `decode: not a date in the form YYYY-MM-DD: "2026-13-01"`,
		"bad-fips.json":                 "header.receiverFips: not a FIPS code (state and county, 5 digits beginning with a known state code, then an optional 2-character sub-office)",
		"bad-ssn.json":                  "ncp.ssn: not a valid SSN (9 digits; no area 000, 666 or 900-999, group 00 or serial 0000)",
		"negative-amount.json":          "orders[0].amountCents: must be from 0 to 1000000000 cents",
		"too-many-employers.json":       "ncpLocate.employers: at most 3 allowed, got 4",
		"year-out-of-range.json":        "header.transactionDate: not a valid date (YYYY-MM-DD, years 1800 to 2999)",
		"unknown-frequency.json":        `orders[0].frequency: unknown code "X"`,
		"control-character.json":        "ncp.name.first: contains a control character",
		"missing-sender-case-id.json":   "header.senderCaseId: required",
		"bad-message-id.json":           "header.messageId: may hold only letters, digits and . _ : -",
		"ten-participants.json":         "participants: at most 9 allowed, got 10",
		"long-case-id.json":             "header.senderCaseId: longer than 15 characters",
		"child-index-out-of-range.json": "orders[0].children[0]: no participant 9",
		"serial-zero.json":              "header.serial: must be from 1 to 999999999999",
	}
	files := fixtures(t, "invalid")
	for name := range want {
		if _, ok := files[name]; !ok {
			t.Errorf("fixture %s is missing", name)
		}
	}
	for name, b := range files {
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err == nil {
				t.Error("schema accepts it")
			}
			tx, err := decodeStrict(b)
			if frag, ok := strings.CutPrefix(w, "decode: "); ok {
				if err == nil || !strings.Contains(err.Error(), frag) {
					t.Errorf("decode error = %v, want one containing %q", err, frag)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got := Transaction(tx).Error(); got != w {
				t.Errorf("Validate() = %q, want %q", got, w)
			}
		})
	}
}

// FuzzValidateAgreesWithSchema: Validate never panics, and whatever it accepts
// the schema accepts too once marshalled, so the gateway never emits JSON its
// own published schema refuses.
func FuzzValidateAgreesWithSchema(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		names, _ := filepath.Glob(filepath.Join(fixtureDir, dir, "*.json"))
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	var sch *jsonschema.Schema
	f.Fuzz(func(t *testing.T, b []byte) {
		if sch == nil {
			sch = compileSchema(t)
		}
		var tx canonical.Transaction
		if json.Unmarshal(b, &tx) != nil {
			return
		}
		if Transaction(&tx) != nil {
			return
		}
		out, err := json.Marshal(&tx)
		if err != nil {
			t.Fatalf("marshal a valid transaction: %v", err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Fatalf("Validate accepts but the schema refuses %s: %v", out, err)
		}
	})
}
