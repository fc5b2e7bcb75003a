// Package canonical holds the gateway's one case model: every partner format is
// decoded onto these types and encoded from them. The shape follows the CSENet
// transaction (a header and optional data blocks) so partners recognise it.
//
// The package does no I/O. Money is integer cents, dates are civil dates, and
// codes are typed strings whose valid values are listed here.
package canonical

// Transaction is one interstate case transaction: a header and its blocks.
type Transaction struct {
	Header       Header             `json:"header"`
	Case         *Case              `json:"case,omitempty"`
	NCP          *NCPIdentification `json:"ncp,omitempty"`
	NCPLocate    *NCPLocate         `json:"ncpLocate,omitempty"`
	Participants []Participant      `json:"participants,omitempty"`
	Orders       []Order            `json:"orders,omitempty"`
	Collections  []Collection       `json:"collections,omitempty"`
	Information  *Information       `json:"information,omitempty"`
}

// Header identifies a transaction and says what it asks or tells.
type Header struct {
	// SenderFIPS and ReceiverFIPS are 7-digit FIPS codes: state (2), county (3), office (2).
	SenderFIPS   FIPS `json:"senderFips"`
	ReceiverFIPS FIPS `json:"receiverFips"`
	// MessageID is the sender's identifier for this message, unique per sender.
	// It is the JWS jti and the key of idempotent intake.
	MessageID string `json:"messageId"`
	// Serial is the sender's transaction serial number (CSENet), unique per sender.
	Serial          int64  `json:"serial"`
	TransactionDate Date   `json:"transactionDate"`
	SenderCaseID    string `json:"senderCaseId"`
	// ReceiverCaseID may be blank on a new referral.
	ReceiverCaseID string       `json:"receiverCaseId,omitempty"`
	Function       FunctionCode `json:"function"`
	Action         ActionCode   `json:"action"`
	Reason         ReasonCode   `json:"reason,omitempty"`
	ResolutionDate *Date        `json:"resolutionDate,omitempty"`
	// InReplyTo is the MessageID of the transaction this one answers, if any.
	InReplyTo string `json:"inReplyTo,omitempty"`
}

// Case is the case data block.
type Case struct {
	Type             CaseType   `json:"type"`
	Status           CaseStatus `json:"status"`
	PaymentAddress   *Address   `json:"paymentAddress,omitempty"`
	Contact          *Contact   `json:"contact,omitempty"`
	InitiatingDocket string     `json:"initiatingDocket,omitempty"`
	RespondingDocket string     `json:"respondingDocket,omitempty"`
	// Nondisclosure is a finding that disclosing a party's address would risk harm.
	Nondisclosure bool `json:"nondisclosure,omitempty"`
	// CEJState is the 2-digit state FIPS of the tribunal with continuing,
	// exclusive jurisdiction, when known.
	CEJState string `json:"cejState,omitempty"`
}

// Contact is a caseworker to reach about the case.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Name is a person's name.
type Name struct {
	First  string `json:"first"`
	Middle string `json:"middle,omitempty"`
	Last   string `json:"last"`
	Suffix string `json:"suffix,omitempty"`
}

// Address is a postal address in the United States.
type Address struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2,omitempty"`
	City  string `json:"city"`
	// State is the two-letter postal abbreviation.
	State string `json:"state"`
	Zip   string `json:"zip"`
}

// NCPIdentification is the noncustodial parent's identification block.
type NCPIdentification struct {
	Name        Name   `json:"name"`
	SSN         SSN    `json:"ssn,omitempty"`
	DateOfBirth *Date  `json:"dateOfBirth,omitempty"`
	Sex         Sex    `json:"sex,omitempty"`
	Aliases     []Name `json:"aliases,omitempty"`
}

// NCPLocate holds where the noncustodial parent lives and works.
type NCPLocate struct {
	Addresses []Address  `json:"addresses,omitempty"`
	Employers []Employer `json:"employers,omitempty"`
	Licenses  []License  `json:"licenses,omitempty"`
}

// MaxEmployers is the number of employers a locate block may carry.
const MaxEmployers = 3

// Employer is one of the NCP's employers.
type Employer struct {
	// EIN is the 9-digit federal employer identification number.
	EIN     string   `json:"ein"`
	Name    string   `json:"name"`
	Address *Address `json:"address,omitempty"`
	Phone   string   `json:"phone,omitempty"`
}

// License is a professional, driver's or recreational license.
type License struct {
	Type   string `json:"type"`
	Number string `json:"number"`
	// State is the two-letter postal abbreviation of the issuing state.
	State string `json:"state"`
}

// MaxBlocks is the number of participant, order or collection blocks one
// transaction may carry.
const MaxBlocks = 9

// Participant is a custodial party or a child. The NCP is never a participant.
type Participant struct {
	Name            Name            `json:"name"`
	SSN             SSN             `json:"ssn,omitempty"`
	DateOfBirth     *Date           `json:"dateOfBirth,omitempty"`
	Sex             Sex             `json:"sex,omitempty"`
	Relationship    Relationship    `json:"relationship"`
	PaternityStatus PaternityStatus `json:"paternityStatus,omitempty"`
	// State is the two-letter postal abbreviation of where this person lives now, when known.
	ResidenceState string `json:"residenceState,omitempty"`
}

// Order is a support order issued by a tribunal.
type Order struct {
	TribunalFIPS  FIPS      `json:"tribunalFips"`
	Docket        string    `json:"docket"`
	Type          OrderType `json:"type"`
	IssueDate     Date      `json:"issueDate"`
	EffectiveDate *Date     `json:"effectiveDate,omitempty"`
	// Amount of current support per Frequency, in cents.
	Amount      Cents     `json:"amountCents"`
	Frequency   Frequency `json:"frequency"`
	Arrears     Cents     `json:"arrearsCents,omitempty"`
	ArrearsAsOf *Date     `json:"arrearsAsOf,omitempty"`
	// Controlling says the sender holds this to be the controlling order.
	Controlling bool `json:"controlling,omitempty"`
	// Children are indexes into Transaction.Participants of the children the order covers.
	Children []int `json:"children,omitempty"`
}

// Collection is a payment received.
type Collection struct {
	Date   Date             `json:"date"`
	Amount Cents            `json:"amountCents"`
	Source CollectionSource `json:"source"`
	// Docket names the order the payment was made under, when known.
	Docket string `json:"docket,omitempty"`
}

// Information is free text.
type Information struct {
	Text string `json:"text"`
}

// Limits on text fields, shared by every format.
const (
	MaxCaseIDLen    = 15
	MaxMessageIDLen = 64
	MaxDocketLen    = 30
	MaxNameLen      = 60
	MaxTextLen      = 4000
)
