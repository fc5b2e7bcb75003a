package edge

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Error codes partners see. They are stable: partners branch on them. Those
// of the message itself are intake's; these are the transport's.
const (
	CodeCertRequired     = "client_certificate_required"
	CodeUnknownCert      = "unknown_certificate"
	CodeCertExpired      = "certificate_expired"
	CodeCertChain        = "certificate_chain"
	CodeRateLimited      = "rate_limited"
	CodeTooLarge         = intake.CodeTooLarge
	CodeNotFound         = "not_found"
	CodeBadRequest       = "bad_request"
	CodeUnavailable      = intake.CodeUnavailable
	CodeInternal         = intake.CodeInternal
	CodeMethodNotAllowed = "method_not_allowed"
)

// intakeStatus is the HTTP status of each intake refusal.
var intakeStatus = map[string]int{
	intake.CodeTooLarge:       http.StatusRequestEntityTooLarge,
	intake.CodeMediaType:      http.StatusUnsupportedMediaType,
	intake.CodeSigMissing:     http.StatusUnauthorized,
	intake.CodeSigMalformed:   http.StatusUnauthorized,
	intake.CodeSigAlgorithm:   http.StatusUnauthorized,
	intake.CodeSigUnknownKey:  http.StatusUnauthorized,
	intake.CodeSigInvalid:     http.StatusUnauthorized,
	intake.CodeSigStale:       http.StatusUnauthorized,
	intake.CodeJTIMismatch:    http.StatusBadRequest,
	intake.CodeMalformed:      http.StatusBadRequest,
	intake.CodeInvalid:        http.StatusUnprocessableEntity,
	intake.CodeSenderMismatch: http.StatusForbidden,
	intake.CodeWrongReceiver:  http.StatusUnprocessableEntity,
	intake.CodeConflict:       http.StatusConflict,
	intake.CodeUnavailable:    http.StatusServiceUnavailable,
	intake.CodeInternal:       http.StatusInternalServerError,
}

// fromIntake is the HTTP form of an intake refusal.
func fromIntake(e *intake.Error) *APIError {
	status, ok := intakeStatus[e.Code]
	if !ok {
		status = http.StatusBadRequest
	}
	return &APIError{Status: status, Code: e.Code, Message: e.Message, Fields: e.Fields}
}

// APIError is the structured error body: which field, why.
type APIError struct {
	Status  int                    `json:"-" xml:"-"`
	Code    string                 `json:"code" xml:"code"`
	Message string                 `json:"message" xml:"message"`
	Fields  []canonical.FieldError `json:"fields,omitempty" xml:"fields>field,omitempty"`
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func apiErr(status int, code, msg string) *APIError {
	return &APIError{Status: status, Code: code, Message: msg}
}

type errorEnvelope struct {
	XMLName xml.Name  `json:"-" xml:"urn:uifsagw:error:1 Error"`
	Error   *APIError `json:"error" xml:"error"`
}

// wantsXML reports whether the request was XML, so the answer is XML too.
func wantsXML(r *http.Request) bool {
	if a := r.Header.Get("Accept"); strings.Contains(a, "json") {
		return false
	} else if strings.Contains(a, "xml") {
		return true
	}
	return strings.Contains(r.Header.Get("Content-Type"), "xml")
}

func writeError(w http.ResponseWriter, r *http.Request, e *APIError) {
	env := errorEnvelope{Error: e}
	if wantsXML(r) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(e.Status)
		_, _ = w.Write([]byte(xml.Header))
		_ = xml.NewEncoder(w).Encode(env)
		return
	}
	writeJSON(w, e.Status, env)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
