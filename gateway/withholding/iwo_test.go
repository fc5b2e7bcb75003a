package withholding

import (
	"errors"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func book(t *testing.T) *RuleBook {
	t.Helper()
	b, err := NewRuleBook(readRules(t, "default.yaml"), readRules(t, "NY.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func baseInput(t *testing.T) BuildInput {
	no := false
	return BuildInput{
		DocAction: canonical.IWOOriginal, DocumentDate: canonical.Date{Year: 2026, Month: 5, Day: 4},
		TrackingNumber: "T-1", ControlNumber: "C-1", CaseID: "NJ123", OrderID: "FD-55", RemittanceID: "R-9",
		IssuingState: "34",
		Order:        canonical.Order{TribunalFIPS: "3401300", Docket: "FD-55", DebtType: canonical.DebtChildSupport, Amount: 11500, Frequency: canonical.FreqWeekly},
		Employee:     canonical.NCPIdentification{Name: canonical.Name{First: "Dan", Last: "Ortiz"}, SSN: "123456789"},
		Employer:     canonical.Employer{EIN: "123456789", Name: "Acme Corp"},
		// The employee works in New York; the order is New Jersey's.
		EmploymentState: "36",
		SecondFamily:    &no,
		Rules:           book(t),
		SDUPayee:        "NJ Family Support Payment Center", SDUFIPS: "3400000",
	}
}

func TestBuildIWO(t *testing.T) {
	yes := true
	tests := []struct {
		name    string
		edit    func(*BuildInput)
		current canonical.Amount
		pastDue canonical.Amount
		over12  bool
		limit   int
		state   string
		per     canonical.PerPeriodTotals
	}{
		{
			name:    "no arrears: current support only",
			edit:    func(*BuildInput) {},
			current: canonical.Amount{Cents: 11500, Frequency: "W"}, limit: 60, state: "36",
			per: canonical.PerPeriodTotals{Weekly: 11500, Biweekly: 23000, Semimonthly: 24917, Monthly: 49833},
		},
		{
			name:    "New York add amount: $115 becomes $172.50 a week",
			edit:    func(in *BuildInput) { in.Arrears, in.WeeksBehind = 100000, 8 },
			current: canonical.Amount{Cents: 11500, Frequency: "W"}, pastDue: canonical.Amount{Cents: 5750, Frequency: "W"}, limit: 60, state: "36",
			per: canonical.PerPeriodTotals{Weekly: 17250, Biweekly: 34500, Semimonthly: 37375, Monthly: 74750},
		},
		{
			name:    "11 weeks behind is under 12 weeks",
			edit:    func(in *BuildInput) { in.Arrears, in.WeeksBehind = 100000, 11 },
			current: canonical.Amount{Cents: 11500, Frequency: "W"}, pastDue: canonical.Amount{Cents: 5750, Frequency: "W"}, limit: 60, state: "36",
			per: canonical.PerPeriodTotals{Weekly: 17250, Biweekly: 34500, Semimonthly: 37375, Monthly: 74750},
		},
		{
			name:    "exactly 12 weeks behind is 12 weeks or more",
			edit:    func(in *BuildInput) { in.Arrears, in.WeeksBehind = 100000, 12 },
			current: canonical.Amount{Cents: 11500, Frequency: "W"}, pastDue: canonical.Amount{Cents: 5750, Frequency: "W"}, over12: true, limit: 65, state: "36",
			per: canonical.PerPeriodTotals{Weekly: 17250, Biweekly: 34500, Semimonthly: 37375, Monthly: 74750},
		},
		{
			name:    "second family, 12 weeks or more",
			edit:    func(in *BuildInput) { in.Arrears, in.WeeksBehind, in.SecondFamily = 100000, 30, &yes },
			current: canonical.Amount{Cents: 11500, Frequency: "W"}, pastDue: canonical.Amount{Cents: 5750, Frequency: "W"}, over12: true, limit: 55, state: "36",
			per: canonical.PerPeriodTotals{Weekly: 17250, Biweekly: 34500, Semimonthly: 37375, Monthly: 74750},
		},
		{
			name:    "second family unknown: the lower cap",
			edit:    func(in *BuildInput) { in.SecondFamily = nil },
			current: canonical.Amount{Cents: 11500, Frequency: "W"}, limit: 50, state: "36",
			per: canonical.PerPeriodTotals{Weekly: 11500, Biweekly: 23000, Semimonthly: 24917, Monthly: 49833},
		},
		{
			name: "the order's own arrears payment wins over the add amount",
			edit: func(in *BuildInput) {
				in.Arrears, in.WeeksBehind = 100000, 3
				in.ArrearsPayment = canonical.Amount{Cents: 10000, Frequency: "M"}
			},
			current: canonical.Amount{Cents: 11500, Frequency: "W"}, pastDue: canonical.Amount{Cents: 10000, Frequency: "M"}, limit: 60, state: "36",
			// 11500×52 + 10000×12 = 718000 a year.
			per: canonical.PerPeriodTotals{Weekly: 13808, Biweekly: 27615, Semimonthly: 29917, Monthly: 59833},
		},
		{
			name: "a New York order for a Pennsylvania worker takes Pennsylvania's (default) limit",
			edit: func(in *BuildInput) {
				in.IssuingState, in.EmploymentState = "36", "42"
				in.Arrears, in.WeeksBehind = 50000, 20
				in.ArrearsPayment = canonical.Amount{Cents: 2000, Frequency: "W"}
			},
			current: canonical.Amount{Cents: 11500, Frequency: "W"}, pastDue: canonical.Amount{Cents: 2000, Frequency: "W"}, over12: true, limit: 65, state: "42",
			per: canonical.PerPeriodTotals{Weekly: 13500, Biweekly: 27000, Semimonthly: 29250, Monthly: 58500},
		},
		{
			name: "arrears-only order: its arrears payment is the past-due amount",
			edit: func(in *BuildInput) {
				in.Order.Amount, in.Order.ArrearsAmount, in.Order.ArrearsFrequency = 0, 5000, "B"
				in.Arrears, in.WeeksBehind = 300000, 52
			},
			pastDue: canonical.Amount{Cents: 5000, Frequency: "B"}, over12: true, limit: 65, state: "36",
			per: canonical.PerPeriodTotals{Weekly: 2500, Biweekly: 5000, Semimonthly: 5417, Monthly: 10833},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput(t)
			tt.edit(&in)
			iwo, err := BuildIWO(in)
			if err != nil {
				t.Fatal(err)
			}
			if iwo.CurrentChildSupport != tt.current || iwo.PastDueChildSupport != tt.pastDue {
				t.Errorf("current %+v past due %+v; want %+v %+v", iwo.CurrentChildSupport, iwo.PastDueChildSupport, tt.current, tt.pastDue)
			}
			if iwo.PastDueOver12Weeks != tt.over12 || iwo.LimitPercent != tt.limit || iwo.LimitState != tt.state {
				t.Errorf("over12 %v limit %d state %s; want %v %d %s", iwo.PastDueOver12Weeks, iwo.LimitPercent, iwo.LimitState, tt.over12, tt.limit, tt.state)
			}
			if iwo.PerPeriod != tt.per {
				t.Errorf("per period %+v, want %+v", iwo.PerPeriod, tt.per)
			}
			if iwo.DaysToStart != 14 || iwo.DaysToRemit != 7 || iwo.EmployerFee != 0 {
				t.Errorf("days %d/%d fee %d", iwo.DaysToStart, iwo.DaysToRemit, iwo.EmployerFee)
			}
			if iwo.IssuingState != in.IssuingState || iwo.ControlNumber != "C-1" || iwo.EmployeeSSN != "123456789" {
				t.Errorf("copied fields wrong: %+v", iwo)
			}
		})
	}
}

func TestBuildIWOTerminateAndLumpSum(t *testing.T) {
	in := baseInput(t)
	in.DocAction, in.Arrears, in.WeeksBehind = canonical.IWOTerminate, 100000, 20
	iwo, err := BuildIWO(in)
	if err != nil {
		t.Fatal(err)
	}
	if iwo.CurrentChildSupport.Cents != 0 || iwo.PastDueChildSupport.Cents != 0 || iwo.PerPeriod != (canonical.PerPeriodTotals{}) || iwo.DocAction != canonical.IWOTerminate {
		t.Errorf("TRM carries amounts: %+v", iwo)
	}
	in.DocAction, in.LumpSum = canonical.IWOLumpSum, 250000
	iwo, err = BuildIWO(in)
	if err != nil || iwo.LumpSum != 250000 || iwo.PerPeriod != (canonical.PerPeriodTotals{}) {
		t.Errorf("LUM: %+v, %v", iwo, err)
	}
}

func TestBuildIWORefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(*BuildInput)
		path string
		want string
	}{
		{"arrears with no arrears payment anywhere", func(in *BuildInput) { in.EmploymentState, in.Arrears = "42", 5000 }, "arrearsPayment", "neither the order nor the rules of the employment state (42)"},
		{"arrears payment without arrears", func(in *BuildInput) { in.ArrearsPayment = canonical.Amount{Cents: 100, Frequency: "W"} }, "arrearsPayment", "no arrears are owed"},
		{"unknown employment state", func(in *BuildInput) { in.EmploymentState = "" }, "employmentState", "not a 2-digit state FIPS"},
		{"bad doc action", func(in *BuildInput) { in.DocAction = "NEW" }, "docAction", "is not ORG"},
		{"no control number", func(in *BuildInput) { in.ControlNumber = "" }, "controlNumber", "required"},
		{"negative amount", func(in *BuildInput) { in.Order.Amount = -1 }, "order.amount", "must be 0"},
		{"one-time order", func(in *BuildInput) { in.Order.Frequency = "O" }, "order.frequency", "no pay-period equivalent"},
		{"lump sum without amount", func(in *BuildInput) { in.DocAction = canonical.IWOLumpSum }, "lumpSum", "required"},
		{"no rule book", func(in *BuildInput) { in.Rules = nil }, "rules", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput(t)
			tt.edit(&in)
			_, err := BuildIWO(in)
			var fe canonical.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want FieldErrors", err)
			}
			found := false
			for _, e := range fe {
				if e.Path == tt.path && strings.Contains(e.Reason, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("errors %v lack %s: %q", fe, tt.path, tt.want)
			}
		})
	}
}

