package orders

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// ResultKind is the outcome of a controlling-order determination.
type ResultKind string

// Result kinds.
const (
	// ControllingOrder: one of the orders controls; Determination.Controlling names it.
	ControllingOrder ResultKind = "controlling_order"
	// NewOrderRequired: no issuing tribunal would have CEJ; the deciding
	// tribunal must issue a new order, which controls (§207(b)(3)).
	NewOrderRequired ResultKind = "new_order_required"
	// Insufficient: the facts given do not decide the question;
	// Determination.Missing lists the facts needed, or Reason says why the
	// rules themselves do not decide (a tie on issue dates).
	Insufficient ResultKind = "insufficient"
	// Refused: the input is not one determination's worth of valid orders
	// (no orders, invalid fields, several obligors, disjoint children,
	// spousal-support orders); Reason says what to fix.
	Refused ResultKind = "refused"
)

// Rule names the clause of §207 that decided.
type Rule string

// Rules of §207.
const (
	RuleNone       Rule = ""
	RuleOnlyOne    Rule = "only_one"    // §207(a): only one tribunal issued an order
	RuleSoleCEJ    Rule = "sole_cej"    // §207(b)(1): exactly one would have CEJ
	RuleHomeState  Rule = "home_state"  // §207(b)(2)(A): several would; the home state's order
	RuleMostRecent Rule = "most_recent" // §207(b)(2)(B): several would; none from the home state
	RuleNoneCEJ    Rule = "none_cej"    // §207(b)(3): none would; a new order is needed
)

// Determination is the result of a §207 controlling-order determination for
// one obligor and one group of children.
type Determination struct {
	Kind ResultKind
	Rule Rule
	// Controlling is the controlling order, for ControllingOrder.
	Controlling *Order
	// Prospective is the controlling order's current support, for ControllingOrder.
	Prospective canonical.Amount
	// Tribunals is the §205 finding for each issuing tribunal of an active order.
	Tribunals []TribunalFinding
	// Missing lists the facts that would decide an Insufficient result.
	Missing []string
	// Reason explains an Insufficient or Refused result.
	Reason string
	// Basis states in words the rule applied and its facts, for the review UI
	// and the notice to the parties.
	Basis   string
	Arrears Arrears
	// FileWith lists the 2-digit FIPS of every state whose tribunal issued or
	// registered one of the orders: the requester files a certified copy of
	// the determination with each (§207(g)).
	FileWith []string
	AsOf     canonical.Date
}

// TribunalFinding is whether one issuing tribunal would have CEJ today.
type TribunalFinding struct {
	// Tribunal is the tribunal's FIPS, or its state when the county is unknown.
	Tribunal string
	State    string
	// OrderID is the tribunal's most recent active order; Superseded lists its
	// earlier active orders, which that order modified.
	OrderID    string
	Superseded []string
	// Known is false when CEJ depends on Missing facts.
	Known   bool
	CEJ     bool
	Basis   string
	Missing []string
}

// Arrears are the consolidated arrears under all the orders (§207(f), §209).
type Arrears struct {
	// Total is Stated minus Credited, never negative.
	Total canonical.Cents
	// Stated is the sum of every order's arrears as of its own as-of date.
	Stated canonical.Cents
	// Credited is the sum of payments credited, whatever order they were made under.
	Credited canonical.Cents
	// Overpaid is what the credited payments exceed the stated arrears by.
	Overpaid canonical.Cents
	Lines    []ArrearsLine
	// Excluded lists the payments not credited, each with the reason.
	Excluded []ExcludedPayment
	// Missing lists facts without which Total is not reliable; when it is not
	// empty, Total is a lower bound on the credits, not a figure to notify.
	Missing []string
}

// ArrearsLine is one order's part of the consolidated arrears.
type ArrearsLine struct {
	OrderID  string
	Stated   canonical.Cents
	AsOf     canonical.Date
	Payments canonical.Cents
}

// ExcludedPayment is a payment left out of the consolidated arrears.
type ExcludedPayment struct {
	Payment Payment
	Reason  string
}

// maxUnknownTribunals bounds the enumeration of unknown CEJ answers; past it
// the determination is Insufficient outright (2^16 branches is still cheap,
// and no real case has sixteen issuing tribunals).
const maxUnknownTribunals = 16

