package canonical

import (
	"fmt"
	"slices"
)

// IWODocAction is the e-IWO document action.
type IWODocAction string

// e-IWO document actions.
const (
	IWOOriginal  IWODocAction = "ORG"
	IWOAmended   IWODocAction = "AMD"
	IWOTerminate IWODocAction = "TRM"
	IWOLumpSum   IWODocAction = "LUM"
)

// IWODocActions lists every document action.
var IWODocActions = []IWODocAction{IWOOriginal, IWOAmended, IWOTerminate, IWOLumpSum}

// MaxIWOChildren is how many children the federal detail record (DTL) names.
const MaxIWOChildren = 6

// IWO is an income withholding order addressed to an employer: the federal
// e-IWO detail record (DTL, Appendix D chart D-3) element for element, so the
// federal file, XML and JSON carry the same document. Amounts are per their
// own frequency; PerPeriod holds the totals the employer withholds for each
// pay cycle, Total the obligation as a whole.
type IWO struct {
	DocAction IWODocAction `json:"docAction"`
	// IssuingState is the 2-digit state FIPS of the state whose order this enforces.
	IssuingState        string `json:"issuingState"`
	IssuingJurisdiction string `json:"issuingJurisdiction,omitempty"`
	DocumentDate        Date   `json:"documentDate"`
	// TrackingNumber is unique per document and never reused.
	TrackingNumber string `json:"trackingNumber"`
	// ControlNumber identifies the IWO across ORG, AMD and TRM documents; never reused.
	ControlNumber string `json:"controlNumber"`
	CaseID        string `json:"caseId"`
	OrderID       string `json:"orderId"`
	RemittanceID  string `json:"remittanceId"`

	Employer       Employer   `json:"employer"`
	EmployeeName   Name       `json:"employeeName"`
	EmployeeSSN    SSN        `json:"employeeSsn,omitempty"`
	EmployeeBirth  *Date      `json:"employeeDateOfBirth,omitempty"`
	CustodialParty Name       `json:"custodialParty"`
	Children       []IWOChild `json:"children,omitempty"`

	CurrentChildSupport Amount `json:"currentChildSupport"`
	PastDueChildSupport Amount `json:"pastDueChildSupport"`
	PastDueOver12Weeks  bool   `json:"pastDueOver12Weeks"`
	CurrentCashMedical  Amount `json:"currentCashMedical"`
	PastDueCashMedical  Amount `json:"pastDueCashMedical"`
	CurrentSpousal      Amount `json:"currentSpousal"`
	PastDueSpousal      Amount `json:"pastDueSpousal"`
	Other               Amount `json:"other"`
	OtherDescription    string `json:"otherDescription,omitempty"`
	// Total is the DTL's Obligation Total Amount and Frequency: the sum of
	// the amounts above, in their common frequency, or monthly when they
	// differ.
	Total Amount `json:"total,omitzero"`

	PerPeriod PerPeriodTotals `json:"perPeriod"`
	LumpSum   Cents           `json:"lumpSumCents,omitempty"`

	// LimitPercent is the maximum share of disposable earnings that may be withheld,
	// under the law of LimitState (the employee's principal place of employment).
	LimitPercent int    `json:"limitPercent"`
	LimitState   string `json:"limitState"`
	DaysToStart  int    `json:"daysToStart"`
	DaysToRemit  int    `json:"daysToRemit"`
	// IncomeWithholdingStart is the DTL's Income Withholding Start Date: the
	// first pay day the employer withholds on, when the order names one
	// (otherwise within DaysToStart of receipt).
	IncomeWithholdingStart *Date `json:"incomeWithholdingStartDate,omitempty"`
	// EmployerFee is the fee the employer may keep per payment, under LimitState law.
	EmployerFee Cents `json:"employerFeeCents,omitempty"`

	// SDUPayee, SDUAddress and SDUFIPS are the DTL's Payee Name, Payee
	// Address and Payee Remittance FIPS Code: where the employer sends the
	// money (the state disbursement unit).
	SDUPayee              string   `json:"sduPayee"`
	SDUFIPS               FIPS     `json:"sduFips"`
	SDUAddress            *Address `json:"sduAddress,omitempty"`
	HealthInsuranceNotice bool     `json:"healthInsuranceNotice"`
	// Contact is the DTL's Employee State Contact: whom the employee calls
	// at the issuing agency.
	Contact *IWOContact `json:"contact,omitempty"`
	// EmployerContact is the DTL's Employer Contact: whom the employer calls
	// (name, address, phone, fax, email).
	EmployerContact *IWOContact `json:"employerContact,omitempty"`
}

