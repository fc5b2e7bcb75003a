package review

// The refusals view: what the gateway turned away at the door (partner,
// time, reason, field errors; never the body), with counts, so staff can
// answer "we sent it and you never got it".

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
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

func refusalWord(code string) string {
	if w, ok := refusalWords[code]; ok {
		return strings.ToUpper(w[:1]) + w[1:]
	}
	return humanize(code)
}

// digitsLikeSSN finds what may be an SSN in a decoder's message, as a
// last guard: reasons are written never to repeat one.
var digitsLikeSSN = regexp.MustCompile(`\b\d{3}-?\d{2}-?\d{4}\b`)

func maskReason(s string) string {
	return digitsLikeSSN.ReplaceAllStringFunc(s, maskSSN)
}

type refusalRow struct {
	exchange.Refusal
	Words  string
	Reason string
	Fields []fact
}

type refusalCountView struct {
	exchange.RefusalCount
	Words, Link, PartnerName string
}

type refusalsView struct {
	Partner, Code, MessageID, Since, Before string
	Days                                    int
	Rows                                    []refusalRow
	Counts                                  []refusalCountView
	Total                                   int64
	Older                                   string
}

func (refusalsView) title() string { return "Refused submissions" }

func (h *Handler) refusalsPage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := h.loadRefusals(r)
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	h.render(w, r, s, http.StatusOK, "refusals", v)
}

func (h *Handler) loadRefusals(r *http.Request) (refusalsView, error) {
	qv := r.URL.Query()
	v := refusalsView{Partner: strings.TrimSpace(qv.Get("partner")), Code: strings.TrimSpace(qv.Get("code")),
		MessageID: strings.TrimSpace(qv.Get("message")), Since: qv.Get("since"), Before: qv.Get("before_date")}
	if len(v.Partner) > 100 || len(v.Code) > 100 || len(v.MessageID) > 200 {
		return v, badRequest("filter values are at most 100 characters (message IDs 200)")
	}
	f := exchange.RefusalFilter{PartnerFold: v.Partner, Code: v.Code, MessageID: v.MessageID}
	if v.Since != "" {
		t, err := time.Parse(time.DateOnly, v.Since)
		if err != nil {
			return v, badRequest("from must be a date YYYY-MM-DD")
		}
		f.Since = t
	} else {
		// The counts cover the last 30 days unless asked otherwise.
		f.Since = h.now().UTC().AddDate(0, 0, -30)
	}
	if v.Before != "" {
		t, err := time.Parse(time.DateOnly, v.Before)
		if err != nil {
			return v, badRequest("to must be a date YYYY-MM-DD")
		}
		f.Before = t.AddDate(0, 0, 1)
	}
	var before int64
	if b := qv.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			return v, badRequest("before must be a refusal number")
		}
		before = n
	}
	rows, err := h.store.RefusalsPage(r.Context(), f, before, 100)
	if err != nil {
		return v, err
	}
	for _, rf := range rows {
		row := refusalRow{Refusal: rf, Words: refusalWord(rf.Code), Reason: maskReason(rf.Reason)}
		for _, fe := range rf.Fields {
			label := fe.Path
			if fe.PartnerPath != "" && fe.PartnerPath != fe.Path {
				label += " (their " + fe.PartnerPath + ")"
			}
			row.Fields = append(row.Fields, fact{label, maskReason(fe.Reason)})
		}
		v.Rows = append(v.Rows, row)
	}
	counts, err := h.store.RefusalCounts(r.Context(), f)
	if err != nil {
		return v, err
	}
	for _, c := range counts {
		link := url.Values{"partner": {c.Partner}, "code": {c.Code}}
		if v.MessageID != "" {
			link.Set("message", v.MessageID)
		}
		if v.Since != "" {
			link.Set("since", v.Since)
		}
		v.Counts = append(v.Counts, refusalCountView{RefusalCount: c, Words: refusalWord(c.Code),
			Link: "/refusals?" + link.Encode(), PartnerName: stateName(c.Partner)})
		v.Total += c.Count
	}
	if len(rows) == 100 {
		older := url.Values{}
		for k, s := range map[string]string{"partner": v.Partner, "code": v.Code, "message": v.MessageID, "since": v.Since, "before_date": v.Before} {
			if s != "" {
				older.Set(k, s)
			}
		}
		older.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		v.Older = "/refusals?" + older.Encode()
	}
	return v, nil
}
