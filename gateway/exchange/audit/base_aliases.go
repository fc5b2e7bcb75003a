// The names of package base this package uses, spelt as before the split of
// issue 18, so that the files moved here kept their bodies.

package audit

import "github.com/uifsagw/uifsagw/gateway/exchange/base"

type AuditRecord = base.AuditRecord
type Entry = base.Entry

var ErrInvalid = base.ErrInvalid

type Querier = base.Querier

var within = base.Within
