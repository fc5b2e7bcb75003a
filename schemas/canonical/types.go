// Package canonical holds the gateway's one case model: every partner format is
// decoded onto these types and encoded from them. The model speaks the federal
// CSENet 2000 data dictionary (Interface Guidance Document v8.0, Appendix C,
// embedded as schemas/csenet/layout.csv): a header and the seven data blocks,
// every field of the layout with its federal code set and length, so that a
// CSENet record decodes onto it and encodes back without loss. A few fields are
// the gateway's own (MessageID, InReplyTo, order children, collection docket,
// arrears as-of date); they are marked, and a CSENet record leaves them empty.
//
// The package does no I/O. Money is integer cents, dates are civil dates, and
// codes are typed strings whose valid values are listed in codes.go.
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

	// legacy says the transaction was read from a /1 format, whose
	// dictionary had no per-transaction edits and no place for several
	// fields they require; see MarkLegacy.
	legacy bool
}

// MarkLegacy records that t was read from a format that does not carry the
// whole federal dictionary (the /1 formats, the dialects mapped onto them,
// an employer's e-IWO acknowledgment), or was built from such a transaction.
// Validate then checks the model's rules and the combination table but not
// the federal per-transaction edits of requirements.csv, which such a
// partner could not meet (/1 has no contact address, for one); it keeps
// working as before.
func MarkLegacy(t *Transaction) { t.legacy = true }

// Legacy reports whether t was read from a /1 format.
func (t *Transaction) Legacy() bool { return t.legacy }

// Header identifies a transaction and says what it asks or tells (CSENet
// header, 121 columns). The block indicators are not stored: they follow from
// which blocks are present.
type Header struct {
	// SenderFIPS (Local-FIPS) and ReceiverFIPS (Other-FIPS) are FIPS codes:
	// state (2 digits), county (3 digits), sub-office (2 characters, may be blank).
	SenderFIPS   FIPS `json:"senderFips"`
	ReceiverFIPS FIPS `json:"receiverFips"`
	// MessageID is the sender's identifier for this message, unique per sender.
	// It is the JWS jti and the key of idempotent intake. The gateway's own:
	// a CSENet record carries none, and the codec derives it from the serial.
	MessageID string `json:"messageId"`
	// Serial is the sender's transaction serial number (12 digits), unique per sender.
	Serial int64 `json:"serial"`
	// ErrorReason (Error-Reason-Code, 2) and TransactionType (2) are set by
	// the CSENet network; most transactions leave them blank.
	ErrorReason     string `json:"errorReason,omitempty"`
	TransactionType string `json:"transactionType,omitempty"`
	TransactionDate Date   `json:"transactionDate"`
	// SenderCaseID is Case-ID, the sender's case (15).
	SenderCaseID string `json:"senderCaseId"`
	// ReceiverCaseID is Other-Case-ID (15); it may be blank on a new referral.
	ReceiverCaseID string       `json:"receiverCaseId,omitempty"`
	Function       FunctionCode `json:"function"`
	Action         ActionCode   `json:"action"`
	Reason         ReasonCode   `json:"reason,omitempty"`
	ResolutionDate *Date        `json:"resolutionDate,omitempty"`
	// Attachments (Attachments-Ind.) says documents follow the transaction.
	Attachments        bool  `json:"attachments,omitempty"`
	AttachmentsDueDate *Date `json:"attachmentsDueDate,omitempty"`
	// Host holds the CSENet host's own processing fields, kept so a record
	// reads back as it came.
	Host *HostFields `json:"host,omitempty"`
	// InReplyTo is the MessageID of the transaction this one answers, if any.
	// The gateway's own.
	InReplyTo string `json:"inReplyTo,omitempty"`
}

// HostFields are the header's CSENet host processing fields (columns 97-121
// except Attachments-Due-Date). Each one-character flag is kept as sent.
type HostFields struct {
	DateReceived *Date `json:"dateReceived,omitempty"`
	// TimeReceived is HHMMSS.
	TimeReceived       string `json:"timeReceived,omitempty"`
	ProcessingComplete string `json:"processingComplete,omitempty"`
	SentToStateHost    string `json:"sentToStateHost,omitempty"`
	FormsPrinted       string `json:"formsPrinted,omitempty"`
}

