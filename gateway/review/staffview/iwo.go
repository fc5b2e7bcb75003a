package staffview

// An e-IWO document's page: the order's fields as an employer and a
// caseworker read them, decoded from the stored document itself (the raw
// view below it shows the same document). The employee's SSN and date of
// birth, and the children's dates of birth, are masked here; the exact
// document is behind the audited reveal of the raw view.

import (
	"strconv"
	"sync"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/all"
)

var iwoCodecs = sync.OnceValue(func() *transforms.Registry { return all.NewRegistry() })

type iwoLine struct {
	What   string
	Amount string
}

type iwoChild struct {
	Name string
	DOB  string
}

// IWOView is an IWO in words.
type IWOView struct {
	canonical.IWO
	Action      string
	Issuer      string
	EmployeeSSN string
	EmployeeDOB string
	Children    []iwoChild
	Lines       []iwoLine
	PerPeriod   []iwoLine
	Limit       string
	Problems    []canonical.FieldError
}

var iwoActionWords = map[canonical.IWODocAction]string{
	canonical.IWOOriginal:  "Original order to withhold",
	canonical.IWOAmended:   "Amended order (replaces the one in force)",
	canonical.IWOTerminate: "Termination: stop withholding",
	canonical.IWOLumpSum:   "Lump-sum payment: withhold from a one-time payment",
}

// LoadIWO decodes m's document when m is an e-IWO; nil otherwise.
func LoadIWO(m exchange.Message, raw []byte) *IWOView {
	codec, ok := iwoCodecs().LookupIWO(m.Format)
	if !ok || len(raw) == 0 {
		return nil
	}
	iwo, errs := codec.DecodeIWO(raw)
	v := &IWOView{IWO: iwo, Problems: errs}
	v.Action = iwoActionWords[iwo.DocAction]
	if v.Action == "" {
		v.Action = string(iwo.DocAction)
	}
	v.Issuer = stafftext.StateName(iwo.IssuingState)
	if iwo.IssuingJurisdiction != "" {
		v.Issuer = iwo.IssuingJurisdiction + ", " + v.Issuer
	}
	if iwo.EmployeeSSN != "" {
		v.EmployeeSSN = stafftext.MaskSSN(string(iwo.EmployeeSSN))
	}
	if iwo.EmployeeBirth != nil && !iwo.EmployeeBirth.IsZero() {
		v.EmployeeDOB = stafftext.MaskedDOB
	}
	// The fields hold the SSN and dates in clear; the view keeps only the
	// masked forms.
	v.IWO.EmployeeSSN, v.IWO.EmployeeBirth = "", nil
	for _, c := range iwo.Children {
		ch := iwoChild{Name: stafftext.FullName(c.Name)}
		if c.DateOfBirth != nil && !c.DateOfBirth.IsZero() {
			ch.DOB = stafftext.MaskedDOB
		}
		v.Children = append(v.Children, ch)
	}
	v.IWO.Children = nil
	add := func(what string, a canonical.Amount) {
		if a.Cents != 0 {
			v.Lines = append(v.Lines, iwoLine{what, stafftext.PerPeriod(a.Cents, a.Frequency)})
		}
	}
	add("Current child support", iwo.CurrentChildSupport)
	pastDue := "Past-due child support"
	if iwo.PastDueOver12Weeks {
		pastDue += " (arrears over 12 weeks old)"
	}
	add(pastDue, iwo.PastDueChildSupport)
	add("Current cash medical support", iwo.CurrentCashMedical)
	add("Past-due cash medical support", iwo.PastDueCashMedical)
	add("Current spousal support", iwo.CurrentSpousal)
	add("Past-due spousal support", iwo.PastDueSpousal)
	other := "Other"
	if iwo.OtherDescription != "" {
		other += ": " + iwo.OtherDescription
	}
	add(other, iwo.Other)
	for _, p := range []struct {
		what string
		c    canonical.Cents
	}{{"weekly", iwo.PerPeriod.Weekly}, {"every two weeks", iwo.PerPeriod.Biweekly},
		{"twice a month", iwo.PerPeriod.Semimonthly}, {"monthly", iwo.PerPeriod.Monthly}} {
		if p.c != 0 {
			v.PerPeriod = append(v.PerPeriod, iwoLine{p.what, "$" + p.c.Dollars()})
		}
	}
	if iwo.LimitPercent > 0 {
		law := stafftext.StateName(iwo.LimitState)
		if law == "" {
			law = iwo.LimitState
		}
		v.Limit = "At most " + strconv.Itoa(iwo.LimitPercent) + "% of disposable earnings, under the law of " + law +
			" (the employee's principal place of employment)"
	}
	return v
}
