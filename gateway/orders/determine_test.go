package orders

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

const (
	NY = "36"
	NJ = "34"
	CA = "06"
	PA = "42"
	TX = "48"
	FL = "12"
)

// Keys long enough to be abbreviated in texts, as real HMACs are.
const (
	obl = "0b1160000000000000000000000000aa"
	c1  = "c1c1c1c1aaaaaaaaaaaaaaaaaaaaaaaa"
	c2  = "c2c2c2c2aaaaaaaaaaaaaaaaaaaaaaaa"
	c3  = "c3c3c3c3aaaaaaaaaaaaaaaaaaaaaaaa"
	c4  = "c4c4c4c4aaaaaaaaaaaaaaaaaaaaaaaa"
)

func day(s string) canonical.Date {
	d, err := canonical.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var asOf = day("2026-06-01")

func ord(id, state, issued string, children ...string) Order {
	return Order{
		ID: id, TribunalState: state, TribunalFIPS: canonical.FIPS(state + "00000"), Docket: "D-" + id,
		Type: canonical.DebtChildSupport, IssueDate: day(issued), Amount: 10000 + canonical.Cents(len(id)), Frequency: canonical.FreqWeekly,
		ObligorKey: obl, ChildKeys: children, Active: true,
	}
}

// lives builds residence facts: obligor, obligee, and one state for every child.
func lives(obligor, obligee string, children map[string]string, home map[string]string) Residence {
	return Residence{Obligor: obligor, Obligee: obligee, Children: children, HomeState: home}
}

func TestDetermine(t *testing.T) {
	tests := []struct {
		name     string
		orders   []Order
		facts    Residence
		kind     ResultKind
		rule     Rule
		ctrl     string
		missing  []string
		reason   string // substring of Reason
		basis    string // substring of Basis
		superset []string
	}{
		{
			name:   "only one order controls even when nobody lives in its state",
			orders: []Order{ord("A", CA, "2020-01-01", c1)},
			facts:  lives(TX, TX, map[string]string{c1: TX}, nil),
			kind:   ControllingOrder, rule: RuleOnlyOne, ctrl: "A",
			basis: "Only one tribunal has issued a support order",
		},
		{
			name:   "one tribunal's later order modified its earlier one",
			orders: []Order{ord("A", NY, "2020-01-01", c1), ord("B", NY, "2023-05-01", c1)},
			facts:  lives(Unknown, Unknown, nil, nil),
			kind:   ControllingOrder, rule: RuleOnlyOne, ctrl: "B",
			basis: "earlier orders A",
		},
		{
			name:   "sole CEJ: the issuing state nobody lives in anymore loses",
			orders: []Order{ord("CA1", CA, "2024-01-01", c1), ord("NY1", NY, "2019-01-01", c1)},
			facts:  lives(NY, TX, map[string]string{c1: TX}, map[string]string{c1: TX}),
			kind:   ControllingOrder, rule: RuleSoleCEJ, ctrl: "NY1",
			basis: "only the tribunal of NY (36) would have continuing, exclusive jurisdiction (the obligor still lives in NY (36)",
		},
		{
			name:   "several CEJ: the home state's order controls though older",
			orders: []Order{ord("NY1", NY, "2024-01-01", c1), ord("NJ1", NJ, "2019-01-01", c1)},
			facts:  lives(NY, NJ, map[string]string{c1: NJ}, map[string]string{c1: NJ}),
			kind:   ControllingOrder, rule: RuleHomeState, ctrl: "NJ1",
			basis: "issued in the children's home state, NJ (34)",
		},
		{
			name:   "several CEJ, none from the home state: the most recent controls",
			orders: []Order{ord("NY1", NY, "2019-01-01", c1), ord("NJ1", NJ, "2024-03-01", c1), ord("CA1", CA, "2025-01-01", c1)},
			facts:  lives(NY, NJ, map[string]string{c1: PA}, map[string]string{c1: PA}),
			kind:   ControllingOrder, rule: RuleMostRecent, ctrl: "NJ1",
			basis: "the most recently issued",
		},
		{
			name:   "most recent rule with a tie on issue dates is insufficient",
			orders: []Order{ord("NY1", NY, "2024-03-01", c1), ord("NJ1", NJ, "2024-03-01", c1)},
			facts:  lives(NY, NJ, map[string]string{c1: PA}, map[string]string{c1: PA}),
			kind:   Insufficient,
			reason: "were issued on the same day, 2024-03-01",
		},
		{
			name:   "a tie on older orders does not matter",
			orders: []Order{ord("NY1", NY, "2020-03-01", c1), ord("NJ1", NJ, "2020-03-01", c1), ord("FL1", FL, "2024-01-01", c1)},
			facts:  Residence{Obligor: NY, Obligee: NJ, Children: map[string]string{c1: FL}, HomeState: map[string]string{c1: PA}},
			kind:   ControllingOrder, rule: RuleMostRecent, ctrl: "FL1",
		},
		{
			name:   "no tribunal has CEJ: a new order is required",
			orders: []Order{ord("NY1", NY, "2019-01-01", c1), ord("CA1", CA, "2021-01-01", c1)},
			facts:  lives(TX, FL, map[string]string{c1: FL}, map[string]string{c1: FL}),
			kind:   NewOrderRequired, rule: RuleNoneCEJ,
			basis: "the deciding tribunal must issue a new order",
		},
		{
			name:   "party abroad counts as not in the issuing state",
			orders: []Order{ord("NY1", NY, "2019-01-01", c1), ord("CA1", CA, "2021-01-01", c1)},
			facts:  lives(Abroad, FL, map[string]string{c1: FL}, map[string]string{c1: FL}),
			kind:   NewOrderRequired, rule: RuleNoneCEJ,
		},
		{
			name:    "CEJ depends on where the obligee lives: insufficient, says what is missing",
			orders:  []Order{ord("NY1", NY, "2019-01-01", c1), ord("CA1", CA, "2021-01-01", c1)},
			facts:   lives(TX, Unknown, map[string]string{c1: TX}, map[string]string{c1: TX}),
			kind:    Insufficient,
			missing: []string{"obligee's state of residence"},
			reason:  "the result depends on facts that are not known",
		},
		{
			name:    "unknown child residence",
			orders:  []Order{ord("NY1", NY, "2019-01-01", c1, c2), ord("CA1", CA, "2021-01-01", c2)},
			facts:   lives(TX, TX, map[string]string{c2: TX}, map[string]string{c1: TX, c2: TX}),
			kind:    Insufficient,
			missing: []string{"state of residence of child c1c1c1c1"},
		},
		{
			name: "an unknown that cannot change the result does not stop it",
			orders: []Order{
				ord("NY1", NY, "2019-01-01", c1), ord("NJ1", NJ, "2024-01-01", c1), ord("CA1", CA, "2025-01-01", c1),
			},
			// NY and NJ have CEJ; CA's depends on the child's residence, unknown;
			// either way the home state (NY) decides.
			facts: Residence{Obligor: NY, Obligee: NJ, Children: map[string]string{}, HomeState: map[string]string{c1: NY}},
			kind:  ControllingOrder, rule: RuleHomeState, ctrl: "NY1",
			basis: "Not determined, and without effect on the result: CA (06) (unknown: state of residence of child c1c1c1c1)",
		},
		{
			name:    "home state unknown when the home-state rule is reached",
			orders:  []Order{ord("NY1", NY, "2019-01-01", c1), ord("NJ1", NJ, "2024-01-01", c1)},
			facts:   lives(NY, NJ, map[string]string{c1: NJ}, nil),
			kind:    Insufficient,
			missing: []string{"home state of child c1c1c1c1"},
		},
		{
			name:   "children with different home states",
			orders: []Order{ord("NY1", NY, "2019-01-01", c1, c2), ord("NJ1", NJ, "2024-01-01", c2)},
			facts:  lives(NY, NJ, map[string]string{c1: NY, c2: NJ}, map[string]string{c1: NY, c2: NJ}),
			kind:   Insufficient,
			reason: "the children have different home states",
		},
		{
			name:   "overlapping but different children are one group",
			orders: []Order{ord("NY1", NY, "2019-01-01", c1, c2), ord("NJ1", NJ, "2024-01-01", c2, c3)},
			facts:  lives(NY, TX, map[string]string{c1: TX, c2: TX, c3: TX}, map[string]string{c1: TX, c2: TX, c3: TX}),
			kind:   ControllingOrder, rule: RuleSoleCEJ, ctrl: "NY1",
		},
		{
			name:   "consent of all parties to another state's tribunal removes CEJ",
			orders: []Order{ord("NY1", NY, "2019-01-01", c1), ord("NJ1", NJ, "2022-01-01", c1)},
			facts: Residence{Obligor: NY, Obligee: NY, Children: map[string]string{c1: NJ}, HomeState: map[string]string{c1: NJ},
				Consents: []Consent{{OrderID: "NY1", Kind: ConsentTransfer, ToState: NJ, ByObligor: true, ByObligee: true, Date: day("2025-02-01")}}},
			kind: ControllingOrder, rule: RuleSoleCEJ, ctrl: "NJ1",
			basis: "all individual parties consented in a record (2025-02-01) that the tribunal of NJ (34) may modify",
		},
		{
			name:   "consent by the obligor alone does not remove CEJ",
			orders: []Order{ord("NY1", NY, "2019-01-01", c1), ord("NJ1", NJ, "2022-01-01", c1)},
			facts: Residence{Obligor: NY, Obligee: NY, Children: map[string]string{c1: NJ}, HomeState: map[string]string{c1: PA},
				Consents: []Consent{{OrderID: "NY1", Kind: ConsentTransfer, ToState: NJ, ByObligor: true, Date: day("2025-02-01")}}},
			kind: ControllingOrder, rule: RuleMostRecent, ctrl: "NJ1",
		},
		{
			name:   "consent to keep jurisdiction when nobody lives there",
			orders: []Order{ord("CA1", CA, "2019-01-01", c1), ord("FL1", FL, "2022-01-01", c1)},
			facts: Residence{Obligor: TX, Obligee: TX, Children: map[string]string{c1: TX}, HomeState: map[string]string{c1: TX},
				Consents: []Consent{{OrderID: "CA1", Kind: ConsentKeep, ByObligor: true, ByObligee: true, Date: day("2023-01-01")}}},
			kind: ControllingOrder, rule: RuleSoleCEJ, ctrl: "CA1",
			basis: "keeps jurisdiction (§205(a)(2))",
		},
		{
			name:   "agency obligee: only obligor and children count",
			orders: []Order{ord("CA1", CA, "2019-01-01", c1), ord("FL1", FL, "2022-01-01", c1)},
			facts:  Residence{Obligor: FL, NoIndividualObligee: true, Children: map[string]string{c1: TX}, HomeState: map[string]string{c1: TX}},
			kind:   ControllingOrder, rule: RuleSoleCEJ, ctrl: "FL1",
		},
		{
			name: "inactive orders do not compete",
			orders: []Order{
				func() Order { o := ord("NY1", NY, "2025-01-01", c1); o.Active = false; return o }(),
				ord("CA1", CA, "2019-01-01", c1),
			},
			facts: lives(NY, NY, map[string]string{c1: NY}, map[string]string{c1: NY}),
			kind:  ControllingOrder, rule: RuleOnlyOne, ctrl: "CA1",
		},
		{
			name:   "same tribunal, two orders the same day",
			orders: []Order{ord("A", NY, "2020-01-01", c1), ord("B", NY, "2020-01-01", c1), ord("C", NJ, "2021-01-01", c1)},
			facts:  lives(NY, NJ, nil, nil),
			kind:   Insufficient,
			reason: "orders A and B of the same tribunal 36 were both issued on 2020-01-01",
		},
		{
			name:   "disjoint children are refused, not silently split",
			orders: []Order{ord("A", NY, "2020-01-01", c1), ord("B", NJ, "2021-01-01", c4)},
			kind:   Refused,
			reason: "not one group",
		},
		{
			name:   "spousal support is refused",
			orders: []Order{func() Order { o := ord("S", NY, "2020-01-01", c1); o.Type = canonical.DebtSpousalSupport; return o }()},
			kind:   Refused,
			reason: "§211",
		},
		{
			name:   "an order issued after the determination date is refused",
			orders: []Order{ord("A", NY, "2027-01-01", c1)},
			kind:   Refused,
			reason: "after the determination date",
		},
		{
			name:   "duplicate IDs are refused",
			orders: []Order{ord("A", NY, "2020-01-01", c1), ord("A", NJ, "2021-01-01", c1)},
			kind:   Refused,
			reason: "order ID A appears twice",
		},
		{
			name:   "no orders",
			kind:   Refused,
			reason: "no orders",
		},
		{
			name:   "unknown issuing state",
			orders: []Order{{ID: "X", TribunalState: "99", IssueDate: day("2020-01-01"), ObligorKey: obl, Active: true}},
			kind:   Refused,
			reason: `issuing state "99"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Determine(tt.orders, tt.facts, nil, asOf)
			if d.Kind != tt.kind || d.Rule != tt.rule {
				t.Fatalf("kind, rule = %s, %q; want %s, %q (reason %q, missing %v)", d.Kind, d.Rule, tt.kind, tt.rule, d.Reason, d.Missing)
			}
			gotCtrl := ""
			if d.Controlling != nil {
				gotCtrl = d.Controlling.ID
				if d.Prospective.Cents != d.Controlling.Amount || d.Prospective.Frequency != d.Controlling.Frequency {
					t.Errorf("prospective = %+v, want the controlling order's amount", d.Prospective)
				}
			}
			if gotCtrl != tt.ctrl {
				t.Errorf("controlling = %q, want %q", gotCtrl, tt.ctrl)
			}
			if tt.missing != nil && !reflect.DeepEqual(d.Missing, tt.missing) {
				t.Errorf("missing = %q, want %q", d.Missing, tt.missing)
			}
			if tt.missing == nil && d.Kind != Insufficient && len(d.Missing) > 0 {
				t.Errorf("missing = %q, want none", d.Missing)
			}
			if !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("reason = %q, want it to contain %q", d.Reason, tt.reason)
			}
			if !strings.Contains(d.Basis, tt.basis) {
				t.Errorf("basis = %q, want it to contain %q", d.Basis, tt.basis)
			}
			if (d.Kind == ControllingOrder || d.Kind == NewOrderRequired) && d.Basis == "" {
				t.Error("a decided determination must state its basis")
			}
		})
	}
}

func TestHasCEJ(t *testing.T) {
	o := ord("NY1", NY, "2020-01-01", c1, c2)
	tests := []struct {
		name    string
		facts   Residence
		has     bool
		basis   string
		missing []string
	}{
		{"obligor lives there", Residence{Obligor: NY}, true, "the obligor still lives in NY (36)", nil},
		{"obligee lives there", Residence{Obligor: TX, Obligee: NY}, true, "the obligee still lives in NY", nil},
		{"second child lives there", Residence{Obligor: TX, Obligee: TX, Children: map[string]string{c1: TX, c2: NY}}, true, "child c2c2c2c2 still lives", nil},
		{"nobody lives there", Residence{Obligor: TX, Obligee: TX, Children: map[string]string{c1: TX, c2: PA}}, false, "neither the obligor", nil},
		{"all unknown", Residence{}, false, "", []string{"obligor's state of residence", "obligee's state of residence", "state of residence of child c1c1c1c1", "state of residence of child c2c2c2c2"}},
		{"one known resident settles it despite unknowns", Residence{Obligee: NY}, true, "the obligee", nil},
		{"agency obligee is not asked about", Residence{Obligor: TX, NoIndividualObligee: true, Children: map[string]string{c1: TX}}, false, "", []string{"state of residence of child c2c2c2c2"}},
		{"transfer consent wins over residence", Residence{Obligor: NY, Obligee: NY, Consents: []Consent{{OrderID: "NY1", Kind: ConsentTransfer, ToState: NJ, ByObligor: true, ByObligee: true}}}, false, "may modify the order (§205(b)(1))", nil},
		{"transfer consent for another order is ignored", Residence{Obligor: NY, Consents: []Consent{{OrderID: "X", Kind: ConsentTransfer, ToState: NJ, ByObligor: true, ByObligee: true}}}, true, "the obligor", nil},
		{"transfer consent to its own state is no transfer", Residence{Obligor: NY, Consents: []Consent{{OrderID: "NY1", Kind: ConsentTransfer, ToState: NY, ByObligor: true, ByObligee: true}}}, true, "the obligor", nil},
		{"keep consent needs both parties", Residence{Obligor: TX, Obligee: TX, Children: map[string]string{c1: TX, c2: TX}, Consents: []Consent{{OrderID: "NY1", Kind: ConsentKeep, ByObligee: true}}}, false, "neither", nil},
		{"keep consent with unknown residences still decides", Residence{Consents: []Consent{{OrderID: "NY1", Kind: ConsentKeep, ByObligor: true, ByObligee: true}}}, true, "keeps jurisdiction", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			has, basis, missing := HasCEJ(o, tt.facts)
			if has != tt.has || !reflect.DeepEqual(missing, tt.missing) {
				t.Fatalf("HasCEJ = %v, %q, %q; want %v, %q", has, basis, missing, tt.has, tt.missing)
			}
			if !strings.Contains(basis, tt.basis) {
				t.Errorf("basis = %q, want it to contain %q", basis, tt.basis)
			}
		})
	}
}

func TestConsolidatedArrears(t *testing.T) {
	a := ord("NY1", NY, "2019-01-01", c1)
	a.Arrears, a.ArrearsAsOf = 500000, day("2026-01-31")
	b := ord("NJ1", NJ, "2021-01-01", c1)
	b.Arrears, b.ArrearsAsOf = 120000, day("2026-03-31")
	b.Registered = []string{NY, PA}
	c := ord("CA1", CA, "2018-01-01", c1)
	c.Active = false
	c.Arrears, c.ArrearsAsOf = 30000, day("2025-12-31")
	payments := []Payment{
		{OrderID: "NY1", Date: day("2026-01-15"), Amount: 10000}, // before NY1's as-of: already in its arrears
		{OrderID: "NY1", Date: day("2026-02-15"), Amount: 20000}, // credited
		{OrderID: "NJ1", Date: day("2026-04-10"), Amount: 15000}, // credited
		{OrderID: "CA1", Date: day("2026-01-05"), Amount: 5000},  // credited against the inactive order
		{OrderID: "NJ1", Date: day("2026-07-01"), Amount: 9900},  // after the determination date
		{OrderID: "ZZ9", Date: day("2026-02-01"), Amount: 7700},  // unknown order
		{OrderID: "NY1", Date: day("2026-03-01"), Amount: -1},    // invalid
	}
	facts := lives(NY, NJ, map[string]string{c1: NJ}, map[string]string{c1: NJ})
	d := Determine([]Order{a, b, c}, facts, payments, asOf)
	if d.Kind != ControllingOrder || d.Controlling.ID != "NJ1" || d.Rule != RuleHomeState {
		t.Fatalf("got %s %s %v: %s", d.Kind, d.Rule, d.Controlling, d.Reason)
	}
	want := Arrears{
		Total: 500000 + 120000 + 30000 - 20000 - 15000 - 5000, Stated: 650000, Credited: 40000,
		Lines: []ArrearsLine{
			{OrderID: "NY1", Stated: 500000, AsOf: day("2026-01-31"), Payments: 20000},
			{OrderID: "NJ1", Stated: 120000, AsOf: day("2026-03-31"), Payments: 15000},
			{OrderID: "CA1", Stated: 30000, AsOf: day("2025-12-31"), Payments: 5000},
		},
		Excluded: []ExcludedPayment{
			{payments[0], "already reflected in the arrears stated as of 2026-01-31"},
			{payments[4], "made after the determination date"},
			{payments[5], "not made under any order of this determination"},
			{payments[6], "amount is not a positive amount"},
		},
	}
	if !reflect.DeepEqual(d.Arrears, want) {
		t.Errorf("arrears =\n%+v\nwant\n%+v", d.Arrears, want)
	}
	if !strings.Contains(d.Basis, "Consolidated arrears as of 2026-06-01: $6100.00") || !strings.Contains(d.Basis, "Prospective support: $100.03 per week") {
		t.Errorf("basis = %q", d.Basis)
	}
	if !reflect.DeepEqual(d.FileWith, []string{CA, NJ, NY, PA}) {
		t.Errorf("file with = %v", d.FileWith)
	}
}

func TestArrearsNeverNegativeAndMissingAsOf(t *testing.T) {
	a := ord("NY1", NY, "2019-01-01", c1)
	a.Arrears, a.ArrearsAsOf = 10000, day("2026-01-01")
	b := ord("NJ1", NJ, "2020-01-01", c1)
	b.Arrears = 5000 // no as-of date
	payments := []Payment{
		{OrderID: "NY1", Date: day("2026-02-01"), Amount: 25000},
		{OrderID: "NJ1", Date: day("2026-02-01"), Amount: 1000},
	}
	d := Determine([]Order{a, b}, lives(NY, TX, map[string]string{c1: TX}, nil), payments, asOf)
	got := d.Arrears
	if got.Total != 0 || got.Overpaid != 10000 || got.Stated != 15000 || got.Credited != 25000 {
		t.Errorf("total %d overpaid %d stated %d credited %d", got.Total, got.Overpaid, got.Stated, got.Credited)
	}
	if !reflect.DeepEqual(got.Missing, []string{"arrears as-of date of order NJ1"}) {
		t.Errorf("missing = %q", got.Missing)
	}
	if len(got.Excluded) != 1 || got.Excluded[0].Payment.OrderID != "NJ1" {
		t.Errorf("excluded = %+v", got.Excluded)
	}
	if !strings.Contains(d.Basis, "exceed the stated arrears by $100.00") || !strings.Contains(d.Basis, "incomplete without: arrears as-of date of order NJ1") {
		t.Errorf("basis = %q", d.Basis)
	}
}

func TestGroupsAndDetermineEach(t *testing.T) {
	orders := []Order{
		ord("A", NY, "2019-01-01", c1),
		ord("B", NJ, "2020-01-01", c4),
		ord("C", CA, "2021-01-01", c1, c2),
		ord("D", PA, "2022-01-01", c2, c3), // joins A and C through c2
	}
	gs := Groups(orders)
	var ids [][]string
	for _, g := range gs {
		var row []string
		for _, o := range g {
			row = append(row, o.ID)
		}
		ids = append(ids, row)
	}
	if want := [][]string{{"A", "C", "D"}, {"B"}}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("groups = %v, want %v", ids, want)
	}
	facts := lives(PA, TX, map[string]string{c1: TX, c2: TX, c3: TX, c4: TX}, nil)
	payments := []Payment{{OrderID: "B", Date: day("2026-01-01"), Amount: 100}, {OrderID: "nowhere", Date: day("2026-01-01"), Amount: 100}}
	ds := DetermineEach(orders, facts, payments, asOf)
	if len(ds) != 2 {
		t.Fatalf("got %d determinations", len(ds))
	}
	if ds[0].Kind != ControllingOrder || ds[0].Controlling.ID != "D" || ds[0].Rule != RuleSoleCEJ {
		t.Errorf("group 1: %s %s %s", ds[0].Kind, ds[0].Rule, ds[0].Reason)
	}
	if ds[1].Kind != ControllingOrder || ds[1].Controlling.ID != "B" || ds[1].Rule != RuleOnlyOne {
		t.Errorf("group 2: %s %s", ds[1].Kind, ds[1].Rule)
	}
	if len(ds[0].Arrears.Excluded) != 1 || len(ds[1].Arrears.Excluded) != 2 {
		t.Errorf("excluded: %+v / %+v", ds[0].Arrears.Excluded, ds[1].Arrears.Excluded)
	}

	other := ord("E", NY, "2020-01-01", c1)
	other.ObligorKey = "someone-else"
	if ds := DetermineEach([]Order{orders[0], other}, facts, nil, asOf); len(ds) != 1 || ds[0].Kind != Refused {
		t.Errorf("two obligors: %+v", ds)
	}
}

func BenchmarkDetermine(b *testing.B) {
	var orders []Order
	facts := Residence{Obligor: NY, Obligee: NJ, Children: map[string]string{}, HomeState: map[string]string{}}
	states := []string{NY, NJ, CA, PA, TX, FL, "01", "02", "04"}
	var payments []Payment
	for i, s := range states {
		k := fmt.Sprintf("child%024d", i)
		o := ord(fmt.Sprintf("O%d", i), s, fmt.Sprintf("20%02d-01-01", 10+i), c1, k)
		o.Arrears, o.ArrearsAsOf = 100000, day("2025-01-01")
		orders = append(orders, o)
		facts.Children[k] = TX
		facts.HomeState[k] = PA
		for m := 1; m <= 12; m++ {
			payments = append(payments, Payment{OrderID: o.ID, Date: canonical.Date{Year: 2025, Month: time.Month(1 + m%12), Day: 15}, Amount: 5000})
		}
	}
	facts.HomeState[c1] = PA
	b.ReportAllocs()
	for b.Loop() {
		d := Determine(orders, facts, payments, asOf)
		if d.Kind == Refused {
			b.Fatal(d.Reason)
		}
	}
}
