package staffview

// Review items as a caseworker reads them: the finding and the
// determination in sentences, the orders in a table with their states and
// periods, and any other evidence as labelled rows. The JSON stays
// available, folded, for whoever needs the exact record.

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/casework"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Review is a review item with its evidence decoded for display.
type Review struct {
	exchange.ReviewItem
	KindWords     string
	Orders        []EvidenceOrder
	Determination *EvidenceDetermination
	// Finding is the one-order rules' finding in sentences.
	Finding []string
	// Facts are the other evidence fields as label and value.
	Facts        []stafftext.Fact
	EvidenceJSON string
	Open         bool
	// NeedsSupervisor is true when only a supervisor can decide the item.
	NeedsSupervisor bool
}

// EvidenceOrder is an order as review evidence lists it.
type EvidenceOrder struct {
	ID           string          `json:"id"`
	TribunalFIPS string          `json:"tribunalFips"`
	Docket       string          `json:"docket"`
	Type         string          `json:"type"`
	IssueDate    string          `json:"issueDate"`
	Amount       canonical.Cents `json:"amountCents"`
	Frequency    string          `json:"frequency"`
	Arrears      canonical.Cents `json:"arrearsCents"`
	Active       bool            `json:"active"`
	Controlling  bool            `json:"-"`
}

// EvidenceDetermination is a controlling-order determination in words.
type EvidenceDetermination struct {
	Kind        string
	Rule        string
	Controlling *struct{ ID string }
	Basis       string
	Reason      string
	// Outcome is one sentence: what the determination found.
	Outcome  string
	Missing  []string
	FileWith []string
	Arrears  string
}

var findingWords = map[orders.FindingKind]string{
	orders.NoConflict:          "No existing order is for this obligor and these children.",
	orders.SameOrder:           "An incoming order is one the registry already holds.",
	orders.ExistingOrderForEST: "This asks to establish an order, but the obligor and child already have one.",
	orders.CompetingOrder:      "A different active order exists for the same obligor and a child in common: a controlling-order determination is needed.",
}

var routeWords = map[orders.Route]string{
	orders.RouteProceed:       "handle the transaction as it asks",
	orders.RouteMerge:         "attach it to the order already held",
	orders.RouteEnforce:       "answer it as enforcement of the order already held",
	orders.RouteRegister:      "register the existing order for enforcement",
	orders.RouteDetermination: "determine which order controls",
	orders.RouteReview:        "have a person review it",
}

var levelWords = map[orders.MatchLevel]string{
	orders.MatchNone:    "nothing links the people",
	orders.MatchWeak:    "names alike only (weak; a person must confirm)",
	orders.MatchNameDOB: "same name and date of birth, no SSN to compare",
	orders.MatchSSN:     "same SSN",
}

var ruleWords = map[orders.Rule]string{
	orders.RuleOnlyOne:    "only one tribunal issued an order (UIFSA §207(a))",
	orders.RuleSoleCEJ:    "only one issuing tribunal would have continuing, exclusive jurisdiction (§207(b)(1))",
	orders.RuleHomeState:  "several would have jurisdiction; the order of the child's home state controls (§207(b)(2)(A))",
	orders.RuleMostRecent: "several would have jurisdiction, none the home state; the most recent order controls (§207(b)(2)(B))",
	orders.RuleNoneCEJ:    "no issuing tribunal would have jurisdiction; a new order must be issued (§207(b)(3))",
}

// oneOrderEvidence is casework.Evidence with the determination kept loose,
// so an item stored before a field changed still reads.
type oneOrderEvidence struct {
	Finding       *orders.Finding       `json:"finding"`
	Orders        []EvidenceOrder       `json:"orders"`
	Determination *orders.Determination `json:"determination"`
	Response      string                `json:"response"`
	Request       *canonical.Header     `json:"request"`
}

