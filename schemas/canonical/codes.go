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

// Reason codes the gateway itself produces or acts on.
const (
	ReasonAddParticipant    ReasonCode = "GSADD"
	ReasonDeleteParticipant ReasonCode = "GSDEL"
	ReasonChangeCaseID      ReasonCode = "GSCAS"
	ReasonChangeFIPS        ReasonCode = "GSFIP"
	ReasonNoInformation     ReasonCode = "FUINF"
	ReasonNoMatchingCase    ReasonCode = "REJCT"
)

// CaseType is the program type of the case.
type CaseType string

// Case types.
const (
	CaseAssistance    CaseType = "AD" // public assistance (TANF)
	CaseNonAssistance CaseType = "NA"
	CaseFosterCare    CaseType = "AF"
	CaseMedicalOnly   CaseType = "MA"
)

// CaseTypes lists every case type.
var CaseTypes = []CaseType{CaseAssistance, CaseNonAssistance, CaseFosterCare, CaseMedicalOnly}

// CaseStatus is open or closed.
type CaseStatus string

// Case statuses.
const (
	CaseOpen   CaseStatus = "O"
	CaseClosed CaseStatus = "C"
)

// CaseStatuses lists every case status.
var CaseStatuses = []CaseStatus{CaseOpen, CaseClosed}

// Sex of a person as recorded by the sender.
type Sex string

// Sex codes.
const (
	SexMale    Sex = "M"
	SexFemale  Sex = "F"
	SexUnknown Sex = "U"
)

// Sexes lists every sex code.
var Sexes = []Sex{SexMale, SexFemale, SexUnknown}

// Relationship of a participant to the case.
type Relationship string

// Relationship codes.
const (
	RelCustodialParty Relationship = "CP"
	RelChild          Relationship = "CH"
	RelOther          Relationship = "OT"
)

// Relationships lists every relationship code.
var Relationships = []Relationship{RelCustodialParty, RelChild, RelOther}

// PaternityStatus of a child.
type PaternityStatus string

// Paternity statuses.
const (
	PaternityEstablished    PaternityStatus = "Y"
	PaternityNotEstablished PaternityStatus = "N"
	PaternityUnknown        PaternityStatus = "U"
)

// PaternityStatuses lists every paternity status.
var PaternityStatuses = []PaternityStatus{PaternityEstablished, PaternityNotEstablished, PaternityUnknown}

// OrderType says what an order provides.
type OrderType string

// Order types.
const (
	OrderChildSupport   OrderType = "CS"
	OrderMedicalSupport OrderType = "MS"
	OrderSpousalSupport OrderType = "SS"
	OrderArrearsOnly    OrderType = "AR"
)

// OrderTypes lists every order type.
var OrderTypes = []OrderType{OrderChildSupport, OrderMedicalSupport, OrderSpousalSupport, OrderArrearsOnly}

// Frequency of a periodic amount.
type Frequency string

// Frequencies.
const (
	FreqWeekly      Frequency = "W"
	FreqBiweekly    Frequency = "B"
	FreqSemimonthly Frequency = "S"
	FreqMonthly     Frequency = "M"
	FreqQuarterly   Frequency = "Q"
	FreqAnnual      Frequency = "A"
	FreqOneTime     Frequency = "O"
)

// Frequencies lists every frequency.
var Frequencies = []Frequency{FreqWeekly, FreqBiweekly, FreqSemimonthly, FreqMonthly, FreqQuarterly, FreqAnnual, FreqOneTime}

// CollectionSource is where a payment came from.
type CollectionSource string

// Collection sources.
const (
	SourceWithholding   CollectionSource = "IWO"
	SourceFederalOffset CollectionSource = "FTO"
	SourceStateOffset   CollectionSource = "STO"
	SourceDirect        CollectionSource = "DIR"
	SourceUnemployment  CollectionSource = "UIB"
	SourceOther         CollectionSource = "OTH"
)

// CollectionSources lists every collection source.
var CollectionSources = []CollectionSource{SourceWithholding, SourceFederalOffset, SourceStateOffset, SourceDirect, SourceUnemployment, SourceOther}

func oneOf[T ~string](v T, valid []T) bool {
	for _, x := range valid {
		if v == x {
			return true
		}
	}
	return false
}