func TestNextDocAction(t *testing.T) {
	d := func(day int) canonical.Date { return canonical.Date{Year: 2026, Month: 1, Day: day} }
	history := []IWORecord{
		{CaseID: "K1", EmployerFEIN: "12-3456789", ControlNumber: "C1", DocAction: canonical.IWOOriginal, DocumentDate: d(1)},
		{CaseID: "K1", EmployerFEIN: "123456789", ControlNumber: "C1", DocAction: canonical.IWOAmended, DocumentDate: d(5)},
		{CaseID: "K2", EmployerFEIN: "123456789", ControlNumber: "C2", DocAction: canonical.IWOOriginal, DocumentDate: d(2)},
		{CaseID: "K2", EmployerFEIN: "123456789", ControlNumber: "C2", DocAction: canonical.IWOTerminate, DocumentDate: d(9)},
		{CaseID: "K3", EmployerFEIN: "123456789", ControlNumber: "C3", DocAction: canonical.IWOLumpSum, DocumentDate: d(3)},
	}
	tests := []struct {
		name   string
		change Change
		want   canonical.IWODocAction
	}{
		{"first IWO for a case and employer", Change{CaseID: "K9", EmployerFEIN: "123456789"}, canonical.IWOOriginal},
		{"same case, other employer", Change{CaseID: "K1", EmployerFEIN: "987654321"}, canonical.IWOOriginal},
		{"active IWO: any change is an amendment (FEIN written with a dash)", Change{CaseID: "K1", EmployerFEIN: "12-3456789"}, canonical.IWOAmended},
		{"after termination, a new original", Change{CaseID: "K2", EmployerFEIN: "123456789"}, canonical.IWOOriginal},
		{"a lump sum alone starts no IWO", Change{CaseID: "K3", EmployerFEIN: "123456789"}, canonical.IWOOriginal},
		{"termination", Change{CaseID: "K1", EmployerFEIN: "123456789", Kind: ChangeTerminate}, canonical.IWOTerminate},
		{"lump sum", Change{CaseID: "K1", EmployerFEIN: "123456789", Kind: ChangeLumpSum}, canonical.IWOLumpSum},
	}
	for _, tt := range tests {
		if got := NextDocAction(history, tt.change); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	if r, ok := ActiveIWO(history, "K1", "123456789"); !ok || r.DocAction != canonical.IWOAmended || r.ControlNumber != "C1" {
		t.Errorf("ActiveIWO(K1) = %+v, %v", r, ok)
	}
	if _, ok := ActiveIWO(history, "K2", "123456789"); ok {
		t.Error("a terminated IWO reported active")
	}
}
