// The names of package base this package uses, spelt as before the split of
// issue 18, so that the files moved here kept their bodies.

package outbox

import "github.com/uifsagw/uifsagw/gateway/exchange/base"

const DirOut = base.DirOut

type Direction = base.Direction
type Entry = base.Entry

var ErrInvalid = base.ErrInvalid

type Message = base.Message
type Outbound = base.Outbound
type OutboxItem = base.OutboxItem
type Querier = base.Querier
type ReviewItem = base.ReviewItem

const StatusDeadLetter = base.StatusDeadLetter
const StatusDelivered = base.StatusDelivered
const StatusQueued = base.StatusQueued

var addHistory = base.AddHistory

const messageCols = base.MessageCols

var newID = base.NewID
var outboxTransition = base.OutboxTransition
var scanInto = base.ScanInto
var setMessageStatus = base.SetMessageStatus
var truncate = base.Truncate

type OutboxState = base.OutboxState

const (
	OutboxPending   = base.OutboxPending
	OutboxLeased    = base.OutboxLeased
	OutboxDelivered = base.OutboxDelivered
	OutboxDead      = base.OutboxDead
)
