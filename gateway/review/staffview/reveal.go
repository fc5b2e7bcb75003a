package staffview

// What a reveal may name, the reasons it may give, and the clear values
// it shows. The audit record that must come first is the caller's.

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// revealPath accepts exactly the fields a reveal may name; "raw" is the body
// exactly as received, which the page otherwise shows decoded and masked.
var revealPath = regexp.MustCompile(`^(?:raw|(ncp|participants\[[0-8]\])\.(ssn|dateOfBirth))$`)

// RevealRaw names the exact received bytes in a reveal.
const RevealRaw = "raw"

// The reasons staff may give for a reveal: a short list a supervisor can
// count, and "other" with a sentence for anything else.
const RevealOther = "other"

var revealReasons = []struct{ Code, Label string }{
	{"identity-verification", "identity verification"},
	{"court-filing", "court filing"},
	{"payment-research", "payment research"},
	{"locate", "locate"},
	{RevealOther, "other"},
}

// RevealReason is a reveal's reason as the audit trail records it.
type RevealReason struct {
	Code string
	// Text is the label of a listed reason, or the sentence given with "other".
	Text string
	// Note is an optional remark given with a listed reason.
	Note string
}

// ParseRevealReason reads the reason given for a reveal: a listed one, or
// "other" with a sentence.
func ParseRevealReason(code, note string) (RevealReason, error) {
	code, note = strings.TrimSpace(code), strings.TrimSpace(note)
	if len(note) > 500 {
		return RevealReason{}, badRequest("keep the explanation under 500 characters")
	}
	if code == RevealOther {
		if len(note) < 20 || len(strings.Fields(note)) < 4 {
			return RevealReason{}, badRequest(`for the reason "other", say why in a sentence (at least 4 words) in "note"`)
		}
		return RevealReason{Code: code, Text: note}, nil
	}
	for _, r := range revealReasons {
		if r.Code == code {
			return RevealReason{Code: code, Text: r.Label, Note: note}, nil
		}
	}
	return RevealReason{}, badRequest(`choose the reason for the reveal: identity-verification, court-filing, payment-research, locate, or other with a sentence in "note"`)
}

// CheckRevealField accepts exactly the fields a reveal may name.
func CheckRevealField(field string) error {
	if !revealPath.MatchString(field) {
		return badRequest("unknown field " + strconv.Quote(field))
	}
	return nil
}

// RevealValue is the clear value of field of message id: the exact body
// as received, an SSN written 123-45-6789, or a date of birth.
func RevealValue(ctx context.Context, st Store, id int64, field string) (string, error) {
	if err := CheckRevealField(field); err != nil {
		return "", err
	}
	if field == RevealRaw {
		raw, err := st.RawBody(ctx, id)
		return string(raw), err
	}
	if strings.HasSuffix(field, ".ssn") {
		ssn, err := st.Reveal(ctx, id, field)
		if err != nil {
			return "", err
		}
		d := ssn.Digits()
		if len(d) == 9 {
			return d[:3] + "-" + d[3:5] + "-" + d[5:], nil
		}
		return d, nil
	}
	tx, err := st.LoadTransaction(ctx, id, true)
	if err != nil {
		return "", err
	}
	var dob *canonical.Date
	if field == "ncp.dateOfBirth" {
		if tx.NCP != nil {
			dob = tx.NCP.DateOfBirth
		}
	} else {
		i, _ := strconv.Atoi(field[len("participants[") : len("participants[")+1])
		if i < len(tx.Participants) {
			dob = tx.Participants[i].DateOfBirth
		}
	}
	if dob == nil || dob.IsZero() {
		return "", fmt.Errorf("%w: no date of birth at %s of message %d", exchange.ErrNotFound, field, id)
	}
	return dob.String(), nil
}
