package canonical

// Reason codes the gateway sends itself. They are seed codes defined for this
// gateway (see schemas/codes/transactions.csv), not codes from the OCSE CSENet
// table; the table lists the function and action each one goes with.
const (
	// ReasonIncomeWithholding (ENF R): an income withholding order was sent
	// directly to the NCP's employer in another state (UIFSA §501).
	ReasonIncomeWithholding ReasonCode = "SIIWO"
	// ReasonRegistration (ENF R): register an out-of-state order for
	// enforcement (UIFSA Article 6).
	ReasonRegistration ReasonCode = "SRREG"
	// ReasonControllingOrderRequest (ENF R): register the orders and determine
	// which one controls (UIFSA §207).
	ReasonControllingOrderRequest ReasonCode = "SRCOD"
	// ReasonEmployerAccepted (ENF P): the employer accepted the IWO.
	ReasonEmployerAccepted ReasonCode = "EIACK"
	// ReasonEmployerRejected (ENF P): the employer rejected the IWO.
	ReasonEmployerRejected ReasonCode = "EIREJ"
	// ReasonExistingOrder (EST P or ENF P): an order already exists for the
	// obligor and child, so the request was answered or rerouted as
	// enforcement or registration instead of creating a second order.
	ReasonExistingOrder ReasonCode = "ERXOR"
	// ReasonControllingOrder (MSC P): notice of a controlling-order
	// determination, with its basis.
	ReasonControllingOrder ReasonCode = "GSCOD"
)
