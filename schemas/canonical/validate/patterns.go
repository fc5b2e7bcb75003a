package validate

// Patterns shared by Validate and the JSON Schema; schema_test.go checks that
// the schema uses exactly these strings.
const (
	messageIDPattern = `^[A-Za-z0-9._:-]+$`
	// A case ID is printable ASCII without leading or trailing spaces: CSENet
	// fields are space-padded, and "ABC " must not become a second case.
	caseIDPattern = `^[!-~]([ -~]*[!-~])?$`
	zipPattern    = `^[0-9]{5}(-[0-9]{4})?$`
	phonePattern  = `^[0-9]{10}$`
	emailPattern  = `^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`
	einPattern    = `^[0-9]{9}$`
)

// Patterns of text fields, equivalent to hasControl; the JSON Schema uses them
// and schema_test.go checks that they agree with hasControl.
const (
	singleLinePattern = `^[^\x00-\x1f\x7f-\x9f]*$`
	multiLinePattern  = `^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$`
)
