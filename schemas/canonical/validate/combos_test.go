package validate

import (
	"github.com/uifsagw/uifsagw/schemas"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestParseCombosErrors(t *testing.T) {
	const hdr = "function,action,reason,description\n"
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", `transaction codes: no header line "function,action,reason,description"`},
		{"only comments", "# nothing\n\n# here\n", `transaction codes: no header line "function,action,reason,description"`},
		{"wrong header", "# c\nfunction,action,code,description\n", `transaction codes line 2: header must be "function,action,reason,description", got "function,action,code,description"`},
		{"unknown function", hdr + "EST,R,SRORD,ok\nXYZ,R,SRORD,bad\n", `transaction codes line 3: unknown function "XYZ"`},
		{"unknown action", hdr + "# comment\nEST,Z,SRORD,bad\n", `transaction codes line 3: unknown action "Z"`},
		{"lowercase reason", hdr + "EST,R,srord,bad\n", `transaction codes line 2: reason "srord" must be blank or 5 characters A-Z 0-9`},
		{"short reason", hdr + "EST,R,SRO,bad\n", `transaction codes line 2: reason "SRO" must be blank or 5 characters A-Z 0-9`},
		{"no description", hdr + "EST,R,SRORD,  \n", "transaction codes line 2: description is required"},
		{"control character", hdr + "EST,R,SRORD,\"a\x01b\"\n", "transaction codes line 2: description contains a control character"},
		{"too few fields", hdr + "EST,R,SRORD\n", "transaction codes line 2: wrong number of fields"},
		{"too many fields", hdr + "\n\nEST,R,SRORD,a,b\n", "transaction codes line 4: wrong number of fields"},
		{"bad quoting", hdr + "EST,R,SRORD,\"open\n", `transaction codes line 2: extraneous or missing " in quoted-field`},
		{"duplicate", hdr + "EST,R,SRORD,one\nENF,R,SRREG,x\nEST,R,SRORD,two\n", "transaction codes line 4: EST R SRORD repeats line 2"},
		{"duplicate blank reason", hdr + "EST,A,,one\nEST,A,,two\n", "transaction codes line 3: EST A (no reason) repeats line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCombos([]byte(tc.csv))
			if err == nil {
				t.Fatalf("ParseCombos() = %d combos, want error %q", c.Len(), tc.want)
			}
			if err.Error() != tc.want {
				t.Fatalf("ParseCombos() error = %q, want %q", err, tc.want)
			}
		})
	}
}

