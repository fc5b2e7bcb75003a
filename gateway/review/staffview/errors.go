package staffview

import "fmt"

// InputError is a request a person can put right; its text says how.
type InputError string

// Error is the text for the person.
func (e InputError) Error() string { return string(e) }

func badRequest(msg string) error { return InputError(msg) }

// AmbiguousCaseError says a partner's case ID names cases of more than one
// partner, so only New York's case ID can open the case.
type AmbiguousCaseError struct{ CaseID string }

// Error says which ID and what to do instead.
func (e AmbiguousCaseError) Error() string {
	return fmt.Sprintf("Case ID %s is used by more than one partner for different cases: open the case by New York's case ID.", e.CaseID)
}
