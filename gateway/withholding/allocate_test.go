package withholding

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestAllocate(t *testing.T) {
	low := Federal()
	low.State, low.Name, low.Single = "42", "Lowland", 40
	total := Federal()
	total.Allocation = ProrateTotal
	type want struct{ cur, arr, fee canonical.Cents }
	tests := []struct {
		name       string
		rules      Rules
		disposable canonical.Cents
		second     bool
		over12     bool
		claims     []Claim
		limit      canonical.Cents
		available  canonical.Cents
		shares     []want
	}{
		{
			name: "NY handbook: $200/week order, $300 disposable, single, no arrears → $180", rules: Federal(), disposable: 30000,
			claims: []Claim{{ID: "A", Current: 20000}},
			limit:  18000, available: 18000, shares: []want{{18000, 0, 0}},
		},
		{
			name: "two IWOs, cap binds on current support", rules: Federal(), disposable: 30000,
			claims: []Claim{{ID: "A", Current: 15000, Arrears: 3000}, {ID: "B", Current: 10000}},
			limit:  18000, available: 18000, shares: []want{{10800, 0, 0}, {7200, 0, 0}},
		},
		{
			name: "three IWOs, cap binds on arrears only", rules: Federal(), disposable: 30000,
			claims: []Claim{{ID: "A", Current: 5000, Arrears: 2000}, {ID: "B", Current: 4000, Arrears: 3000}, {ID: "C", Current: 3000, Arrears: 5000}},
			limit:  18000, available: 18000, shares: []want{{5000, 1200, 0}, {4000, 1800, 0}, {3000, 3000, 0}},
		},
		{
			name: "three IWOs, cap does not bind", rules: Federal(), disposable: 100000,
			claims: []Claim{{ID: "A", Current: 5000, Arrears: 2000, Fee: 100}, {ID: "B", Current: 4000}, {ID: "C", Current: 3000, Arrears: 5000}},
			limit:  60000, available: 19100, shares: []want{{5000, 2000, 100}, {4000, 0, 0}, {3000, 5000, 0}},
		},
		{
			name: "fees come last", rules: Federal(), disposable: 20000,
			claims: []Claim{{ID: "A", Current: 5000, Arrears: 6000, Fee: 300}, {ID: "B", Current: 1000, Fee: 300}},
			limit:  12000, available: 12000, shares: []want{{5000, 6000, 0}, {1000, 0, 0}},
		},
		{
			name: "state cap lower than CCPA wins", rules: low, disposable: 30000,
			claims: []Claim{{ID: "A", Current: 20000}},
			limit:  12000, available: 12000, shares: []want{{12000, 0, 0}},
		},
		{
			// Current support stays within 50%; the five points go to arrears (15 U.S.C. 1673(b)(2)).
			name: "second family, 12 weeks or more: 55%", rules: Federal(), disposable: 30000, second: true, over12: true,
			claims: []Claim{{ID: "A", Current: 20000, Arrears: 5000}},
			limit:  16500, available: 16500, shares: []want{{15000, 1500, 0}},
		},
		{
			name: "over 12 weeks, $200 current, no arrears payment, $300 → $180, all current", rules: Federal(), disposable: 30000, over12: true,
			claims: []Claim{{ID: "A", Current: 20000}},
			limit:  19500, available: 18000, shares: []want{{18000, 0, 0}},
		},
		{
			name: "over 12 weeks, $200 current, $40 arrears payment, $300 → $180 + $15", rules: Federal(), disposable: 30000, over12: true,
			claims: []Claim{{ID: "A", Current: 20000, Arrears: 4000}},
			limit:  19500, available: 19500, shares: []want{{18000, 1500, 0}},
		},
		{
			name: "over 12 weeks, arrears small: the five points are reached only by them", rules: Federal(), disposable: 30000, over12: true,
			claims: []Claim{{ID: "A", Current: 20000, Arrears: 500}},
			limit:  19500, available: 18500, shares: []want{{18000, 500, 0}},
		},
		{
			name: "over 12 weeks, fees stay within 60%", rules: Federal(), disposable: 30000, over12: true,
			claims: []Claim{{ID: "A", Current: 17000, Arrears: 4000, Fee: 500}},
			// current 170 of 180; arrears 15 extra + 10 left under 60% = 25; nothing left for the fee.
			limit: 19500, available: 19500, shares: []want{{17000, 2500, 0}},
		},
		{
			name: "prorate-total, over 12 weeks: current within 60%, the five points to arrears", rules: total, disposable: 30000, over12: true,
			claims: []Claim{{ID: "A", Current: 20000, Arrears: 4000}},
			limit:  19500, available: 19500, shares: []want{{18000, 1500, 0}},
		},
		{
			name: "equal claims: the leftover cent goes to the earliest", rules: Federal(), disposable: 167,
			claims: []Claim{{ID: "A", Current: 1000}, {ID: "B", Current: 1000}, {ID: "C", Current: 1000}},
			limit:  100, available: 100, shares: []want{{34, 0, 0}, {33, 0, 0}, {33, 0, 0}},
		},
		{
			name: "largest remainder, not the earliest", rules: Federal(), disposable: 1000,
			claims: []Claim{{ID: "A", Current: 100}, {ID: "B", Current: 200}, {ID: "C", Current: 400}},
			// 600 × 100/700 = 85.71, × 200/700 = 171.43, × 400/700 = 342.86: floors sum to 598;
			// the two cents go to A (.71) and C (.86).
			limit: 600, available: 600, shares: []want{{86, 0, 0}, {171, 0, 0}, {343, 0, 0}},
		},
		{
			name: "no order left unimplemented: a tiny order still gets a cent", rules: Federal(), disposable: 1000,
			claims: []Claim{{ID: "A", Current: 1_000_000}, {ID: "B", Current: 1}},
			limit:  600, available: 600, shares: []want{{599, 0, 0}, {1, 0, 0}},
		},
		{
			name: "prorate-total policy: each order's total share, current first within it", rules: total, disposable: 30000,
			claims: []Claim{{ID: "A", Current: 10000, Arrears: 10000}, {ID: "B", Current: 10000}},
			// 18000 × 20000/30000 = 12000 to A (10000 current, 2000 arrears); 6000 to B.
			limit: 18000, available: 18000, shares: []want{{10000, 2000, 0}, {6000, 0, 0}},
		},
		{
			name: "no disposable earnings", rules: Federal(), disposable: 0,
			claims: []Claim{{ID: "A", Current: 1000}},
			limit:  0, available: 0, shares: []want{{0, 0, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Allocate(tt.rules, tt.disposable, tt.second, tt.over12, tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			if a.Limit != tt.limit || a.Available != tt.available {
				t.Errorf("limit %d available %d; want %d %d", a.Limit, a.Available, tt.limit, tt.available)
			}
			var got []want
			var sum canonical.Cents
			for i, s := range a.Shares {
				got = append(got, want{s.Current, s.Arrears, s.Fee})
				sum += s.Total
				if s.Unpaid != tt.claims[i].Current+tt.claims[i].Arrears+tt.claims[i].Fee-s.Total {
					t.Errorf("%s unpaid %d", s.ID, s.Unpaid)
				}
			}
			if !reflect.DeepEqual(got, tt.shares) {
				t.Errorf("shares %v, want %v", got, tt.shares)
			}
			if sum != a.Available {
				t.Errorf("shares sum to %d, available %d", sum, a.Available)
			}
			if len(a.Worksheet) < 3 || a.Worksheet[0].Step != "limit" {
				t.Errorf("worksheet %+v", a.Worksheet)
			}
		})
	}
}

func TestAllocateWorksheet(t *testing.T) {
	a, err := Allocate(Federal(), 30000, false, false, []Claim{{ID: "A", Current: 15000}, {ID: "B", Current: 10000}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{
		{"limit", "", 18000, "Limit: 60% of disposable earnings $300.00 (no second family, arrears under 12 weeks; rules of Federal default (CCPA)) = $180.00, rounded down to the cent"},
		{"ordered", "", 25000, "Ordered by 2 IWOs: $250.00"},
		{"available", "", 18000, "Available: the limit $180.00, less than ordered; $70.00 ordered is not withheld this period"},
		{"current", "", 18000, "Current support: $250.00 ordered, $180.00 left to pay them: each IWO gets its share of the total current support"},
		{"current", "A", 10800, "A: $108.00 of $150.00 current support (60.00% of the total)"},
		{"current", "B", 7200, "B: $72.00 of $100.00 current support (40.00% of the total)"},
	}
	if !reflect.DeepEqual(a.Worksheet, want) {
		t.Errorf("worksheet:\n%+v\nwant\n%+v", a.Worksheet, want)
	}
	// 60% of one cent rounds down to nothing: nothing to split.
	if a, _ = Allocate(Federal(), 1, false, false, []Claim{{ID: "A", Current: 100}}); a.Available != 0 || a.Shares[0].Total != 0 {
		t.Errorf("one cent: %+v", a)
	}
	a, _ = Allocate(Federal(), 3, false, false, []Claim{{ID: "A", Current: 100}, {ID: "B", Current: 100}, {ID: "C", Current: 100}})
	if last := a.Worksheet[len(a.Worksheet)-1]; a.Available != 1 || last.Step != "note" || !strings.Contains(last.Text, "Fewer cents than IWOs") {
		t.Errorf("one cent among three: %+v", a.Worksheet)
	}
}

func TestAllocateRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		rules  Rules
		disp   canonical.Cents
		claims []Claim
	}{
		"negative amount":    {Federal(), 1000, []Claim{{ID: "A", Current: -1}}},
		"duplicate IDs":      {Federal(), 1000, []Claim{{ID: "A"}, {ID: "A"}}},
		"missing ID":         {Federal(), 1000, []Claim{{Current: 1}}},
		"negative earnings":  {Federal(), -1, nil},
		"rules above CCPA":   {func() Rules { r := Federal(); r.Single = 61; return r }(), 1000, nil},
		"implausible amount": {Federal(), 1000, []Claim{{ID: "A", Arrears: canonical.MaxCents + 1}}},
	} {
		if _, err := Allocate(c.rules, c.disp, false, false, c.claims); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestAllocateProperties checks, over random paychecks, that the total never
// exceeds the limit or what was ordered, that shares add up exactly, that no
// share exceeds its claim, and that every order with current support gets
// something whenever there is a cent per order to give.
func TestAllocateProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, policy := range []AllocationPolicy{ProrateCurrentThenArrears, ProrateTotal} {
		rules := Federal()
		rules.Allocation = policy
		for n := 0; n < 5000; n++ {
			claims := make([]Claim, 1+rng.IntN(6))
			withCurrent := 0
			for i := range claims {
				claims[i] = Claim{ID: fmt.Sprint(i), Current: amount(rng), Arrears: amount(rng), Fee: amount(rng) / 50}
				if claims[i].Current > 0 {
					withCurrent++
				}
			}
			disposable := canonical.Cents(rng.Int64N(500000))
			second, over12 := rng.IntN(2) == 0, rng.IntN(2) == 0
			a, err := Allocate(rules, disposable, second, over12, claims)
			if err != nil {
				t.Fatal(err)
			}
			var sum, ordered canonical.Cents
			for i, s := range a.Shares {
				c := claims[i]
				ordered += c.total()
				sum += s.Total
				if s.Current > c.Current || s.Arrears > c.Arrears || s.Fee > c.Fee || s.Current < 0 || s.Arrears < 0 || s.Fee < 0 {
					t.Fatalf("%s: share %+v outside claim %+v", policy, s, c)
				}
				if policy == ProrateCurrentThenArrears && a.Available >= canonical.Cents(withCurrent) && c.Current > 0 && s.Current == 0 {
					t.Fatalf("%s: claim %+v left unimplemented with %d available: %+v", policy, c, a.Available, a.Shares)
				}
				if policy == ProrateTotal && a.Available >= canonical.Cents(len(claims)) && c.total() > 0 && s.Total == 0 {
					t.Fatalf("%s: claim %+v left unimplemented with %d available", policy, c, a.Available)
				}
			}
			limit := MaxWithholding(disposable, Cap(rules, second, over12))
			base := MaxWithholding(disposable, Cap(rules, second, false))
			var cur, fee canonical.Cents
			for _, s := range a.Shares {
				cur, fee = cur+s.Current, fee+s.Fee
			}
			if sum != a.Available || sum > limit || cur+fee > base || (!over12 && a.Available != min(limit, ordered)) {
				t.Fatalf("%s: sum %d available %d limit %d ordered %d current+fees %d base %d", policy, sum, a.Available, limit, ordered, cur+fee, base)
			}
			// Nothing is held back that the law allows and an IWO asks for.
			if a.Available < ordered && a.Available < limit && cur+fee < base && policy == ProrateCurrentThenArrears {
				t.Fatalf("%s: withheld %d of %d ordered with room left (limit %d, base %d)", policy, a.Available, ordered, limit, base)
			}
		}
	}
}

// amount is a random per-period amount, zero a fifth of the time.
func amount(rng *rand.Rand) canonical.Cents {
	if rng.IntN(5) == 0 {
		return 0
	}
	return canonical.Cents(1 + rng.Int64N(80000))
}

func BenchmarkAllocate(b *testing.B) {
	claims := []Claim{
		{ID: "A", Current: 23077, Arrears: 11538, Fee: 200},
		{ID: "B", Current: 11500, Arrears: 5750},
		{ID: "C", Current: 9231, Arrears: 0, Fee: 150},
		{ID: "D", Current: 4615, Arrears: 20000},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Allocate(Federal(), 80000, false, true, claims); err != nil {
			b.Fatal(err)
		}
	}
}