// Determine applies UIFSA §207 to the orders for one obligor and one group
// of children, on the date asOf.
//
// The input must be one group in the sense of Groups: one obligor, and
// children linked by overlap. Mixed input is Refused with the groups named,
// rather than silently split; DetermineEach splits it for a caller that wants
// one determination per group.
//
// Determine never guesses. Where a tribunal's CEJ depends on an unknown
// residence, it tries every answer: if they all lead to the same result (same
// rule, same order) that result stands; otherwise the result is Insufficient
// with the missing facts. Two orders issued the same day under the
// most-recent rule are Insufficient too: §207 breaks no such tie, and any
// tie-break of ours (docket order, arrival order) would be a legal decision
// the gateway has no standing to make.
//
// Only active orders compete. Every order, active or not, adds its arrears,
// and payments under any of them are credited (§209).
func Determine(orders []Order, facts Residence, payments []Payment, asOf canonical.Date) Determination {
	d := Determination{AsOf: asOf}
	if reason := validate(orders, asOf); reason != "" {
		d.Kind, d.Reason = Refused, reason
		return d
	}
	if gs := Groups(orders); len(gs) > 1 {
		d.Kind, d.Reason = Refused, "the orders are not one group (one obligor, overlapping children): "+describeGroups(gs)+"; determine each group separately"
		return d
	}
	d.FileWith = fileWith(orders)
	d.Arrears = consolidate(orders, payments, asOf)

	tribs, reason := tribunals(orders)
	if reason != "" {
		d.Kind, d.Reason = Insufficient, reason
		return d
	}
	if len(tribs) == 0 {
		d.Kind, d.Reason = Refused, "none of the orders is active: there is no order to control"
		return d
	}
	for i := range tribs {
		has, basis, missing := HasCEJ(tribs[i].order, facts)
		tribs[i].finding.CEJ, tribs[i].finding.Basis, tribs[i].finding.Missing = has, basis, missing
		tribs[i].finding.Known = len(missing) == 0
		d.Tribunals = append(d.Tribunals, tribs[i].finding)
	}

	if len(tribs) == 1 {
		t := tribs[0]
		d.Kind, d.Rule = ControllingOrder, RuleOnlyOne
		d.setControlling(t.order)
		d.Basis = fmt.Sprintf("Only one tribunal has issued a support order for this obligor and these children: the %s controls (UIFSA §207(a)).", t.order.label())
		if len(t.finding.Superseded) > 0 {
			d.Basis += fmt.Sprintf(" It modified the same tribunal's earlier orders %s.", strings.Join(t.finding.Superseded, ", "))
		}
		d.Basis += d.arrearsSentence()
		return d
	}

	home := homeOf(orders, facts)
	var unknown []int
	for i, t := range tribs {
		if !t.finding.Known {
			unknown = append(unknown, i)
		}
	}
	if len(unknown) > maxUnknownTribunals {
		d.Kind = Insufficient
		d.Reason = "too many tribunals whose jurisdiction depends on unknown facts"
		d.Missing = missingOf(tribs, unknown, false, home)
		return d
	}
	cej := make([]bool, len(tribs))
	var first outcome
	agree, needHome := true, false
	for mask := 0; mask < 1<<len(unknown); mask++ {
		for i, t := range tribs {
			cej[i] = t.finding.CEJ
		}
		for j, i := range unknown {
			cej[i] = mask&(1<<j) != 0
		}
		o := decide(tribs, cej, home)
		needHome = needHome || o.needHome
		if mask == 0 {
			first = o
		} else if o != first {
			agree = false
		}
	}
	if !agree || first.needHome {
		d.Kind = Insufficient
		d.Missing = missingOf(tribs, unknown, needHome, home)
		d.Reason = "the result depends on facts that are not known: " + strings.Join(d.Missing, "; ")
		return d
	}
	d.Kind, d.Rule, d.Reason = first.kind, first.rule, first.reason
	if first.kind == ControllingOrder {
		d.setControlling(tribs[first.order].order)
	}
	if first.kind != Insufficient {
		d.Basis = basisText(first, tribs, home) + d.arrearsSentence()
	}
	return d
}

