// Package withholding holds the income withholding rules of UIFSA §§501-507
// and the Consumer Credit Protection Act: the withholding limit, pay-period
// conversions, building the e-IWO for an employer, allocation among several
// IWOs for one employee, and the e-IWO document lifecycle.
//
// The law of the employee's principal place of employment governs the limit,
// the deadlines, the employer's fee and allocation (§502); the issuing
// state's order governs the amounts. State rules are data (Rules, parsed from
// the YAML files under partners/withholding); the package reads no files and
// no clock.
package withholding

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// CCPA limits (15 U.S.C. 1673(b)(2)): the share of disposable earnings that
// may be withheld for support, all orders together. No state may exceed them.
const (
	CCPASecondFamily        = 50 // supports a second family, arrears under 12 weeks
	CCPASecondFamilyArrears = 55 // supports a second family, arrears 12 weeks or more
	CCPASingle              = 60 // no second family, arrears under 12 weeks
	CCPASingleArrears       = 65 // no second family, arrears 12 weeks or more
)

// ArrearsWeeksThreshold is the age of arrears at which the CCPA adds five
// points: "12 weeks or more", so exactly 12 weeks counts.
const ArrearsWeeksThreshold = 12

// AllocationPolicy names how a state splits the available amount among
// several IWOs for one employee.
type AllocationPolicy string

// Allocation policies.
const (
	// ProrateCurrentThenArrears: current support first, prorated by each
	// order's share of total current support; then arrears payments prorated
	// the same way; then fees. The common practice and the federal default.
	ProrateCurrentThenArrears AllocationPolicy = "prorate-current-then-arrears"
	// ProrateTotal: the available amount is prorated by each order's total
	// (current, arrears and fees); within an order, current support first.
	ProrateTotal AllocationPolicy = "prorate-total"
)

// FeePer says how often the employer may keep its fee.
type FeePer string

// Fee periods.
const (
	FeePerPayment FeePer = "payment"
	FeePerMonth   FeePer = "month"
)

// Rules are one state's withholding rules, or the federal default.
type Rules struct {
	// State is the 2-digit FIPS of the state; empty for the federal default.
	State string
	Name  string
	// Caps are the percentages of disposable earnings, each at most its CCPA cell.
	SecondFamily        int
	SecondFamilyArrears int
	Single              int
	SingleArrears       int
	// AddPercent is the periodic arrears payment as a percentage of current
	// support, added when arrears exist and the issuing order sets no
	// arrears payment of its own (New York: 50). Zero: no add amount.
	AddPercent int
	// DaysToStart is the number of days after the IWO is sent by which
	// withholding must begin (the first pay period that occurs after).
	DaysToStart int
	// DaysToRemit is the number of business days after payday within which
	// the employer must remit.
	DaysToRemit    int
	EmployerFee    canonical.Cents
	EmployerFeePer FeePer
	Allocation     AllocationPolicy
	// Unconfirmed names the fields whose values are not confirmed against the
	// state's statute (keys as in the YAML file), so the review UI can flag them.
	Unconfirmed []string
}

// Federal returns the federal baseline: CCPA caps, 14 days to start, 7
// business days to remit (45 CFR 303.100), no fee, no add amount, and the
// common allocation practice. partners/withholding/default.yaml holds the
// same values for operators to read and override.
func Federal() Rules {
	return Rules{
		Name:         "Federal default (CCPA)",
		SecondFamily: CCPASecondFamily, SecondFamilyArrears: CCPASecondFamilyArrears,
		Single: CCPASingle, SingleArrears: CCPASingleArrears,
		DaysToStart: 14, DaysToRemit: 7,
		Allocation: ProrateCurrentThenArrears,
	}
}

