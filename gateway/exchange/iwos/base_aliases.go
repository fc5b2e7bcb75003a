// The names of package base this package uses, spelt as before the split of
// issue 18, so that the files moved here kept their bodies.

package iwos

import "github.com/uifsagw/uifsagw/gateway/exchange/base"

var ErrInvalid = base.ErrInvalid
var ErrNotFound = base.ErrNotFound

type Querier = base.Querier