// DetermineEach splits orders into Groups and determines each. All orders
// must be for one obligor, since facts describe one obligor's case; orders
// for several obligors give a single Refused determination. Payments go to
// the group of the order they were made under; a payment under no order of
// the input is listed as excluded in every group, so no group hides it.
func DetermineEach(orders []Order, facts Residence, payments []Payment, asOf canonical.Date) []Determination {
	groups := Groups(orders)
	obligors := map[string]bool{}
	for _, o := range orders {
		obligors[o.ObligorKey] = true
	}
	if len(obligors) > 1 {
		return []Determination{{Kind: Refused, AsOf: asOf, Reason: fmt.Sprintf("the orders are for %d different obligors; residence facts describe one obligor", len(obligors))}}
	}
	groupOf := map[string]int{}
	for gi, g := range groups {
		for _, o := range g {
			groupOf[o.ID] = gi
		}
	}
	perGroup := make([][]Payment, len(groups))
	for _, p := range payments {
		gi, ok := groupOf[p.OrderID]
		if !ok {
			for g := range perGroup {
				perGroup[g] = append(perGroup[g], p)
			}
			continue
		}
		perGroup[gi] = append(perGroup[gi], p)
	}
	out := make([]Determination, len(groups))
	for gi, g := range groups {
		out[gi] = Determine(g, facts, perGroup[gi], asOf)
	}
	return out
}

// Groups partitions orders into the sets §207 compares: orders for the same
// obligor (ObligorKey) whose children overlap, transitively (A and B share a
// child, B and C share another: A, B and C are one group). Orders with no
// child keys, or no obligor key, form groups of their own. Groups and the
// orders in them keep the input order.
func Groups(orders []Order) [][]Order {
	parent := make([]int, len(orders))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if ra < rb {
			parent[rb] = ra
		} else {
			parent[ra] = rb
		}
	}
	owner := map[[2]string]int{}
	for i, o := range orders {
		if o.ObligorKey == "" {
			continue
		}
		for _, c := range o.ChildKeys {
			if c == "" {
				continue
			}
			k := [2]string{o.ObligorKey, c}
			if j, ok := owner[k]; ok {
				union(i, j)
			} else {
				owner[k] = i
			}
		}
	}
	index := map[int]int{}
	var out [][]Order
	for i, o := range orders {
		r := find(i)
		gi, ok := index[r]
		if !ok {
			gi = len(out)
			index[r] = gi
			out = append(out, nil)
		}
		out[gi] = append(out[gi], o)
	}
	return out
}

func describeGroups(gs [][]Order) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		ids := make([]string, len(g))
		for j, o := range g {
			ids[j] = o.ID
		}
		parts[i] = "[" + strings.Join(ids, ", ") + "]"
	}
	return strings.Join(parts, " ")
}

// validate returns why the orders cannot be determined at all, or "".
func validate(orders []Order, asOf canonical.Date) string {
	if !asOf.Valid() {
		return "the determination date is not a valid date"
	}
	if len(orders) == 0 {
		return "no orders to determine"
	}
	var problems []string
	seen := map[string]bool{}
	for i, o := range orders {
		name := o.ID
		if name == "" {
			name = fmt.Sprintf("#%d", i)
			problems = append(problems, fmt.Sprintf("order %s has no ID", name))
		} else if seen[o.ID] {
			problems = append(problems, fmt.Sprintf("order ID %s appears twice", o.ID))
		}
		seen[o.ID] = true
		if _, ok := canonical.StatePostal[o.tribunalState()]; !ok {
			problems = append(problems, fmt.Sprintf("order %s: issuing state %q is not a known state FIPS code", name, o.tribunalState()))
		}
		if o.ObligorKey == "" {
			problems = append(problems, fmt.Sprintf("order %s has no obligor key", name))
		}
		if o.Type == canonical.DebtSpousalSupport {
			problems = append(problems, fmt.Sprintf("order %s is a spousal-support order: §207 compares child-support orders, and the issuing tribunal keeps CEJ over spousal support (§211)", name))
		}
		if !o.IssueDate.Valid() {
			problems = append(problems, fmt.Sprintf("order %s has no valid issue date", name))
		} else if o.IssueDate.After(asOf) {
			problems = append(problems, fmt.Sprintf("order %s was issued %s, after the determination date %s", name, o.IssueDate, asOf))
		}
		if o.Amount < 0 || o.Amount > canonical.MaxCents || o.Arrears < 0 || o.Arrears > canonical.MaxCents {
			problems = append(problems, fmt.Sprintf("order %s has an amount or arrears outside 0 to %s", name, canonical.MaxCents.Dollars()))
		}
	}
	return strings.Join(problems, "; ")
}

