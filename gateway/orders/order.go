// Package orders holds the UIFSA one-order rules: continuing, exclusive
// jurisdiction (§205), the controlling-order determination (§207) with
// consolidated arrears (§209), and duplicate detection for incoming orders and
// establishment requests.
//
// The package is pure: no I/O, no clock. The determination date is passed in,
// people are identified by keyed hashes of their SSNs computed by the caller,
// and every rule that cannot be decided from the facts given says which facts
// are missing instead of guessing.
package orders

import (
	"fmt"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Order is a support order as the registry knows it.
type Order struct {
	// ID is the registry's identifier of the order; unique within one call.
	ID string
	// TribunalState is the 2-digit state FIPS of the issuing tribunal. When
	// empty, the state part of TribunalFIPS is used.
	TribunalState string
	// TribunalFIPS is the issuing tribunal's 7-digit FIPS; county and office
	// may be zero when the sender did not know them.
	TribunalFIPS canonical.FIPS
	Docket       string
	// Type is the debt type (CS, SS, MS); the registry keeps no order type.
	Type      canonical.DebtType
	IssueDate canonical.Date
	// Amount of current support per Frequency.
	Amount    canonical.Cents
	Frequency canonical.Frequency
	// Arrears is the unpaid support under this order on ArrearsAsOf, end of day.
	Arrears     canonical.Cents
	ArrearsAsOf canonical.Date
	// ObligorKey is the hex HMAC of the obligor's SSN.
	ObligorKey string
	// ChildKeys are the keys of the children the order covers: normally the
	// HMAC of each child's SSN; the registry may use a surrogate key for a
	// child without an SSN, as long as it uses the same one everywhere.
	ChildKeys []string
	// Registered lists the 2-digit state FIPS codes where the order is
	// registered for enforcement or modification (UIFSA Article 6).
	Registered []string
	// Active is false for an order that has been vacated, terminated or
	// superseded; it is then no candidate to control, but its arrears and the
	// payments made under it still count (§209).
	Active bool

	// Obligor and Children are secondary evidence for duplicate detection
	// (name and date of birth) when a key is missing on one side. They are
	// optional; an entry of Children whose SSNKey is in ChildKeys adds its
	// name and date of birth to that child.
	Obligor  Person
	Children []Person
}

// tribunalState returns the 2-digit state FIPS of the issuing tribunal.
func (o Order) tribunalState() string {
	if o.TribunalState != "" {
		return o.TribunalState
	}
	return o.TribunalFIPS.State()
}

// tribunalID names the issuing tribunal: its full FIPS when it carries a
// county, else its state. Two orders from the same tribunal are a tribunal's
// own order and its modification, not competing orders.
func (o Order) tribunalID() string {
	if o.TribunalFIPS.Valid() && !strings.HasSuffix(string(o.TribunalFIPS), "00000") {
		return string(o.TribunalFIPS)
	}
	return o.tribunalState()
}

// label is how the order is named in texts for people: state, docket, date.
func (o Order) label() string {
	d := o.Docket
	if d == "" {
		d = "no docket"
	}
	return fmt.Sprintf("%s order %s (docket %s, issued %s)", stateName(o.tribunalState()), o.ID, d, o.IssueDate)
}

// obligorPerson returns the obligor as a Person for matching.
func (o Order) obligorPerson() Person {
	p := o.Obligor
	if o.ObligorKey != "" {
		p.SSNKey = o.ObligorKey
	}
	return p
}

// childPersons returns every child of the order as a Person: each key, with
// the name and date of birth of the Children entry of the same key, then the
// Children entries that have no key.
func (o Order) childPersons() []Person {
	out := make([]Person, 0, len(o.ChildKeys)+len(o.Children))
	byKey := make(map[string]Person, len(o.Children))
	for _, c := range o.Children {
		if c.SSNKey != "" {
			byKey[c.SSNKey] = c
		}
	}
	inKeys := make(map[string]bool, len(o.ChildKeys))
	for _, k := range o.ChildKeys {
		p := byKey[k]
		p.SSNKey = k
		out = append(out, p)
		inKeys[k] = true
	}
	for _, c := range o.Children {
		if c.SSNKey == "" || !inKeys[c.SSNKey] {
			out = append(out, c)
		}
	}
	return out
}

// Payment is a payment received under one order.
type Payment struct {
	// OrderID is the order the payment was made under; empty when unknown.
	OrderID string
	Date    canonical.Date
	Amount  canonical.Cents
}

// Unknown is the value of a residence that is not known. A residence is
// otherwise a 2-digit state FIPS code, or Abroad.
const Unknown = ""

// Abroad is the residence of a person known to live outside every US state
// and territory; it counts as "not in the issuing state".
const Abroad = "ZZ"

// Residence holds the facts §205 and §207 turn on, as known on the
// determination date. Every residence may be Unknown.
type Residence struct {
	// Obligor is the state where the obligor lives.
	Obligor string
	// Obligee is the state where the individual obligee lives.
	Obligee string
	// NoIndividualObligee is true when the obligee is a support enforcement
	// agency (for example under an assignment of support rights): §205 then
	// looks at the obligor and the children only.
	NoIndividualObligee bool
	// Children maps a child key to the state where the child lives.
	Children map[string]string
	// HomeState maps a child key to the child's home state (UIFSA §102: where
	// the child lived with a parent for six consecutive months immediately
	// before the proceeding). It is a distinct fact from where the child lives
	// now and is never inferred from it.
	HomeState map[string]string
	// Consents are the parties' consents in a record.
	Consents []Consent
}

// ConsentKind says what the parties consented to.
type ConsentKind string

// Consent kinds.
const (
	// ConsentKeep: the parties consent that the issuing tribunal keeps
	// jurisdiction to modify its order although nobody lives there (§205(a)(2)).
	ConsentKeep ConsentKind = "keep"
	// ConsentTransfer: the parties consent that a tribunal of another state
	// may modify the order and assume CEJ (§205(b)(1)).
	ConsentTransfer ConsentKind = "transfer"
)

// Consent is a consent in a record (or in open court) by the parties to an
// order about which tribunal may modify it.
type Consent struct {
	// OrderID is the order the consent concerns.
	OrderID string
	Kind    ConsentKind
	// ToState is the 2-digit state FIPS of the other state's tribunal, for ConsentTransfer.
	ToState string
	// ByObligor and ByObligee say which individual parties signed.
	ByObligor bool
	ByObligee bool
	Date      canonical.Date
}

// stateName returns "New York (36)" for "36", or the code itself when unknown.
func stateName(fips string) string {
	switch fips {
	case Unknown:
		return "an unknown state"
	case Abroad:
		return "outside the United States"
	}
	if p, ok := canonical.StatePostal[fips]; ok {
		return p + " (" + fips + ")"
	}
	return fips
}

// shortKey abbreviates a key for texts meant for people: enough to tell
// children apart on a screen, too little to be worth anything alone.
func shortKey(k string) string {
	if len(k) > 8 {
		return k[:8]
	}
	return k
}
