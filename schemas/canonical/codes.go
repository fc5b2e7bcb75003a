package canonical

// FunctionCode is the CSENet function of a transaction.
type FunctionCode string

// Function codes.
const (
	FuncQuickLocate FunctionCode = "LO1"
	FuncCaseStatus  FunctionCode = "CSI"
	FuncPaternity   FunctionCode = "PAT"
	FuncEstablish   FunctionCode = "EST"
	FuncEnforce     FunctionCode = "ENF"
	FuncCollection  FunctionCode = "COL"
	FuncManageCases FunctionCode = "MSC"
)

// FunctionCodes lists every function code in a stable order.
var FunctionCodes = []FunctionCode{FuncQuickLocate, FuncCaseStatus, FuncPaternity, FuncEstablish, FuncEnforce, FuncCollection, FuncManageCases}

// ActionCode is the CSENet action of a transaction.
type ActionCode string

// Action codes.
const (
	ActRequest  ActionCode = "R"
	ActAck      ActionCode = "A"
	ActProvide  ActionCode = "P"
	ActReminder ActionCode = "M"
	ActUpdate   ActionCode = "U"
	ActCancel   ActionCode = "C"
)

// ActionCodes lists every action code.
var ActionCodes = []ActionCode{ActRequest, ActAck, ActProvide, ActReminder, ActUpdate, ActCancel}

// ReasonCode is a 5-character action reason; valid combinations with function
// and action come from a data table (see Combos).
type ReasonCode string

// The code sets below are the federal ones of the CSENet 2000 layout
// (schemas/csenet/layout.csv, "values" column); the comment on each constant
// is the layout's meaning.

// CaseType is the program type of the case.
type CaseType string

// Case types.
const (
	CaseAssistance        CaseType = "A" // TANF
	CaseNonAssistance     CaseType = "N" // non-TANF
	CaseFosterCare        CaseType = "F"
	CaseTANFArrears       CaseType = "R" // TANF arrears only
	CaseFosterCareArrears CaseType = "C" // foster care arrears only
	CaseNonIVD            CaseType = "V"
	CaseMedicalOnly       CaseType = "M" // medical care
	CaseFormerAssistance  CaseType = "S"
	CaseNeverAssistance   CaseType = "T"
)

// CaseTypes lists every case type.
var CaseTypes = []CaseType{CaseAssistance, CaseNonAssistance, CaseFosterCare, CaseTANFArrears, CaseFosterCareArrears,
	CaseNonIVD, CaseMedicalOnly, CaseFormerAssistance, CaseNeverAssistance}

// CaseStatus is open or closed (also the information block's Status-Change-Code).
type CaseStatus string

// Case statuses.
const (
	CaseOpen   CaseStatus = "O"
	CaseClosed CaseStatus = "C"
)

// CaseStatuses lists every case status.
var CaseStatuses = []CaseStatus{CaseOpen, CaseClosed}

// Sex of a person as recorded by the sender (the layout's Gender).
type Sex string

// Sex codes.
const (
	SexMale   Sex = "M"
	SexFemale Sex = "F"
	SexOther  Sex = "O" // other, e.g. unborn or unknown
)

// Sexes lists every sex code.
var Sexes = []Sex{SexMale, SexFemale, SexOther}

// Race as recorded by the sender.
type Race string

// Races lists every race code: White, Black, American Indian/Eskimo/Aleutian,
// Asian or Pacific Islander, Hispanic, Other.
var Races = []Race{"W", "B", "I", "A", "S", "X"}

// HairColor of the NCP.
type HairColor string

// HairColors: bald, blonde, black, brown, red, gray, other.
var HairColors = []HairColor{"BD", "BL", "BK", "BN", "RD", "GY", "OT"}

// EyeColor of the NCP.
type EyeColor string

// EyeColors: blue, brown, dark, green, gray, hazel, other.
var EyeColors = []EyeColor{"BU", "BN", "DK", "GN", "GY", "HZ", "OT"}

// YesNo is a one-character Y or N flag whose N the layout distinguishes
// from blank.
type YesNo string

// Yes and No.
const (
	Yes YesNo = "Y"
	No  YesNo = "N"
)

// YesNos lists Y and N.
var YesNos = []YesNo{Yes, No}

// AddressConfirmed says whether an NCP address was verified.
type AddressConfirmed string

// Address confirmation codes.
const (
	AddressVerified    AddressConfirmed = "Y"
	AddressNotVerified AddressConfirmed = "N"
	AddressPartial     AddressConfirmed = "P" // partial address only
)

// AddressConfirmations lists every address confirmation code.
var AddressConfirmations = []AddressConfirmed{AddressVerified, AddressNotVerified, AddressPartial}

// Relationship of a participant to the case.
type Relationship string

// Relationship codes.
const (
	RelNCP            Relationship = "A" // noncustodial parent
	RelCustodialParty Relationship = "C"
	RelChild          Relationship = "D" // dependent
	RelPutative       Relationship = "P" // putative father
	RelSecondAdult    Relationship = "S" // caretaker, if not parent
)

// Relationships lists every relationship code.
var Relationships = []Relationship{RelNCP, RelCustodialParty, RelChild, RelPutative, RelSecondAdult}

// ParticipantStatus is open (active) or closed (inactive).
type ParticipantStatus string

