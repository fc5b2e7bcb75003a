package canonical

// Reason codes the gateway reads or sends. All are federal CSENet 2000 codes
// (schemas/csenet/transactions.csv); the comment names the combinations the
// federal table lists for each.
const (
	// ReasonIncomeWithholding (ENF R, ENF U): wage withholding. A state asks
	// this gateway to withhold from the NCP's wages; the gateway sends an
	// e-IWO to the employer.
	ReasonIncomeWithholding ReasonCode = "ERWAG"
	// ReasonRegistration (ENF R, ENF U): register a foreign order for
	// enforcement only, by the state IV-D agency.
	ReasonRegistration ReasonCode = "ERRES"
	// ReasonRegistrationByObligor (ENF R, ENF U): the same, by the obligor.
	ReasonRegistrationByObligor ReasonCode = "ERREG"
	// ReasonWithholdingEstablished (ENF P): wage withholding established; the
	// gateway tells the initiating state that the employer accepted its IWO.
	ReasonWithholdingEstablished ReasonCode = "ESWAG"
	// ReasonStatusUpdate (MSC P): providing a status update; the gateway
	// tells the initiating state that the employer rejected its IWO, with the
	// employer's reasons in the information block.
	ReasonStatusUpdate ReasonCode = "GSPUD"
	// ReasonOrderNotEstablished (EST P): support order not established. The
	// gateway's answer to an establishment request when an order already
	// exists for the obligor and child (UIFSA one-order rule); the information
	// block names the existing order.
	ReasonOrderNotEstablished ReasonCode = "SUEST"
	// ReasonNewControllingOrder (ENF P, EST P): new controlling order, with
	// the controlling order in an order block flagged D (determined).
	ReasonNewControllingOrder ReasonCode = "GSCOE"
	// ReasonCaseIDInvalid (MSC P): the case ID is invalid; the gateway's
	// refusal of a case, with the reason in the information block.
	ReasonCaseIDInvalid ReasonCode = "REJCT"
	// ReasonAddParticipant, ReasonDeleteParticipant, ReasonChangeCaseID and
	// ReasonChangeFIPS (MSC P) change the case's participants and identifiers.
	ReasonAddParticipant    ReasonCode = "GSADD"
	ReasonDeleteParticipant ReasonCode = "GSDEL"
	ReasonChangeCaseID      ReasonCode = "GSCAS"
	ReasonChangeFIPS        ReasonCode = "GSFIP"
	// ReasonNoInformation (CSI P): no case information available.
	ReasonNoInformation ReasonCode = "FUINF"
	// ReasonAckMoreInfo (x A): acknowledgment, additional information needed
	// to proceed; ReasonAckNoMoreInfo: no further information required.
	ReasonAckMoreInfo   ReasonCode = "AADIN"
	ReasonAckNoMoreInfo ReasonCode = "ANOAD"
)