// IWOChild is a child named on an IWO.
type IWOChild struct {
	Name        Name  `json:"name"`
	DateOfBirth *Date `json:"dateOfBirth,omitempty"`
}

// Amount is a sum of money per a frequency.
type Amount struct {
	Cents     Cents     `json:"cents"`
	Frequency Frequency `json:"frequency,omitempty"`
}

// PerPeriodTotals are the amounts to withhold per pay cycle.
type PerPeriodTotals struct {
	Weekly      Cents `json:"weeklyCents"`
	Biweekly    Cents `json:"biweeklyCents"`
	Semimonthly Cents `json:"semimonthlyCents"`
	Monthly     Cents `json:"monthlyCents"`
}

// AckStatus is an employer's answer to an IWO: the federal Disposition
// Status Code is A (accepted, perhaps with reasons) or R (rejected).
type AckStatus string

// Employer acknowledgment statuses.
const (
	AckAccepted         AckStatus = "accepted"
	AckAcceptedWithNote AckStatus = "accepted_with_note"
	AckRejected         AckStatus = "rejected"
)

// Disposition returns the federal Disposition Status Code: A or R.
func (s AckStatus) Disposition() string {
	if s == AckRejected {
		return "R"
	}
	return "A"
}

// AckReason is a federal Disposition Reason Code (Appendix D, chart D-4).
type AckReason string

// Acknowledgment reasons: the federal letters.
const (
	AckNameMismatch      AckReason = "B"
	AckDuplicate         AckReason = "D"
	AckOtherStateIWO     AckReason = "M"
	AckNoLongerEmployed  AckReason = "N"
	AckSuspense          AckReason = "S"
	AckNotEmployee       AckReason = "U"
	AckCorrectedFEIN     AckReason = "W"
	AckUnableToProcess   AckReason = "X"
	AckUnableToTerminate AckReason = "Z"
)

// AckReasonWords is what each reason means, in a caseworker's words.
var AckReasonWords = map[AckReason]string{
	AckNameMismatch:      "the employee's name does not match the SSN on the employer's records",
	AckDuplicate:         "the employer already has this withholding order",
	AckOtherStateIWO:     "the employer already received the same order from another state",
	AckNoLongerEmployed:  "the employee is no longer employed there",
	AckSuspense:          "the employee is not working now (suspended, on leave or laid off)",
	AckNotEmployee:       "the person has never worked there",
	AckCorrectedFEIN:     "the order went to the wrong FEIN; the employer gave the right one",
	AckUnableToProcess:   "the employer could not process the order",
	AckUnableToTerminate: "the employer could not stop the withholding",
}

// Words returns the reason in a caseworker's words, or the code itself when
// it is not a federal reason.
func (r AckReason) Words() string {
	if w, ok := AckReasonWords[r]; ok {
		return w
	}
	return string(r)
}

// AckReasonsAccepted and AckReasonsRejected are the reasons the federal
// chart allows with each disposition.
var (
	AckReasonsAccepted = []AckReason{AckNameMismatch, AckSuspense, AckCorrectedFEIN}
	AckReasonsRejected = []AckReason{AckNameMismatch, AckDuplicate, AckOtherStateIWO, AckNoLongerEmployed,
		AckSuspense, AckNotEmployee, AckCorrectedFEIN, AckUnableToProcess, AckUnableToTerminate}
)

// legacyAckReasons are the words eiwo-xml/1 and eiwo-json/1 carried before
// the federal letters; documents in them still read.
var legacyAckReasons = map[string]AckReason{
	"name_mismatch": AckNameMismatch, "suspense": AckSuspense, "corrected_fein": AckCorrectedFEIN,
	"duplicate": AckDuplicate, "already_received_other_state": AckOtherStateIWO,
	"no_longer_employed": AckNoLongerEmployed,
}

// AckNotice is an acknowledgment an employer sends on its own, with no IWO
// of ours in flight for it to answer.
type AckNotice string

// Employer notices.
const (
	// NoticeTermination: the employee left (the employer's own termination
	// notice, ACK with document action TRM).
	NoticeTermination AckNotice = "termination"
	// NoticeLumpSum: a lump-sum payment is coming (ACK with LUM).
	NoticeLumpSum AckNotice = "lump_sum"
)

