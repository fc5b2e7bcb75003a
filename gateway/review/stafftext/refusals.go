package stafftext

import (
	"regexp"
	"strings"
)

// refusalWords say each edge refusal code in a caseworker's words.
var refusalWords = map[string]string{
	"client_certificate_required": "no client certificate: the caller did not identify itself",
	"unknown_certificate":         "the certificate is not one of a known partner",
	"certificate_expired":         "the partner's certificate has expired",
	"certificate_chain":           "the certificate was not issued by a trusted authority",
	"rate_limited":                "the partner sent too much too fast and was asked to slow down",
	"body_too_large":              "the message was too large",
	"unsupported_media_type":      "the message was in a format the partner is not set up for",
	"signature_missing":           "the message was not signed",
	"signature_malformed":         "the signature could not be read",
	"signature_algorithm":         "the signature used an algorithm that is not allowed",
	"signature_unknown_key":       "the signature was made with a key the partner has not published",
	"signature_invalid":           "the signature does not match the message: it was changed, or signed with another key",
	"signature_stale":             "the signature is too old or dated in the future (clock or replay)",
	"jti_mismatch":                "the signature names another message",
	"malformed":                   "the message could not be read in its format",
	"invalid":                     "the message was read but breaks the rules (see the field errors)",
	"sender_mismatch":             "the message says it is from a state this partner may not send for",
	"wrong_receiver":              "the message is addressed to another state",
	"conflict":                    "a different message was already received under the same message ID",
	"not_found":                   "the partner asked for something that does not exist",
	"bad_request":                 "the request was not well formed",
	"method_not_allowed":          "the partner used the wrong kind of request",
}

// RefusalWord is a refusal code in words.
func RefusalWord(code string) string {
	if w, ok := refusalWords[code]; ok {
		return strings.ToUpper(w[:1]) + w[1:]
	}
	return Humanize(code)
}

// digitsLikeSSN finds what may be an SSN in a decoder's message, as a
// last guard: reasons are written never to repeat one.
var digitsLikeSSN = regexp.MustCompile(`\b\d{3}-?\d{2}-?\d{4}\b`)

// MaskReason masks anything like an SSN in a refusal's reason.
func MaskReason(s string) string {
	return digitsLikeSSN.ReplaceAllStringFunc(s, MaskSSN)
}
