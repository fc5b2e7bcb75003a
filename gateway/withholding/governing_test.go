package withholding

import (
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestGoverning(t *testing.T) {
	b := book(t)
	yes, no := true, false
	for _, tt := range []struct {
		name             string
		state            string
		second           *bool
		over12           bool
		current, overall int
		configured       bool
		law              string
	}{
		{"New York, single", "36", &no, false, 60, 60, true, "NY law (New York)"},
		{"New York, second family unknown: lower limit", "36", nil, false, 50, 50, true, "NY law"},
		{"New York, single, old arrears paid", "36", &no, true, 60, 65, true, "NY law"},
		{"New Jersey without rules: federal default", "34", &yes, true, 50, 55, false, "NJ law (no NJ withholding rules configured: Federal default (CCPA))"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := Governing(b, tt.state, tt.second, tt.over12)
			if l.CurrentPercent != tt.current || l.Percent != tt.overall || l.Configured != tt.configured || !strings.HasPrefix(l.Law(), tt.law) {
				t.Errorf("got %d%%/%d%% configured %v law %q", l.CurrentPercent, l.Percent, l.Configured, l.Law())
			}
		})
	}
}

// The IWO builder and the allocation agree: the over-12-weeks points reach
// only money going to arrears (15 U.S.C. 1673(b)(2)), on the figures.
func TestBuildIWOThenAllocateCCPA(t *testing.T) {
	no := false
	for _, tt := range []struct {
		name                 string
		arrears              canonical.Cents
		weeks                int
		payment              canonical.Cents
		over12               bool
		limit                int
		withheld, cur, toArr canonical.Cents
	}{
		{"$200 current, no arrears: $180", 0, 0, 0, false, 60, 18000, 18000, 0},
		{"$200 current, old arrears, no payment ordered, no add amount: $180", 0, 20, 0, false, 60, 18000, 18000, 0},
		{"$200 current, $40 towards arrears 20 weeks old: $180 + $15", 400000, 20, 4000, true, 65, 19500, 18000, 1500},
		{"$200 current, $40 towards arrears 5 weeks old: $180, nothing to arrears", 100000, 5, 4000, false, 60, 18000, 18000, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput(t)
			in.EmploymentState = "34" // New Jersey: no state rules, federal default
			in.SecondFamily = &no
			in.Order.Amount = 20000
			in.Arrears, in.WeeksBehind = tt.arrears, tt.weeks
			if tt.payment > 0 {
				in.ArrearsPayment = canonical.Amount{Cents: tt.payment, Frequency: canonical.FreqWeekly}
			}
			iwo, err := BuildIWO(in)
			if err != nil {
				t.Fatal(err)
			}
			if iwo.PastDueOver12Weeks != tt.over12 || iwo.LimitPercent != tt.limit {
				t.Fatalf("IWO over12 %v limit %d%%; want %v %d%%", iwo.PastDueOver12Weeks, iwo.LimitPercent, tt.over12, tt.limit)
			}
			claim, err := ClaimOf("A", iwo, canonical.FreqWeekly)
			if err != nil {
				t.Fatal(err)
			}
			l := Governing(in.Rules, iwo.LimitState, in.SecondFamily, iwo.PastDueOver12Weeks)
			if l.Percent != iwo.LimitPercent {
				t.Fatalf("Governing says %d%%, the IWO %d%%", l.Percent, iwo.LimitPercent)
			}
			a, err := AllocateUnder(l, 30000, []Claim{claim})
			if err != nil {
				t.Fatal(err)
			}
			if a.Available != tt.withheld || a.Shares[0].Current != tt.cur || a.Shares[0].Arrears != tt.toArr {
				t.Fatalf("withheld %d (current %d, arrears %d); want %d (%d, %d)\n%+v", a.Available, a.Shares[0].Current, a.Shares[0].Arrears,
					tt.withheld, tt.cur, tt.toArr, a.Worksheet)
			}
		})
	}
}