// Participant statuses.
const (
	ParticipantOpen   ParticipantStatus = "O"
	ParticipantClosed ParticipantStatus = "C"
)

// ParticipantStatuses lists every participant status.
var ParticipantStatuses = []ParticipantStatus{ParticipantOpen, ParticipantClosed}

// DependentRelation is how a dependent is related to the custodial party.
type DependentRelation string

// Dependent relations.
const (
	DepAdopted     DependentRelation = "A"
	DepNatural     DependentRelation = "C"
	DepFoster      DependentRelation = "F"
	DepGrandchild  DependentRelation = "G"
	DepNieceNephew DependentRelation = "E"
	DepNoRelation  DependentRelation = "N"
	DepOther       DependentRelation = "O"
	DepSibling     DependentRelation = "S"
	DepCousin      DependentRelation = "U"
	DepWard        DependentRelation = "W"
)

// DependentRelations lists every dependent relation.
var DependentRelations = []DependentRelation{DepAdopted, DepNatural, DepFoster, DepGrandchild, DepNieceNephew,
	DepNoRelation, DepOther, DepSibling, DepCousin, DepWard}

// PaternityStatus of a dependent (Dependent-Paternity-Status).
type PaternityStatus string

// Paternity statuses.
const (
	PaternityEstablished   PaternityStatus = "Y" // paternity status determined
	PaternityBornInWedlock PaternityStatus = "1"
	PaternityGeneticTest   PaternityStatus = "2"
	PaternityNotAnIssue    PaternityStatus = "3" // adoption
	PaternityJudicial      PaternityStatus = "4"
	PaternityAcknowledged  PaternityStatus = "5"
	PaternityOther         PaternityStatus = "6"
)

// PaternityStatuses lists every paternity status.
var PaternityStatuses = []PaternityStatus{PaternityEstablished, PaternityBornInWedlock, PaternityGeneticTest,
	PaternityNotAnIssue, PaternityJudicial, PaternityAcknowledged, PaternityOther}

// OrderType says which kind of tribunal issued an order.
type OrderType string

// Order types.
const (
	OrderAdministrative OrderType = "A"
	OrderJudicial       OrderType = "J"
	OrderPaternity      OrderType = "P"
)

// OrderTypes lists every order type.
var OrderTypes = []OrderType{OrderAdministrative, OrderJudicial, OrderPaternity}

// DebtType says what an order provides.
type DebtType string

// Debt types.
const (
	DebtChildSupport   DebtType = "CS"
	DebtSpousalSupport DebtType = "SS"
	DebtMedicalSupport DebtType = "MS"
)

// DebtTypes lists every debt type.
var DebtTypes = []DebtType{DebtChildSupport, DebtSpousalSupport, DebtMedicalSupport}

// ControllingFlag marks the controlling order.
type ControllingFlag string

// Controlling-order flags.
const (
	ControllingPresumed   ControllingFlag = "P"
	ControllingDetermined ControllingFlag = "D"
)

// ControllingFlags lists every controlling-order flag.
var ControllingFlags = []ControllingFlag{ControllingPresumed, ControllingDetermined}

// Frequency of a periodic amount.
type Frequency string

// Frequencies.
const (
	FreqWeekly      Frequency = "W"
	FreqBiweekly    Frequency = "B"
	FreqSemimonthly Frequency = "S"
	FreqMonthly     Frequency = "M"
	FreqQuarterly   Frequency = "Q"
	FreqSemiannual  Frequency = "E"
	FreqAnnual      Frequency = "A"
)

// Frequencies lists every frequency.
var Frequencies = []Frequency{FreqWeekly, FreqBiweekly, FreqSemimonthly, FreqMonthly, FreqQuarterly, FreqSemiannual, FreqAnnual}

// CollectionSource is where a payment came from.
type CollectionSource string

// Collection sources.
const (
	SourceWithholding   CollectionSource = "A" // wage assignment
	SourceGarnishment   CollectionSource = "G"
	SourceFederalOffset CollectionSource = "I" // IRS tax intercept
	SourceStateOffset   CollectionSource = "S" // state tax intercept
	SourceUnemployment  CollectionSource = "U" // UIB intercept
	SourceNormal        CollectionSource = "N" // a regular payment
)

// CollectionSources lists every collection source.
var CollectionSources = []CollectionSource{SourceWithholding, SourceGarnishment, SourceFederalOffset, SourceStateOffset, SourceUnemployment, SourceNormal}

// PaymentMethod is how a collection was sent between states.
type PaymentMethod string

// Payment methods.
const (
	PaymentEFT    PaymentMethod = "E"
	PaymentManual PaymentMethod = "M"
	PaymentOther  PaymentMethod = "O"
)

// PaymentMethods lists every payment method.
var PaymentMethods = []PaymentMethod{PaymentEFT, PaymentManual, PaymentOther}

// WellFormed reports whether r has the form of a reason code: 5 characters
// A-Z or 0-9. It says nothing about which functions and actions allow it.
func (r ReasonCode) WellFormed() bool {
	if len(r) != 5 {
		return false
	}
	for i := 0; i < len(r); i++ {
		if (r[i] < 'A' || r[i] > 'Z') && (r[i] < '0' || r[i] > '9') {
			return false
		}
	}
	return true
}
