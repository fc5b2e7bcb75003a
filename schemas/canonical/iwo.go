package canonical

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

// IWO is an income withholding order addressed to an employer (the e-IWO
// document). Amounts are per their own frequency; PerPeriod holds the totals
// the employer withholds for each pay cycle.
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

	PerPeriod PerPeriodTotals `json:"perPeriod"`
	LumpSum   Cents           `json:"lumpSumCents,omitempty"`

	// LimitPercent is the maximum share of disposable earnings that may be withheld,
	// under the law of LimitState (the employee's principal place of employment).
	LimitPercent int    `json:"limitPercent"`
	LimitState   string `json:"limitState"`
	DaysToStart  int    `json:"daysToStart"`
	DaysToRemit  int    `json:"daysToRemit"`
	// EmployerFee is the fee the employer may keep per payment, under LimitState law.
	EmployerFee Cents `json:"employerFeeCents,omitempty"`

	SDUPayee              string      `json:"sduPayee"`
	SDUFIPS               FIPS        `json:"sduFips"`
	SDUAddress            *Address    `json:"sduAddress,omitempty"`
	HealthInsuranceNotice bool        `json:"healthInsuranceNotice"`
	Contact               *IWOContact `json:"contact,omitempty"`
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

// AckStatus is an employer's answer to an IWO.
type AckStatus string

// Employer acknowledgment statuses.
const (
	AckAccepted         AckStatus = "accepted"
	AckAcceptedWithNote AckStatus = "accepted_with_note"
	AckRejected         AckStatus = "rejected"
)

// AckReason refines an employer acknowledgment.
type AckReason string

// Acknowledgment reasons.
const (
	AckNameMismatch     AckReason = "name_mismatch"
	AckSuspense         AckReason = "suspense"
	AckCorrectedFEIN    AckReason = "corrected_fein"
	AckDuplicate        AckReason = "duplicate"
	AckOtherStateIWO    AckReason = "already_received_other_state"
	AckNoLongerEmployed AckReason = "no_longer_employed"
)

// EmployerAck is an employer's acknowledgment of an IWO document.
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
}

// IWOContact is the person at the issuing agency an employer may call about
// an IWO, as the e-IWO names them: one name, a phone, an email.
type IWOContact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// IWOContactOf is the case contact c as an IWO contact.
func IWOContactOf(c *Contact) *IWOContact {
	if c == nil {
		return nil
	}
	return &IWOContact{Name: c.Name.Text(), Phone: c.Phone, Email: c.Email}
}
