package withholding

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func readRules(t *testing.T, name string) Rules {
	t.Helper()
	b, err := os.ReadFile("../../partners/withholding/" + name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRules(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func TestRuleFiles(t *testing.T) {
	if got := readRules(t, "default.yaml"); !reflect.DeepEqual(got, Federal()) {
		t.Errorf("default.yaml = %+v\nwant Federal() = %+v", got, Federal())
	}
	want := Federal()
	want.State, want.Name, want.AddPercent = "36", "New York", 50
	want.Unconfirmed = []string{"daysToRemitBusinessDays", "employerFee"}
	if got := readRules(t, "NY.yaml"); !reflect.DeepEqual(got, want) {
		t.Errorf("NY.yaml = %+v\nwant %+v", got, want)
	}
}

const validYAML = `
state: "34"
caps:
  secondFamily: {under12Weeks: 50, atLeast12Weeks: 55}
  noSecondFamily: {under12Weeks: 60, atLeast12Weeks: 65}
daysToStart: 14
daysToRemitBusinessDays: 7
allocation: prorate-total
`

func TestParseRulesRefuses(t *testing.T) {
	if _, err := ParseRules([]byte(validYAML)); err != nil {
		t.Fatalf("valid file refused: %v", err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"cap above CCPA", "noSecondFamily: {under12Weeks: 60,", "noSecondFamily: {under12Weeks: 61,", "caps.noSecondFamily.under12Weeks: 61% exceeds the CCPA maximum of 60%"},
		{"12-week cap above CCPA", "atLeast12Weeks: 55}", "atLeast12Weeks: 56}", "caps.secondFamily.atLeast12Weeks: 56% exceeds the CCPA maximum of 55%"},
		{"missing cap", "under12Weeks: 50, ", "", "caps.secondFamily.under12Weeks: missing"},
		{"unknown key", "daysToStart: 14", "daysToStrat: 14", "field daysToStrat not found"},
		{"bad state", `state: "34"`, `state: "NJ"`, `state: "NJ" is not`},
		{"bad allocation", "prorate-total", "first-come-first-served", `allocation: "first-come-first-served"`},
		{"no remit days", "daysToRemitBusinessDays: 7", "", "daysToRemitBusinessDays: missing"},
		{"fee without period", "allocation:", "employerFee: {dollars: \"2.00\"}\nallocation:", `employerFee.per: ""`},
		{"bad fee", "allocation:", "employerFee: {dollars: \"two\", per: payment}\nallocation:", "employerFee.dollars: not an amount"},
		{"bad unconfirmed", "allocation:", "unconfirmed: [vibes]\nallocation:", `unconfirmed: "vibes"`},
		{"add amount over 100", "allocation:", "addAmount: {percentOfCurrent: 150}\nallocation:", "addAmount.percentOfCurrent: 150"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(validYAML, tt.from, tt.to, 1)
			if src == validYAML {
				t.Fatal("test did not change the file")
			}
			_, err := ParseRules([]byte(src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	_, err := ParseRules([]byte(strings.Replace(validYAML, "60,", "70,", 1)))
	if !errors.Is(err, ErrInvalidRules) {
		t.Errorf("a cap above CCPA should wrap ErrInvalidRules: %v", err)
	}
}

func TestCap(t *testing.T) {
	low := Federal()
	low.State, low.Single, low.SingleArrears = "99", 40, 45 // a state with lower caps
	tests := []struct {
		name           string
		rules          Rules
		second, over12 bool
		want           int
	}{
		{"second family, under 12 weeks", Federal(), true, false, 50},
		{"second family, 12 weeks or more", Federal(), true, true, 55},
		{"single, under 12 weeks", Federal(), false, false, 60},
		{"single, 12 weeks or more", Federal(), false, true, 65},
		{"state cap lower than CCPA wins", low, false, false, 40},
		{"state cap lower than CCPA wins, arrears", low, false, true, 45},
	}
	for _, tt := range tests {
		if got := Cap(tt.rules, tt.second, tt.over12); got != tt.want {
			t.Errorf("%s: Cap = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestMaxWithholding(t *testing.T) {
	tests := []struct {
		disposable canonical.Cents
		percent    int
		want       canonical.Cents
	}{
		{30000, 60, 18000}, // NY handbook: $300/week disposable, single → $180
		{33333, 65, 21666}, // $216.6645 rounds down
		{99, 50, 49},       // 49.5 cents rounds down
		{0, 60, 0},
		{-500, 60, 0},
		{30000, 0, 0},
	}
	for _, tt := range tests {
		if got := MaxWithholding(tt.disposable, tt.percent); got != tt.want {
			t.Errorf("MaxWithholding(%d, %d) = %d, want %d", tt.disposable, tt.percent, got, tt.want)
		}
	}
}

func TestRuleBook(t *testing.T) {
	ny := Federal()
	ny.State, ny.AddPercent = "36", 50
	b, err := NewRuleBook(Federal(), ny)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := b.For("36"); !ok || r.AddPercent != 50 {
		t.Errorf("For(36) = %+v, %v", r, ok)
	}
	if r, ok := b.For("42"); ok || r.State != "" {
		t.Errorf("For(42) = %+v, %v; want the federal default", r, ok)
	}
	if _, err := NewRuleBook(Federal(), ny, ny); err == nil {
		t.Error("two rule sets for one state accepted")
	}
	if _, err := NewRuleBook(ny); err == nil {
		t.Error("a state's rules accepted as the default")
	}
	bad := ny
	bad.SingleArrears = 70
	if _, err := NewRuleBook(Federal(), bad); err == nil || !strings.Contains(err.Error(), "exceeds the CCPA maximum") {
		t.Errorf("rules above CCPA accepted: %v", err)
	}
}

func TestConvert(t *testing.T) {
	W, B, S, M, Q, A := canonical.FreqWeekly, canonical.FreqBiweekly, canonical.FreqSemimonthly, canonical.FreqMonthly, canonical.FreqQuarterly, canonical.FreqAnnual
	tests := []struct {
		amount   canonical.Cents
		from, to canonical.Frequency
		want     canonical.Cents
	}{
		{11500, W, W, 11500},
		{11500, W, B, 23000},
		{11500, W, S, 24917}, // 249.1666… → 249.17
		{11500, W, M, 49833}, // 498.3333… → 498.33
		{49833, M, W, 11500}, // 114.9992… → 115.00
		{23000, B, W, 11500},
		{20000, S, M, 40000},
		{40000, M, S, 20000},
		{1, B, W, 1},   // 0.5 cent rounds half up
		{1, M, S, 1},   // 0.5 cent rounds half up
		{3, M, S, 2},   // 1.5 cents rounds half up
		{1, M, W, 0},   // 0.23 cent rounds down
		{-1, M, S, -1}, // halves away from zero
		{12000, Q, M, 4000},
		{52000, A, W, 1000},
	}
	for _, tt := range tests {
		got, err := Convert(tt.amount, tt.from, tt.to)
		if err != nil || got != tt.want {
			t.Errorf("Convert(%d, %s, %s) = %d, %v; want %d", tt.amount, tt.from, tt.to, got, err, tt.want)
		}
	}
	if _, err := Convert(100, "O", W); err == nil {
		t.Error("a one-time amount converted")
	}
	if _, err := Convert(100, W, "X"); err == nil {
		t.Error("an unknown frequency converted")
	}
}
