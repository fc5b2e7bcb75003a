// The names of package base under package exchange, so that callers and the
// files added to this package keep their spelling after the split of issue 18.

package exchange

import (
	"github.com/uifsagw/uifsagw/gateway/exchange/base"
)

// AuditRecord is an audit entry as stored.
type AuditRecord = base.AuditRecord

const ChannelOutbox = base.ChannelOutbox

const ChannelReceived = base.ChannelReceived

const DirIn = base.DirIn

const DirOut = base.DirOut

// Direction says whether a message came from a partner or goes to one.
type Direction = base.Direction

// Entry is one audit log record.
type Entry = base.Entry

// ErrBadCursor says a pagination cursor was not made by ListMessages.
var ErrBadCursor = base.ErrBadCursor

// ErrConflict says a message id was reused with a different body.
var ErrConflict = base.ErrConflict

// ErrErased says a message's body was erased by the retention policy.
var ErrErased = base.ErrErased

// ErrInvalid says an argument is missing or malformed.
var ErrInvalid = base.ErrInvalid

// ErrNotFound says the message (or row) does not exist, or not for this partner.
var ErrNotFound = base.ErrNotFound

// ErrOpen says a sealed value failed authentication: corrupted, moved to
// another row, or sealed under another key with the same id.
var ErrOpen = base.ErrOpen

// ErrState says the row is not in a state that allows the operation
// (completing a message nobody claimed, retrying a delivered item).
var ErrState = base.ErrState

// ErrUnknownKey says a sealed value names a key that is not configured.
var ErrUnknownKey = base.ErrUnknownKey

// Filter narrows ListMessages. Zero fields do not filter.
type Filter = base.Filter

// GeneratePIIKeys returns a fresh encryption key and HMAC key in the base64
// form ParsePIIKeys reads (for `uifsagw dev` and first installation).
func GeneratePIIKeys() (encB64, hmacB64 string) { return base.GeneratePIIKeys() }

// HistoryEntry is one state transition of a message.
type HistoryEntry = base.HistoryEntry

// Inbound is a message a partner sent, verified and decoded by the edge.
type Inbound = base.Inbound

// Message is one stored message. Tx carries the canonical transaction with
// SSNs masked; LoadTransaction rebuilds it with SSNs for authorised use. Raw
// is the decrypted body, set only where the caller needs the bytes (the pull
// inbox); ListMessages leaves Tx and Raw empty.
type Message = base.Message

// NameKeys normalises a name the way migration 012 indexes names: lower
// case, hyphens as spaces, only the letters a-z kept ("O'Brien-Smith" →
// obrien, smith). Letters outside a-z are dropped on both sides alike.
func NameKeys(s string) []string { return base.NameKeys(s) }

// Outbound is a message the gateway sends.
type Outbound = base.Outbound

// OutboxItem is an outbound message leased to a sender.
type OutboxItem = base.OutboxItem

// PIIKeys holds the keys that protect personal data at rest: an AES-256-GCM
// key (plus previous keys kept for reading during rotation) and an
// HMAC-SHA256 key for matching SSNs without storing them. Its printed and
// logged forms show key ids only.
type PIIKeys = base.PIIKeys

// Page asks for one page of a keyset listing. Cursor is the Next of the
// previous page, empty for the first.
type Page = base.Page

// ParsePIIKeys reads base64 keys. encB64 is one 32-byte AES key, or a
// comma-separated list whose first key seals and whose others only open
// (rotation). hmacB64 is the HMAC key, at least 32 bytes; it cannot rotate
// without recomputing every stored matching key.
func ParsePIIKeys(encB64, hmacB64 string) (PIIKeys, error) { return base.ParsePIIKeys(encB64, hmacB64) }

// PersonMatch is a message that names a person with a given SSN.
type PersonMatch = base.PersonMatch

// Querier is what the store needs to run statements: satisfied by
// *pgxpool.Pool, *pgx.Conn and pgx.Tx.
type Querier = base.Querier

// Receipt is what the gateway signs when it has stored a message: the
// payload of the receipt JWS. JSON names match signing.Receipt.
type Receipt = base.Receipt

// Refusal is a request the edge refused. No body is kept; the hash
// identifies it if the partner asks.
type Refusal = base.Refusal

const ReviewAssigned = base.ReviewAssigned

// ReviewItem is something a person must look at.
type ReviewItem = base.ReviewItem

const ReviewOpen = base.ReviewOpen

const ReviewResolved = base.ReviewResolved

// StaffFilter is what staff filter the queue by: the store's Filter plus the
// action code and a free-text term. Text matches metadata only, never bodies:
// the sender's message id (exactly or as a prefix), either case id, the
// partner, or the message a reply answers.
type StaffFilter = base.StaffFilter

// Status is where a message is in its life. The database enforces the same set.
type Status = base.Status

const StatusAwaitingPickup = base.StatusAwaitingPickup

const StatusCancelled = base.StatusCancelled

const StatusDeadLetter = base.StatusDeadLetter

const StatusDelivered = base.StatusDelivered

const StatusNeedsReview = base.StatusNeedsReview

const StatusPickedUp = base.StatusPickedUp

const StatusProcessed = base.StatusProcessed

const StatusProcessing = base.StatusProcessing

const StatusQueued = base.StatusQueued

const StatusReceived = base.StatusReceived

const StatusRefused = base.StatusRefused

const StatusResolved = base.StatusResolved

const StatusSending = base.StatusSending

// Statuses lists every status.
var Statuses = base.Statuses

// OutboxState is where an outbound message stands in the outbox.
type OutboxState = base.OutboxState

// The outbox states.
const (
	OutboxPending   = base.OutboxPending
	OutboxLeased    = base.OutboxLeased
	OutboxDelivered = base.OutboxDelivered
	OutboxDead      = base.OutboxDead
)
