package casework

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uifsagw/uifsagw/gateway/withholding"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Worksheet is the allocation of one paycheck among every IWO an employee
// has at one employer, under the employment state's law as
// withholding.Governing decides it, the same function the IWO builder uses.
type Worksheet struct {
	// Number is what staff asked for: a tracking or a control number.
	Number       string `json:"number"`
	Tracking     string `json:"tracking"`
	EmployerFEIN string `json:"employerFein"`
	State        string `json:"state"`
	RulesName    string `json:"rules"`
	// Law names the governing law; Limit states the limit in words.
	Law   string `json:"law"`
	Limit string `json:"limit"`
	// LimitPercent is the overall limit, as the IWO states it.
	LimitPercent int                 `json:"limitPercent"`
	Frequency    canonical.Frequency `json:"payFrequency"`
	Disposable   canonical.Cents     `json:"disposableCents"`
	// SecondFamily is nil when not known: then the lower limit applies, as on the IWO.
	SecondFamily *bool                  `json:"secondFamily"`
	Over12Weeks  bool                   `json:"over12Weeks"`
	IWOs         []WorksheetIWO         `json:"iwos"`
	Allocation   withholding.Allocation `json:"allocation"`
}

// WorksheetIWO is one IWO's claim on the paycheck.
type WorksheetIWO struct {
	ControlNumber string `json:"controlNumber"`
	Tracking      string `json:"tracking"`
	// CaseID is New York's case ID for the IWO's case.
	CaseID     string          `json:"caseId"`
	Initiating string          `json:"initiatingPartner"`
	Current    canonical.Cents `json:"currentCents"`
	Arrears    canonical.Cents `json:"arrearsCents"`
	// LimitPercent is the limit the IWO document states.
	LimitPercent int `json:"limitPercent"`
}

// AllocationWorksheet computes the worksheet for the employee of the IWO
// with tracking or control number number, for a paycheck of disposable
// earnings paid at frequency freq. An unknown number is exchange.ErrNotFound.
func (p *Processor) AllocationWorksheet(ctx context.Context, number string, disposable canonical.Cents, secondFamily *bool,
	freq canonical.Frequency) (Worksheet, error) {
	rows, err := p.store.EmployeeIWOs(ctx, number)
	if err != nil {
		return Worksheet{}, err
	}
	ws := Worksheet{Number: number, EmployerFEIN: rows[0].EmployerFEIN, Frequency: freq, Disposable: disposable, SecondFamily: secondFamily}
	var claims []withholding.Claim
	for _, r := range rows {
		if r.TrackingNumber == number || r.ControlNumber == number {
			ws.Tracking = r.TrackingNumber
		}
		var a iwoAmounts
		if err := json.Unmarshal(r.Amounts, &a); err != nil {
			return ws, fmt.Errorf("IWO %s amounts: %w", r.TrackingNumber, err)
		}
		if ws.State == "" {
			ws.State = a.State
		}
		ws.Over12Weeks = ws.Over12Weeks || a.Over12
		cur, err := convertAmount(a.Current, freq)
		if err != nil {
			return ws, err
		}
		arr, err := convertAmount(a.PastDue, freq)
		if err != nil {
			return ws, err
		}
		ws.IWOs = append(ws.IWOs, WorksheetIWO{ControlNumber: r.ControlNumber, Tracking: r.TrackingNumber, CaseID: r.OurCaseID,
			Initiating: r.InitiatingPartner, Current: cur, Arrears: arr, LimitPercent: a.Limit})
		claims = append(claims, withholding.Claim{ID: r.ControlNumber, Current: cur, Arrears: arr})
	}
	if ws.Tracking == "" {
		// The number was an older document of an IWO still in force.
		ws.Tracking = rows[0].TrackingNumber
	}
	l := withholding.Governing(p.rules, ws.State, secondFamily, ws.Over12Weeks)
	ws.RulesName, ws.Law, ws.Limit, ws.LimitPercent = l.Rules.Name, l.Law(), l.Words(), l.Percent
	ws.Allocation, err = withholding.AllocateUnder(l, disposable, claims)
	return ws, err
}

func convertAmount(a canonical.Amount, to canonical.Frequency) (canonical.Cents, error) {
	if a.Cents == 0 {
		return 0, nil
	}
	return withholding.Convert(a.Cents, a.Frequency, to)
}
