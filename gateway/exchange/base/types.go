package base

import (
	"errors"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Errors the store returns; the edge and the UI map them to codes.
var (
	// ErrNotFound says the message (or row) does not exist, or not for this partner.
	ErrNotFound = errors.New("exchange: not found")
	// ErrConflict says a message id was reused with a different body.
	ErrConflict = errors.New("exchange: message id already used for a different body")
	// ErrState says the row is not in a state that allows the operation
	// (completing a message nobody claimed, retrying a delivered item).
	ErrState = errors.New("exchange: operation not allowed in the current state")
	// ErrInvalid says an argument is missing or malformed.
	ErrInvalid = errors.New("exchange: invalid argument")
	// ErrErased says a message's body was erased by the retention policy.
	ErrErased = errors.New("exchange: the message body was erased under the retention policy")
)

// Direction says whether a message came from a partner or goes to one.
type Direction string

// Directions.
const (
	DirIn  Direction = "in"
	DirOut Direction = "out"
)

// Status is where a message is in its life. The database enforces the same set.
type Status string

// Statuses.
const (
	StatusReceived       Status = "received"        // stored, receipt issued, waiting for a worker
	StatusProcessing     Status = "processing"      // claimed by a worker
	StatusProcessed      Status = "processed"       // handled; any answers are enqueued
	StatusNeedsReview    Status = "needs_review"    // waiting for staff
	StatusQueued         Status = "queued"          // outbound, waiting to be sent
	StatusSending        Status = "sending"         // outbound, claimed by a sender
	StatusDelivered      Status = "delivered"       // outbound, the partner signed a receipt
	StatusAwaitingPickup Status = "awaiting_pickup" // outbound, in a pull partner's inbox
	StatusPickedUp       Status = "picked_up"       // outbound, acknowledged by the pull partner
	StatusDeadLetter     Status = "dead_letter"     // outbound, gave up; a review item exists
	StatusCancelled      Status = "cancelled"
	StatusResolved       Status = "resolved" // staff closed the matter
	StatusRefused        Status = "refused"  // accepted for storage, then refused by the rules
)

// Statuses lists every status.
var Statuses = []Status{
	StatusReceived, StatusProcessing, StatusProcessed, StatusNeedsReview, StatusQueued, StatusSending,
	StatusDelivered, StatusAwaitingPickup, StatusPickedUp, StatusDeadLetter, StatusCancelled,
	StatusResolved, StatusRefused,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Channels the store notifies on commit; workers Listen to them.
const (
	ChannelReceived = "uifsagw_received" // a message was received
	ChannelOutbox   = "uifsagw_outbox"   // an outbound message was enqueued
)

// Message is one stored message. Tx carries the canonical transaction with
// SSNs masked; LoadTransaction rebuilds it with SSNs for authorised use. Raw
// is the decrypted body, set only where the caller needs the bytes (the pull
// inbox); ListMessages leaves Tx and Raw empty.
type Message struct {
	ID             int64
	Direction      Direction
	Partner        string
	MessageID      string // the sender's message id
	Format         string
	ContentType    string
	Function       string
	Action         string
	Reason         string
	SenderFIPS     string
	ReceiverFIPS   string
	SenderCaseID   string
	ReceiverCaseID string
	Status         Status
	BodySHA256     string // hex
	InReplyTo      string
	TraceID        string
	Signature      string
	InboxSeq       int64 // pull inbox cursor position, 0 until listed
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Tx             canonical.Transaction
	Raw            []byte
}

// Inbound is a message a partner sent, verified and decoded by the edge.
type Inbound struct {
	Partner     string // directory id from the client certificate
	MessageID   string // the sender's message id (JWS jti)
	Format      string
	ContentType string
	Raw         []byte // the body exactly as received
	Tx          canonical.Transaction
	Signature   string // the detached JWS, kept as evidence
	TraceID     string
	ReceivedAt  time.Time // default now
}

// Receipt is what the gateway signs when it has stored a message: the
// payload of the receipt JWS. JSON names match signing.Receipt.
type Receipt struct {
	ID         string    `json:"receiptId"`
	Partner    string    `json:"partner"`
	MessageID  string    `json:"messageId"`
	BodySHA256 string    `json:"bodySha256"`
	ReceivedAt time.Time `json:"receivedAt"`
	// JWS is the signed receipt; empty while it is being signed.
	JWS string `json:"-"`
}

// Refusal is a request the edge refused. No body is kept; the hash
// identifies it if the partner asks.
type Refusal struct {
	ID         int64
	Partner    string
	RemoteAddr string
	Code       string
	Reason     string
	MessageID  string
	BodySHA256 string // hex, optional
	At         time.Time
	// Count is how many refusals the record stands for: 1 for one refusal,
	// more for an aggregate of a caller's refusals beyond its record budget.
	Count int
	// Fields are the field errors the partner was told: paths and reasons.
	Fields []canonical.FieldError
}

// Outbound is a message the gateway sends.
type Outbound struct {
	Partner     string
	MessageID   string // our message id; unique per partner
	Format      string
	ContentType string
	Raw         []byte // the encoded body to send
	Tx          canonical.Transaction
	InReplyTo   string // default Tx.Header.InReplyTo
	TraceID     string
	// Pull puts the message in the partner's inbox instead of the outbox.
	Pull bool
	// OrderingKey groups messages that must leave in order; default the
	// sender case id, else the message id (no ordering).
	OrderingKey string
	// NotBefore delays the first attempt.
	NotBefore time.Time
	// Batch holds the message for the partner's next e-IWO file (an employer
	// that takes the federal file): it stays queued, and the file that
	// carries it is queued instead (BuildEIWOFiles).
	Batch bool
}

// OutboxItem is an outbound message leased to a sender.
type OutboxItem struct {
	MessageID      int64
	Partner        string
	SenderMsgID    string
	Format         string
	ContentType    string
	Raw            []byte
	BodySHA256     string
	TraceID        string
	InReplyTo      string
	OrderingKey    string
	Attempts       int // including this one
	LeaseExpiresAt time.Time
	Function       string // CSENet function, for metrics
}

// HistoryEntry is one state transition of a message.
type HistoryEntry struct {
	ID    int64
	From  Status // empty for the first entry
	To    Status
	Actor string
	Note  string
	At    time.Time
}

// Filter narrows ListMessages. Zero fields do not filter.
type Filter struct {
	Direction Direction
	Partner   string
	Statuses  []Status
	Function  string
	CaseID    string // sender or receiver case id
	InReplyTo string
	Since     time.Time // created at or after
	Before    time.Time // created before
}

// Page asks for one page of a keyset listing. Cursor is the Next of the
// previous page, empty for the first.
type Page struct {
	Limit  int // default 50, at most 500
	Cursor string
}

// PersonMatch is a message that names a person with a given SSN.
type PersonMatch struct {
	MessageID        int64
	Direction        Direction
	Partner          string
	Role             string // "ncp" or the participant relationship in lower case
	ParticipantIndex int    // -1 for the NCP
	CreatedAt        time.Time
}

// Entry is one audit log record.
type Entry struct {
	At      time.Time // default now
	Actor   string
	Action  string
	Target  string
	Details any // marshalled to JSON; nil is {}
}

// AuditRecord is an audit entry as stored.
type AuditRecord struct {
	ID       int64
	At       time.Time
	Actor    string
	Action   string
	Target   string
	Details  []byte // JSON
	PrevHash []byte
	Hash     []byte
}

// OutboxState is where an outbound message stands in the outbox; the values
// are those of the outbox table's CHECK (migration 001).
type OutboxState string

// Outbox states.
const (
	OutboxPending   OutboxState = "pending"   // waiting for its next attempt
	OutboxLeased    OutboxState = "leased"    // a sender is delivering it
	OutboxDelivered OutboxState = "delivered" // the partner took it
	OutboxDead      OutboxState = "dead"      // given up; a review item says why
)

// Review item states.
const (
	ReviewOpen     = "open"
	ReviewAssigned = "assigned"
	ReviewResolved = "resolved"
)

// ReviewItem is something a person must look at.
type ReviewItem struct {
	ID         int64
	MessageID  int64 // 0 when not about one message
	Kind       string
	State      string
	Evidence   any // marshalled to JSON on insert; json.RawMessage when read
	AssignedTo string
	Resolution string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ResolvedAt time.Time
}
