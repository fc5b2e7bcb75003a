// Package validate checks canonical transactions: every rule of the model,
// the table of function, action and reason combinations (the federal seed
// merged with an operator's), and the federal per-transaction edits of the
// CSENet requirements table. Reasons name the field by its canonical path
// and never repeat an SSN or a date of birth.
package validate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

var (
	messageIDRe = regexp.MustCompile(messageIDPattern)
	caseIDRe    = regexp.MustCompile(caseIDPattern)
	zipRe       = regexp.MustCompile(zipPattern)
	phoneRe     = regexp.MustCompile(phonePattern)
	emailRe     = regexp.MustCompile(emailPattern)
	einRe       = regexp.MustCompile(einPattern)
)

// Transaction checks t against every rule of the canonical model and the seed
// table of transaction codes, and returns every problem found, each with the
// canonical path of the field (orders[1].frequency). It returns nil when t is
// valid. Reasons never repeat an SSN or a date of birth, so they may be sent
// back to the partner and logged.
func Transaction(t *canonical.Transaction) canonical.FieldErrors { return With(t, nil) }

// Model checks the model's rules and the combination table but not
// the federal per-transaction edits: what the gateway can check of an answer
// it builds before the agency's contact is configured (the edits require it).
func Model(t *canonical.Transaction) canonical.FieldErrors {
	if t == nil {
		return canonical.FieldErrors{{Path: "", Reason: "no transaction"}}
	}
	c := *t
	canonical.MarkLegacy(&c)
	return With(&c, nil)
}

