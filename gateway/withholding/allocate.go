package withholding

import (
	"fmt"
	"sort"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Claim is one IWO's demand on a single paycheck, in the pay period's terms
// (convert with Convert first).
type Claim struct {
	ID      string
	Current canonical.Cents
	Arrears canonical.Cents
	Fee     canonical.Cents
}

func (c Claim) total() canonical.Cents { return c.Current + c.Arrears + c.Fee }

// Share is what one IWO receives from the paycheck.
type Share struct {
	ID      string
	Current canonical.Cents
	Arrears canonical.Cents
	Fee     canonical.Cents
	Total   canonical.Cents
	// Unpaid is what the IWO ordered and did not receive this period.
	Unpaid canonical.Cents
}

// Line is one line of the allocation worksheet the review UI shows.
type Line struct {
	// Step is "limit", "ordered", "available", "current", "arrears", "fees"
	// or "note".
	Step    string
	ClaimID string
	Amount  canonical.Cents
	Text    string
}

// Allocation is the split of one paycheck among several IWOs.
type Allocation struct {
	Policy AllocationPolicy
	// CapPercent is the overall cap; CurrentCapPercent the cap on everything
	// but arrears older than 12 weeks. They differ by five points only when
	// such arrears are being paid (15 U.S.C. 1673(b)(2)).
	CapPercent        int
	CurrentCapPercent int
	// Limit is the most that may be withheld: CapPercent of disposable
	// earnings; CurrentLimit the most that current support and fees may take.
	Limit        canonical.Cents
	CurrentLimit canonical.Cents
	// Law names the governing law (Limit.Law).
	Law string
	// Ordered is what all the IWOs together ask for.
	Ordered canonical.Cents
	// Available is what is withheld. The shares add up to it exactly. It is
	// the lesser of Limit and Ordered, except that the part of Limit above
	// CurrentLimit is only reached by arrears payments.
	Available canonical.Cents
	Shares    []Share
	Worksheet []Line
}

// maxClaims bounds the claims on one paycheck, which keeps every product in
// the proration far from overflow.
const maxClaims = 1000

// Allocate is AllocateUnder for rules with a known second-family fact;
// over12 says that the arrears payments go to arrears 12 weeks old or more.
func Allocate(rules Rules, disposable canonical.Cents, secondFamily, over12 bool, claims []Claim) (Allocation, error) {
	l := Limit{State: rules.State, Rules: rules, Configured: true, SecondFamily: secondFamily, SecondFamilyKnown: true, Over12: over12,
		CurrentPercent: Cap(rules, secondFamily, false), Percent: Cap(rules, secondFamily, over12)}
	return AllocateUnder(l, disposable, claims)
}

// AllocateUnder splits what may be withheld from one paycheck among several
// IWOs under the governing (employment) state's law, as Governing decided it.
//
// Current support may take at most CurrentLimit (50% or 60% under the CCPA).
// When arrears older than 12 weeks are being paid, five more points are
// allowed, but only to the extent the money goes to those arrears (15 U.S.C.
// 1673(b)(2)): $200/week current support and $300 disposable earnings give
// $180 withheld, all current support; with a $40 arrears payment, $180 +
// $15 = $195. Fees take only what is left under CurrentLimit.
//
// Under ProrateCurrentThenArrears, current support is paid first, prorated by
// each order's share of total current support; what remains goes to arrears
// payments, prorated by each order's share of total arrears payments; then
// fees the same way. Under ProrateTotal, what current support and fees may
// take is prorated by each order's total and, within an order, goes to
// current support, then arrears, then fees; the five arrears points then go
// to the arrears still unpaid, prorated by them.
//
// Cents are split by the largest-remainder method: every share is first
// rounded down, and the cents left over go one each to the largest
// remainders (ties: the larger claim, then the earlier claim), so the shares
// sum to the amount split exactly. No order is left unimplemented (45 CFR
// 303.100(a)(5)): when a split has at least one cent per claim, a claim that
// rounding left at zero gets one cent from the largest share. With fewer
// cents than claims that cannot be done, and the worksheet says so.
func AllocateUnder(l Limit, disposable canonical.Cents, claims []Claim) (Allocation, error) {
	rules := l.Rules
	if err := rules.Validate(); err != nil {
		return Allocation{}, err
	}
	if disposable < 0 || disposable > canonical.MaxCents {
		return Allocation{}, fmt.Errorf("disposable earnings %s are outside 0 to %s", disposable.Dollars(), canonical.MaxCents.Dollars())
	}
	if len(claims) > maxClaims {
		return Allocation{}, fmt.Errorf("%d claims on one paycheck; at most %d", len(claims), maxClaims)
	}
	if l.CurrentPercent <= 0 || l.Percent < l.CurrentPercent {
		return Allocation{}, fmt.Errorf("limit %d%% / %d%%: not decided by Governing", l.CurrentPercent, l.Percent)
	}
	seen := map[string]bool{}
	for _, c := range claims {
		if c.ID == "" || seen[c.ID] {
			return Allocation{}, fmt.Errorf("claim IDs must be present and distinct (%q)", c.ID)
		}
		seen[c.ID] = true
		if c.Current < 0 || c.Arrears < 0 || c.Fee < 0 || c.Current > canonical.MaxCents || c.Arrears > canonical.MaxCents || c.Fee > canonical.MaxCents {
			return Allocation{}, fmt.Errorf("claim %s: amounts must be 0 to %s", c.ID, canonical.MaxCents.Dollars())
		}
	}

	a := Allocation{Policy: rules.Allocation, CapPercent: l.Percent, CurrentCapPercent: l.CurrentPercent, Law: l.Law()}
	a.Limit = MaxWithholding(disposable, a.CapPercent)
	a.CurrentLimit = MaxWithholding(disposable, a.CurrentCapPercent)
	var current, arrears, fees canonical.Cents
	for _, c := range claims {
		a.Ordered += c.total()
		current, arrears, fees = current+c.Current, arrears+c.Arrears, fees+c.Fee
	}
	// The budgets of the three tiers: current support and fees share
	// CurrentLimit; arrears may also use the extra points above it, first.
	extra := a.Limit - a.CurrentLimit
	curPaid := min(current, a.CurrentLimit)
	arrPaid := min(arrears, extra+a.CurrentLimit-curPaid)
	feePaid := min(fees, a.CurrentLimit-curPaid-max(0, arrPaid-extra))
	a.Shares = make([]Share, len(claims))
	for i, c := range claims {
		a.Shares[i].ID = c.ID
	}
	// The split is computed first, its steps written after the limit lines.
	steps := Allocation{Ordered: a.Ordered, Shares: a.Shares}
	switch rules.Allocation {
	case ProrateTotal:
		steps.prorateTotal(claims, min(a.Ordered, a.CurrentLimit), curPaid+arrPaid+feePaid)
	default:
		steps.prorateInTiers(claims, []canonical.Cents{curPaid, arrPaid, feePaid})
	}
	for _, sh := range a.Shares {
		a.Available += sh.Current + sh.Arrears + sh.Fee
	}

	family := "no second family"
	switch {
	case !l.SecondFamilyKnown:
		family = "second family not known, so the lower limit"
	case l.SecondFamily:
		family = "supports a second family"
	}
	age := "arrears under 12 weeks"
	if l.Over12 {
		age = "arrears 12 weeks or more"
	}
	who := rules.Name
	if who == "" {
		who = "state " + rules.State
	}
	a.line("limit", "", a.CurrentLimit, fmt.Sprintf("Limit: %d%% of disposable earnings $%s (%s, %s; rules of %s) = $%s, rounded down to the cent", a.CurrentCapPercent, disposable.Dollars(), family, age, who, a.CurrentLimit.Dollars()))
	if a.Limit > a.CurrentLimit {
		a.line("limit", "", a.Limit, fmt.Sprintf("Up to %d%% ($%s) only to the extent the money pays arrears older than 12 weeks (15 U.S.C. 1673(b)(2)): current support and fees stay within $%s", a.CapPercent, a.Limit.Dollars(), a.CurrentLimit.Dollars()))
	}
	a.line("ordered", "", a.Ordered, fmt.Sprintf("Ordered by %d IWOs: $%s", len(claims), a.Ordered.Dollars()))
	switch {
	case a.Available < a.Ordered && a.Available == a.Limit:
		a.line("available", "", a.Available, fmt.Sprintf("Available: the limit $%s, less than ordered; $%s ordered is not withheld this period", a.Limit.Dollars(), (a.Ordered-a.Available).Dollars()))
	case a.Available < a.Ordered:
		a.line("available", "", a.Available, fmt.Sprintf("Available: $%s, as current support and fees may not exceed $%s; $%s ordered is not withheld this period", a.Available.Dollars(), a.CurrentLimit.Dollars(), (a.Ordered-a.Available).Dollars()))
	default:
		a.line("available", "", a.Available, fmt.Sprintf("Available: everything ordered, $%s, is within the limit", a.Available.Dollars()))
	}

	a.Worksheet = append(a.Worksheet, steps.Worksheet...)
	for i := range a.Shares {
		s := &a.Shares[i]
		s.Total = s.Current + s.Arrears + s.Fee
		s.Unpaid = claims[i].total() - s.Total
	}
	return a, nil
}

func (a *Allocation) line(step, id string, amount canonical.Cents, text string) {
	a.Worksheet = append(a.Worksheet, Line{Step: step, ClaimID: id, Amount: amount, Text: text})
}

// tier is one kind of amount in the order it is paid.
type tier struct {
	step, what string
	get        func(Claim) canonical.Cents
	put        func(*Share, canonical.Cents)
}

var tiers = []tier{
	{"current", "current support", func(c Claim) canonical.Cents { return c.Current }, func(s *Share, v canonical.Cents) { s.Current = v }},
	{"arrears", "arrears payments", func(c Claim) canonical.Cents { return c.Arrears }, func(s *Share, v canonical.Cents) { s.Arrears = v }},
	{"fees", "fees", func(c Claim) canonical.Cents { return c.Fee }, func(s *Share, v canonical.Cents) { s.Fee = v }},
}

func (a *Allocation) prorateInTiers(claims []Claim, budget []canonical.Cents) {
	for ti, t := range tiers {
		want := make([]canonical.Cents, len(claims))
		var sum canonical.Cents
		for i, c := range claims {
			want[i] = t.get(c)
			sum += want[i]
		}
		if sum == 0 {
			continue
		}
		pay := budget[ti]
		shares, short := prorate(pay, want)
		if pay == sum {
			a.line(t.step, "", pay, fmt.Sprintf("%s: $%s ordered, paid in full", capitalize(t.what), sum.Dollars()))
		} else {
			a.line(t.step, "", pay, fmt.Sprintf("%s: $%s ordered, $%s left to pay them: each IWO gets its share of the total %s", capitalize(t.what), sum.Dollars(), pay.Dollars(), t.what))
		}
		for i, v := range shares {
			if want[i] == 0 {
				continue
			}
			t.put(&a.Shares[i], v)
			a.line(t.step, claims[i].ID, v, fmt.Sprintf("%s: $%s of $%s %s (%s of the total)", claims[i].ID, v.Dollars(), want[i].Dollars(), t.what, percentOf(want[i], sum)))
		}
		if short {
			a.line("note", "", 0, fmt.Sprintf("Fewer cents than IWOs with %s: some receive nothing this period", t.what))
		}
	}
}

// prorateTotal prorates base (what current support and fees may take) by
// each claim's total, current first within a claim, then gives what is left
// of available to the arrears still unpaid.
func (a *Allocation) prorateTotal(claims []Claim, base, available canonical.Cents) {
	want := make([]canonical.Cents, len(claims))
	for i, c := range claims {
		want[i] = c.total()
	}
	shares, short := prorate(base, want)
	a.line("current", "", base, fmt.Sprintf("Each IWO gets its share of the total ordered, $%s, applied to current support, then arrears, then fees", a.Ordered.Dollars()))
	for i, v := range shares {
		c, s := claims[i], &a.Shares[i]
		s.Current = min(v, c.Current)
		s.Arrears = min(v-s.Current, c.Arrears)
		s.Fee = v - s.Current - s.Arrears
		a.line("current", c.ID, v, fmt.Sprintf("%s: $%s of $%s ordered (%s of the total): current $%s, arrears $%s, fees $%s", c.ID, v.Dollars(), want[i].Dollars(), percentOf(want[i], a.Ordered), s.Current.Dollars(), s.Arrears.Dollars(), s.Fee.Dollars()))
	}
	if short {
		a.line("note", "", 0, "Fewer cents than IWOs: some receive nothing this period")
	}
	left := make([]canonical.Cents, len(claims))
	var unpaid canonical.Cents
	for i, c := range claims {
		left[i] = c.Arrears - a.Shares[i].Arrears
		unpaid += left[i]
	}
	if extra := min(available-base, unpaid); extra > 0 {
		more, _ := prorate(extra, left)
		a.line("arrears", "", extra, fmt.Sprintf("Arrears older than 12 weeks: $%s more, each IWO its share of the arrears still unpaid", extra.Dollars()))
		for i, v := range more {
			if v > 0 {
				a.Shares[i].Arrears += v
				a.line("arrears", claims[i].ID, v, fmt.Sprintf("%s: $%s more towards arrears", claims[i].ID, v.Dollars()))
			}
		}
	}
}

// prorate splits total (at most the sum of weights) in proportion to
// weights by the largest-remainder method, then moves single cents so that
// every positive weight gets at least one when total allows. short reports
// that total did not allow it.
func prorate(total canonical.Cents, weights []canonical.Cents) (shares []canonical.Cents, short bool) {
	shares = make([]canonical.Cents, len(weights))
	var sum canonical.Cents
	positive := 0
	for _, w := range weights {
		sum += w
		if w > 0 {
			positive++
		}
	}
	if total <= 0 || sum == 0 {
		return shares, false
	}
	if total >= sum {
		copy(shares, weights)
		return shares, false
	}
	rem := make([]canonical.Cents, len(weights))
	given := canonical.Cents(0)
	for i, w := range weights {
		// total ≤ MaxCents (it is at most the limit) and w ≤ 3 × MaxCents: the product stays below 2^63.
		shares[i] = total * w / sum
		rem[i] = total * w % sum
		given += shares[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool {
		i, j := order[x], order[y]
		if rem[i] != rem[j] {
			return rem[i] > rem[j]
		}
		return weights[i] > weights[j]
	})
	for k := 0; given < total; k++ {
		shares[order[k]]++
		given++
	}
	if total < canonical.Cents(positive) {
		return shares, true
	}
	for i, w := range weights {
		if w == 0 || shares[i] > 0 {
			continue
		}
		big := 0
		for j := range shares {
			if shares[j] > shares[big] {
				big = j
			}
		}
		shares[big]--
		shares[i]++
	}
	return shares, false
}

// percentOf formats part/whole as a percentage with two decimals.
func percentOf(part, whole canonical.Cents) string {
	if whole == 0 {
		return "0%"
	}
	bp := divRound(int64(part)*10000, int64(whole))
	return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
