// The names of package base this package uses, spelt as before the split of
// issue 18, so that the files moved here kept their bodies.

package lookup

import "github.com/uifsagw/uifsagw/gateway/exchange/base"

type Direction = base.Direction

var ErrErased = base.ErrErased
var ErrNotFound = base.ErrNotFound

type Filter = base.Filter
type HistoryEntry = base.HistoryEntry
type Message = base.Message
type Page = base.Page
type PersonMatch = base.PersonMatch
type Receipt = base.Receipt
type StaffFilter = base.StaffFilter
type Status = base.Status

const messageCols = base.MessageCols

var scanMessage = base.ScanMessage
