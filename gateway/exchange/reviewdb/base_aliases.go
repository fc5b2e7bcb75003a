// The names of package base this package uses, spelt as before the split of
// issue 18, so that the files moved here kept their bodies.

package reviewdb

import "github.com/uifsagw/uifsagw/gateway/exchange/base"

type AuditRecord = base.AuditRecord

const ChannelOutbox = base.ChannelOutbox
const ChannelReceived = base.ChannelReceived
const DirIn = base.DirIn
const DirOut = base.DirOut

type Direction = base.Direction

var ErrInvalid = base.ErrInvalid
var ErrNotFound = base.ErrNotFound
var ErrState = base.ErrState

type Message = base.Message
type Page = base.Page
type Querier = base.Querier
type Refusal = base.Refusal
type ReviewItem = base.ReviewItem
type StaffFilter = base.StaffFilter
type Status = base.Status

const StatusAwaitingPickup = base.StatusAwaitingPickup
const StatusCancelled = base.StatusCancelled
const StatusDeadLetter = base.StatusDeadLetter
const StatusDelivered = base.StatusDelivered
const StatusNeedsReview = base.StatusNeedsReview
const StatusPickedUp = base.StatusPickedUp
const StatusProcessed = base.StatusProcessed
const StatusQueued = base.StatusQueued
const StatusReceived = base.StatusReceived
const StatusRefused = base.StatusRefused
const StatusResolved = base.StatusResolved

var likePrefix = base.LikePrefix

const messageCols = base.MessageCols

var scanMessage = base.ScanMessage
var scanSummary = base.ScanSummary
var setMessageStatus = base.SetMessageStatus

const summaryCols = base.SummaryCols

var truncate = base.Truncate
var within = base.Within