// tribunal is one issuing tribunal with its most recent active order.
type tribunal struct {
	order   Order
	finding TribunalFinding
}

// tribunals returns the issuing tribunals of the active orders in order of
// first appearance, each with its latest order. Two active orders of one
// tribunal on one day leave no way to tell which modified which: the reason
// says so.
func tribunals(orders []Order) ([]tribunal, string) {
	var out []tribunal
	index := map[string]int{}
	for _, o := range orders {
		if !o.Active {
			continue
		}
		id := o.tribunalID()
		i, ok := index[id]
		if !ok {
			index[id] = len(out)
			out = append(out, tribunal{order: o, finding: TribunalFinding{Tribunal: id, State: o.tribunalState(), OrderID: o.ID}})
			continue
		}
		t := &out[i]
		switch {
		case o.IssueDate == t.order.IssueDate:
			return nil, fmt.Sprintf("orders %s and %s of the same tribunal %s were both issued on %s: which one modified the other must be settled first", t.order.ID, o.ID, id, o.IssueDate)
		case o.IssueDate.After(t.order.IssueDate):
			t.finding.Superseded = append(t.finding.Superseded, t.order.ID)
			t.order = o
			t.finding.OrderID = o.ID
		default:
			t.finding.Superseded = append(t.finding.Superseded, o.ID)
		}
	}
	return out, ""
}

// home is the children's home state, as far as known.
type home struct {
	state    string
	missing  []string
	conflict string
}

// homeOf finds the one home state of the group's children. Children with
// different home states leave §207(b)(2)(A) without one answer for the group.
func homeOf(orders []Order, facts Residence) home {
	var h home
	seen := map[string]bool{}
	states := map[string][]string{}
	var order []string
	for _, o := range orders {
		for _, c := range o.ChildKeys {
			if seen[c] {
				continue
			}
			seen[c] = true
			s := facts.HomeState[c]
			if s == Unknown {
				h.missing = append(h.missing, "home state of child "+shortKey(c))
				continue
			}
			if _, ok := states[s]; !ok {
				order = append(order, s)
			}
			states[s] = append(states[s], shortKey(c))
		}
	}
	switch {
	case len(order) > 1:
		parts := make([]string, len(order))
		for i, s := range order {
			parts[i] = fmt.Sprintf("%s for child %s", stateName(s), strings.Join(states[s], ", "))
		}
		h.conflict = "the children have different home states (" + strings.Join(parts, "; ") + "): the home-state rule of §207(b)(2)(A) must be applied child by child"
	case len(order) == 1 && len(h.missing) == 0:
		h.state = order[0]
	case len(order) == 0 && len(h.missing) == 0:
		h.missing = []string{"home state of the children (the orders name no child)"}
	}
	return h
}

// outcome is the result of §207(b) for one assignment of CEJ answers.
type outcome struct {
	kind     ResultKind
	rule     Rule
	order    int // index into tribunals, for ControllingOrder
	reason   string
	needHome bool
}