// Case is the case data block (351 columns).
type Case struct {
	Type           CaseType   `json:"type"`
	Status         CaseStatus `json:"status"`
	PaymentAddress *Address   `json:"paymentAddress,omitempty"`
	Contact        *Contact   `json:"contact,omitempty"`
	// RespondingDocket and InitiatingDocket are the dockets (17) of each side.
	RespondingDocket string `json:"respondingDocket,omitempty"`
	InitiatingDocket string `json:"initiatingDocket,omitempty"`
	// PaymentBankAccount (20 digits) and PaymentRoutingCode (10 digits) are
	// where to send payments electronically.
	PaymentBankAccount string `json:"paymentBankAccount,omitempty"`
	PaymentRoutingCode string `json:"paymentRoutingCode,omitempty"`
	// CEJState is the 2-digit state FIPS of the tribunal with continuing,
	// exclusive jurisdiction, when known (State-With-CEJ).
	CEJState string `json:"cejState,omitempty"`
	// PaymentFIPS is where payments go (Payment-FIPS).
	PaymentFIPS FIPS `json:"paymentFips,omitempty"`
	// Nondisclosure (Nondisclosure-Finding Y) says a nondisclosure attachment
	// is on its way: treat the case as confidential.
	Nondisclosure bool `json:"nondisclosure,omitempty"`
}

// Contact is a caseworker to reach about the case.
type Contact struct {
	Name    *Name    `json:"name,omitempty"`
	Address *Address `json:"address,omitempty"`
	// Phone and Fax are 10 digits; PhoneExtension up to 6 characters.
	Phone          string `json:"phone,omitempty"`
	PhoneExtension string `json:"phoneExtension,omitempty"`
	Fax            string `json:"fax,omitempty"`
	// Email is Internet-Address (35).
	Email string `json:"email,omitempty"`
}

// Name is a person's name: last 21, first 16, middle 16, suffix 3 characters.
type Name struct {
	First  string `json:"first"`
	Middle string `json:"middle,omitempty"`
	Last   string `json:"last"`
	Suffix string `json:"suffix,omitempty"`
}

// Address is a postal address in the United States: lines of 25, city 18.
type Address struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2,omitempty"`
	City  string `json:"city,omitempty"`
	// State is the two-letter postal abbreviation.
	State string `json:"state,omitempty"`
	// Zip is "12345" or "12345-6789" (Zip-1 and Zip-2).
	Zip string `json:"zip,omitempty"`
}

// Self returns a pointer to a copy of a, for templates whose helpers take an
// *Address (a located address holds its address by value).
func (a Address) Self() *Address { return &a }

// NCPIdentification is the noncustodial parent's identification block (181 columns).
type NCPIdentification struct {
	Name        Name      `json:"name"`
	SSN         SSN       `json:"ssn,omitempty"`
	DateOfBirth *Date     `json:"dateOfBirth,omitempty"`
	Race        Race      `json:"race,omitempty"`
	Sex         Sex       `json:"sex,omitempty"`
	BirthPlace  string    `json:"birthPlace,omitempty"`
	HeightFeet  int       `json:"heightFeet,omitempty"`
	HeightInch  int       `json:"heightInches,omitempty"`
	WeightLbs   int       `json:"weightPounds,omitempty"`
	HairColor   HairColor `json:"hairColor,omitempty"`
	EyeColor    EyeColor  `json:"eyeColor,omitempty"`
	// DistinguishingMarks is free text (20).
	DistinguishingMarks string `json:"distinguishingMarks,omitempty"`
	// AliasSSNs are other SSNs the NCP used (at most 2).
	AliasSSNs         []SSN  `json:"aliasSsns,omitempty"`
	PossiblyDangerous bool   `json:"possiblyDangerous,omitempty"`
	MaidenName        string `json:"maidenName,omitempty"`
	// MothersMaidenOrFathersName is Mother's-Maiden-Or-Father's-Name (21).
	MothersMaidenOrFathersName string `json:"mothersMaidenOrFathersName,omitempty"`
}