// With is Transaction with the combination table c, typically the seed
// merged with the operator's extensions; nil means the seed table.
func With(t *canonical.Transaction, c *Combos) canonical.FieldErrors {
	if c == nil {
		c = seedCombos()
	}
	if t == nil {
		return canonical.FieldErrors{{Path: "", Reason: "no transaction"}}
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
		v.information("information", t.Information)
	}
	if !t.Legacy() {
		v.requirements(t)
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

type validator struct {
	combos *Combos
	errs   canonical.FieldErrors
	// txDate is the header's transaction date when it is valid; dates that
	// cannot lie in the future are checked against it.
	txDate *canonical.Date
}

func (v *validator) add(path, reason string) {
	v.errs = append(v.errs, canonical.FieldError{Path: path, Reason: reason})
}

func (v *validator) addf(path, format string, args ...any) {
	v.add(path, fmt.Sprintf(format, args...))
}

func (v *validator) header(h *canonical.Header) {
	senderOK := v.fips("header.senderFips", h.SenderFIPS, true)
	receiverOK := v.fips("header.receiverFips", h.ReceiverFIPS, true)
	// Interstate transactions go between states; two offices of one state
	// exchange cases inside that state's own system, not through this gateway.
	if senderOK && receiverOK && h.SenderFIPS.State() == h.ReceiverFIPS.State() {
		v.add("header.receiverFips", "same state as senderFips")
	}
	v.messageID("header.messageId", h.MessageID, true)
	v.text("header.errorReason", h.ErrorReason, 2, false, false)
	v.text("header.transactionType", h.TransactionType, 2, false, false)
	v.optDate("header.attachmentsDueDate", h.AttachmentsDueDate)
	if hf := h.Host; hf != nil {
		v.optDate("header.host.dateReceived", hf.DateReceived)
		v.digits("header.host.timeReceived", hf.TimeReceived, 6, 6)
		v.text("header.host.processingComplete", hf.ProcessingComplete, 1, false, false)
		v.text("header.host.sentToStateHost", hf.SentToStateHost, 1, false, false)
		v.text("header.host.formsPrinted", hf.FormsPrinted, 1, false, false)
	}
	if h.Serial < 1 || h.Serial > canonical.MaxSerial {
		v.addf("header.serial", "must be from 1 to %d", int64(canonical.MaxSerial))
	}
	if v.date("header.transactionDate", h.TransactionDate, true, false) {
		d := h.TransactionDate
		v.txDate = &d
	}
	v.caseID("header.senderCaseId", h.SenderCaseID, true)
	v.caseID("header.receiverCaseId", h.ReceiverCaseID, false)
	fOK := code(v, "header.function", h.Function, canonical.FunctionCodes, true)
	aOK := code(v, "header.action", h.Action, canonical.ActionCodes, true)
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

func (v *validator) caseBlock(path string, c *canonical.Case) {
	// Case type and status are required by the layout and by every
	// combination that carries a case block.
	code(v, path+".type", c.Type, canonical.CaseTypes, true)
	code(v, path+".status", c.Status, canonical.CaseStatuses, true)
	if c.PaymentAddress != nil {
		v.address(path+".paymentAddress", c.PaymentAddress)
	}
	if c.Contact != nil {
		v.contact(path+".contact", c.Contact)
	}
	v.text(path+".initiatingDocket", c.InitiatingDocket, canonical.MaxDocketLen, false, false)
	v.text(path+".respondingDocket", c.RespondingDocket, canonical.MaxDocketLen, false, false)
	v.digits(path+".paymentBankAccount", c.PaymentBankAccount, 1, 20)
	v.digits(path+".paymentRoutingCode", c.PaymentRoutingCode, 1, 10)
	if c.CEJState != "" {
		if _, ok := canonical.StatePostal[c.CEJState]; !ok {
			v.addf(path+".cejState", "not a known 2-digit state FIPS code: %s", quoteCode(c.CEJState))
		}
	}
	v.fips(path+".paymentFips", c.PaymentFIPS, false)
}

func (v *validator) contact(path string, c *canonical.Contact) {
	if c.Name != nil {
		v.name(path+".name", c.Name, false)
	}
	if c.Address != nil {
		v.address(path+".address", c.Address)
	}
	v.phone(path+".phone", c.Phone)
	v.text(path+".phoneExtension", c.PhoneExtension, 6, false, false)
	v.phone(path+".fax", c.Fax)
	if c.Email != "" {
		if utf8.RuneCountInString(c.Email) > canonical.MaxEmailLen {
			v.addf(path+".email", "longer than %d characters", canonical.MaxEmailLen)
		} else if !emailRe.MatchString(c.Email) {
			v.add(path+".email", "not an email address")
		}
	}
}

func (v *validator) ncp(path string, n *canonical.NCPIdentification) {
	v.name(path+".name", &n.Name, true)
	v.ssn(path+".ssn", n.SSN)
	if n.DateOfBirth != nil {
		v.date(path+".dateOfBirth", *n.DateOfBirth, true, true)
	}
	code(v, path+".race", n.Race, canonical.Races, false)
	code(v, path+".sex", n.Sex, canonical.Sexes, false)
	v.text(path+".birthPlace", n.BirthPlace, 15, false, false)
	v.between(path+".heightFeet", n.HeightFeet, 0, 9)
	v.between(path+".heightInches", n.HeightInch, 0, 11)
	v.between(path+".weightPounds", n.WeightLbs, 0, 999)
	code(v, path+".hairColor", n.HairColor, canonical.HairColors, false)
	code(v, path+".eyeColor", n.EyeColor, canonical.EyeColors, false)
	v.text(path+".distinguishingMarks", n.DistinguishingMarks, 20, false, false)
	v.count(path+".aliasSsns", len(n.AliasSSNs), canonical.MaxAliasSSNs)
	for i, s := range n.AliasSSNs {
		p := fmt.Sprintf("%s.aliasSsns[%d]", path, i)
		if s == "" {
			v.add(p, "required")
		}
		v.ssn(p, s)
	}
	v.text(path+".maidenName", n.MaidenName, canonical.MaxNameLen, false, false)
	v.text(path+".mothersMaidenOrFathersName", n.MothersMaidenOrFathersName, canonical.MaxNameLen, false, false)
}

func (v *validator) locate(path string, l *canonical.NCPLocate) {
	v.locatedAddress(path+".residential", l.Residential)
	v.locatedAddress(path+".mailing", l.Mailing)
	v.phone(path+".homePhone", l.HomePhone)
	v.phone(path+".workPhone", l.WorkPhone)
	v.postalState(path+".driversLicenseState", l.DriversLicenseState, l.DriversLicense != "")
	v.text(path+".driversLicense", l.DriversLicense, 20, false, false)
	v.count(path+".aliases", len(l.Aliases), canonical.MaxAliases)
	for i := range l.Aliases {
		v.name(fmt.Sprintf("%s.aliases[%d]", path, i), &l.Aliases[i], true)
	}
	if l.Spouse != nil {
		v.name(path+".spouse", l.Spouse, false)
	}
	v.text(path+".occupation", l.Occupation, 32, false, false)
	v.count(path+".employers", len(l.Employers), canonical.MaxEmployers)
	for i := range l.Employers {
		v.employer(fmt.Sprintf("%s.employers[%d]", path, i), &l.Employers[i], true)
	}
	v.text(path+".insuranceCarrier", l.InsuranceCarrier, 36, false, false)
	v.text(path+".insurancePolicy", l.InsurancePolicy, 20, false, false)
	if l.LastResidential != nil {
		v.address(path+".lastResidential", l.LastResidential)
	}
	if l.LastResidentialDate != nil {
		v.date(path+".lastResidentialDate", *l.LastResidentialDate, true, true)
	}
	if l.LastMailing != nil {
		v.address(path+".lastMailing", l.LastMailing)
	}
	if l.LastMailingDate != nil {
		v.date(path+".lastMailingDate", *l.LastMailingDate, true, true)
	}
	if e := l.LastEmployer; e != nil {
		p := path + ".lastEmployer"
		v.text(p+".name", e.Name, canonical.MaxEmployerNameLen, true, false)
		v.optDate(p+".date", e.Date)
		if e.Address != nil {
			v.address(p+".address", e.Address)
		}
		v.optDate(p+".effectiveDate", e.EffectiveDate)
	}
	v.text(path+".professionalLicenses", l.ProfessionalLicenses, 50, false, false)
}

func (v *validator) locatedAddress(path string, a *canonical.LocatedAddress) {
	if a == nil {
		return
	}
	v.address(path+".address", &a.Address)
	v.optDate(path+".effectiveDate", a.EffectiveDate)
	v.optDate(path+".endDate", a.EndDate)
	code(v, path+".confirmed", a.Confirmed, canonical.AddressConfirmations, false)
}

// employer checks an employer; full is false for a participant's employer,
// which has only a name, an address and an EIN in the layout.
func (v *validator) employer(p string, e *canonical.Employer, full bool) {
	if e.EIN != "" && !einRe.MatchString(e.EIN) {
		v.add(p+".ein", "must be 9 digits")
	}
	v.text(p+".name", e.Name, canonical.MaxEmployerNameLen, true, false)
	if e.Address != nil {
		v.address(p+".address", e.Address)
	}
	if !full {
		for _, f := range []struct {
			name string
			set  bool
		}{{"phone", e.Phone != ""}, {"effectiveDate", e.EffectiveDate != nil}, {"endDate", e.EndDate != nil},
			{"confirmed", e.Confirmed != ""}, {"wage", e.Wage != nil}} {
			if f.set {
				v.add(p+"."+f.name, "a participant's employer has no such field in the CSENet participant block")
			}
		}
		return
	}
	v.phone(p+".phone", e.Phone)
	v.optDate(p+".effectiveDate", e.EffectiveDate)
	v.optDate(p+".endDate", e.EndDate)
	code(v, p+".confirmed", e.Confirmed, canonical.YesNos, false)
	if w := e.Wage; w != nil {
		v.between(p+".wage.quarter", w.Quarter, 1, 4)
		v.between(p+".wage.year", w.Year, 1900, 2999)
		v.cents(p+".wage.amountCents", w.Amount, 0)
	}
}

func (v *validator) participants(t *canonical.Transaction) {
	v.count("participants", len(t.Participants), canonical.MaxBlocks)
	// seen maps an SSN to the first participant that carries it; the values
	// are compared, never reported.
	seen := make(map[canonical.SSN]int, len(t.Participants))
	for i := range t.Participants {
		p := &t.Participants[i]
		path := fmt.Sprintf("participants[%d]", i)
		v.name(path+".name", &p.Name, true)
		if v.ssn(path+".ssn", p.SSN) {
			switch first, dup := seen[p.SSN]; {
			case t.NCP != nil && t.NCP.SSN == p.SSN && p.Relationship != canonical.RelNCP:
				v.add(path+".ssn", "same SSN as the NCP, but the participant is not the NCP (relationship A)")
			case dup:
				v.addf(path+".ssn", "same SSN as participants[%d]", first)
			default:
				seen[p.SSN] = i
			}
		}
		if p.DateOfBirth != nil {
			v.date(path+".dateOfBirth", *p.DateOfBirth, true, true)
		}
		code(v, path+".sex", p.Sex, canonical.Sexes, false)
		code(v, path+".race", p.Race, canonical.Races, false)
		code(v, path+".relationship", p.Relationship, canonical.Relationships, true)
		code(v, path+".status", p.Status, canonical.ParticipantStatuses, false)
		code(v, path+".relationToCp", p.RelationToCP, canonical.DependentRelations, false)
		if p.Address != nil {
			v.address(path+".address", p.Address)
		}
		if p.Employer != nil {
			v.employer(path+".employer", p.Employer, false)
		}
		v.optDate(path+".addressConfirmedDate", p.AddressConfirmedDate)
		v.optDate(path+".employerConfirmedDate", p.EmployerConfirmedDate)
		v.phone(path+".workPhone", p.WorkPhone)
		v.text(path+".birthPlace", p.BirthPlace, 25, false, false)
		code(v, path+".paternityStatus", p.PaternityStatus, canonical.PaternityStatuses, false)
		v.postalState(path+".residenceState", p.ResidenceState, false)
	}
}

func (v *validator) orders(t *canonical.Transaction) {
	v.count("orders", len(t.Orders), canonical.MaxBlocks)
	for i := range t.Orders {
		o := &t.Orders[i]
		path := fmt.Sprintf("orders[%d]", i)
		v.fips(path+".tribunalFips", o.TribunalFIPS, true)
		v.text(path+".docket", o.Docket, canonical.MaxDocketLen, true, false)
		v.date(path+".issueDate", o.IssueDate, true, true)
		code(v, path+".type", o.Type, canonical.OrderTypes, false)
		code(v, path+".debtType", o.DebtType, canonical.DebtTypes, true)
		code(v, path+".frequency", o.Frequency, canonical.Frequencies, true)
		v.cents(path+".amountCents", o.Amount, 0)
		if o.EffectiveDate != nil {
			// An order may take effect before it is issued (back to the
			// filing date) or later, so only the date itself is checked.
			v.date(path+".effectiveDate", *o.EffectiveDate, true, false)
		}
		v.optDate(path+".endDate", o.EndDate)
		v.optDate(path+".cancelDate", o.CancelDate)
		code(v, path+".arrearsFrequency", o.ArrearsFrequency, canonical.Frequencies, false)
		v.cents(path+".arrearsAmountCents", o.ArrearsAmount, 0)
		// A negative total is an overpayment, which the layout allows.
		v.cents(path+".arrearsCents", o.Arrears, -canonical.MaxCents)
		if o.ArrearsAsOf != nil {
			v.date(path+".arrearsAsOf", *o.ArrearsAsOf, true, true)
		}
		v.arrearsPeriod(path+".arrearsTanf", o.ArrearsTANF)
		v.arrearsPeriod(path+".arrearsNonTanf", o.ArrearsNonTANF)
		v.arrearsPeriod(path+".fosterCare", o.FosterCare)
		v.arrearsPeriod(path+".medical", o.Medical)
		code(v, path+".medicalOrdered", o.MedicalOrdered, canonical.YesNos, false)
		v.text(path+".tribunalCaseNumber", o.TribunalCaseNumber, canonical.MaxDocketLen, false, false)
		v.optDate(path+".lastPaymentDate", o.LastPaymentDate)
		code(v, path+".controllingFlag", o.ControllingFlag, canonical.ControllingFlags, false)
		v.text(path+".docketNumber", o.DocketNumber, canonical.MaxDocketLen, false, false)
		v.orderChildren(path, o, t.Participants)
	}
}

func (v *validator) arrearsPeriod(path string, a *canonical.ArrearsPeriod) {
	if a == nil {
		return
	}
	v.optDate(path+".from", a.From)
	v.optDate(path+".thru", a.Thru)
	if a.From != nil && a.Thru != nil && a.From.Valid() && a.Thru.Valid() && a.Thru.Before(*a.From) {
		v.add(path+".thru", "before from")
	}
	v.cents(path+".amountCents", a.Amount, -canonical.MaxCents)
}

func (v *validator) orderChildren(path string, o *canonical.Order, ps []canonical.Participant) {
	v.count(path+".children", len(o.Children), canonical.MaxBlocks)
	listed := make(map[int]bool, len(o.Children))
	for j, idx := range o.Children {
		p := fmt.Sprintf("%s.children[%d]", path, j)
		switch {
		case idx < 0 || idx >= len(ps):
			v.addf(p, "no participant %d", idx)
		case ps[idx].Relationship != canonical.RelChild:
			v.addf(p, "participant %d is not a dependent (relationship %s)", idx, quoteCode(string(ps[idx].Relationship)))
		case listed[idx]:
			v.addf(p, "participant %d listed twice", idx)
		}
		listed[idx] = true
	}
}

func (v *validator) collections(cs []canonical.Collection) {
	v.count("collections", len(cs), canonical.MaxBlocks)
	for i := range cs {
		c := &cs[i]
		path := fmt.Sprintf("collections[%d]", i)
		v.date(path+".date", c.Date, true, true)
		v.optDate(path+".postingDate", c.PostingDate)
		// A negative amount is a reversal or adjustment of an earlier collection.
		v.cents(path+".amountCents", c.Amount, -canonical.MaxCents)
		if c.Amount == 0 {
			v.add(path+".amountCents", "must not be 0")
		}
		code(v, path+".source", c.Source, canonical.CollectionSources, true)
		code(v, path+".method", c.Method, canonical.PaymentMethods, false)
		v.text(path+".rdfiId", c.RDFIID, 20, false, false)
		v.text(path+".rdfiAccount", c.RDFIAccount, 20, false, false)
		v.text(path+".docket", c.Docket, canonical.MaxDocketLen, false, false)
	}
}

func (v *validator) information(path string, in *canonical.Information) {
	code(v, path+".statusChange", in.StatusChange, canonical.CaseStatuses, false)
	v.caseID(path+".newCaseId", in.NewCaseID, false)
	v.text(path+".text", in.Text, canonical.MaxTextLen, false, true)
	lines := strings.Split(in.Text, "\n")
	if len(lines) > canonical.MaxInfoLines {
		v.addf(path+".text", "more than %d lines", canonical.MaxInfoLines)
	}
	for i, l := range lines {
		if utf8.RuneCountInString(l) > canonical.MaxInfoLineLen {
			v.addf(path+".text", "line %d is longer than %d characters", i+1, canonical.MaxInfoLineLen)
			break
		}
	}
}

func (v *validator) optDate(path string, d *canonical.Date) {
	if d != nil {
		v.date(path, *d, true, false)
	}
}

func (v *validator) between(path string, n, lo, hi int) {
	if n != 0 && (n < lo || n > hi) {
		v.addf(path, "must be from %d to %d", lo, hi)
	}
}

// digits checks an optional all-digit field of min to max digits.
func (v *validator) digits(path, s string, lo, hi int) {
	if s == "" {
		return
	}
	if canonical.DigitsOnly(s) != s || len(s) < lo || len(s) > hi {
		if lo == hi {
			v.addf(path, "must be %d digits", hi)
		} else {
			v.addf(path, "must be %d to %d digits", lo, hi)
		}
	}
}

func (v *validator) phone(path, s string) {
	if s != "" && !phoneRe.MatchString(s) {
		v.add(path, "must be 10 digits (area code and number)")
	}
}

// count reports a list longer than max.
func (v *validator) count(path string, n, max int) {
	if n > max {
		v.addf(path, "at most %d allowed, got %d", max, n)
	}
}

// absent reports whether a field is empty, noting it when it is required.
func (v *validator) absent(path string, empty, required bool) bool {
	if empty && required {
		v.add(path, "required")
	}
	return empty
}

// text checks a free-text field: present if required, valid UTF-8, no control
// characters (tab and newline allowed only in multiline text), at most max
// characters. Its value is never echoed: it may be personal data.
func (v *validator) text(path, s string, max int, required, multiline bool) {
	if v.absent(path, s == "", required) {
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

// name checks a name against the layout's lengths; required says the first
// and last names must be present.
func (v *validator) name(path string, n *canonical.Name, required bool) {
	v.text(path+".first", n.First, canonical.MaxFirstNameLen, required, false)
	v.text(path+".middle", n.Middle, canonical.MaxMiddleNameLen, false, false)
	v.text(path+".last", n.Last, canonical.MaxNameLen, required, false)
	v.text(path+".suffix", n.Suffix, canonical.MaxSuffixLen, false, false)
}

func (v *validator) address(path string, a *canonical.Address) {
	// Only the first line is required: a partial address (confirmation P)
	// is still worth passing on.
	v.text(path+".line1", a.Line1, canonical.MaxAddressLineLen, true, false)
	v.text(path+".line2", a.Line2, canonical.MaxAddressLineLen, false, false)
	v.text(path+".city", a.City, canonical.MaxCityLen, false, false)
	v.postalState(path+".state", a.State, false)
	if a.Zip != "" && !zipRe.MatchString(a.Zip) {
		v.add(path+".zip", "must be 5 digits or ZIP+4 (12345-6789)")
	}
}

func (v *validator) postalState(path, s string, required bool) {
	if v.absent(path, s == "", required) {
		return
	}
	if _, ok := canonical.PostalState[s]; !ok {
		v.addf(path, "not a known state postal abbreviation: %s", quoteCode(s))
	}
}

// fips checks a FIPS code and reports whether it is present and valid.
func (v *validator) fips(path string, f canonical.FIPS, required bool) bool {
	switch {
	case v.absent(path, f == "", required):
		return false
	case !f.Valid():
		v.add(path, "not a FIPS code (state and county, 5 digits beginning with a known state code, then an optional 2-character sub-office)")
		return false
	}
	return true
}

// identifier is the grammar of an identifier field: how long it may be, its
// pattern, and what the pattern asks for in a sender's words.
type identifier struct {
	max  int
	re   *regexp.Regexp
	rule string
}

var (
	messageIDs = identifier{canonical.MaxMessageIDLen, messageIDRe, "may hold only letters, digits and . _ : -"}
	caseIDs    = identifier{canonical.MaxCaseIDLen, caseIDRe, "must be printable ASCII without leading or trailing spaces"}
)

func (v *validator) messageID(path, id string, required bool) {
	v.identifier(path, id, required, messageIDs)
}

func (v *validator) caseID(path, id string, required bool) { v.identifier(path, id, required, caseIDs) }

func (v *validator) identifier(path, id string, required bool, g identifier) {
	switch {
	case v.absent(path, id == "", required):
	case utf8.RuneCountInString(id) > g.max:
		v.addf(path, "longer than %d characters", g.max)
	case !g.re.MatchString(id):
		v.add(path, g.rule)
	}
}

// ssn checks an optional SSN and reports whether it is present and valid.
func (v *validator) ssn(path string, s canonical.SSN) bool {
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
func (v *validator) date(path string, d canonical.Date, required, notFuture bool) bool {
	switch {
	case v.absent(path, d.IsZero(), required):
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

func (v *validator) cents(path string, c, min canonical.Cents) {
	if c < min || c > canonical.MaxCents {
		v.addf(path, "must be from %d to %d cents", int64(min), int64(canonical.MaxCents))
	}
}

// code checks a coded value against its list and reports whether it is
// present and known.
func code[T ~string](v *validator, path string, c T, valid []T, required bool) bool {
	switch {
	case v.absent(path, c == "", required):
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

func oneOf[T ~string](v T, valid []T) bool {
	for _, x := range valid {
		if v == x {
			return true
		}
	}
	return false
}
