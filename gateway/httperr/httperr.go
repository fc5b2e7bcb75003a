// Package httperr is the gateway's one way of answering HTTP requests with
// JSON and with structured errors. The partner API, the staff API and the
// development sign-in provider each keep the wire shape their clients were
// given (media type, indentation, caching); that shape is a JSON value, so
// the writing and the error envelope live here once.
package httperr

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Problem is a refusal as an API answers it: the HTTP status, a stable code
// clients branch on, a message for a person, and for bad input which field
// and why. It is an error, so services can return it as is.
type Problem struct {
	Status  int                    `json:"-" xml:"-"`
	Code    string                 `json:"code" xml:"code"`
	Message string                 `json:"message" xml:"message"`
	Fields  []canonical.FieldError `json:"fields,omitempty" xml:"fields>field,omitempty"`
}

// New is a Problem without field errors.
func New(status int, code, msg string) *Problem {
	return &Problem{Status: status, Code: code, Message: msg}
}

// Error is the code and the message.
func (p *Problem) Error() string { return p.Code + ": " + p.Message }

// envelope is the body of every error answer: {"error": {...}}, or the same
// as <Error xmlns="urn:uifsagw:error:1"><error>...</error></Error>.
type envelope struct {
	XMLName xml.Name `json:"-" xml:"urn:uifsagw:error:1 Error"`
	Error   *Problem `json:"error" xml:"error"`
}

// JSON is one API's way of writing JSON answers.
type JSON struct {
	// ContentType is the media type of every answer.
	ContentType string
	// Indent, when set, indents the body (a person reads the staff API).
	Indent string
	// NoStore forbids caches to keep the answer (tokens, keys).
	NoStore bool
}

// Write answers with status and v as JSON.
func (j JSON) Write(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", j.ContentType)
	if j.NoStore {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if j.Indent != "" {
		enc.SetIndent("", j.Indent)
	}
	// The status is sent; a client that went away is all an error here means.
	_ = enc.Encode(v)
}

// Error answers with p in the error envelope, as JSON.
func (j JSON) Error(w http.ResponseWriter, p *Problem) {
	j.Write(w, p.Status, envelope{Error: p})
}

// Negotiated answers with p as XML when the request was XML, as JSON
// otherwise, so a partner that speaks XML reads its refusals in XML.
func (j JSON) Negotiated(w http.ResponseWriter, r *http.Request, p *Problem) {
	if !WantsXML(r) {
		j.Error(w, p)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(p.Status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(envelope{Error: p})
}

// WantsXML reports whether the request asked for XML (Accept), or, saying
// nothing of JSON, was XML itself (Content-Type).
func WantsXML(r *http.Request) bool {
	if a := r.Header.Get("Accept"); strings.Contains(a, "json") {
		return false
	} else if strings.Contains(a, "xml") {
		return true
	}
	return strings.Contains(r.Header.Get("Content-Type"), "xml")
}