// rulesFile is the YAML shape of a rules file.
type rulesFile struct {
	State string `yaml:"state"`
	Name  string `yaml:"name"`
	Caps  struct {
		SecondFamily   capPair `yaml:"secondFamily"`
		NoSecondFamily capPair `yaml:"noSecondFamily"`
	} `yaml:"caps"`
	AddAmount struct {
		PercentOfCurrent int `yaml:"percentOfCurrent"`
	} `yaml:"addAmount"`
	DaysToStart int `yaml:"daysToStart"`
	DaysToRemit int `yaml:"daysToRemitBusinessDays"`
	EmployerFee struct {
		Dollars string `yaml:"dollars"`
		Per     FeePer `yaml:"per"`
	} `yaml:"employerFee"`
	Allocation  AllocationPolicy `yaml:"allocation"`
	Unconfirmed []string         `yaml:"unconfirmed"`
}

type capPair struct {
	Under12Weeks   int `yaml:"under12Weeks"`
	AtLeast12Weeks int `yaml:"atLeast12Weeks"`
}

// unconfirmable lists the keys an "unconfirmed" entry may name.
var unconfirmable = []string{"caps", "addAmount", "daysToStart", "daysToRemitBusinessDays", "employerFee", "allocation"}

// ErrInvalidRules is wrapped by every error ParseRules returns for content
// that parses but breaks a rule.
var ErrInvalidRules = errors.New("invalid withholding rules")

// ParseRules reads a rules file (see partners/withholding/NY.yaml). Unknown
// keys are refused, so a misspelt key cannot silently leave a default in
// force, and every cap above its CCPA cell is refused, naming the cell.
func ParseRules(data []byte) (Rules, error) {
	var f rulesFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return Rules{}, fmt.Errorf("withholding rules: %w", err)
	}
	r := Rules{
		State: f.State, Name: f.Name,
		SecondFamily: f.Caps.SecondFamily.Under12Weeks, SecondFamilyArrears: f.Caps.SecondFamily.AtLeast12Weeks,
		Single: f.Caps.NoSecondFamily.Under12Weeks, SingleArrears: f.Caps.NoSecondFamily.AtLeast12Weeks,
		AddPercent:  f.AddAmount.PercentOfCurrent,
		DaysToStart: f.DaysToStart, DaysToRemit: f.DaysToRemit,
		EmployerFeePer: f.EmployerFee.Per,
		Allocation:     f.Allocation,
		Unconfirmed:    f.Unconfirmed,
	}
	var problems []string
	if f.EmployerFee.Dollars != "" {
		fee, err := canonical.ParseDollars(f.EmployerFee.Dollars)
		if err != nil {
			problems = append(problems, "employerFee.dollars: "+err.Error())
		}
		r.EmployerFee = fee
	}
	problems = append(problems, r.problems()...)
	if len(problems) > 0 {
		return Rules{}, fmt.Errorf("%w: %s", ErrInvalidRules, strings.Join(problems, "; "))
	}
	return r, nil
}

// Validate checks rules built in code the way ParseRules checks a file.
func (r Rules) Validate() error {
	if p := r.problems(); len(p) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidRules, strings.Join(p, "; "))
	}
	return nil
}

