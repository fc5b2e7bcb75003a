package v1tx

import (
	"reflect"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// codeRow is one /1 code and the federal code it means. Rows are written out
// here rather than read from the canonical package, so a change to the
// mapping there is a change a test sees (docs/CSENET-CODES.md lists the same).
type codeRow struct {
	field   string // case type, sex, relationship, paternity, source
	legacy  string
	federal string
}

var upgradeRows = []codeRow{
	{"case type", "AD", "A"},
	{"case type", "NA", "N"},
	{"case type", "AF", "F"},
	{"case type", "MA", "M"},
	{"sex", "U", "O"},
	{"relationship", "CP", "C"},
	{"relationship", "CH", "D"},
	{"relationship", "OT", "S"},
	{"paternity", "N", ""},
	{"paternity", "U", ""},
	{"source", "IWO", "A"},
	{"source", "FTO", "I"},
	{"source", "STO", "S"},
	{"source", "DIR", "N"},
	{"source", "UIB", "U"},
	{"source", "OTH", "N"},
	// Codes already federal, or unknown to /1, pass unchanged.
	{"case type", "V", "V"},
	{"sex", "F", "F"},
	{"relationship", "P", "P"},
	{"paternity", "Y", "Y"},
	{"source", "G", "G"},
}

// txWith puts one code in the field it belongs to.
func txWith(field, code string) Transaction {
	v := Transaction{Header: Header{Function: "CSI", Action: "R"}}
	switch field {
	case "case type":
		v.Case = &Case{Type: canonical.CaseType(code), Status: canonical.CaseOpen}
	case "sex":
		v.NCP = &NCP{Sex: canonical.Sex(code)}
		v.Participants = []Participant{{Sex: canonical.Sex(code)}}
	case "relationship":
		v.Participants = []Participant{{Relationship: canonical.Relationship(code)}}
	case "paternity":
		v.Participants = []Participant{{PaternityStatus: canonical.PaternityStatus(code)}}
	case "source":
		v.Collections = []Collection{{Source: canonical.CollectionSource(code)}}
	}
	return v
}

// codeIn reads the code back from a canonical transaction.
func codeIn(t *testing.T, field string, c canonical.Transaction) string {
	t.Helper()
	switch field {
	case "case type":
		return string(c.Case.Type)
	case "sex":
		if c.NCP.Sex != c.Participants[0].Sex {
			t.Errorf("NCP sex %q, participant sex %q: the same code mapped two ways", c.NCP.Sex, c.Participants[0].Sex)
		}
		return string(c.NCP.Sex)
	case "relationship":
		return string(c.Participants[0].Relationship)
	case "paternity":
		return string(c.Participants[0].PaternityStatus)
	case "source":
		return string(c.Collections[0].Source)
	}
	t.Fatalf("unknown field %q", field)
	return ""
}

// codeOut reads the code back from a /1 transaction.
func codeOut(t *testing.T, field string, v Transaction) string {
	t.Helper()
	switch field {
	case "case type":
		return string(v.Case.Type)
	case "sex":
		if v.NCP.Sex != v.Participants[0].Sex {
			t.Errorf("NCP sex %q, participant sex %q", v.NCP.Sex, v.Participants[0].Sex)
		}
		return string(v.NCP.Sex)
	case "relationship":
		return string(v.Participants[0].Relationship)
	case "paternity":
		return string(v.Participants[0].PaternityStatus)
	case "source":
		return string(v.Collections[0].Source)
	}
	t.Fatalf("unknown field %q", field)
	return ""
}

func TestToCanonicalCodes(t *testing.T) {
	for _, r := range upgradeRows {
		t.Run(r.field+" "+r.legacy, func(t *testing.T) {
			c, errs := ToCanonical(txWith(r.field, r.legacy))
			if errs != nil {
				t.Fatal(errs)
			}
			if !c.Legacy() {
				t.Error("not marked legacy")
			}
			if got := codeIn(t, r.field, c); got != r.federal {
				t.Errorf("%s %q became %q, want %q", r.field, r.legacy, got, r.federal)
			}
		})
	}
}

var downgradeRows = []codeRow{
	{"case type", "AD", "A"},
	{"case type", "NA", "N"},
	{"case type", "AF", "F"},
	{"case type", "MA", "M"},
	{"case type", "R", "R"}, // no /1 code: the federal one is sent
	{"sex", "U", "O"},
	{"sex", "M", "M"},
	{"relationship", "CP", "C"},
	{"relationship", "CH", "D"},
	{"relationship", "OT", "S"},
	{"relationship", "P", "P"},
	{"paternity", "Y", "Y"},
	{"source", "IWO", "A"},
	{"source", "FTO", "I"},
	{"source", "STO", "S"},
	{"source", "UIB", "U"},
	{"source", "DIR", "N"},
	{"source", "OTH", "G"},
}

func TestFromCanonicalCodes(t *testing.T) {
	for _, r := range downgradeRows {
		t.Run(r.field+" "+r.federal, func(t *testing.T) {
			in := fromV1(txWith(r.field, r.federal))
			before := deepCopy(t, in)
			v := FromCanonical(in)
			if got := codeOut(t, r.field, v); got != r.legacy {
				t.Errorf("federal %s %q became %q, want %q", r.field, r.federal, got, r.legacy)
			}
			if !reflect.DeepEqual(in, before) {
				t.Errorf("FromCanonical changed its argument:\n%+v\nwas\n%+v", in, before)
			}
		})
	}
}

// fromV1 builds the federal transaction with the same codes, without mapping.
func fromV1(v Transaction) canonical.Transaction {
	var c canonical.Transaction
	c.Header.Function, c.Header.Action = v.Header.Function, v.Header.Action
	if v.Case != nil {
		c.Case = &canonical.Case{Type: v.Case.Type, Status: v.Case.Status}
	}
	if v.NCP != nil {
		c.NCP = &canonical.NCPIdentification{Sex: v.NCP.Sex}
	}
	for _, p := range v.Participants {
		c.Participants = append(c.Participants, canonical.Participant{Sex: p.Sex, Relationship: p.Relationship, PaternityStatus: p.PaternityStatus})
	}
	for _, k := range v.Collections {
		c.Collections = append(c.Collections, canonical.Collection{Source: k.Source})
	}
	return c
}

func deepCopy(t *testing.T, c canonical.Transaction) canonical.Transaction {
	t.Helper()
	out := c
	if c.Case != nil {
		x := *c.Case
		out.Case = &x
	}
	if c.NCP != nil {
		x := *c.NCP
		out.NCP = &x
	}
	out.Participants = append([]canonical.Participant(nil), c.Participants...)
	out.Collections = append([]canonical.Collection(nil), c.Collections...)
	return out
}

// TestCodeRoundTrip: every /1 code with a federal counterpart of its own
// comes back as itself; the federal codes come back as themselves too.
func TestCodeRoundTrip(t *testing.T) {
	for _, r := range downgradeRows {
		if r.legacy == "OTH" {
			continue // lossy both ways: TestLossyCodes
		}
		t.Run(r.field+" "+r.legacy, func(t *testing.T) {
			c, errs := ToCanonical(txWith(r.field, r.legacy))
			if errs != nil {
				t.Fatal(errs)
			}
			if got := codeOut(t, r.field, FromCanonical(c)); got != r.legacy {
				t.Errorf("/1 %q came back as %q", r.legacy, got)
			}
			back, _ := ToCanonical(FromCanonical(fromV1(txWith(r.field, r.federal))))
			if got := codeIn(t, r.field, back); got != r.federal {
				t.Errorf("federal %q came back as %q", r.federal, got)
			}
		})
	}
}

// TestLossyCodes pins the codes that do not survive a round trip, so that a
// change to them is a decision: /1 "other" meant a regular payment, and /1
// had no garnishment, which it receives as "other".
func TestLossyCodes(t *testing.T) {
	c, _ := ToCanonical(txWith("source", "OTH"))
	if got := codeOut(t, "source", FromCanonical(c)); got != "DIR" {
		t.Errorf("/1 OTH came back as %q, want DIR", got)
	}
	back, _ := ToCanonical(FromCanonical(fromV1(txWith("source", "G"))))
	if got := codeIn(t, "source", back); got != "N" {
		t.Errorf("federal G came back as %q, want N", got)
	}
	for _, p := range []string{"N", "U"} {
		c, _ := ToCanonical(txWith("paternity", p))
		if got := codeOut(t, "paternity", FromCanonical(c)); got != "" {
			t.Errorf("/1 paternity %q came back as %q, want blank", p, got)
		}
	}
}

type header struct{ f, a, r string }

// TestReasons covers the /1 reason codes of the gateway and the old seed
// table: a row per combination, and the way back for the ones the gateway
// generates.
func TestReasons(t *testing.T) {
	up := []struct{ legacy, federal header }{
		{header{"ENF", "R", "SIIWO"}, header{"ENF", "R", "ERWAG"}},
		{header{"ENF", "R", "SRREG"}, header{"ENF", "R", "ERRES"}},
		{header{"ENF", "R", "SRCOD"}, header{"ENF", "R", "ERRES"}},
		{header{"ENF", "P", "EIACK"}, header{"ENF", "P", "ESWAG"}},
		{header{"ENF", "P", "EIREJ"}, header{"MSC", "P", "GSPUD"}},
		{header{"EST", "P", "ERXOR"}, header{"EST", "P", "SUEST"}},
		{header{"ENF", "P", "ERXOR"}, header{"EST", "P", "SUEST"}},
		{header{"MSC", "P", "GSCOD"}, header{"ENF", "P", "GSCOE"}},
		{header{"LO1", "R", "LRALL"}, header{"LO1", "R", ""}},
		{header{"LO1", "R", "LRADR"}, header{"LO1", "R", ""}},
		{header{"LO1", "R", "LREMP"}, header{"LO1", "R", ""}},
		{header{"LO1", "P", "LPADR"}, header{"LO1", "P", "LSADR"}},
		{header{"LO1", "P", "LPEMP"}, header{"LO1", "P", "LSEMP"}},
		{header{"LO1", "P", "LPNLC"}, header{"LO1", "P", "LUALL"}},
		{header{"CSI", "R", "CRSTS"}, header{"CSI", "R", "FRINF"}},
		{header{"CSI", "R", "CRPAY"}, header{"CSI", "R", "FRINF"}},
		{header{"CSI", "P", "CPSTS"}, header{"CSI", "P", "FSINF"}},
		{header{"CSI", "P", "CPPAY"}, header{"CSI", "P", "FSINF"}},
		{header{"PAT", "R", "PRTST"}, header{"PAT", "R", ""}},
		{header{"PAT", "R", "PREST"}, header{"PAT", "R", ""}},
		{header{"PAT", "P", "PPSCH"}, header{"PAT", "P", "PIBTS"}},
		{header{"PAT", "P", "PPEST"}, header{"PAT", "P", "PSEST"}},
		{header{"PAT", "P", "PPEXC"}, header{"PAT", "P", "PUEST"}},
		{header{"PAT", "U", "PUINF"}, header{"PAT", "U", ""}},
		{header{"EST", "R", "SRMED"}, header{"EST", "R", "SROMC"}},
		{header{"EST", "P", "SPORD"}, header{"EST", "P", "SSEST"}},
		{header{"EST", "P", "SPDNY"}, header{"EST", "P", "SUDEN"}},
		{header{"ENF", "R", "SRMOD"}, header{"EST", "R", "SRMOD"}},
		{header{"ENF", "P", "EPREG"}, header{"ENF", "P", "ESREG"}},
		{header{"COL", "P", "CPTAX"}, header{"COL", "P", "CITAX"}},
		// Federal combinations pass unchanged.
		{header{"ENF", "R", "ERWAG"}, header{"ENF", "R", "ERWAG"}},
		{header{"CSI", "R", "SIIWO"}, header{"CSI", "R", "SIIWO"}}, // the combination, not the reason alone, is mapped
	}
	for _, r := range up {
		t.Run("to federal "+r.legacy.f+" "+r.legacy.a+" "+r.legacy.r, func(t *testing.T) {
			c, _ := ToCanonical(Transaction{Header: Header{Function: canonical.FunctionCode(r.legacy.f),
				Action: canonical.ActionCode(r.legacy.a), Reason: canonical.ReasonCode(r.legacy.r)}})
			h := c.Header
			if got := (header{string(h.Function), string(h.Action), string(h.Reason)}); got != r.federal {
				t.Errorf("got %v, want %v", got, r.federal)
			}
		})
	}
	down := []struct{ federal, legacy header }{
		{header{"ENF", "R", "ERWAG"}, header{"ENF", "R", "SIIWO"}},
		{header{"ENF", "R", "ERRES"}, header{"ENF", "R", "SRREG"}},
		{header{"ENF", "P", "ESWAG"}, header{"ENF", "P", "EIACK"}},
		{header{"EST", "P", "SUEST"}, header{"EST", "P", "ERXOR"}},
		{header{"ENF", "P", "GSCOE"}, header{"MSC", "P", "GSCOD"}},
		{header{"EST", "P", "GSCOE"}, header{"MSC", "P", "GSCOD"}},
		// The old dictionary had no code: the federal one is sent.
		{header{"LO1", "P", "LSADR"}, header{"LO1", "P", "LSADR"}},
		{header{"MSC", "P", "GSPUD"}, header{"MSC", "P", "GSPUD"}},
	}
	for _, r := range down {
		t.Run("to /1 "+r.federal.f+" "+r.federal.a+" "+r.federal.r, func(t *testing.T) {
			v := FromCanonical(canonical.Transaction{Header: canonical.Header{Function: canonical.FunctionCode(r.federal.f),
				Action: canonical.ActionCode(r.federal.a), Reason: canonical.ReasonCode(r.federal.r)}})
			h := v.Header
			if got := (header{string(h.Function), string(h.Action), string(h.Reason)}); got != r.legacy {
				t.Errorf("got %v, want %v", got, r.legacy)
			}
		})
	}
}

// TestShapes covers the fields /1 laid out differently: the contact's name
// and phone, the list of addresses and licenses, NCP aliases, and an order's
// single type field.
func TestShapes(t *testing.T) {
	addr := func(city string) canonical.Address {
		return canonical.Address{Line1: "1 Main St", City: city, State: "NJ", Zip: "08601"}
	}
	may1 := canonical.Date{Year: 2024, Month: 5, Day: 1}
	v := Transaction{
		Header: Header{SenderFIPS: "34000000", ReceiverFIPS: "36000000", MessageID: "m1", Serial: 7, TransactionDate: may1,
			SenderCaseID: "C1", Function: "ENF", Action: "R", Reason: "SIIWO"},
		Case: &Case{Type: "AD", Status: "O", Contact: &Contact{Name: "Pat Q Worker", Phone: "(609) 555-0100", Email: "p@example.org"}},
		NCP:  &NCP{Name: canonical.Name{First: "John", Last: "Doe"}, Aliases: []canonical.Name{{First: "Jon", Last: "Doe"}}},
		NCPLocate: &Locate{
			Addresses: []canonical.Address{addr("Trenton"), addr("Camden"), addr("Newark")},
			Employers: []Employer{{EIN: "123456789", Name: "Acme", Phone: "609.555.0199"}},
			Licenses:  []canonical.LegacyLicense{{Type: "Driver", Number: "D123", State: "NJ"}, {Type: "nursing", Number: "RN9", State: "NY"}},
		},
		Orders: []Order{
			{TribunalFIPS: "34021000", Docket: "FD-1", Type: "CS", IssueDate: may1, Amount: 50000, Frequency: "M", Controlling: true, Children: []int{0}},
			{TribunalFIPS: "34021000", Docket: "FD-2", Type: "AR", IssueDate: may1, Amount: 2500, Frequency: "W"},
			{TribunalFIPS: "34021000", Docket: "FD-3", Type: "MS", IssueDate: may1, Amount: 12000, Frequency: "O"},
		},
		Information: &Information{Text: "note"},
	}
	c, errs := ToCanonical(v)
	if errs != nil {
		t.Fatal(errs)
	}
	if ct := c.Case.Contact; ct.Name == nil || *ct.Name != (canonical.Name{First: "Pat", Last: "Q Worker"}) || ct.Phone != "6095550100" {
		t.Errorf("contact %+v name %+v", ct, ct.Name)
	}
	l := c.NCPLocate
	if l.Residential.Address.City != "Trenton" || l.Mailing.Address.City != "Camden" || l.LastResidential.City != "Newark" {
		t.Errorf("addresses %+v %+v %+v", l.Residential, l.Mailing, l.LastResidential)
	}
	if l.DriversLicense != "D123" || l.DriversLicenseState != "NJ" || l.ProfessionalLicenses != "nursing RN9 NY" {
		t.Errorf("licenses %q %q %q", l.DriversLicense, l.DriversLicenseState, l.ProfessionalLicenses)
	}
	if len(l.Aliases) != 1 || l.Aliases[0].First != "Jon" {
		t.Errorf("aliases %+v", l.Aliases)
	}
	if l.Employers[0].Phone != "6095550199" {
		t.Errorf("employer phone %q", l.Employers[0].Phone)
	}
	o := c.Orders
	if o[0].DebtType != canonical.DebtChildSupport || o[0].ControllingFlag != canonical.ControllingPresumed || o[0].Amount != 50000 {
		t.Errorf("order 0 %+v", o[0])
	}
	if o[1].DebtType != canonical.DebtChildSupport || o[1].Amount != 0 || o[1].ArrearsAmount != 2500 || o[1].ArrearsFrequency != "W" {
		t.Errorf("arrears-only order %+v", o[1])
	}
	if o[2].Amount != 0 || o[2].Frequency != canonical.FreqMonthly || o[2].Arrears != 12000 {
		t.Errorf("one-time order %+v", o[2])
	}

	// And back: the /1 shapes again, with the /1 codes.
	back := FromCanonical(c)
	want := v
	want.Case = &Case{Type: "AD", Status: "O", Contact: &Contact{Name: "Pat Q Worker", Phone: "6095550100", Email: "p@example.org"}}
	want.NCPLocate = &Locate{
		Addresses: v.NCPLocate.Addresses,
		Employers: []Employer{{EIN: "123456789", Name: "Acme", Phone: "6095550199"}},
		Licenses:  []canonical.LegacyLicense{{Type: "driver", Number: "D123", State: "NJ"}, {Type: "professional", Number: "nursing RN9 NY"}},
	}
	// A one-time amount comes back as arrears owed, monthly: /1 had no
	// other place for it and the federal model has no one-time frequency.
	want.Orders = append([]Order(nil), v.Orders...)
	want.Orders[2].Amount, want.Orders[2].Frequency, want.Orders[2].Arrears = 0, "M", 12000
	if !reflect.DeepEqual(back, want) {
		t.Errorf("round trip\n%+v\nwant\n%+v", back, want)
	}
}

func TestTooManyAddresses(t *testing.T) {
	a := canonical.Address{Line1: "1 Main St"}
	_, errs := ToCanonical(Transaction{NCPLocate: &Locate{Addresses: []canonical.Address{a, a, a, a}}})
	want := canonical.FieldErrors{{Path: "ncpLocate.addresses", PartnerPath: "/ncpLocate/addresses",
		Reason: "at most 3 addresses: residential, mailing and last residential"}}
	if !reflect.DeepEqual(errs, want) {
		t.Fatalf("errors %v, want %v", errs, want)
	}
}

// TestLocateWithoutNCP: a locate block with nothing /1 can carry is still
// written when there is no NCP block, so the partner sees the request was
// about locating; with an NCP block it is left out.
func TestLocateWithoutNCP(t *testing.T) {
	c := canonical.Transaction{NCPLocate: &canonical.NCPLocate{Occupation: "welder"}}
	if v := FromCanonical(c); v.NCPLocate == nil {
		t.Error("locate block dropped without an NCP block")
	}
	c.NCP = &canonical.NCPIdentification{}
	if v := FromCanonical(c); v.NCPLocate != nil {
		t.Errorf("empty locate block written: %+v", v.NCPLocate)
	}
}
