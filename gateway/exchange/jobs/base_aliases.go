// The names of package base this package uses, spelt as before the split of
// issue 18, so that the files moved here kept their bodies.

package jobs

import "github.com/uifsagw/uifsagw/gateway/exchange/base"

type Entry = base.Entry

var ErrInvalid = base.ErrInvalid
var ErrNotFound = base.ErrNotFound
var ErrState = base.ErrState

type Filter = base.Filter
type StaffFilter = base.StaffFilter
type staffFilterJSON = base.FilterJSON

var truncate = base.Truncate
