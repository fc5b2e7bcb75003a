// The names of package iwos under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to iwos that
// callers need through exchange is added here too.

package exchange

import (
	"context"

	"github.com/uifsagw/uifsagw/gateway/exchange/iwos"
)

// CaseIWO is an e-IWO document of a case with the employer's answer.
type CaseIWO = iwos.CaseIWO

// ErrDuplicateOriginal says the case and employer already have an original IWO.
var ErrDuplicateOriginal = iwos.ErrDuplicateOriginal

// IWOByTracking finds a document by its tracking number (employer acks name it).
func IWOByTracking(ctx context.Context, q Querier, tracking string) (IWORow, error) {
	return iwos.IWOByTracking(ctx, q, tracking)
}

// IWOForEmployerCase returns the newest IWO sent to the employer for our
// case: what an employer's own notice, which names no tracking number, is
// about.
func IWOForEmployerCase(ctx context.Context, q Querier, fein, ourCaseID string) (IWORow, error) {
	return iwos.IWOForEmployerCase(ctx, q, fein, ourCaseID)
}

// IWORow is one e-IWO document the gateway sent.
type IWORow = iwos.IWORow

// IWOsFor lists the documents for a case and employer, oldest first.
func IWOsFor(ctx context.Context, q Querier, caseID, fein string) ([]IWORow, error) {
	return iwos.IWOsFor(ctx, q, caseID, fein)
}

// InsertIWO records a document.
func InsertIWO(ctx context.Context, q Querier, r IWORow, amounts any) (int64, error) {
	return iwos.InsertIWO(ctx, q, r, amounts)
}

// NextIWONumbers draws a fresh control number (for an ORG) and tracking
// number from sequences, so neither is ever reused, even after a rollback.
func NextIWONumbers(ctx context.Context, q Querier, state string) (control, tracking string, err error) {
	return iwos.NextIWONumbers(ctx, q, state)
}

// SetIWOAck records an employer's answer.
func SetIWOAck(ctx context.Context, q Querier, id int64, status string, reasons []string, note, otherState string) error {
	return iwos.SetIWOAck(ctx, q, id, status, reasons, note, otherState)
}