// NCPLocate holds where the noncustodial parent lives and works (1,421 columns).
type NCPLocate struct {
	Residential *LocatedAddress `json:"residential,omitempty"`
	Mailing     *LocatedAddress `json:"mailing,omitempty"`
	// HomePhone and WorkPhone are 10 digits.
	HomePhone           string `json:"homePhone,omitempty"`
	WorkPhone           string `json:"workPhone,omitempty"`
	DriversLicenseState string `json:"driversLicenseState,omitempty"`
	DriversLicense      string `json:"driversLicense,omitempty"`
	// Aliases are other names the NCP used (at most 3).
	Aliases    []Name `json:"aliases,omitempty"`
	Spouse     *Name  `json:"spouse,omitempty"`
	Occupation string `json:"occupation,omitempty"`
	// Employers are the current employers, at most MaxEmployers.
	Employers           []Employer    `json:"employers,omitempty"`
	InsuranceCarrier    string        `json:"insuranceCarrier,omitempty"`
	InsurancePolicy     string        `json:"insurancePolicy,omitempty"`
	LastResidential     *Address      `json:"lastResidential,omitempty"`
	LastResidentialDate *Date         `json:"lastResidentialDate,omitempty"`
	LastMailing         *Address      `json:"lastMailing,omitempty"`
	LastMailingDate     *Date         `json:"lastMailingDate,omitempty"`
	LastEmployer        *PastEmployer `json:"lastEmployer,omitempty"`
	// ProfessionalLicenses is free text (50).
	ProfessionalLicenses string `json:"professionalLicenses,omitempty"`
}

// LocatedAddress is an address of the NCP with its period and whether it was verified.
type LocatedAddress struct {
	Address       Address          `json:"address"`
	EffectiveDate *Date            `json:"effectiveDate,omitempty"`
	EndDate       *Date            `json:"endDate,omitempty"`
	Confirmed     AddressConfirmed `json:"confirmed,omitempty"`
}

// MaxEmployers is the number of employers a locate block carries.
const MaxEmployers = 3

// Employer is one of the NCP's employers, or a participant's employer (which
// has no phone, dates, confirmation or wage in the participant block).
type Employer struct {
	// EIN is the 9-digit federal employer identification number.
	EIN           string   `json:"ein,omitempty"`
	Name          string   `json:"name"`
	Address       *Address `json:"address,omitempty"`
	Phone         string   `json:"phone,omitempty"`
	EffectiveDate *Date    `json:"effectiveDate,omitempty"`
	EndDate       *Date    `json:"endDate,omitempty"`
	// Confirmed is Employer-Confirmed-Ind.: Y verified, N not verified.
	Confirmed YesNo `json:"confirmed,omitempty"`
	Wage      *Wage `json:"wage,omitempty"`
}

// Wage is the NCP's wages in one calendar quarter.
type Wage struct {
	Quarter int   `json:"quarter"`
	Year    int   `json:"year"`
	Amount  Cents `json:"amountCents"`
}

// PastEmployer is the NCP's last known employer.
type PastEmployer struct {
	Name          string   `json:"name"`
	Date          *Date    `json:"date,omitempty"`
	Address       *Address `json:"address,omitempty"`
	EffectiveDate *Date    `json:"effectiveDate,omitempty"`
}

// MaxBlocks is the number of participant, order or collection blocks one
// transaction may carry.
const MaxBlocks = 9

// Participant is a person of the case (341 columns): custodial party,
// dependent, putative father, second adult, or the NCP.
type Participant struct {
	Name        Name  `json:"name"`
	DateOfBirth *Date `json:"dateOfBirth,omitempty"`
	SSN         SSN   `json:"ssn,omitempty"`
	Sex         Sex   `json:"sex,omitempty"`
	Race        Race  `json:"race,omitempty"`
	// Relationship is the participant's role in the case.
	Relationship Relationship      `json:"relationship"`
	Status       ParticipantStatus `json:"status,omitempty"`
	// RelationToCP is how a dependent is related to the custodial party.
	RelationToCP DependentRelation `json:"relationToCp,omitempty"`
	Address      *Address          `json:"address,omitempty"`
	Employer     *Employer         `json:"employer,omitempty"`
	// AddressConfirmed and EmployerConfirmed are Y or blank, with the date.
	AddressConfirmed      bool   `json:"addressConfirmed,omitempty"`
	AddressConfirmedDate  *Date  `json:"addressConfirmedDate,omitempty"`
	EmployerConfirmed     bool   `json:"employerConfirmed,omitempty"`
	EmployerConfirmedDate *Date  `json:"employerConfirmedDate,omitempty"`
	WorkPhone             string `json:"workPhone,omitempty"`
	BirthPlace            string `json:"birthPlace,omitempty"`
	// ResidenceState is a dependent's state of residence, postal abbreviation.
	ResidenceState  string          `json:"residenceState,omitempty"`
	PaternityStatus PaternityStatus `json:"paternityStatus,omitempty"`
}

