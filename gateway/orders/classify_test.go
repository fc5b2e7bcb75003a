package orders

import (
	"reflect"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func dob(s string) *canonical.Date { d := day(s); return &d }

func TestMatch(t *testing.T) {
	jose := canonical.Name{First: "José", Last: "García"}
	tests := []struct {
		name string
		a, b Person
		want MatchLevel
	}{
		{"same key", Person{SSNKey: "k1", Name: canonical.Name{First: "Ann", Last: "Lee"}}, Person{SSNKey: "k1", Name: canonical.Name{First: "Ann", Last: "Park"}}, MatchSSN},
		{"different keys, same name and birthday (twins)", Person{SSNKey: "k1", Name: jose, DOB: dob("2015-05-05")}, Person{SSNKey: "k2", Name: jose, DOB: dob("2015-05-05")}, MatchNone},
		{"one key missing, name and birthday agree across accents and case", Person{SSNKey: "k1", Name: jose, DOB: dob("2015-05-05")}, Person{Name: canonical.Name{First: "JOSE", Last: "garcia"}, DOB: dob("2015-05-05")}, MatchNameDOB},
		{"apostrophe, hyphen and suffix", Person{Name: canonical.Name{First: "Sean", Last: "O'Brien-Smith Jr."}, DOB: dob("1980-01-02")}, Person{Name: canonical.Name{First: "SEAN", Last: "OBRIEN SMITH"}, DOB: dob("1980-01-02")}, MatchNameDOB},
		{"birthdays differ", Person{Name: jose, DOB: dob("2015-05-05")}, Person{Name: jose, DOB: dob("2015-05-06")}, MatchNone},
		{"no birthday on one side", Person{Name: jose}, Person{Name: jose, DOB: dob("2015-05-05")}, MatchWeak},
		{"nickname with same initial", Person{Name: canonical.Name{First: "Rob", Last: "Hart"}, DOB: dob("1990-03-03")}, Person{Name: canonical.Name{First: "Robert", Last: "Hart"}, DOB: dob("1990-03-03")}, MatchWeak},
		{"different first names", Person{Name: canonical.Name{First: "Ann", Last: "Hart"}, DOB: dob("1990-03-03")}, Person{Name: canonical.Name{First: "Beth", Last: "Hart"}, DOB: dob("1990-03-03")}, MatchNone},
		{"empty names never match", Person{DOB: dob("1990-03-03")}, Person{DOB: dob("1990-03-03")}, MatchNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.a, tt.b); got != tt.want {
				t.Errorf("Match = %s, want %s", got, tt.want)
			}
			if got := Match(tt.b, tt.a); got != tt.want {
				t.Errorf("Match reversed = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"José":           "JOSE",
		"O'Brien":        "OBRIEN",
		"Smith-Jones":    "SMITHJONES",
		"de la Cruz":     "DELACRUZ",
		"Smith Jr.":      "SMITH",
		"King, III":      "KING",
		"Jr":             "JR", // a suffix alone is the name
		"Łukasz Straße":  "LUKASZSTRASSE",
		"  Nguyễn  ":     "NGUYỄN",
		"":               "",
		"Mary-Ann  Lynn": "MARYANNLYNN",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

const (
	nyFIPS canonical.FIPS = "3606100"
	njFIPS canonical.FIPS = "3401300"
	caFIPS canonical.FIPS = "0603700"
)

// tx builds a transaction from NJ to NY with an NCP and two children.
func tx(fn canonical.FunctionCode, orders ...canonical.Order) Incoming {
	return Incoming{
		Tx: canonical.Transaction{
			Header: canonical.Header{SenderFIPS: njFIPS, ReceiverFIPS: nyFIPS, Function: fn, Action: canonical.ActRequest},
			NCP:    &canonical.NCPIdentification{Name: canonical.Name{First: "Dan", Last: "Ortiz"}, DateOfBirth: dob("1985-02-02")},
			Participants: []canonical.Participant{
				{Name: canonical.Name{First: "Eva", Last: "Ortiz"}, Relationship: canonical.RelCustodialParty},
				{Name: canonical.Name{First: "Leo", Last: "Ortiz"}, DateOfBirth: dob("2016-01-01"), Relationship: canonical.RelChild},
				{Name: canonical.Name{First: "Mia", Last: "Ortiz"}, DateOfBirth: dob("2018-01-01"), Relationship: canonical.RelChild},
			},
			Orders: orders,
		},
		ObligorKey:      obl,
		ParticipantKeys: []string{"cp-key", c1, c2},
	}
}

func block(f canonical.FIPS, docket, issued string, children ...int) canonical.Order {
	return canonical.Order{TribunalFIPS: f, Docket: docket, DebtType: canonical.DebtChildSupport, IssueDate: day(issued), Amount: 11500, Frequency: canonical.FreqWeekly, Children: children}
}

func existing(id string, f canonical.FIPS, docket, issued string, children ...string) Order {
	return Order{ID: id, TribunalState: f.State(), TribunalFIPS: f, Docket: docket, Type: canonical.DebtChildSupport, IssueDate: day(issued),
		Amount: 11500, Frequency: canonical.FreqWeekly, ObligorKey: obl, ChildKeys: children, Active: true}
}

func TestClassify(t *testing.T) {
	nyOrder := existing("R1", nyFIPS, "F-1234-24", "2024-01-10", c1, c2)
	caOrder := existing("R2", caFIPS, "CA777", "2022-06-01", c2)
	stranger := existing("R9", nyFIPS, "F-9999-20", "2020-01-01", c1)
	stranger.ObligorKey = "another-obligor"

	noKeys := func(in Incoming) Incoming { in.ObligorKey = ""; in.ParticipantKeys = nil; return in }
	withKeyedPeople := nyOrder
	withKeyedPeople.ObligorKey = ""
	withKeyedPeople.ChildKeys = nil
	withKeyedPeople.Obligor = Person{Name: canonical.Name{First: "DAN", Last: "ORTIZ"}, DOB: dob("1985-02-02")}
	withKeyedPeople.Children = []Person{{Name: canonical.Name{First: "Leo", Last: "Ortiz"}, DOB: dob("2016-01-01")}}

	tests := []struct {
		name      string
		in        Incoming
		existing  []Order
		policy    Policy
		kind      FindingKind
		route     Route
		suggested Route
		level     MatchLevel
		orderIDs  []string
		by        []string
		reason    string
	}{
		{
			name: "EST with no order on file", in: tx(canonical.FuncEstablish), existing: []Order{stranger},
			kind: NoConflict, route: RouteProceed, level: MatchNone,
		},
		{
			name: "same tribunal and docket written differently", in: tx(canonical.FuncEnforce, block(nyFIPS, "f 1234/24", "2024-01-10", 1, 2)), existing: []Order{stranger, nyOrder},
			kind: SameOrder, route: RouteMerge, level: MatchSSN, orderIDs: []string{"R1"}, by: []string{"tribunal_docket"},
		},
		{
			name: "same content without a docket, county unknown", in: tx(canonical.FuncEnforce, block("3600000", "", "2024-01-10", 1, 2)), existing: []Order{nyOrder},
			kind: SameOrder, route: RouteMerge, level: MatchSSN, orderIDs: []string{"R1"}, by: []string{"content"},
		},
		{
			name: "same docket but a different obligor is no merge", in: tx(canonical.FuncEnforce, block(nyFIPS, "F-9999-20", "2023-01-01", 1)), existing: []Order{stranger},
			kind: NoConflict, route: RouteReview, suggested: RouteProceed, level: MatchNone, reason: "different obligor",
		},
		{
			name: "EST meets an order of the receiving state: enforce, after review by default", in: tx(canonical.FuncEstablish), existing: []Order{nyOrder},
			kind: ExistingOrderForEST, route: RouteReview, suggested: RouteEnforce, level: MatchSSN, orderIDs: []string{"R1"}, reason: "a second order must not be made",
		},
		{
			name: "EST meets an order of the receiving state: enforce by policy", in: tx(canonical.FuncEstablish), existing: []Order{nyOrder}, policy: Policy{RerouteEST: true},
			kind: ExistingOrderForEST, route: RouteEnforce, level: MatchSSN, orderIDs: []string{"R1"},
		},
		{
			name: "EST meets another state's order: register", in: tx(canonical.FuncEstablish), existing: []Order{caOrder}, policy: Policy{RerouteEST: true},
			kind: ExistingOrderForEST, route: RouteRegister, level: MatchSSN, orderIDs: []string{"R2"}, reason: "register it for enforcement",
		},
		{
			name: "EST meets another state's order registered here: enforce", in: tx(canonical.FuncEstablish), policy: Policy{RerouteEST: true},
			existing: []Order{func() Order { o := caOrder; o.Registered = []string{NY}; return o }()},
			kind:     ExistingOrderForEST, route: RouteEnforce, level: MatchSSN, orderIDs: []string{"R2"},
		},
		{
			name: "EST meets orders of two tribunals: determination", in: tx(canonical.FuncEstablish), existing: []Order{nyOrder, caOrder}, policy: Policy{RerouteEST: true},
			kind: CompetingOrder, route: RouteDetermination, level: MatchSSN, orderIDs: []string{"R1", "R2"}, reason: "orders of several tribunals exist",
		},
		{
			name: "EST ignores inactive orders", in: tx(canonical.FuncEstablish), existing: []Order{func() Order { o := nyOrder; o.Active = false; return o }()},
			kind: NoConflict, route: RouteProceed,
		},
		{
			name: "a new order for an overlapping child competes", in: tx(canonical.FuncEnforce, block(njFIPS, "FD-55", "2025-03-01", 2)), existing: []Order{nyOrder, stranger},
			kind: CompetingOrder, route: RouteDetermination, level: MatchSSN, orderIDs: []string{"R1"}, by: []string{"obligor_child"},
		},
		{
			name: "one block same, another competing: competing wins, both in evidence", in: tx(canonical.FuncEnforce, block(nyFIPS, "F-1234-24", "2024-01-10", 1, 2), block(caFIPS, "CA777", "2022-06-01", 2)),
			existing: []Order{nyOrder},
			kind:     CompetingOrder, route: RouteDetermination, level: MatchSSN, orderIDs: []string{"R1"}, by: []string{"tribunal_docket", "obligor_child", "obligor_child"},
		},
		{
			name: "two blocks of one transaction for the same child compete", in: tx(canonical.FuncEnforce, block(njFIPS, "A1", "2020-01-01", 1), block(caFIPS, "B2", "2021-01-01", 1, 2)),
			kind: CompetingOrder, route: RouteDetermination, level: MatchSSN, by: []string{"obligor_child"},
		},
		{
			name: "name and birthday only: the rules suggest, a person decides", in: noKeys(tx(canonical.FuncEnforce, block(njFIPS, "FD-55", "2025-03-01", 1))), existing: []Order{withKeyedPeople},
			kind: CompetingOrder, route: RouteReview, suggested: RouteDetermination, level: MatchNameDOB, orderIDs: []string{"R1"}, reason: "name_dob evidence only",
		},
		{
			name: "name and birthday accepted when the policy allows", in: noKeys(tx(canonical.FuncEnforce, block(njFIPS, "FD-55", "2025-03-01", 1))), existing: []Order{withKeyedPeople},
			policy: Policy{MinAutoLevel: MatchNameDOB},
			kind:   CompetingOrder, route: RouteDetermination, level: MatchNameDOB, orderIDs: []string{"R1"},
		},
		{
			name: "different child keys do not overlap", in: tx(canonical.FuncEnforce, block(njFIPS, "FD-55", "2025-03-01", 1)),
			existing: []Order{existing("R3", nyFIPS, "X", "2020-01-01", c3)},
			kind:     NoConflict, route: RouteProceed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Classify(tt.in, tt.existing, tt.policy)
			if f.Kind != tt.kind || f.Route != tt.route || f.Suggested != tt.suggested || f.Level != tt.level {
				t.Fatalf("kind %s route %s suggested %q level %s; want %s %s %q %s (reason %q, evidence %+v)",
					f.Kind, f.Route, f.Suggested, f.Level, tt.kind, tt.route, tt.suggested, tt.level, f.Reason, f.Evidence)
			}
			if !reflect.DeepEqual(f.OrderIDs, tt.orderIDs) {
				t.Errorf("order IDs = %v, want %v", f.OrderIDs, tt.orderIDs)
			}
			if tt.by != nil {
				var by []string
				for _, e := range f.Evidence {
					by = append(by, e.By)
				}
				if !reflect.DeepEqual(by, tt.by) {
					t.Errorf("evidence by %v, want %v", by, tt.by)
				}
			}
			if !strings.Contains(f.Reason, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", f.Reason, tt.reason)
			}
		})
	}
}

func TestClassifyEvidenceNamesChildren(t *testing.T) {
	nyOrder := existing("R1", nyFIPS, "F-1234-24", "2024-01-10", c1, c2)
	f := Classify(tx(canonical.FuncEnforce, block(njFIPS, "FD-55", "2025-03-01", 1, 2)), []Order{nyOrder}, Policy{})
	want := []Evidence{{
		Kind: CompetingOrder, IncomingOrder: 0, ExistingOrderID: "R1", OtherIncomingOrder: -1, By: "obligor_child", Obligor: MatchSSN,
		Children: []ChildMatch{{Participant: 1, Existing: "c1c1c1c1", Level: MatchSSN}, {Participant: 2, Existing: "c2c2c2c2", Level: MatchSSN}},
	}}
	if !reflect.DeepEqual(f.Evidence, want) {
		t.Errorf("evidence =\n%+v\nwant\n%+v", f.Evidence, want)
	}
}