// ToReview decodes a review item's evidence for reading.
func ToReview(it exchange.ReviewItem) Review {
	v := Review{ReviewItem: it, KindWords: stafftext.KindWords(it.Kind), Open: it.State != exchange.ReviewResolved,
		NeedsSupervisor: it.Kind == casework.ReviewControllingOrder}
	raw, _ := it.Evidence.(json.RawMessage)
	var ev oneOrderEvidence
	if len(raw) > 0 && json.Unmarshal(raw, &ev) == nil && (ev.Finding != nil || ev.Determination != nil || len(ev.Orders) > 0) {
		v.Orders = ev.Orders
		if f := ev.Finding; f != nil {
			v.Finding = findingSentences(*f)
		}
		if d := ev.Determination; d != nil {
			// The evidence's order list has the facts of the controlling
			// order when the determination names only its id.
			if c := d.Controlling; c != nil && c.Docket == "" {
				for _, o := range ev.Orders {
					if o.ID == c.ID {
						c.Docket, c.TribunalFIPS, c.Amount = o.Docket, canonical.FIPS(o.TribunalFIPS), o.Amount
						c.Frequency = canonical.Frequency(o.Frequency)
					}
				}
			}
			v.Determination = determinationWords(*d)
			for i := range v.Orders {
				v.Orders[i].Controlling = d.Controlling != nil && v.Orders[i].ID == d.Controlling.ID
			}
		}
		if ev.Response != "" {
			v.Facts = append(v.Facts, stafftext.Fact{Label: "Answer prepared", Value: ev.Response})
		}
	} else if len(raw) > 0 {
		v.Facts = stafftext.Facts(raw)
	}
	if len(raw) > 0 {
		buf := []byte(raw)
		if b, err := json.MarshalIndent(json.RawMessage(raw), "", "  "); err == nil {
			buf = b
		}
		v.EvidenceJSON = stafftext.MaskJSONText(string(buf))
	}
	return v
}

func findingSentences(f orders.Finding) []string {
	var out []string
	if w, ok := findingWords[f.Kind]; ok {
		out = append(out, w)
	} else if f.Kind != "" {
		out = append(out, stafftext.Humanize(string(f.Kind))+".")
	}
	if len(f.OrderIDs) > 0 {
		out = append(out, "Orders involved: "+strings.Join(f.OrderIDs, ", ")+".")
	}
	if f.Kind != orders.NoConflict && f.Kind != "" {
		out = append(out, "The people were matched on: "+levelWords[f.Level]+".")
	}
	if w, ok := routeWords[f.Route]; ok {
		s := "Next step: " + w
		if f.Route == orders.RouteReview {
			if sw, ok := routeWords[f.Suggested]; ok {
				s += "; the rules alone would " + sw
			}
		}
		out = append(out, s+".")
	}
	if f.Reason != "" {
		out = append(out, stafftext.Sentence(f.Reason))
	}
	return out
}

func determinationWords(d orders.Determination) *EvidenceDetermination {
	v := &EvidenceDetermination{Kind: string(d.Kind), Rule: string(d.Rule), Basis: stafftext.Sentence(d.Basis),
		Reason: stafftext.Sentence(d.Reason), Missing: d.Missing}
	if d.Controlling != nil {
		v.Controlling = &struct{ ID string }{d.Controlling.ID}
	}
	switch d.Kind {
	case orders.ControllingOrder:
		v.Outcome = "One order controls"
		if c := d.Controlling; c != nil {
			v.Outcome += fmt.Sprintf(": order %s, docket %s", c.ID, c.Docket)
			if n := stafftext.StateName(c.TribunalFIPS); n != "" {
				v.Outcome += " of " + n
			}
			if c.Amount > 0 {
				v.Outcome += ", " + stafftext.PerPeriod(c.Amount, c.Frequency)
			}
		}
	case orders.NewOrderRequired:
		v.Outcome = "No order controls: a tribunal must issue a new order"
	case orders.Insufficient:
		v.Outcome = "The facts given do not decide which order controls"
	case orders.Refused:
		v.Outcome = "The orders cannot be determined together"
	default:
		v.Outcome = stafftext.Humanize(string(d.Kind))
	}
	if w, ok := ruleWords[d.Rule]; ok {
		v.Outcome += ", because " + w
	}
	v.Outcome += "."
	for _, s := range d.FileWith {
		if n := stafftext.StateName(s); n != "" {
			s = n
		}
		v.FileWith = append(v.FileWith, s)
	}
	if d.Arrears.Total > 0 || d.Arrears.Stated > 0 {
		v.Arrears = fmt.Sprintf("$%s in arrears under all the orders ($%s stated, $%s paid)",
			d.Arrears.Total.Dollars(), d.Arrears.Stated.Dollars(), d.Arrears.Credited.Dollars())
	}
	return v
}

// ControllingID is the registry id of the order the determination found
// controlling, "" when none.
func (v Review) ControllingID() string {
	if v.Determination != nil && v.Determination.Controlling != nil {
		return v.Determination.Controlling.ID
	}
	return ""
}