// EmployerAck is an employer's acknowledgment of an IWO document (the
// federal ACK record), or a notice of its own (Notice set).
type EmployerAck struct {
	TrackingNumber string      `json:"trackingNumber"`
	ControlNumber  string      `json:"controlNumber"`
	EmployerFEIN   string      `json:"employerFein"`
	Status         AckStatus   `json:"status"`
	Reasons        []AckReason `json:"reasons,omitempty"`
	// OtherState is the 2-digit state FIPS that already sent the same order, for AckOtherStateIWO.
	OtherState    string `json:"otherState,omitempty"`
	CorrectedFEIN string `json:"correctedFein,omitempty"`
	// TerminationDate is the last day of employment, for AckNoLongerEmployed.
	TerminationDate *Date  `json:"terminationDate,omitempty"`
	Note            string `json:"note,omitempty"`
	AckDate         Date   `json:"ackDate"`

	// Notice is set when the employer writes on its own.
	Notice AckNotice `json:"notice,omitempty"`
	// DocAction is the document action of the IWO answered, or TRM/LUM for
	// a notice.
	DocAction IWODocAction `json:"docAction,omitempty"`
	CaseID    string       `json:"caseId,omitempty"`
	OrderID   string       `json:"orderId,omitempty"`
	// EmployeeName and EmployeeSSN identify the employee in a notice, which
	// has no tracking number to go by.
	EmployeeName *Name `json:"employeeName,omitempty"`
	EmployeeSSN  SSN   `json:"employeeSsn,omitempty"`
	// FinalPayment* and LumpSum* describe a termination and a lump sum.
	FinalPaymentDate   *Date `json:"finalPaymentDate,omitempty"`
	FinalPaymentAmount Cents `json:"finalPaymentCents,omitempty"`
	LumpSumDate        *Date `json:"lumpSumDate,omitempty"`
	LumpSumAmount      Cents `json:"lumpSumCents,omitempty"`
}

// UpgradeLegacy rewrites, in place, reasons written in the /1 formats' words
// into the federal letters.
func (a *EmployerAck) UpgradeLegacy() {
	for i, r := range a.Reasons {
		if v, ok := legacyAckReasons[string(r)]; ok {
			a.Reasons[i] = v
		}
	}
}

// CheckReasons reports every reason the federal chart does not allow with
// the acknowledgment's disposition (A: B, S, W; R: B, D, M, N, S, U, W, X,
// Z), and a rejection without a reason.
func (a EmployerAck) CheckReasons() FieldErrors {
	var errs FieldErrors
	allowed, what := AckReasonsAccepted, "an acceptance (A) takes B, S or W"
	if a.Status == AckRejected {
		allowed, what = AckReasonsRejected, "a rejection (R) takes B, D, M, N, S, U, W, X or Z"
		if len(a.Reasons) == 0 && a.Notice == "" {
			errs = append(errs, FieldError{Path: "reasons", Reason: "a rejection needs a reason"})
		}
	}
	for i, r := range a.Reasons {
		ok := false
		for _, c := range allowed {
			ok = ok || c == r
		}
		if !ok {
			errs = append(errs, FieldError{Path: fmt.Sprintf("reasons[%d]", i), Reason: fmt.Sprintf("%q: %s", r, what)})
		}
	}
	if slices.Contains(a.Reasons, AckOtherStateIWO) && a.OtherState == "" {
		errs = append(errs, FieldError{Path: "otherState", Reason: "reason M needs the state that sent the same order"})
	}
	return errs
}

// IWOContact is a person to call about an IWO, as the e-IWO names them:
// one name (the DTL's contact name is one 57-column element), phone, fax,
// email, and for the employer contact an address.
type IWOContact struct {
	Name    string   `json:"name,omitempty"`
	Phone   string   `json:"phone,omitempty"`
	Email   string   `json:"email,omitempty"`
	Fax     string   `json:"fax,omitempty"`
	Address *Address `json:"address,omitempty"`
}

// IWOContactOf is the case contact c as an IWO contact.
func IWOContactOf(c *Contact) *IWOContact {
	if c == nil {
		return nil
	}
	return &IWOContact{Name: c.Name.Text(), Phone: c.Phone, Email: c.Email, Fax: c.Fax, Address: c.Address}
}
