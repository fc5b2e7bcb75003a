// The names of package base this package uses, spelt as before the split of
// issue 18, so that the files moved here kept their bodies.

package messages

import "github.com/uifsagw/uifsagw/gateway/exchange/base"

const ChannelOutbox = base.ChannelOutbox
const ChannelReceived = base.ChannelReceived
const DirIn = base.DirIn
const DirOut = base.DirOut

type Direction = base.Direction

var ErrConflict = base.ErrConflict
var ErrInvalid = base.ErrInvalid
var ErrNotFound = base.ErrNotFound
var ErrState = base.ErrState

type Inbound = base.Inbound
type Message = base.Message
type Outbound = base.Outbound
type Page = base.Page
type Querier = base.Querier
type Receipt = base.Receipt
type Refusal = base.Refusal
type Status = base.Status

const StatusAwaitingPickup = base.StatusAwaitingPickup
const StatusQueued = base.StatusQueued
const StatusReceived = base.StatusReceived

var addHistory = base.AddHistory
var newID = base.NewID
var truncate = base.Truncate
var within = base.Within
