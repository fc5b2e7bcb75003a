package casework

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uifsagw/uifsagw/gateway/withholding"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Worksheet is the allocation of one paycheck among every IWO an employee
// has at one employer, under the employment state's rules.
type Worksheet struct {
	Tracking     string                 `json:"tracking"`
	EmployerFEIN string                 `json:"employerFein"`
	State        string                 `json:"state"`
	RulesName    string                 `json:"rules"`
	Frequency    canonical.Frequency    `json:"payFrequency"`
	Disposable   canonical.Cents        `json:"disposableCents"`
	SecondFamily bool                   `json:"secondFamily"`
	Over12Weeks  bool                   `json:"over12Weeks"`
	IWOs         []WorksheetIWO         `json:"iwos"`
	Allocation   withholding.Allocation `json:"allocation"`
}

// WorksheetIWO is one IWO's claim on the paycheck.
type WorksheetIWO struct {
	ControlNumber string          `json:"controlNumber"`
	Tracking      string          `json:"tracking"`
	CaseID        string          `json:"caseId"`
	Initiating    string          `json:"initiatingPartner"`
	Current       canonical.Cents `json:"currentCents"`
	Arrears       canonical.Cents `json:"arrearsCents"`
}

// AllocationWorksheet computes the worksheet for the employee of the IWO
// with tracking number tracking, for a paycheck of disposable earnings paid
// at frequency freq.
func (p *Processor) AllocationWorksheet(ctx context.Context, tracking string, disposable canonical.Cents, secondFamily bool,
	freq canonical.Frequency) (Worksheet, error) {
	rows, err := p.store.EmployeeIWOs(ctx, tracking)
	if err != nil {
		return Worksheet{}, err
	}
	ws := Worksheet{Tracking: tracking, EmployerFEIN: rows[0].EmployerFEIN, Frequency: freq, Disposable: disposable, SecondFamily: secondFamily}
	var claims []withholding.Claim
	for _, r := range rows {
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
		ws.IWOs = append(ws.IWOs, WorksheetIWO{ControlNumber: r.ControlNumber, Tracking: r.TrackingNumber, CaseID: r.CaseID,
			Initiating: r.InitiatingPartner, Current: cur, Arrears: arr})
		claims = append(claims, withholding.Claim{ID: r.ControlNumber, Current: cur, Arrears: arr})
	}
	rules, _ := p.rules.For(ws.State)
	ws.RulesName = rules.Name
	ws.Allocation, err = withholding.Allocate(rules, disposable, secondFamily, ws.Over12Weeks, claims)
	return ws, err
}

func convertAmount(a canonical.Amount, to canonical.Frequency) (canonical.Cents, error) {
	if a.Cents == 0 {
		return 0, nil
	}
	return withholding.Convert(a.Cents, a.Frequency, to)
}