// Order is a support order issued by a tribunal (254 columns).
type Order struct {
	// TribunalFIPS is Order-FIPS: where the order was issued.
	TribunalFIPS FIPS `json:"tribunalFips"`
	// Docket is Order-ID (17), the order's identifier at its tribunal.
	Docket string `json:"docket"`
	// IssueDate is Order-Filing-Date.
	IssueDate Date      `json:"issueDate"`
	Type      OrderType `json:"type,omitempty"`
	DebtType  DebtType  `json:"debtType"`
	Frequency Frequency `json:"frequency"`
	// Amount of current support per Frequency, in cents.
	Amount        Cents `json:"amountCents"`
	EffectiveDate *Date `json:"effectiveDate,omitempty"`
	EndDate       *Date `json:"endDate,omitempty"`
	CancelDate    *Date `json:"cancelDate,omitempty"`
	// ArrearsFrequency and ArrearsAmount are the payment on arrears.
	ArrearsFrequency Frequency `json:"arrearsFrequency,omitempty"`
	ArrearsAmount    Cents     `json:"arrearsAmountCents,omitempty"`
	// Arrears is Order-Arrears-Total-Amount; it may be negative (an overpayment).
	Arrears Cents `json:"arrearsCents,omitempty"`
	// ArrearsAsOf is the day the arrears total was computed. The gateway's own.
	ArrearsAsOf *Date `json:"arrearsAsOf,omitempty"`
	// The arrears owed in each program, with the period they cover.
	ArrearsTANF    *ArrearsPeriod `json:"arrearsTanf,omitempty"`
	ArrearsNonTANF *ArrearsPeriod `json:"arrearsNonTanf,omitempty"`
	FosterCare     *ArrearsPeriod `json:"fosterCare,omitempty"`
	Medical        *ArrearsPeriod `json:"medical,omitempty"`
	MedicalOrdered YesNo          `json:"medicalOrdered,omitempty"`
	// TribunalCaseNumber and DocketNumber (17 each) identify the order's case.
	TribunalCaseNumber string `json:"tribunalCaseNumber,omitempty"`
	LastPaymentDate    *Date  `json:"lastPaymentDate,omitempty"`
	// ControllingFlag is P (presumed) or D (determined) for the controlling order.
	ControllingFlag ControllingFlag `json:"controllingFlag,omitempty"`
	NewOrder        bool            `json:"newOrder,omitempty"`
	DocketNumber    string          `json:"docketNumber,omitempty"`
	// Children are indexes into Transaction.Participants of the children the
	// order covers. The gateway's own.
	Children []int `json:"children,omitempty"`
}

// Controlling reports whether the sender marks o as the controlling order,
// presumed or determined.
func (o *Order) Controlling() bool { return o.ControllingFlag != "" }

// ArrearsPeriod is an amount of arrears with the period it covers.
type ArrearsPeriod struct {
	From   *Date `json:"from,omitempty"`
	Thru   *Date `json:"thru,omitempty"`
	Amount Cents `json:"amountCents,omitempty"`
}

// Collection is a payment received (70 columns).
type Collection struct {
	Date        Date             `json:"date"`
	PostingDate *Date            `json:"postingDate,omitempty"`
	Amount      Cents            `json:"amountCents"`
	Source      CollectionSource `json:"source"`
	Method      PaymentMethod    `json:"method,omitempty"`
	// RDFIID and RDFIAccount name the receiving bank of an EFT (20 each).
	RDFIID      string `json:"rdfiId,omitempty"`
	RDFIAccount string `json:"rdfiAccount,omitempty"`
	// Docket names the order the payment was made under, when known. The gateway's own.
	Docket string `json:"docket,omitempty"`
}

// Information is the information block (416 columns): a status change, a new
// case ID, and up to five lines of 80 characters.
type Information struct {
	StatusChange CaseStatus `json:"statusChange,omitempty"`
	NewCaseID    string     `json:"newCaseId,omitempty"`
	// Text holds the lines separated by "\n".
	Text string `json:"text,omitempty"`
}

// Limits on text fields, from the CSENet layout.
const (
	MaxCaseIDLen    = 15
	MaxMessageIDLen = 64
	MaxDocketLen    = 17
	// MaxNameLen is the longest part of a name (last name); the others are
	// MaxFirstNameLen, MaxMiddleNameLen and MaxSuffixLen.
	MaxNameLen       = 21
	MaxFirstNameLen  = 16
	MaxMiddleNameLen = 16
	MaxSuffixLen     = 3
	// MaxInfoLines lines of MaxInfoLineLen characters make the information text.
	MaxInfoLines   = 5
	MaxInfoLineLen = 80
	// MaxTextLen is the longest information text: five full lines and the
	// four line breaks between them.
	MaxTextLen = MaxInfoLines*MaxInfoLineLen + MaxInfoLines - 1
)
