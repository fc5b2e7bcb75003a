package orders

import (
	"fmt"
	"strings"
)

// HasCEJ reports whether the tribunal that issued order would have
// continuing, exclusive jurisdiction to modify it today, under UIFSA §205:
//
//   - it has lost CEJ when every individual party consented in a record that
//     a tribunal of another state may modify the order (§205(b)(1));
//   - otherwise it has CEJ while the obligor, the individual obligee or a
//     child of the order lives in the issuing state (§205(a)(1)),
//   - or while the parties consent in a record that it keeps jurisdiction
//     (§205(a)(2)).
//
// The loss of CEJ because the order is not the controlling order (§205(a)
// last clause) is not considered here: §207 asks which tribunal would have
// CEJ, before any order is declared controlling.
//
// When the answer depends on a residence that is Unknown, HasCEJ returns
// false with the missing facts listed; a caller must treat a non-empty
// missing list as "cannot tell", never as "no".
func HasCEJ(order Order, facts Residence) (has bool, basis string, missing []string) {
	state := order.tribunalState()
	where := stateName(state)

	if c, ok := transferConsent(order, facts); ok {
		return false, fmt.Sprintf("all individual parties consented in a record (%s) that the tribunal of %s may modify the order (§205(b)(1))", c.Date, stateName(c.ToState)), nil
	}

	var livesThere []string
	if facts.Obligor == state {
		livesThere = append(livesThere, "the obligor")
	} else if facts.Obligor == Unknown {
		missing = append(missing, "obligor's state of residence")
	}
	if !facts.NoIndividualObligee {
		if facts.Obligee == state {
			livesThere = append(livesThere, "the obligee")
		} else if facts.Obligee == Unknown {
			missing = append(missing, "obligee's state of residence")
		}
	}
	for _, k := range order.ChildKeys {
		switch facts.Children[k] {
		case state:
			livesThere = append(livesThere, facts.childLabel(k))
		case Unknown:
			missing = append(missing, "state of residence of "+facts.childLabel(k))
		}
	}
	if len(livesThere) > 0 {
		return true, fmt.Sprintf("%s still lives in %s, the issuing state (§205(a)(1))", strings.Join(livesThere, ", "), where), nil
	}
	if c, ok := keepConsent(order, facts); ok {
		return true, fmt.Sprintf("the parties consented in a record (%s) that the tribunal of %s keeps jurisdiction (§205(a)(2))", c.Date, where), nil
	}
	if len(missing) > 0 {
		return false, "", missing
	}
	return false, fmt.Sprintf("neither the obligor, the individual obligee nor any child lives in %s, and the parties have not consented that it keeps jurisdiction", where), nil
}

// transferConsent finds a consent by every individual party to a tribunal of
// another state. With no individual obligee, the obligor's consent suffices.
func transferConsent(order Order, facts Residence) (Consent, bool) {
	for _, c := range facts.Consents {
		if c.OrderID != order.ID || c.Kind != ConsentTransfer || c.ToState == "" || c.ToState == order.tribunalState() {
			continue
		}
		if c.ByObligor && (c.ByObligee || facts.NoIndividualObligee) {
			return c, true
		}
	}
	return Consent{}, false
}

// keepConsent finds a consent by the parties that the issuing tribunal keeps jurisdiction.
func keepConsent(order Order, facts Residence) (Consent, bool) {
	for _, c := range facts.Consents {
		if c.OrderID != order.ID || c.Kind != ConsentKeep {
			continue
		}
		if c.ByObligor && (c.ByObligee || facts.NoIndividualObligee) {
			return c, true
		}
	}
	return Consent{}, false
}