func TestCombosAllowedDescribeMerge(t *testing.T) {
	base, err := ParseCombos([]byte("# seed\nfunction,action,reason,description\nEST,A,,Ack\nEST,R,SRORD,\"Establish, please\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	ext, err := ParseCombos([]byte("function,action,reason,description\nEST,R,SRORD,Establish an order\nMSC,P,NYX01,New York local notice\n"))
	if err != nil {
		t.Fatal(err)
	}
	checks := func(c *Combos, f canonical.FunctionCode, a canonical.ActionCode, r canonical.ReasonCode, allowed bool, desc string) {
		t.Helper()
		if got := c.Allowed(f, a, r); got != allowed {
			t.Errorf("Allowed(%s,%s,%q) = %v, want %v", f, a, r, got, allowed)
		}
		if got := c.Describe(f, a, r); got != desc {
			t.Errorf("Describe(%s,%s,%q) = %q, want %q", f, a, r, got, desc)
		}
	}
	checks(base, canonical.FuncEstablish, canonical.ActAck, "", true, "Ack")
	checks(base, canonical.FuncEstablish, canonical.ActRequest, "SRORD", true, "Establish, please")
	checks(base, canonical.FuncEstablish, canonical.ActRequest, "", false, "")
	checks(base, canonical.FuncEnforce, canonical.ActAck, "", false, "")
	checks(base, canonical.FuncManageCases, canonical.ActProvide, "NYX01", false, "")

	merged := base.Clone()
	merged.Merge(ext)
	merged.Merge(nil)
	if merged.Len() != 3 {
		t.Errorf("merged Len() = %d, want 3", merged.Len())
	}
	checks(merged, canonical.FuncEstablish, canonical.ActRequest, "SRORD", true, "Establish an order")
	checks(merged, canonical.FuncManageCases, canonical.ActProvide, "NYX01", true, "New York local notice")
	// Clone kept base apart from the merge.
	checks(base, canonical.FuncManageCases, canonical.ActProvide, "NYX01", false, "")
	checks(base, canonical.FuncEstablish, canonical.ActRequest, "SRORD", true, "Establish, please")

	var zero Combos
	zero.Merge(ext)
	checks(&zero, canonical.FuncManageCases, canonical.ActProvide, "NYX01", true, "New York local notice")
	var none *Combos
	checks(none, canonical.FuncEstablish, canonical.ActAck, "", false, "")

	all := merged.All()
	var got []string
	for _, c := range all {
		got = append(got, string(c.Function)+" "+string(c.Action)+" "+string(c.Reason))
	}
	want := "EST R SRORD|EST A |MSC P NYX01"
	if strings.Join(got, "|") != want {
		t.Errorf("All() = %q, want %q", strings.Join(got, "|"), want)
	}
}

func TestDefaultCombos(t *testing.T) {
	c := DefaultCombos()
	// Every function can be acknowledged without a reason (the gateway's own
	// rows fill the extraction's gaps).
	for _, f := range canonical.FunctionCodes {
		if !c.Allowed(f, canonical.ActAck, "") {
			t.Errorf("%s A without a reason not in the seed", f)
		}
	}
	// Every row of the federal table is in the seed, marked federal, and the
	// seed's federal rows are exactly those.
	fed, err := ParseCombos(schemas.CSENetTransactionsCSV)
	if err != nil {
		t.Fatal(err)
	}
	if fed.Len() != 186 {
		t.Errorf("federal table has %d rows, want 186", fed.Len())
	}
	for _, x := range fed.All() {
		if c.Source(x.Function, x.Action, x.Reason) != SourceFederal {
			t.Errorf("%s %s %s: source %q, want federal", x.Function, x.Action, x.Reason, c.Source(x.Function, x.Action, x.Reason))
		}
	}
	nFed := 0
	for _, x := range c.All() {
		if x.Source == SourceFederal {
			nFed++
		}
		if x.Source == SourceGateway && c.Sendable(x.Function, x.Action, x.Reason) {
			t.Errorf("%s %s %s: the gateway's own row is sendable", x.Function, x.Action, x.Reason)
		}
	}
	if nFed != fed.Len() {
		t.Errorf("seed has %d federal rows, the federal table %d", nFed, fed.Len())
	}
	// The gateway's old inventions are gone.
	for _, r := range []canonical.ReasonCode{"GSCOD", "ERXOR", "SIIWO", "EIACK", "EIREJ", "SRCOD"} {
		for _, x := range c.All() {
			if x.Reason == r {
				t.Errorf("%s %s %s still in the seed", x.Function, x.Action, r)
			}
		}
	}
	// The reasons the gateway sends or acts on are in the table with the
	// function and action they are used with.
	for _, want := range []struct {
		f canonical.FunctionCode
		a canonical.ActionCode
		r canonical.ReasonCode
	}{
		{canonical.FuncManageCases, canonical.ActProvide, canonical.ReasonAddParticipant},
		{canonical.FuncManageCases, canonical.ActProvide, canonical.ReasonDeleteParticipant},
		{canonical.FuncManageCases, canonical.ActProvide, canonical.ReasonChangeCaseID},
		{canonical.FuncManageCases, canonical.ActProvide, canonical.ReasonChangeFIPS},
		{canonical.FuncCaseStatus, canonical.ActProvide, canonical.ReasonNoInformation},
		{canonical.FuncManageCases, canonical.ActProvide, canonical.ReasonCaseIDInvalid},
		{canonical.FuncEnforce, canonical.ActRequest, canonical.ReasonIncomeWithholding},
		{canonical.FuncEnforce, canonical.ActRequest, canonical.ReasonRegistration},
		{canonical.FuncEnforce, canonical.ActRequest, canonical.ReasonRegistrationByObligor},
		{canonical.FuncEnforce, canonical.ActProvide, canonical.ReasonWithholdingEstablished},
		{canonical.FuncManageCases, canonical.ActProvide, canonical.ReasonStatusUpdate},
		{canonical.FuncEstablish, canonical.ActProvide, canonical.ReasonOrderNotEstablished},
		{canonical.FuncEnforce, canonical.ActProvide, canonical.ReasonNewControllingOrder},
		{canonical.FuncEstablish, canonical.ActProvide, canonical.ReasonNewControllingOrder},
		{canonical.FuncEnforce, canonical.ActAck, canonical.ReasonAckMoreInfo},
		{canonical.FuncEstablish, canonical.ActAck, canonical.ReasonAckNoMoreInfo},
	} {
		if !c.Allowed(want.f, want.a, want.r) {
			t.Errorf("%s %s %s not in the seed table", want.f, want.a, want.r)
		}
	}
	// DefaultCombos hands out copies: merging into one must not change the next.
	ext, err := ParseCombos([]byte("function,action,reason,description\nCOL,P,ZZZZZ,test\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.Merge(ext)
	if DefaultCombos().Allowed(canonical.FuncCollection, canonical.ActProvide, "ZZZZZ") {
		t.Error("a merge into one DefaultCombos() reached the next")
	}
}
