package staffview

// The allocation worksheet's form: what staff typed, read once.

import (
	"net/url"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/casework"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Worksheet is the allocation worksheet's form and result.
type Worksheet struct {
	// Tracking is the number asked for: a tracking or a control number.
	Tracking   string
	Disposable string
	// SecondFamily is "", "yes" or "no": not known applies the lower limit,
	// as the IWO itself does.
	SecondFamily string
	Frequency    string
	Frequencies  []canonical.Frequency
	Result       *casework.Worksheet
	Error        string
}

// SecondFamilyKnown is the answer as the worksheet takes it: nil when not known.
func (wv Worksheet) SecondFamilyKnown() *bool {
	switch wv.SecondFamily {
	case "yes":
		t := true
		return &t
	case "no":
		f := false
		return &f
	}
	return nil
}

// ParseWorksheet reads tracking (a tracking or control number), disposable
// (dollars), secondFamily (true/yes, false/no, or absent: not known) and frequency.
func ParseWorksheet(v url.Values) (Worksheet, canonical.Cents, error) {
	number := strings.TrimSpace(v.Get("tracking"))
	if number == "" {
		number = strings.TrimSpace(v.Get("number"))
	}
	wv := Worksheet{Tracking: number, Disposable: strings.TrimSpace(v.Get("disposable")), Frequency: v.Get("frequency"),
		Frequencies: []canonical.Frequency{canonical.FreqWeekly, canonical.FreqBiweekly, canonical.FreqSemimonthly, canonical.FreqMonthly}}
	switch strings.ToLower(strings.TrimSpace(v.Get("secondFamily"))) {
	case "true", "on", "yes":
		wv.SecondFamily = "yes"
	case "false", "no":
		wv.SecondFamily = "no"
	case "", "unknown":
	default:
		return wv, 0, badRequest("secondFamily: yes, no, or leave it out when not known")
	}
	if wv.Frequency == "" {
		wv.Frequency = string(canonical.FreqWeekly)
	}
	if wv.Tracking == "" {
		return wv, 0, nil
	}
	if len(wv.Tracking) > 64 {
		return wv, 0, badRequest("tracking: a tracking or control number has at most 64 characters")
	}
	d, err := canonical.ParseDollars(wv.Disposable)
	if err != nil || d <= 0 || d > canonical.MaxCents {
		return wv, 0, badRequest("disposable: disposable earnings per pay period in dollars, e.g. 300.00")
	}
	ok := false
	for _, f := range wv.Frequencies {
		ok = ok || string(f) == wv.Frequency
	}
	if !ok {
		return wv, 0, badRequest("frequency: W, B, S or M")
	}
	return wv, d, nil
}
