package canonical

import (
	"fmt"
	"strings"
)

// FieldError says which field of a message is wrong and why. Path is the
// canonical path (orders[1].frequency); PartnerPath, when set, is where the
// field sits in the partner's own format, so the sender can find it.
type FieldError struct {
	Path        string `json:"path"`
	PartnerPath string `json:"partnerPath,omitempty"`
	Reason      string `json:"reason"`
}

func (e FieldError) Error() string {
	if e.PartnerPath != "" && e.PartnerPath != e.Path {
		return fmt.Sprintf("%s (%s): %s", e.Path, e.PartnerPath, e.Reason)
	}
	return e.Path + ": " + e.Reason
}

// FieldErrors is a list of problems; it is an error when not empty.
type FieldErrors []FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Err returns es as an error, or nil when empty.
func (es FieldErrors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
