package canonical

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode/utf8"
)

var (
	messageIDRe = regexp.MustCompile(messageIDPattern)
	caseIDRe    = regexp.MustCompile(caseIDPattern)
	zipRe       = regexp.MustCompile(zipPattern)
	phoneRe     = regexp.MustCompile(phonePattern)
	emailRe     = regexp.MustCompile(emailPattern)
	einRe       = regexp.MustCompile(einPattern)
)

// Validate checks t against every rule of the canonical model and the seed
// table of transaction codes, and returns every problem found, each with the
// canonical path of the field (orders[1].frequency). It returns nil when t is
// valid. Reasons never repeat an SSN or a date of birth, so they may be sent
// back to the partner and logged.
func (t *Transaction) Validate() FieldErrors { return t.ValidateWith(nil) }

// ValidateWith is Validate with the combination table c, typically the seed
// merged with the operator's extensions; nil means the seed table.
func (t *Transaction) ValidateWith(c *Combos) FieldErrors {
	if c == nil {
		c = seedCombos()
	}
	if t == nil {
		return FieldErrors{{Path: "", Reason: "no transaction"}}
	}
	v := &validator{combos: c}
	v.header(&t.Header)
	if t.Case != nil {
		v.caseBlock("case", t.Case)
	}
	if t.NCP != nil {
		v.ncp("ncp", t.NCP)
	}
	if t.NCPLocate != nil {
		v.locate("ncpLocate", t.NCPLocate)
	}
	v.participants(t)
	v.orders(t)
	v.collections(t.Collections)
	if t.Information != nil {
		v.text("information.text", t.Information.Text, MaxTextLen, true, true)
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

type validator struct {
	combos *Combos
	errs   FieldErrors
	// txDate is the header's transaction date when it is valid; dates that
	// cannot lie in the future are checked against it.
	txDate *Date
}

func (v *validator) add(path, reason string) {
	v.errs = append(v.errs, FieldError{Path: path, Reason: reason})
}

func (v *validator) addf(path, format string, args ...any) {
	v.add(path, fmt.Sprintf(format, args...))
}

func (v *validator) header(h *Header) {
	senderOK := v.fips("header.senderFips", h.SenderFIPS, true)
	receiverOK := v.fips("header.receiverFips", h.ReceiverFIPS, true)
	// Interstate transactions go between states; two offices of one state
	// exchange cases inside that state's own system, not through this gateway.
	if senderOK && receiverOK && h.SenderFIPS.State() == h.ReceiverFIPS.State() {
		v.add("header.receiverFips", "same state as senderFips")
	}
	v.messageID("header.messageId", h.MessageID, true)
	if h.Serial < 1 || h.Serial > MaxSerial {
		v.addf("header.serial", "must be from 1 to %d", int64(MaxSerial))
	}
	if v.date("header.transactionDate", h.TransactionDate, true, false) {
		d := h.TransactionDate
		v.txDate = &d
	}
	v.caseID("header.senderCaseId", h.SenderCaseID, true)
	v.caseID("header.receiverCaseId", h.ReceiverCaseID, false)
	fOK := code(v, "header.function", h.Function, FunctionCodes, true)
	aOK := code(v, "header.action", h.Action, ActionCodes, true)
	rOK := true
	if h.Reason != "" && !h.Reason.WellFormed() {
		v.addf("header.reason", "not a reason code (5 characters A-Z 0-9): %s", quoteCode(string(h.Reason)))
		rOK = false
	}
	if fOK && aOK && rOK && !v.combos.Allowed(h.Function, h.Action, h.Reason) {
		if h.Reason == "" {
			v.addf("header.reason", "required for %s %s", h.Function, h.Action)
		} else {
			v.addf("header.reason", "%q not allowed for %s %s", h.Reason, h.Function, h.Action)
		}
	}
	if h.ResolutionDate != nil && v.date("header.resolutionDate", *h.ResolutionDate, true, false) &&
		v.txDate != nil && h.ResolutionDate.Before(*v.txDate) {
		v.add("header.resolutionDate", "before the transaction date")
	}
	if h.InReplyTo != "" {
		v.messageID("header.inReplyTo", h.InReplyTo, false)
	}
}

func (v *validator) caseBlock(path string, c *Case) {
	code(v, path+".type", c.Type, CaseTypes, true)
	code(v, path+".status", c.Status, CaseStatuses, true)
	if c.PaymentAddress != nil {
		v.address(path+".paymentAddress", c.PaymentAddress)
	}
	if c.Contact != nil {
		v.contact(path+".contact", c.Contact)
	}
	v.text(path+".initiatingDocket", c.InitiatingDocket, MaxDocketLen, false, false)
	v.text(path+".respondingDocket", c.RespondingDocket, MaxDocketLen, false, false)
	if c.CEJState != "" {
		if _, ok := StatePostal[c.CEJState]; !ok {
			v.addf(path+".cejState", "not a known 2-digit state FIPS code: %s", quoteCode(c.CEJState))
		}
	}
}

func (v *validator) contact(path string, c *Contact) {
	v.text(path+".name", c.Name, MaxNameLen, false, false)
	if c.Phone != "" && !phoneRe.MatchString(c.Phone) {
		v.add(path+".phone", "must be 7 to 25 of the characters 0-9 + ( ) . - x and space")
	}
	if c.Email != "" {
		if utf8.RuneCountInString(c.Email) > MaxEmailLen {
			v.addf(path+".email", "longer than %d characters", MaxEmailLen)
		} else if !emailRe.MatchString(c.Email) {
			v.add(path+".email", "not an email address")
		}
	}
}

func (v *validator) ncp(path string, n *NCPIdentification) {
	v.name(path+".name", &n.Name)
	v.ssn(path+".ssn", n.SSN)
	if n.DateOfBirth != nil {
		v.date(path+".dateOfBirth", *n.DateOfBirth, true, true)
	}
	code(v, path+".sex", n.Sex, Sexes, false)
	v.count(path+".aliases", len(n.Aliases), MaxAliases)
	for i := range n.Aliases {
		v.name(fmt.Sprintf("%s.aliases[%d]", path, i), &n.Aliases[i])
	}
}

func (v *validator) locate(path string, l *NCPLocate) {
	v.count(path+".addresses", len(l.Addresses), MaxAddresses)
	for i := range l.Addresses {
		v.address(fmt.Sprintf("%s.addresses[%d]", path, i), &l.Addresses[i])
	}
	v.count(path+".employers", len(l.Employers), MaxEmployers)
	for i := range l.Employers {
		e := &l.Employers[i]
		p := fmt.Sprintf("%s.employers[%d]", path, i)
		switch {
		case e.EIN == "":
			v.add(p+".ein", "required")
		case !einRe.MatchString(e.EIN):
			v.add(p+".ein", "must be 9 digits")
		}
		v.text(p+".name", e.Name, MaxNameLen, true, false)
		if e.Address != nil {
			v.address(p+".address", e.Address)
		}
		if e.Phone != "" && !phoneRe.MatchString(e.Phone) {
			v.add(p+".phone", "must be 7 to 25 of the characters 0-9 + ( ) . - x and space")
		}
	}
	v.count(path+".licenses", len(l.Licenses), MaxLicenses)
	for i := range l.Licenses {
		lic := &l.Licenses[i]
		p := fmt.Sprintf("%s.licenses[%d]", path, i)
		v.text(p+".type", lic.Type, MaxLicenseLen, true, false)
		v.text(p+".number", lic.Number, MaxLicenseLen, true, false)
		v.postalState(p+".state", lic.State, true)
	}
}

func (v *validator) participants(t *Transaction) {
	v.count("participants", len(t.Participants), MaxBlocks)
	// seen maps an SSN to the first participant that carries it; the values
	// are compared, never reported.
	seen := make(map[SSN]int, len(t.Participants))
	for i := range t.Participants {
		p := &t.Participants[i]
		path := fmt.Sprintf("participants[%d]", i)
		v.name(path+".name", &p.Name)
		if v.ssn(path+".ssn", p.SSN) {
			switch first, dup := seen[p.SSN]; {
			case t.NCP != nil && t.NCP.SSN == p.SSN:
				v.add(path+".ssn", "same SSN as the NCP; the NCP is never a participant")
			case dup:
				v.addf(path+".ssn", "same SSN as participants[%d]", first)
			default:
				seen[p.SSN] = i
			}
		}
		if p.DateOfBirth != nil {
			v.date(path+".dateOfBirth", *p.DateOfBirth, true, true)
		}
		code(v, path+".sex", p.Sex, Sexes, false)
		code(v, path+".relationship", p.Relationship, Relationships, true)
		code(v, path+".paternityStatus", p.PaternityStatus, PaternityStatuses, false)
		v.postalState(path+".residenceState", p.ResidenceState, false)
	}
}

func (v *validator) orders(t *Transaction) {
	v.count("orders", len(t.Orders), MaxBlocks)
	for i := range t.Orders {
		o := &t.Orders[i]
		path := fmt.Sprintf("orders[%d]", i)
		v.fips(path+".tribunalFips", o.TribunalFIPS, true)
		v.text(path+".docket", o.Docket, MaxDocketLen, true, false)
		code(v, path+".type", o.Type, OrderTypes, true)
		v.date(path+".issueDate", o.IssueDate, true, true)
		if o.EffectiveDate != nil {
			// An order may take effect before it is issued (back to the
			// filing date) or later, so only the date itself is checked.
			v.date(path+".effectiveDate", *o.EffectiveDate, true, false)
		}
		v.cents(path+".amountCents", o.Amount, 0)
		code(v, path+".frequency", o.Frequency, Frequencies, true)
		v.cents(path+".arrearsCents", o.Arrears, 0)
		if o.ArrearsAsOf != nil {
			v.date(path+".arrearsAsOf", *o.ArrearsAsOf, true, true)
		} else if o.Arrears > 0 {
			v.add(path+".arrearsAsOf", "required when arrearsCents is more than 0")
		}
		v.orderChildren(path, o, t.Participants)
	}
}

func (v *validator) orderChildren(path string, o *Order, ps []Participant) {
	v.count(path+".children", len(o.Children), MaxBlocks)
	listed := make(map[int]bool, len(o.Children))
	for j, idx := range o.Children {
		p := fmt.Sprintf("%s.children[%d]", path, j)
		switch {
		case idx < 0 || idx >= len(ps):
			v.addf(p, "no participant %d", idx)
		case ps[idx].Relationship != RelChild:
			v.addf(p, "participant %d is not a child (relationship %s)", idx, quoteCode(string(ps[idx].Relationship)))
		case listed[idx]:
			v.addf(p, "participant %d listed twice", idx)
		}
		listed[idx] = true
	}
	if o.Type == OrderChildSupport && len(o.Children) == 0 {
		v.add(path+".children", "a child support (CS) order must cover at least one child")
	}
}

func (v *validator) collections(cs []Collection) {
	v.count("collections", len(cs), MaxBlocks)
	for i := range cs {
		c := &cs[i]
		path := fmt.Sprintf("collections[%d]", i)
		v.date(path+".date", c.Date, true, true)
		v.cents(path+".amountCents", c.Amount, 1)
		code(v, path+".source", c.Source, CollectionSources, true)
		v.text(path+".docket", c.Docket, MaxDocketLen, false, false)
	}
}

// count reports a list longer than max.
func (v *validator) count(path string, n, max int) {
	if n > max {
		v.addf(path, "at most %d allowed, got %d", max, n)
	}
}

// text checks a free-text field: present if required, valid UTF-8, no control
// characters (tab and newline allowed only in multiline text), at most max
// characters. Its value is never echoed: it may be personal data.
func (v *validator) text(path, s string, max int, required, multiline bool) {
	if s == "" {
		if required {
			v.add(path, "required")
		}
		return
	}
	if !utf8.ValidString(s) {
		v.add(path, "not valid UTF-8")
		return
	}
	if hasControl(s, multiline) {
		v.add(path, "contains a control character")
	}
	if n := utf8.RuneCountInString(s); n > max {
		v.addf(path, "longer than %d characters", max)
	}
}

// hasControl reports whether s holds a C0 or C1 control character or DEL;
// multiline text may hold tabs and newlines.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if multiline && (r == '\t' || r == '\n') {
			continue
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

func (v *validator) name(path string, n *Name) {
	v.text(path+".first", n.First, MaxNameLen, true, false)
	v.text(path+".middle", n.Middle, MaxNameLen, false, false)
	v.text(path+".last", n.Last, MaxNameLen, true, false)
	v.text(path+".suffix", n.Suffix, MaxNameLen, false, false)
}

func (v *validator) address(path string, a *Address) {
	v.text(path+".line1", a.Line1, MaxAddressLineLen, true, false)
	v.text(path+".line2", a.Line2, MaxAddressLineLen, false, false)
	v.text(path+".city", a.City, MaxAddressLineLen, true, false)
	v.postalState(path+".state", a.State, true)
	switch {
	case a.Zip == "":
		v.add(path+".zip", "required")
	case !zipRe.MatchString(a.Zip):
		v.add(path+".zip", "must be 5 digits or ZIP+4 (12345-6789)")
	}
}

func (v *validator) postalState(path, s string, required bool) {
	if s == "" {
		if required {
			v.add(path, "required")
		}
		return
	}
	if _, ok := PostalState[s]; !ok {
		v.addf(path, "not a known state postal abbreviation: %s", quoteCode(s))
	}
}

// fips checks a FIPS code and reports whether it is present and valid.
func (v *validator) fips(path string, f FIPS, required bool) bool {
	switch {
	case f == "":
		if required {
			v.add(path, "required")
		}
		return false
	case !f.Valid():
		v.add(path, "not a FIPS code (7 digits beginning with a known state code)")
		return false
	}
	return true
}

func (v *validator) messageID(path, id string, required bool) {
	switch {
	case id == "":
		if required {
			v.add(path, "required")
		}
	case utf8.RuneCountInString(id) > MaxMessageIDLen:
		v.addf(path, "longer than %d characters", MaxMessageIDLen)
	case !messageIDRe.MatchString(id):
		v.add(path, "may hold only letters, digits and . _ : -")
	}
}

func (v *validator) caseID(path, id string, required bool) {
	switch {
	case id == "":
		if required {
			v.add(path, "required")
		}
	case utf8.RuneCountInString(id) > MaxCaseIDLen:
		v.addf(path, "longer than %d characters", MaxCaseIDLen)
	case !caseIDRe.MatchString(id):
		v.add(path, "must be printable ASCII without leading or trailing spaces")
	}
}

// ssn checks an optional SSN and reports whether it is present and valid.
func (v *validator) ssn(path string, s SSN) bool {
	if s == "" {
		return false
	}
	if !s.Valid() {
		v.add(path, "not a valid SSN (9 digits; no area 000, 666 or 900-999, group 00 or serial 0000)")
		return false
	}
	return true
}

// date checks a date and reports whether it is present and valid. A date that
// cannot lie in the future (birth, issue, payment) may be at most one day after
// the transaction date, which absorbs the sender's time zone.
func (v *validator) date(path string, d Date, required, notFuture bool) bool {
	switch {
	case d.IsZero():
		if required {
			v.add(path, "required")
		}
		return false
	case !d.Valid():
		v.add(path, "not a valid date (YYYY-MM-DD, years 1800 to 2999)")
		return false
	}
	if notFuture && v.txDate != nil && d.After(v.txDate.AddDays(1)) {
		v.add(path, "after the transaction date")
	}
	return true
}

func (v *validator) cents(path string, c, min Cents) {
	if c < min || c > MaxCents {
		v.addf(path, "must be from %d to %d cents", int64(min), int64(MaxCents))
	}
}

// code checks a coded value against its list and reports whether it is
// present and known.
func code[T ~string](v *validator, path string, c T, valid []T, required bool) bool {
	switch {
	case c == "":
		if required {
			v.add(path, "required")
		}
		return false
	case !oneOf(c, valid):
		v.addf(path, "unknown code %s", quoteCode(string(c)))
		return false
	}
	return true
}

// quoteCode quotes a short coded value for an error reason, cut to 16
// characters so that a hostile value cannot bloat the answer.
func quoteCode(s string) string {
	r := []rune(s)
	if len(r) > 16 {
		return strconv.Quote(string(r[:16])) + "..."
	}
	return strconv.Quote(s)
}