// decide applies §207(b) to tribunals whose CEJ answers are cej.
func decide(tribs []tribunal, cej []bool, h home) outcome {
	var with []int
	for i := range tribs {
		if cej[i] {
			with = append(with, i)
		}
	}
	switch len(with) {
	case 0:
		return outcome{kind: NewOrderRequired, rule: RuleNoneCEJ, order: -1}
	case 1:
		return outcome{kind: ControllingOrder, rule: RuleSoleCEJ, order: with[0]}
	}
	if h.conflict != "" {
		return outcome{kind: Insufficient, order: -1, reason: h.conflict}
	}
	if h.state == "" {
		return outcome{kind: Insufficient, order: -1, needHome: true}
	}
	pool, rule := []int(nil), RuleHomeState
	for _, i := range with {
		if tribs[i].finding.State == h.state {
			pool = append(pool, i)
		}
	}
	if len(pool) == 0 {
		pool, rule = with, RuleMostRecent
	}
	latest := pool[0]
	for _, i := range pool[1:] {
		if tribs[i].order.IssueDate.After(tribs[latest].order.IssueDate) {
			latest = i
		}
	}
	var tied []string
	for _, i := range pool {
		if i != latest && tribs[i].order.IssueDate == tribs[latest].order.IssueDate {
			tied = append(tied, tribs[i].order.ID)
		}
	}
	if len(tied) > 0 {
		return outcome{kind: Insufficient, order: -1, reason: fmt.Sprintf("orders %s and %s were issued on the same day, %s: the most-recent rule of §207(b)(2) does not break the tie, so the deciding tribunal must", tribs[latest].order.ID, strings.Join(tied, ", "), tribs[latest].order.IssueDate)}
	}
	return outcome{kind: ControllingOrder, rule: rule, order: latest}
}

// missingOf lists the facts that would decide: those of the tribunals whose
// CEJ is unknown, and the home state when some branch needed it.
func missingOf(tribs []tribunal, unknown []int, needHome bool, h home) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, i := range unknown {
		for _, m := range tribs[i].finding.Missing {
			add(m)
		}
	}
	if needHome {
		for _, m := range h.missing {
			add(m)
		}
	}
	return out
}

func (d *Determination) setControlling(o Order) {
	c := o
	c.ChildKeys = slices.Clone(o.ChildKeys)
	c.Registered = slices.Clone(o.Registered)
	c.Children = slices.Clone(o.Children)
	d.Controlling = &c
	d.Prospective = canonical.Amount{Cents: o.Amount, Frequency: o.Frequency}
}

// basisText states the §207(b) rule that decided and the facts it rests on.
//
// A tribunal whose CEJ is unknown is named as such: the result was reached
// only because it is the same whichever way that question goes.
func basisText(o outcome, tribs []tribunal, h home) string {
	var yes, no, open []string
	for _, t := range tribs {
		switch {
		case !t.finding.Known:
			open = append(open, fmt.Sprintf("%s (unknown: %s)", stateName(t.finding.State), strings.Join(t.finding.Missing, ", ")))
		case t.finding.CEJ:
			yes = append(yes, fmt.Sprintf("%s: %s", stateName(t.finding.State), t.finding.Basis))
		default:
			no = append(no, fmt.Sprintf("%s: %s", stateName(t.finding.State), t.finding.Basis))
		}
	}
	others := ""
	if len(no) > 0 && o.rule != RuleNoneCEJ {
		others = " Without continuing, exclusive jurisdiction: " + strings.Join(no, "; ") + "."
	}
	if len(open) > 0 {
		others += " Not determined, and without effect on the result: " + strings.Join(open, "; ") + "."
	}
	switch o.rule {
	case RuleSoleCEJ:
		t := tribs[o.order]
		return fmt.Sprintf("Several tribunals have issued orders; only the tribunal of %s would have continuing, exclusive jurisdiction (%s), so the %s controls (UIFSA §207(b)(1)).%s", stateName(t.finding.State), t.finding.Basis, t.order.label(), others)
	case RuleHomeState:
		return fmt.Sprintf("More than one tribunal would have continuing, exclusive jurisdiction (%s); the %s was issued in the children's home state, %s, and controls (UIFSA §207(b)(2)(A)).%s", strings.Join(yes, "; "), tribs[o.order].order.label(), stateName(h.state), others)
	case RuleMostRecent:
		return fmt.Sprintf("More than one tribunal would have continuing, exclusive jurisdiction (%s) and none of their orders was issued in the children's home state, %s; the most recently issued, the %s, controls (UIFSA §207(b)(2)(B)).%s", strings.Join(yes, "; "), stateName(h.state), tribs[o.order].order.label(), others)
	case RuleNoneCEJ:
		return fmt.Sprintf("No tribunal that issued an order would have continuing, exclusive jurisdiction (%s); the deciding tribunal must issue a new order, which controls (UIFSA §207(b)(3)).%s", strings.Join(no, "; "), others)
	}
	return ""
}

