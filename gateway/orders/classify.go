package orders

import (
	"fmt"
	"slices"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// FindingKind is what an incoming transaction means for the order registry.
type FindingKind string

// Finding kinds, from least to most in need of attention.
const (
	// NoConflict: no existing order is for this obligor and these children.
	NoConflict FindingKind = "no_conflict"
	// SameOrder: an incoming order is one the registry already holds (same
	// tribunal and docket, or same content): merge, do not add.
	SameOrder FindingKind = "same_order"
	// ExistingOrderForEST: an establishment request for an obligor and child
	// who already have an order; establishing would make a second order.
	ExistingOrderForEST FindingKind = "existing_order_for_est"
	// CompetingOrder: a different active order exists for the same obligor
	// and an overlapping child; a controlling-order determination is needed.
	CompetingOrder FindingKind = "competing_order"
)

func (k FindingKind) rank() int {
	switch k {
	case SameOrder:
		return 1
	case ExistingOrderForEST:
		return 2
	case CompetingOrder:
		return 3
	}
	return 0
}

// Route is what the caller should do with the transaction.
type Route string

// Routes.
const (
	RouteProceed Route = "proceed" // handle the transaction as it asks
	RouteMerge   Route = "merge"   // attach to the order already held
	// RouteEnforce answers an EST request as enforcement of an order issued
	// or already registered in the receiving state.
	RouteEnforce Route = "enforce"
	// RouteRegister reroutes an EST request as registration of the existing
	// order for enforcement (ENF), since it was issued elsewhere.
	RouteRegister Route = "register"
	// RouteDetermination sends the case for a controlling-order
	// determination (§207) with Determine's result shown.
	RouteDetermination Route = "determination"
	// RouteReview sends the transaction to a person; Finding.Suggested says
	// what the rules alone would have done.
	RouteReview Route = "review"
)

// Incoming is a transaction with the keys the caller computed for it.
type Incoming struct {
	Tx canonical.Transaction
	// ObligorKey is the hex HMAC of the NCP's SSN; empty when there is none.
	ObligorKey string
	// ParticipantKeys are the keys of Tx.Participants, index for index;
	// empty strings for participants without an SSN.
	ParticipantKeys []string
}

// Policy holds the agency's choices for Classify.
type Policy struct {
	// RerouteEST lets an EST request that meets exactly one existing order be
	// rerouted as enforcement or registration without a person; when false
	// it goes to review with the reroute as the suggestion.
	RerouteEST bool
	// MinAutoLevel is the weakest identity evidence on which a finding is
	// acted on without a person; below it the route is RouteReview. The
	// zero value means MatchSSN: name and date of birth alone never merge or
	// reroute by themselves.
	MinAutoLevel MatchLevel
}

// Evidence is one link between the incoming transaction and an order.
type Evidence struct {
	Kind FindingKind
	// IncomingOrder is the index in Tx.Orders, or -1 for the request itself.
	IncomingOrder int
	// ExistingOrderID is the registry order matched; empty when the
	// evidence is between two orders of the transaction itself.
	ExistingOrderID string
	// OtherIncomingOrder is the other order of the transaction, or -1.
	OtherIncomingOrder int
	// By says what matched: "tribunal_docket", "content", "obligor_child".
	By string
	// Obligor is how well the obligor matched.
	Obligor MatchLevel
	// Children lists the incoming children that matched children of the order.
	Children []ChildMatch
	Note     string
}

// ChildMatch links an incoming child to a child of an existing order.
type ChildMatch struct {
	// Participant is the index in Tx.Participants.
	Participant int
	// ExistingKey is the matched child's key (abbreviated), or its name when
	// it has no key.
	Existing string
	Level    MatchLevel
}

// Finding is the result of Classify.
type Finding struct {
	Kind      FindingKind
	Route     Route
	Suggested Route
	// Level is the weakest identity link behind Kind: a finding on name and
	// date of birth alone has Level MatchNameDOB.
	Level    MatchLevel
	Evidence []Evidence
	// OrderIDs are the existing orders involved in Kind, in registry order.
	OrderIDs []string
	Reason   string
}

// Classify checks an incoming transaction against the orders the registry
// holds for duplicate and competing orders (DOMAIN: "a new order received
// replaces nothing silently"). It looks at each order block of the
// transaction, at the order blocks against each other, and, for an EST
// request, at the request itself. The finding is the most serious kind found,
// with every piece of evidence.
func Classify(in Incoming, existing []Order, p Policy) Finding {
	minAuto := p.MinAutoLevel
	if minAuto == MatchNone {
		minAuto = MatchSSN
	}
	tx := in.Tx
	obligor := Person{SSNKey: in.ObligorKey}
	if tx.NCP != nil {
		obligor.Name, obligor.DOB = tx.NCP.Name, tx.NCP.DateOfBirth
	}
	children := map[int]Person{}
	var allChildren []int
	for i, pt := range tx.Participants {
		if pt.Relationship != canonical.RelChild {
			continue
		}
		per := Person{Name: pt.Name, DOB: pt.DateOfBirth}
		if i < len(in.ParticipantKeys) {
			per.SSNKey = in.ParticipantKeys[i]
		}
		children[i] = per
		allChildren = append(allChildren, i)
	}
	blockChildren := func(o canonical.Order) []int {
		var out []int
		for _, c := range o.Children {
			if _, ok := children[c]; ok && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return allChildren
		}
		return out
	}

	var f Finding
	var notes []string
	for bi, blk := range tx.Orders {
		kids := blockChildren(blk)
		for _, e := range existing {
			ol := Match(obligor, e.obligorPerson())
			if sameTribunal(blk.TribunalFIPS, e) && sameDocket(blk.Docket, e.Docket) {
				if in.ObligorKey != "" && e.ObligorKey != "" && in.ObligorKey != e.ObligorKey {
					notes = append(notes, fmt.Sprintf("order block %d has the tribunal and docket of the %s but a different obligor", bi+1, e.label()))
					continue
				}
				f.add(Evidence{Kind: SameOrder, IncomingOrder: bi, OtherIncomingOrder: -1, ExistingOrderID: e.ID, By: "tribunal_docket", Obligor: ol})
				continue
			}
			if ol < MatchNameDOB {
				continue
			}
			matches, all := matchChildren(kids, children, e.childPersons())
			if len(matches) == 0 {
				continue
			}
			if all && sameContent(blk, e) {
				f.add(Evidence{Kind: SameOrder, IncomingOrder: bi, OtherIncomingOrder: -1, ExistingOrderID: e.ID, By: "content", Obligor: ol, Children: matches})
				continue
			}
			if e.Active {
				f.add(Evidence{Kind: CompetingOrder, IncomingOrder: bi, OtherIncomingOrder: -1, ExistingOrderID: e.ID, By: "obligor_child", Obligor: ol, Children: matches})
			}
		}
		for bj := bi + 1; bj < len(tx.Orders); bj++ {
			other := tx.Orders[bj]
			if blk.TribunalFIPS == other.TribunalFIPS && sameDocket(blk.Docket, other.Docket) {
				continue
			}
			var shared []ChildMatch
			for _, c := range blockChildren(other) {
				if slices.Contains(kids, c) {
					shared = append(shared, ChildMatch{Participant: c, Existing: childName(children[c]), Level: MatchSSN})
				}
			}
			if len(shared) > 0 {
				f.add(Evidence{Kind: CompetingOrder, IncomingOrder: bi, OtherIncomingOrder: bj, By: "obligor_child", Obligor: MatchSSN, Children: shared, Note: "two orders of this transaction cover the same child"})
			}
		}
	}

	if tx.Header.Function == canonical.FuncEstablish && tx.Header.Action == canonical.ActRequest {
		for _, e := range existing {
			if !e.Active {
				continue
			}
			ol := Match(obligor, e.obligorPerson())
			if ol < MatchNameDOB {
				continue
			}
			matches, _ := matchChildren(allChildren, children, e.childPersons())
			if len(matches) == 0 {
				continue
			}
			f.add(Evidence{Kind: ExistingOrderForEST, IncomingOrder: -1, OtherIncomingOrder: -1, ExistingOrderID: e.ID, By: "obligor_child", Obligor: ol, Children: matches})
		}
	}

	f.conclude(tx.Header.ReceiverFIPS.State(), existing, p, minAuto)
	if len(notes) > 0 {
		if f.Kind == NoConflict {
			f.Suggested, f.Route = f.Route, RouteReview
		}
		f.Reason = strings.TrimPrefix(f.Reason+"; "+strings.Join(notes, "; "), "; ")
	}
	return f
}

func (f *Finding) add(e Evidence) { f.Evidence = append(f.Evidence, e) }

// conclude sets the kind, route, level and reason from the evidence.
func (f *Finding) conclude(receiver string, existing []Order, p Policy, minAuto MatchLevel) {
	f.Kind = NoConflict
	for _, e := range f.Evidence {
		if e.Kind.rank() > f.Kind.rank() {
			f.Kind = e.Kind
		}
	}
	byID := map[string]Order{}
	for _, o := range existing {
		byID[o.ID] = o
	}
	f.Level = MatchSSN
	ids := map[string]bool{}
	for _, e := range f.Evidence {
		if e.Kind != f.Kind {
			continue
		}
		if e.Obligor < f.Level {
			f.Level = e.Obligor
		}
		for _, c := range e.Children {
			if c.Level < f.Level {
				f.Level = c.Level
			}
		}
		if e.ExistingOrderID != "" {
			ids[e.ExistingOrderID] = true
		}
	}
	for _, o := range existing {
		if ids[o.ID] {
			f.OrderIDs = append(f.OrderIDs, o.ID)
		}
	}

	switch f.Kind {
	case NoConflict:
		f.Level = MatchNone
		f.Route = RouteProceed
		f.Reason = "no order held for this obligor and these children"
		return
	case SameOrder:
		f.Route = RouteMerge
		f.Reason = "the order is already held: " + labels(f.OrderIDs, byID)
	case CompetingOrder:
		f.Route = RouteDetermination
		f.Reason = "a different order exists for the same obligor and child: a controlling-order determination (UIFSA §207) is needed"
		if len(f.OrderIDs) > 0 {
			f.Reason += "; existing: " + labels(f.OrderIDs, byID)
		}
	case ExistingOrderForEST:
		tribs := map[string]bool{}
		for _, id := range f.OrderIDs {
			tribs[byID[id].tribunalID()] = true
		}
		if len(tribs) > 1 {
			// Several tribunals' orders already exist: establishing is out of
			// the question, and which one to enforce is a §207 question.
			f.Kind, f.Route = CompetingOrder, RouteDetermination
			f.Reason = "establishment requested, but orders of several tribunals exist (" + labels(f.OrderIDs, byID) + "): a controlling-order determination (UIFSA §207) is needed"
			for i := range f.Evidence {
				if f.Evidence[i].Kind == ExistingOrderForEST {
					f.Evidence[i].Kind = CompetingOrder
				}
			}
			break
		}
		o := byID[f.OrderIDs[len(f.OrderIDs)-1]]
		route := RouteRegister
		if o.tribunalState() == receiver || slices.Contains(o.Registered, receiver) {
			route = RouteEnforce
		}
		f.Reason = fmt.Sprintf("establishment requested, but the %s already exists for this obligor and child: a second order must not be made; %s it instead", o.label(), map[Route]string{RouteEnforce: "enforce", RouteRegister: "register it for enforcement and enforce"}[route])
		if p.RerouteEST {
			f.Route = route
		} else {
			f.Route, f.Suggested = RouteReview, route
		}
	}
	if f.Level < minAuto && f.Route != RouteReview {
		f.Suggested, f.Route = f.Route, RouteReview
		f.Reason += fmt.Sprintf(" (identity rests on %s evidence only: a person confirms)", f.Level)
	}
}

// matchChildren matches the incoming children against an order's children.
// A child counts as shared at MatchNameDOB or better. all reports whether
// every incoming child and every order child found a partner one to one.
func matchChildren(kids []int, children map[int]Person, theirs []Person) (matches []ChildMatch, all bool) {
	used := make([]bool, len(theirs))
	for _, k := range kids {
		for j, t := range theirs {
			if used[j] {
				continue
			}
			if l := Match(children[k], t); l >= MatchNameDOB {
				used[j] = true
				matches = append(matches, ChildMatch{Participant: k, Existing: childName(children[k]), Level: l})
				break
			}
		}
	}
	return matches, len(matches) == len(kids) && len(matches) == len(theirs)
}

// sameTribunal compares a tribunal FIPS with an order's tribunal. When either
// side lacks the county and office (00000), the states are compared.
func sameTribunal(f canonical.FIPS, o Order) bool {
	if f == "" {
		return false
	}
	if o.TribunalFIPS != "" && f == o.TribunalFIPS {
		return true
	}
	if f.State() != o.tribunalState() {
		return false
	}
	return strings.HasSuffix(string(f), "00000") || o.TribunalFIPS == "" || strings.HasSuffix(string(o.TribunalFIPS), "00000")
}

// sameDocket compares dockets by NormalizeDocket: partners write the same
// docket differently (F-1234-24, F 1234/24, f#1234-24).
func sameDocket(a, b string) bool {
	na, nb := NormalizeDocket(a), NormalizeDocket(b)
	return na != "" && na == nb
}

// NormalizeDocket is the one docket rule of the gateway: ASCII letters folded
// to upper case, digits kept, everything else dropped, so "FA#12", "fa-12"
// and "FA 12" are one docket. The registry stores and matches dockets by it
// (support_orders.docket_norm); migration 007 re-normalised stored rows with
// the same rule in SQL, which is why only ASCII letters are folded: Unicode
// case mapping (e.g. "ı" to "I") would differ between Go and the database.
func NormalizeDocket(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'):
			b.WriteByte(c)
		}
	}
	return b.String()
}

// sameContent reports whether an order block says what an order says: same
// issuing state, issue date, amount and frequency.
func sameContent(b canonical.Order, o Order) bool {
	return b.TribunalFIPS.State() == o.tribunalState() && b.IssueDate == o.IssueDate && b.Amount == o.Amount && b.Frequency == o.Frequency
}

// labels names orders for people, in the order given.
func labels(ids []string, byID map[string]Order) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "the " + byID[id].label()
	}
	return strings.Join(out, "; ")
}

// childName is how evidence names a matched child: the incoming child's
// masked name, never a key.
func childName(p Person) string {
	if n := MaskedName(p.Name); n != "" {
		return n
	}
	return "a child with no name on file"
}
