package edge

import (
	"net/http"

	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/intake"
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
type APIError = httperr.Problem

func apiErr(status int, code, msg string) *APIError { return httperr.New(status, code, msg) }

// partnerJSON is the partner API's shape: compact, charset named.
var partnerJSON = httperr.JSON{ContentType: "application/json; charset=utf-8"}

// writeError answers in XML to a partner that spoke XML, in JSON otherwise.
func writeError(w http.ResponseWriter, r *http.Request, e *APIError) { partnerJSON.Negotiated(w, r, e) }

func writeJSON(w http.ResponseWriter, status int, v any) { partnerJSON.Write(w, status, v) }

// wantsXML reports whether the request was XML, so the answer is XML too.
var wantsXML = httperr.WantsXML
