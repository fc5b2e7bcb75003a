package stafftext

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

const (
	MaskedDOB    = "****-**-**"
	maskedSSNAll = "***-**-****"
	maxRawShown  = 1 << 20
)

// MaskSSN masks a stored value that may already be masked ("***-**-1234").
func MaskSSN(s string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if len(d) >= 4 {
		return "***-**-" + d[len(d)-4:]
	}
	if s == "" {
		return ""
	}
	return maskedSSNAll
}

// sensitiveName says whether a JSON key, XML element or attribute holds an
// SSN or a date of birth, whatever the partner format calls it.
var sensitiveName = regexp.MustCompile(`(?i)(ssn|social|birth|dob|tin$)`)

func maskFor(name, value string) string {
	n := strings.ToLower(name)
	if strings.Contains(n, "birth") || strings.Contains(n, "dob") {
		if value == "" {
			return ""
		}
		return MaskedDOB
	}
	return MaskSSN(value)
}

// jsonSensitive finds "key": "value" or "key": number pairs whose key names
// an SSN or a date of birth.
var jsonSensitive = regexp.MustCompile(`"([^"\\]*(?i:ssn|social|birth|dob)[^"\\]*)"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+)`)

// MaskJSONText masks every SSN and date of birth field of JSON text.
func MaskJSONText(s string) string {
	return jsonSensitive.ReplaceAllStringFunc(s, func(m string) string {
		sub := jsonSensitive.FindStringSubmatch(m)
		val := strings.Trim(sub[3], `"`)
		return `"` + sub[1] + `"` + sub[2] + `"` + maskFor(sub[1], val) + `"`
	})
}

// MaskedTransactionJSON is the canonical transaction as the API shows it:
// SSNs masked (they are stored masked) and dates of birth masked too.
func MaskedTransactionJSON(tx canonical.Transaction) json.RawMessage {
	b, err := json.Marshal(tx)
	if err != nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(newSecrets(tx).Replace(MaskJSONText(string(b))))
}
