package withholding

import (
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestTotal(t *testing.T) {
	w := func(c canonical.Cents) canonical.Amount {
		return canonical.Amount{Cents: c, Frequency: canonical.FreqWeekly}
	}
	m := func(c canonical.Cents) canonical.Amount {
		return canonical.Amount{Cents: c, Frequency: canonical.FreqMonthly}
	}
	for _, c := range []struct {
		name    string
		amounts []canonical.Amount
		want    canonical.Amount
	}{
		{"nothing owed", nil, canonical.Amount{}},
		{"one frequency: the sum in it", []canonical.Amount{w(11500), w(5750), {}}, w(17250)},
		{"mixed frequencies: the monthly total", []canonical.Amount{w(11500), m(10000)}, m(59833)},
	} {
		t.Run(c.name, func(t *testing.T) {
			per, err := PerPeriod(c.amounts...)
			if err != nil {
				t.Fatal(err)
			}
			if got := Total(per, c.amounts...); got != c.want {
				t.Errorf("Total = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestBuildIWORefusesSevenChildren(t *testing.T) {
	in := baseInput(t)
	in.Children = make([]canonical.IWOChild, canonical.MaxIWOChildren+1)
	if _, err := BuildIWO(in); err == nil {
		t.Fatal("seven children accepted")
	}
}
