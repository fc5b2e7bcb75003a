package withholding

import (
	"fmt"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Limit is the governing law and the withholding limit for one employee at
// one employer. The IWO builder and the allocation worksheet both take it
// from Governing, so the document an employer receives and the worksheet
// staff read cannot disagree about whose law applies or at what percentage.
type Limit struct {
	// State is the 2-digit FIPS of the employee's principal place of
	// employment, whose law governs (UIFSA §502).
	State string
	Rules Rules
	// Configured is false when that state has no rules of its own in the
	// rule book and the federal default (CCPA) applies.
	Configured bool
	// SecondFamily is the fact applied; SecondFamilyKnown says whether it was
	// known. Unknown applies the lower caps: withholding more than the law
	// allows cannot be undone by the employer, withholding less is corrected
	// by an amended IWO.
	SecondFamily      bool
	SecondFamilyKnown bool
	// Over12 says whether support owed for a period before the 12 weeks that
	// end with the pay period is being paid (arrears 12 weeks or more).
	Over12 bool
	// CurrentPercent caps everything except arrears older than 12 weeks;
	// Percent is the overall cap, five points higher when Over12, and those
	// five points may only go to those arrears (15 U.S.C. 1673(b)(2)).
	CurrentPercent int
	Percent        int
}

// Governing decides the law and the limit for an employee whose principal
// place of employment is employmentState. secondFamily is nil when not known.
// over12 must be true only when arrears older than 12 weeks exist and the
// withholding includes a payment towards them: the higher percentage is
// reached only to the extent money goes to those arrears.
func Governing(book *RuleBook, employmentState string, secondFamily *bool, over12 bool) Limit {
	l := Limit{State: employmentState, Over12: over12, SecondFamily: true}
	if book != nil {
		l.Rules, l.Configured = book.For(employmentState)
	} else {
		l.Rules = Federal()
	}
	if secondFamily != nil {
		l.SecondFamily, l.SecondFamilyKnown = *secondFamily, true
	}
	l.CurrentPercent = Cap(l.Rules, l.SecondFamily, false)
	l.Percent = Cap(l.Rules, l.SecondFamily, over12)
	return l
}

// Law names the governing law in a caseworker's words: "NJ law (no New
// Jersey rules configured: federal CCPA default)" or "New York law".
func (l Limit) Law() string {
	st := canonical.StatePostal[l.State]
	if st == "" {
		st = l.State
	}
	if !l.Configured {
		return fmt.Sprintf("%s law (no %s withholding rules configured: %s)", st, st, l.Rules.Name)
	}
	return st + " law (" + l.Rules.Name + ")"
}

// Words states the limit: "60% of disposable earnings (no second family)",
// with the arrears-only five points when they apply.
func (l Limit) Words() string {
	family := "no second family"
	switch {
	case !l.SecondFamilyKnown:
		family = "second family not known: the lower limit"
	case l.SecondFamily:
		family = "supports a second family"
	}
	s := fmt.Sprintf("%d%% of disposable earnings (%s)", l.CurrentPercent, family)
	if l.Percent > l.CurrentPercent {
		s += fmt.Sprintf("; up to %d%% only to the extent the excess pays arrears older than 12 weeks (15 U.S.C. 1673(b)(2))", l.Percent)
	}
	return s
}
