package staffview

import (
	"context"
	"fmt"
	"strconv"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/review/staffauth"
	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Person is a person of the transaction with SSN and date of birth
// masked, unless revealed in this response.
type Person struct {
	Role            string
	Name            canonical.Name
	SSN             string
	SSNPath         string
	SSNRevealed     bool
	DOB             string
	DOBPath         string
	DOBRevealed     bool
	Sex             string
	PaternityStatus string
	ResidenceState  string
	Aliases         []canonical.Name
}

// Detail is a message's page: the message, its people masked, the body,
// history, receipts, review items, related messages, audit trail, and what
// the person viewing may do.
type Detail struct {
	M       exchange.Message
	Tx      canonical.Transaction
	NCP     *Person
	People  []Person
	Raw     string
	RawKind string
	// RawRevealed says Raw holds the exact bytes, shown after an audited reveal.
	RawRevealed  bool
	History      []exchange.HistoryEntry
	Receipts     []exchange.Receipt
	Reviews      []Review
	Related      []exchange.Message
	Replies      []exchange.Message
	Trail        []exchange.AuditRecord
	CanAct       bool
	CanReveal    bool
	CanDetermine bool
	CanRoute     bool
	Actions      []exchange.StaffAction
	// IWO is the e-IWO document in words, for an IWO message.
	IWO *IWOView
	// Claim is who is working the message (nil: nobody); Mine is true when
	// it is the person viewing.
	Claim       *exchange.Claim
	ClaimIsMine bool
	CanTakeOver bool
	// RevealGone says the page was asked for a revealed value it no longer
	// holds (a reload: values are shown once).
	RevealGone bool
}

// Title names the page.
func (d Detail) Title() string { return fmt.Sprintf("Message #%d", d.M.ID) }

// LoadDetail is message id as staff sees it; revealed holds the values a
// reveal just showed, by field.
func LoadDetail(ctx context.Context, st Store, staff staffauth.Staff, canRoute bool, id int64, revealed map[string]string) (Detail, error) {
	m, err := st.GetMessage(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	v := Detail{M: m, Tx: m.Tx, CanAct: staff.Can(staffauth.PermAct), CanReveal: staff.Can(staffauth.PermReveal),
		CanDetermine: staff.Can(staffauth.PermDetermine)}
	v.CanRoute = v.CanAct && canRoute
	v.Actions = AllowedActions(m)
	raw, err := st.RawBody(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	// The SSNs and dates of birth are sealed apart from the stored form; the
	// page needs the dates to say that there is one (masked), and both to
	// find them in the raw body.
	full, err := st.LoadTransaction(ctx, id, true)
	if err != nil {
		return Detail{}, err
	}
	if n := full.NCP; n != nil {
		p := person("Noncustodial parent", n.Name, n.SSN, n.DateOfBirth, "ncp", revealed)
		p.Sex = string(n.Sex)
		if full.NCPLocate != nil {
			p.Aliases = full.NCPLocate.Aliases
		}
		v.NCP = &p
	}
	for i, pt := range full.Participants {
		p := person(relationshipLabel(pt.Relationship), pt.Name, pt.SSN, pt.DateOfBirth, "participants["+strconv.Itoa(i)+"]", revealed)
		p.Sex, p.PaternityStatus, p.ResidenceState = string(pt.Sex), string(pt.PaternityStatus), pt.ResidenceState
		v.People = append(v.People, p)
	}
	v.Raw, v.RawKind = stafftext.PrettyRaw(raw, m.ContentType, full)
	v.IWO = LoadIWO(m, raw)
	claims, err := st.Claims(ctx, []int64{id})
	if err != nil {
		return Detail{}, err
	}
	if c, ok := claims[id]; ok {
		v.Claim, v.ClaimIsMine = &c, c.Subject == staff.Subject
	}
	v.CanTakeOver = staff.Can(staffauth.PermDetermine)
	if v.History, err = st.History(ctx, id); err != nil {
		return Detail{}, err
	}
	if v.Receipts, err = st.Receipts(ctx, id); err != nil {
		return Detail{}, err
	}
	items, err := st.ReviewItems(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	for _, it := range items {
		v.Reviews = append(v.Reviews, ToReview(it))
	}
	seen := map[int64]bool{id: true}
	for _, c := range []string{m.SenderCaseID, m.ReceiverCaseID} {
		if c == "" {
			continue
		}
		rel, _, err := st.SearchMessages(ctx, exchange.StaffFilter{Filter: exchange.Filter{CaseID: c}}, exchange.Page{Limit: 25})
		if err != nil {
			return Detail{}, err
		}
		for _, r := range rel {
			if !seen[r.ID] {
				seen[r.ID] = true
				v.Related = append(v.Related, r)
			}
		}
	}
	replies, _, err := st.SearchMessages(ctx, exchange.StaffFilter{Filter: exchange.Filter{InReplyTo: m.MessageID}}, exchange.Page{Limit: 25})
	if err != nil {
		return Detail{}, err
	}
	v.Replies = replies
	if v.Trail, err = st.AuditTrail(ctx, "message:"+strconv.FormatInt(id, 10), 100); err != nil {
		return Detail{}, err
	}
	return v, nil
}

func person(role string, n canonical.Name, ssn canonical.SSN, dob *canonical.Date, prefix string, revealed map[string]string) Person {
	p := Person{Role: role, Name: n}
	if ssn != "" {
		p.SSNPath = prefix + ".ssn"
		p.SSN = stafftext.MaskSSN(string(ssn))
		if r, ok := revealed[p.SSNPath]; ok {
			p.SSN, p.SSNRevealed = r, true
		}
	}
	if dob != nil && !dob.IsZero() {
		p.DOBPath = prefix + ".dateOfBirth"
		p.DOB = stafftext.MaskedDOB
		if r, ok := revealed[p.DOBPath]; ok {
			p.DOB, p.DOBRevealed = r, true
		}
	}
	return p
}

func relationshipLabel(r canonical.Relationship) string {
	switch r {
	case canonical.RelChild:
		return "Child"
	case canonical.RelCustodialParty:
		return "Custodial party"
	}
	if r == "" {
		return "Participant"
	}
	return "Participant (" + string(r) + ")"
}

// AllowedActions are the actions the message's direction and status allow,
// so the page offers only buttons that can work (the store checks again).
func AllowedActions(m exchange.Message) []exchange.StaffAction {
	var out []exchange.StaffAction
	switch {
	case m.Direction == exchange.DirIn && inSet(m.Status, exchange.StatusNeedsReview, exchange.StatusRefused, exchange.StatusProcessed,
		exchange.StatusResolved, exchange.StatusCancelled, exchange.StatusDeadLetter):
		out = append(out, exchange.ActReprocess)
	case m.Direction == exchange.DirOut && inSet(m.Status, exchange.StatusNeedsReview, exchange.StatusDeadLetter,
		exchange.StatusCancelled, exchange.StatusResolved):
		out = append(out, exchange.ActReprocess)
	}
	if m.Direction == exchange.DirOut && inSet(m.Status, exchange.StatusDelivered, exchange.StatusPickedUp, exchange.StatusDeadLetter,
		exchange.StatusCancelled, exchange.StatusNeedsReview, exchange.StatusResolved, exchange.StatusAwaitingPickup) {
		out = append(out, exchange.ActResend)
	}
	if exchange.Cancellable(m.Status) {
		out = append(out, exchange.ActCancel)
	}
	if exchange.Resolvable(m.Status) {
		out = append(out, exchange.ActResolve)
	}
	return append(out, exchange.ActRoute)
}

func inSet(s exchange.Status, set ...exchange.Status) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}
