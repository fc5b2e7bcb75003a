package edge

import (
	"net/http"
	"testing"

	"github.com/uifsagw/uifsagw/gateway/intake"
)

// Every intake refusal has its own HTTP status: partners and their
// libraries branch on the status before they read the code.
func TestIntakeRefusalsMapToTheirStatus(t *testing.T) {
	for code, want := range map[string]int{
		intake.CodeTooLarge: 413, intake.CodeMediaType: 415,
		intake.CodeSigMissing: 401, intake.CodeSigMalformed: 401, intake.CodeSigAlgorithm: 401,
		intake.CodeSigUnknownKey: 401, intake.CodeSigInvalid: 401, intake.CodeSigStale: 401,
		intake.CodeJTIMismatch: 400, intake.CodeMalformed: 400, intake.CodeInvalid: 422,
		intake.CodeSenderMismatch: 403, intake.CodeWrongReceiver: 422, intake.CodeConflict: 409,
		intake.CodeUnavailable: 503, intake.CodeInternal: 500,
	} {
		e := fromIntake(&intake.Error{Code: code, Message: "m"})
		if e.Status != want || e.Code != code || e.Message != "m" {
			t.Errorf("%s: %+v, want status %d", code, e, want)
		}
		if len(intakeStatus) != 16 {
			t.Fatalf("intakeStatus has %d codes; this test names 16", len(intakeStatus))
		}
	}
	// A code added to intake without a status still answers as a client error.
	if e := fromIntake(&intake.Error{Code: "something_new"}); e.Status != http.StatusBadRequest {
		t.Errorf("unknown code: status %d", e.Status)
	}
}
