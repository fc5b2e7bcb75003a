package withholding

import (
	"fmt"
	"slices"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// BuildInput is everything an IWO needs; the caller supplies the numbers
// it does not compute (tracking and control numbers, dates).
type BuildInput struct {
	DocAction      canonical.IWODocAction
	DocumentDate   canonical.Date
	TrackingNumber string
	ControlNumber  string
	CaseID         string
	OrderID        string
	RemittanceID   string

	// IssuingState is the 2-digit FIPS of the state whose order is enforced.
	IssuingState        string
	IssuingJurisdiction string
	// Order is the controlling order: its type, current amount and frequency.
	// An arrears-only order's amount is its periodic arrears payment.
	Order canonical.Order
	// CashMedical is current cash medical support, when ordered besides Order.
	CashMedical canonical.Amount
	// Arrears is the past-due support owed; WeeksBehind is how many weeks of
	// support it represents (12 or more raises the limit, CCPA).
	Arrears     canonical.Cents
	WeeksBehind int
	// ArrearsPayment is the periodic arrears payment the issuing order sets.
	// When zero and arrears exist, the employment state's add amount applies;
	// when that state has none either, BuildIWO refuses rather than invent one.
	ArrearsPayment canonical.Amount
	// LumpSum is the amount to withhold from a lump-sum payment, for LUM.
	LumpSum canonical.Cents

	Employee       canonical.NCPIdentification
	CustodialParty canonical.Name
	Children       []canonical.IWOChild
	Employer       canonical.Employer
	// EmploymentState is the 2-digit FIPS of the employee's principal place
	// of employment: its law sets the limit, deadlines and fee (§502).
	EmploymentState string
	// SecondFamily says whether the employee supports a second family; nil
	// when unknown, and then the lower caps apply, because withholding more
	// than the law allows harms the employee and cannot be undone by the
	// employer, while withholding less is corrected by an amended IWO.
	SecondFamily *bool
	Rules        *RuleBook

	SDUPayee              string
	SDUFIPS               canonical.FIPS
	SDUAddress            *canonical.Address
	HealthInsuranceNotice bool
	Contact               *canonical.Contact
}

// BuildIWO computes the e-IWO document for one employer: amounts each in the
// order's frequency, per-pay-period totals for the four pay cycles, the
// over-12-weeks flag, and the limit, deadlines and fee of the employment
// state. Invalid input is refused with canonical.FieldErrors naming the
// BuildInput fields.
//
// Periodic arrears payment: the issuing order's own (ArrearsPayment) when it
// sets one; otherwise, when arrears exist, the employment state's add amount
// (New York: 50% of current support, so $115.00 weekly becomes $172.50
// weekly), rounded to the nearest cent. A termination (TRM) and a lump sum
// (LUM) carry no periodic amounts.
func BuildIWO(in BuildInput) (canonical.IWO, error) {
	var errs canonical.FieldErrors
	bad := func(path, reason string) { errs = append(errs, canonical.FieldError{Path: path, Reason: reason}) }
	if !slices.Contains(canonical.IWODocActions, in.DocAction) {
		bad("docAction", fmt.Sprintf("%q is not ORG, AMD, TRM or LUM", in.DocAction))
	}
	if !in.DocumentDate.Valid() {
		bad("documentDate", "not a valid date")
	}
	for _, f := range []struct{ path, v string }{
		{"trackingNumber", in.TrackingNumber}, {"controlNumber", in.ControlNumber}, {"caseId", in.CaseID},
		{"orderId", in.OrderID}, {"remittanceId", in.RemittanceID}, {"sduPayee", in.SDUPayee},
	} {
		if f.v == "" {
			bad(f.path, "required")
		}
	}
	if _, ok := canonical.StatePostal[in.IssuingState]; !ok {
		bad("issuingState", fmt.Sprintf("%q is not a 2-digit state FIPS code", in.IssuingState))
	}
	if _, ok := canonical.StatePostal[in.EmploymentState]; !ok {
		bad("employmentState", fmt.Sprintf("%q is not a 2-digit state FIPS code", in.EmploymentState))
	}
	if in.Rules == nil {
		bad("rules", "required: the rule book to look the employment state up in")
	}
	if !in.SDUFIPS.Valid() {
		bad("sduFips", "not a valid 7-digit FIPS code")
	}
	if in.Employer.EIN == "" || in.Employer.Name == "" {
		bad("employer", "EIN and name are required")
	}
	if in.Employee.Name.Last == "" {
		bad("employee.name", "required")
	}
	for _, m := range []struct {
		path string
		v    canonical.Cents
	}{{"order.amount", in.Order.Amount}, {"cashMedical", in.CashMedical.Cents}, {"arrears", in.Arrears}, {"arrearsPayment", in.ArrearsPayment.Cents}, {"lumpSum", in.LumpSum}} {
		if m.v < 0 || m.v > canonical.MaxCents {
			bad(m.path, "must be 0 to "+canonical.MaxCents.Dollars())
		}
	}
	if in.WeeksBehind < 0 {
		bad("weeksBehind", "must not be negative")
	}
	if in.ArrearsPayment.Cents > 0 && in.Arrears == 0 {
		bad("arrearsPayment", "an arrears payment is set but no arrears are owed")
	}
	if in.DocAction == canonical.IWOLumpSum && in.LumpSum == 0 {
		bad("lumpSum", "required for a lump-sum (LUM) document")
	}
	if len(errs) > 0 {
		return canonical.IWO{}, errs
	}

	rules, _ := in.Rules.For(in.EmploymentState)
	over12 := in.Arrears > 0 && in.WeeksBehind >= ArrearsWeeksThreshold
	second := in.SecondFamily == nil || *in.SecondFamily

	iwo := canonical.IWO{
		DocAction: in.DocAction, IssuingState: in.IssuingState, IssuingJurisdiction: in.IssuingJurisdiction,
		DocumentDate: in.DocumentDate, TrackingNumber: in.TrackingNumber, ControlNumber: in.ControlNumber,
		CaseID: in.CaseID, OrderID: in.OrderID, RemittanceID: in.RemittanceID,
		Employer: in.Employer, EmployeeName: in.Employee.Name, EmployeeSSN: in.Employee.SSN, EmployeeBirth: in.Employee.DateOfBirth,
		CustodialParty: in.CustodialParty, Children: slices.Clone(in.Children),
		PastDueOver12Weeks: over12,
		LimitPercent:       Cap(rules, second, over12),
		LimitState:         in.EmploymentState,
		DaysToStart:        rules.DaysToStart,
		DaysToRemit:        rules.DaysToRemit,
		EmployerFee:        rules.EmployerFee,
		SDUPayee:           in.SDUPayee, SDUFIPS: in.SDUFIPS, SDUAddress: in.SDUAddress,
		HealthInsuranceNotice: in.HealthInsuranceNotice, Contact: canonical.IWOContactOf(in.Contact),
	}
	switch in.DocAction {
	case canonical.IWOTerminate:
		return iwo, nil
	case canonical.IWOLumpSum:
		iwo.LumpSum = in.LumpSum
		return iwo, nil
	}

	current := canonical.Amount{Cents: in.Order.Amount, Frequency: in.Order.Frequency}
	if current.Cents > 0 {
		if _, ok := PeriodsPerYear(current.Frequency); !ok {
			return canonical.IWO{}, canonical.FieldErrors{{Path: "order.frequency", Reason: fmt.Sprintf("%q has no pay-period equivalent", current.Frequency)}}
		}
	}
	pastDue := in.ArrearsPayment
	if pastDue.Cents == 0 && in.Order.ArrearsAmount > 0 && in.Order.ArrearsFrequency != "" {
		// The order sets its own payment on arrears (Order-Arrears-Freq-Amount).
		pastDue = canonical.Amount{Cents: in.Order.ArrearsAmount, Frequency: in.Order.ArrearsFrequency}
	}
	if current.Cents == 0 {
		// An order of arrears only has no current support.
		current = canonical.Amount{}
	}
	if pastDue.Cents == 0 && in.Arrears > 0 {
		if rules.AddPercent == 0 || current.Cents == 0 {
			return canonical.IWO{}, canonical.FieldErrors{{Path: "arrearsPayment", Reason: fmt.Sprintf("arrears of $%s are owed, but neither the order nor the rules of the employment state (%s) set a periodic arrears payment", in.Arrears.Dollars(), in.EmploymentState)}}
		}
		pastDue = canonical.Amount{Cents: divRound(int64(current.Cents)*int64(rules.AddPercent), 100), Frequency: current.Frequency}
	}

	switch in.Order.DebtType {
	case canonical.DebtMedicalSupport:
		iwo.CurrentCashMedical, iwo.PastDueCashMedical = current, pastDue
	case canonical.DebtSpousalSupport:
		iwo.CurrentSpousal, iwo.PastDueSpousal = current, pastDue
	default:
		iwo.CurrentChildSupport, iwo.PastDueChildSupport = current, pastDue
	}
	if in.CashMedical.Cents > 0 {
		if iwo.CurrentCashMedical.Cents > 0 {
			return canonical.IWO{}, canonical.FieldErrors{{Path: "cashMedical", Reason: "the order is itself a medical-support order"}}
		}
		iwo.CurrentCashMedical = in.CashMedical
	}

	amounts := []canonical.Amount{iwo.CurrentChildSupport, iwo.PastDueChildSupport, iwo.CurrentCashMedical, iwo.PastDueCashMedical, iwo.CurrentSpousal, iwo.PastDueSpousal}
	totals, err := PerPeriod(amounts...)
	if err != nil {
		return canonical.IWO{}, err
	}
	iwo.PerPeriod = totals
	return iwo, nil
}

// PerPeriod totals amounts of any frequencies for each pay cycle. The yearly
// totals are summed exactly and divided once, so the per-period figure is
// rounded once (nearest cent, halves up) rather than once per amount.
func PerPeriod(amounts ...canonical.Amount) (canonical.PerPeriodTotals, error) {
	var yearly int64
	for _, a := range amounts {
		if a.Cents == 0 {
			continue
		}
		n, ok := PeriodsPerYear(a.Frequency)
		if !ok {
			return canonical.PerPeriodTotals{}, canonical.FieldErrors{{Path: "frequency", Reason: fmt.Sprintf("%q has no pay-period equivalent", a.Frequency)}}
		}
		yearly += int64(a.Cents) * n
	}
	return canonical.PerPeriodTotals{
		Weekly:      divRound(yearly, 52),
		Biweekly:    divRound(yearly, 26),
		Semimonthly: divRound(yearly, 24),
		Monthly:     divRound(yearly, 12),
	}, nil
}