func (d *Determination) arrearsSentence() string {
	a := d.Arrears
	s := ""
	if d.Kind == ControllingOrder {
		s = fmt.Sprintf(" Prospective support: $%s %s.", d.Prospective.Cents.Dollars(), frequencyWords(d.Prospective.Frequency))
	}
	s += fmt.Sprintf(" Consolidated arrears as of %s: $%s (arrears stated under the orders $%s, less payments credited under any of them $%s, UIFSA §209).", d.AsOf, a.Total.Dollars(), a.Stated.Dollars(), a.Credited.Dollars())
	if a.Overpaid > 0 {
		s += fmt.Sprintf(" Payments exceed the stated arrears by $%s.", a.Overpaid.Dollars())
	}
	if len(a.Missing) > 0 {
		s += " The arrears are incomplete without: " + strings.Join(a.Missing, "; ") + "."
	}
	return s + " Interest is not included."
}

func frequencyWords(f canonical.Frequency) string {
	switch f {
	case canonical.FreqWeekly:
		return "per week"
	case canonical.FreqBiweekly:
		return "every two weeks"
	case canonical.FreqSemimonthly:
		return "twice a month"
	case canonical.FreqMonthly:
		return "per month"
	case canonical.FreqQuarterly:
		return "per quarter"
	case canonical.FreqSemiannual:
		return "twice a year"
	case canonical.FreqAnnual:
		return "per year"
	}
	return "per " + string(f)
}

// consolidate sums the arrears of every order and credits payments (§209).
//
// An order's arrears are its balance at the end of its as-of date, so a
// payment under it on or before that date is already in the balance and is
// not credited again; a payment after it is credited, whatever order it was
// made under. Support accruing after an as-of date is not added: the caller
// supplies arrears brought up to date, and the basis says interest is left out.
func consolidate(orders []Order, payments []Payment, asOf canonical.Date) Arrears {
	var a Arrears
	index := make(map[string]int, len(orders))
	for i, o := range orders {
		index[o.ID] = i
		a.Lines = append(a.Lines, ArrearsLine{OrderID: o.ID, Stated: o.Arrears, AsOf: o.ArrearsAsOf})
		a.Stated += o.Arrears
		if o.Arrears != 0 && o.ArrearsAsOf.IsZero() {
			a.Missing = append(a.Missing, "arrears as-of date of order "+o.ID)
		}
	}
	exclude := func(p Payment, why string) { a.Excluded = append(a.Excluded, ExcludedPayment{Payment: p, Reason: why}) }
	for _, p := range payments {
		i, ok := index[p.OrderID]
		switch {
		case p.Amount <= 0 || p.Amount > canonical.MaxCents:
			exclude(p, "amount is not a positive amount")
		case !p.Date.Valid():
			exclude(p, "payment date is not a valid date")
		case !ok:
			exclude(p, "not made under any order of this determination")
		case p.Date.After(asOf):
			exclude(p, "made after the determination date")
		case orders[i].ArrearsAsOf.IsZero():
			exclude(p, "the order states no arrears as-of date, so whether its arrears already reflect this payment is unknown")
			m := "arrears as-of date of order " + orders[i].ID
			if !slices.Contains(a.Missing, m) {
				a.Missing = append(a.Missing, m)
			}
		case !p.Date.After(orders[i].ArrearsAsOf):
			exclude(p, "already reflected in the arrears stated as of "+orders[i].ArrearsAsOf.String())
		default:
			a.Lines[i].Payments += p.Amount
			a.Credited += p.Amount
		}
	}
	net := a.Stated - a.Credited
	if net >= 0 {
		a.Total = net
	} else {
		a.Overpaid = -net
	}
	return a
}

// fileWith lists every state that issued or registered one of the orders.
func fileWith(orders []Order) []string {
	set := map[string]bool{}
	for _, o := range orders {
		set[o.tribunalState()] = true
		for _, r := range o.Registered {
			if r != "" {
				set[r] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