func (r Rules) problems() []string {
	var p []string
	if r.State != "" {
		if _, ok := canonical.StatePostal[r.State]; !ok {
			p = append(p, fmt.Sprintf("state: %q is not a 2-digit state FIPS code", r.State))
		}
	}
	for _, c := range []struct {
		key       string
		got, ccpa int
	}{
		{"caps.secondFamily.under12Weeks", r.SecondFamily, CCPASecondFamily},
		{"caps.secondFamily.atLeast12Weeks", r.SecondFamilyArrears, CCPASecondFamilyArrears},
		{"caps.noSecondFamily.under12Weeks", r.Single, CCPASingle},
		{"caps.noSecondFamily.atLeast12Weeks", r.SingleArrears, CCPASingleArrears},
	} {
		switch {
		case c.got <= 0:
			p = append(p, fmt.Sprintf("%s: missing (must be 1 to %d)", c.key, c.ccpa))
		case c.got > c.ccpa:
			p = append(p, fmt.Sprintf("%s: %d%% exceeds the CCPA maximum of %d%% for that cell (15 U.S.C. 1673(b)); a state may set a lower cap, never a higher one", c.key, c.got, c.ccpa))
		}
	}
	if r.AddPercent < 0 || r.AddPercent > 100 {
		p = append(p, fmt.Sprintf("addAmount.percentOfCurrent: %d is not 0 to 100", r.AddPercent))
	}
	if r.DaysToStart < 1 {
		p = append(p, "daysToStart: missing (at least 1)")
	}
	if r.DaysToRemit < 1 {
		p = append(p, "daysToRemitBusinessDays: missing (at least 1)")
	}
	if r.EmployerFee < 0 || r.EmployerFee > 100_00 {
		p = append(p, "employerFee.dollars: must be 0 to 100.00")
	}
	if r.EmployerFee > 0 && r.EmployerFeePer != FeePerPayment && r.EmployerFeePer != FeePerMonth {
		p = append(p, fmt.Sprintf("employerFee.per: %q is not %q or %q", r.EmployerFeePer, FeePerPayment, FeePerMonth))
	}
	if r.Allocation != ProrateCurrentThenArrears && r.Allocation != ProrateTotal {
		p = append(p, fmt.Sprintf("allocation: %q is not %q or %q", r.Allocation, ProrateCurrentThenArrears, ProrateTotal))
	}
	for _, u := range r.Unconfirmed {
		if !slices.Contains(unconfirmable, u) {
			p = append(p, fmt.Sprintf("unconfirmed: %q is not one of %v", u, unconfirmable))
		}
	}
	return p
}

// Cap returns the percentage of disposable earnings that may be withheld
// under rules, for an obligor who does or does not support a second family
// and whose arrears are or are not 12 weeks old or more.
func Cap(rules Rules, secondFamily bool, arrearsOver12Weeks bool) (percent int) {
	switch {
	case secondFamily && arrearsOver12Weeks:
		return rules.SecondFamilyArrears
	case secondFamily:
		return rules.SecondFamily
	case arrearsOver12Weeks:
		return rules.SingleArrears
	default:
		return rules.Single
	}
}

// MaxWithholding returns percent of disposable earnings, rounded down to
// the cent: rounding up would withhold a fraction of a cent over the legal
// limit. Negative earnings withhold nothing.
func MaxWithholding(disposable canonical.Cents, percent int) canonical.Cents {
	if disposable <= 0 || percent <= 0 {
		return 0
	}
	return disposable * canonical.Cents(percent) / 100
}

// RuleBook holds the rules of every configured state and the federal
// default for the others.
type RuleBook struct {
	federal Rules
	states  map[string]Rules
}

// NewRuleBook checks and indexes rules. federal must have no State; each
// state's rules must name a state, once.
func NewRuleBook(federal Rules, states ...Rules) (*RuleBook, error) {
	if federal.State != "" {
		return nil, fmt.Errorf("%w: the default rules name state %s", ErrInvalidRules, federal.State)
	}
	if err := federal.Validate(); err != nil {
		return nil, fmt.Errorf("default rules: %w", err)
	}
	b := &RuleBook{federal: federal, states: make(map[string]Rules, len(states))}
	for _, r := range states {
		if r.State == "" {
			return nil, fmt.Errorf("%w: rules %q name no state", ErrInvalidRules, r.Name)
		}
		if _, dup := b.states[r.State]; dup {
			return nil, fmt.Errorf("%w: two rule sets for state %s", ErrInvalidRules, r.State)
		}
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("rules for %s: %w", r.State, err)
		}
		b.states[r.State] = r
	}
	return b, nil
}

// For returns the rules governing withholding for an employee whose
// principal place of employment is in state (2-digit FIPS): that state's
// own, or the federal default when the state has none configured.
func (b *RuleBook) For(state string) (rules Rules, configured bool) {
	if r, ok := b.states[state]; ok {
		return r, true
	}
	return b.federal, false
}
