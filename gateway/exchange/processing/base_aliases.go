// The names of package base this package uses, spelt as before the split of
// issue 18, so that the files moved here kept their bodies.

package processing

import "github.com/uifsagw/uifsagw/gateway/exchange/base"

var ErrInvalid = base.ErrInvalid
var ErrNotFound = base.ErrNotFound
var ErrState = base.ErrState

type Message = base.Message
type Querier = base.Querier
type Receipt = base.Receipt
type Status = base.Status

const StatusCancelled = base.StatusCancelled
const StatusNeedsReview = base.StatusNeedsReview
const StatusProcessed = base.StatusProcessed
const StatusProcessing = base.StatusProcessing
const StatusReceived = base.StatusReceived
const StatusRefused = base.StatusRefused
const StatusResolved = base.StatusResolved

var addHistory = base.AddHistory

const messageCols = base.MessageCols

var outboxTransition = base.OutboxTransition
var qualified = base.Qualified
var scanMessage = base.ScanMessage
var setMessageStatus = base.SetMessageStatus
var sortByID = base.SortByID
var truncate = base.Truncate
var within = base.Within
