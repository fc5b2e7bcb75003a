package canonical

// Limits beyond those in types.go. CSENet sets no count for these lists; they
// are bounded so that one message stays small and every format can carry it.
const (
	MaxAliases   = 9
	MaxAddresses = 9
	MaxLicenses  = 9
	// MaxAddressLineLen bounds address lines and cities.
	MaxAddressLineLen = 60
	// MaxLicenseLen bounds a license's type and number.
	MaxLicenseLen = 30
	MaxEmailLen   = 254
	// MaxSerial is the largest transaction serial number: 2^53-1, so that every
	// JSON implementation, including those that read numbers as doubles, reads
	// it exactly.
	MaxSerial = 1<<53 - 1
)

// Patterns shared by Validate and the JSON Schema; schema_test.go checks that
// the schema uses exactly these strings.
const (
	messageIDPattern = `^[A-Za-z0-9._:-]+$`
	// A case ID is printable ASCII without leading or trailing spaces: CSENet
	// fields are space-padded, and "ABC " must not become a second case.
	caseIDPattern = `^[!-~]([ -~]*[!-~])?$`
	zipPattern    = `^[0-9]{5}(-[0-9]{4})?$`
	phonePattern  = `^[0-9+() .x-]{7,25}$`
	emailPattern  = `^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`
	einPattern    = `^[0-9]{9}$`
)

// Patterns of text fields, equivalent to hasControl; the JSON Schema uses them
// and schema_test.go checks that they agree with hasControl.
const (
	singleLinePattern = `^[^\x00-\x1f\x7f-\x9f]*$`
	multiLinePattern  = `^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$`
)
