package withholding

import (
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// IWORecord is an e-IWO document already sent.
type IWORecord struct {
	CaseID        string
	EmployerFEIN  string
	ControlNumber string
	DocAction     canonical.IWODocAction
	DocumentDate  canonical.Date
}

// ChangeKind is what the caseworker or the rules want to tell the employer.
type ChangeKind int

// Change kinds.
const (
	// ChangeWithhold: start withholding, or change anything about it (amounts,
	// payee, contact). The document is ORG or AMD depending on history.
	ChangeWithhold ChangeKind = iota
	// ChangeTerminate: stop withholding.
	ChangeTerminate
	// ChangeLumpSum: withhold from a lump-sum payment.
	ChangeLumpSum
)

// Change is a document about to be sent for a case and an employer.
type Change struct {
	CaseID       string
	EmployerFEIN string
	Kind         ChangeKind
}

// NextDocAction returns the document action for change given the documents
// already sent: TRM for a termination, LUM for a lump sum; otherwise AMD when
// the case and employer have an active IWO (any change but termination is an
// amendment, never a second ORG), and ORG when they have none — including
// after a TRM, when withholding starts anew under a new control number.
//
// A termination with no active IWO is still TRM: whether sending it is
// sensible (for example to stop an IWO another state sent) is the caller's
// decision; ActiveIWO tells it whether one is on record.
func NextDocAction(existing []IWORecord, change Change) canonical.IWODocAction {
	switch change.Kind {
	case ChangeTerminate:
		return canonical.IWOTerminate
	case ChangeLumpSum:
		return canonical.IWOLumpSum
	}
	if _, ok := ActiveIWO(existing, change.CaseID, change.EmployerFEIN); ok {
		return canonical.IWOAmended
	}
	return canonical.IWOOriginal
}

// ActiveIWO returns the latest document of the active IWO for a case and an
// employer: the control number whose latest ORG, AMD or TRM document, by
// document date (then by position in existing), is not a TRM. LUM documents
// neither start nor end an IWO. FEINs compare by their digits.
func ActiveIWO(existing []IWORecord, caseID, employerFEIN string) (IWORecord, bool) {
	fein := digits(employerFEIN)
	latest := map[string]int{}
	var order []string
	for i, r := range existing {
		if r.CaseID != caseID || digits(r.EmployerFEIN) != fein || r.DocAction == canonical.IWOLumpSum {
			continue
		}
		j, ok := latest[r.ControlNumber]
		if !ok {
			order = append(order, r.ControlNumber)
		}
		if !ok || !r.DocumentDate.Before(existing[j].DocumentDate) {
			latest[r.ControlNumber] = i
		}
	}
	var best IWORecord
	found := false
	for _, cn := range order {
		r := existing[latest[cn]]
		if r.DocAction == canonical.IWOTerminate {
			continue
		}
		if !found || !r.DocumentDate.Before(best.DocumentDate) {
			best, found = r, true
		}
	}
	return best, found
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
