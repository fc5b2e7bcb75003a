package withholding

import (
	"fmt"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// PeriodsPerYear returns how many times a year an amount of frequency f
// falls due: weekly 52, biweekly 26, semimonthly 24, monthly 12, quarterly
// 4, semiannual 2, annual 1. A one-time amount has no yearly rate: ok is false.
func PeriodsPerYear(f canonical.Frequency) (n int64, ok bool) {
	switch f {
	case canonical.FreqWeekly:
		return 52, true
	case canonical.FreqBiweekly:
		return 26, true
	case canonical.FreqSemimonthly:
		return 24, true
	case canonical.FreqMonthly:
		return 12, true
	case canonical.FreqQuarterly:
		return 4, true
	case canonical.FreqSemiannual:
		return 2, true
	case canonical.FreqAnnual:
		return 1, true
	}
	return 0, false
}

// Convert restates amount, due per from, as an amount per to, through its
// yearly total: $115.00 weekly is $5,980.00 a year, so $230.00 biweekly,
// $249.17 semimonthly and $498.33 monthly.
//
// The result is rounded to the nearest cent, halves up (away from zero):
// the order's own figure is exact and the conversion should neither favour
// the obligor nor the obligee, which nearest-cent does within half a cent a
// period. The withholding limit, by contrast, rounds down (MaxWithholding).
func Convert(amount canonical.Cents, from, to canonical.Frequency) (canonical.Cents, error) {
	pf, ok := PeriodsPerYear(from)
	if !ok {
		return 0, fmt.Errorf("cannot convert from frequency %q: it has no yearly rate", from)
	}
	pt, ok := PeriodsPerYear(to)
	if !ok {
		return 0, fmt.Errorf("cannot convert to frequency %q: it has no yearly rate", to)
	}
	if amount < -canonical.MaxCents || amount > canonical.MaxCents {
		return 0, fmt.Errorf("amount %s is outside the plausible range", amount.Dollars())
	}
	return divRound(int64(amount)*pf, pt), nil
}

// divRound divides to the nearest integer, halves away from zero.
func divRound(num, den int64) canonical.Cents {
	if num < 0 {
		return -divRound(-num, den)
	}
	return canonical.Cents((2*num + den) / (2 * den))
}
