package csenet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// writer lays one block's model values into layout fields, collecting what
// cannot be written with the model path and the record place.
type writer struct {
	v     fixedwidth.Values
	path  string // canonical path of the block: "orders[0]"
	place string // record place of the block: "order[1]"
	errs  *canonical.FieldErrors
}

func newWriter(path, place string, errs *canonical.FieldErrors) writer {
	return writer{v: fixedwidth.Values{}, path: path, place: place, errs: errs}
}

func (w writer) fail(field, sub, reason string) {
	*w.errs = append(*w.errs, canonical.FieldError{Path: w.path + "." + sub, PartnerPath: w.place + "." + field, Reason: reason})
}

func (w writer) s(name, v string) {
	if v != "" {
		w.v[name] = v
	}
}

func (w writer) flag(name string, b bool) {
	if b {
		w.v[name] = "Y"
	}
}

func (w writer) num(name, sub string, n int) {
	switch {
	case n < 0:
		w.fail(name, sub, fmt.Sprintf("%d is negative; the field holds digits only", n))
	case n > 0:
		w.v[name] = strconv.Itoa(n)
	}
}

func (w writer) date(name string, d *canonical.Date) {
	if d != nil {
		w.day(name, *d)
	}
}

func (w writer) day(name string, d canonical.Date) {
	if !d.IsZero() {
		w.v[name] = fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
	}
}

// amount writes an amount field; see amount.go for the encoding.
func (w writer) amount(name, sub string, c canonical.Cents) {
	s, err := encodeAmount(c, amountWidth)
	if err != nil {
		w.fail(name, sub, err.Error())
		return
	}
	w.v[name] = s
}

// amountWidth is the width of every CSENet amount field (the layout's
// 12-column numeric amounts); the engine checks the table agrees.
const amountWidth = 12

func (w writer) fips(state, county, sub, path string, f canonical.FIPS) {
	if f == "" {
		return
	}
	if len(f) < 2 || len(f) > 7 {
		w.fail(state, path, fmt.Sprintf("%q is not a FIPS code of 2 to 7 characters (state, county, office)", string(f)))
		return
	}
	s := pad(string(f), 7)
	w.s(state, strings.TrimRight(s[:2], " "))
	w.s(county, strings.TrimRight(s[2:5], " "))
	w.s(sub, strings.TrimRight(s[5:], " "))
}

func (w writer) name(last, first, middle, suffix string, n canonical.Name) {
	w.s(last, n.Last)
	w.s(first, n.First)
	w.s(middle, n.Middle)
	w.s(suffix, n.Suffix)
}

func (w writer) address(line1, line2, city, state, zip1, zip2 string, a *canonical.Address) {
	if a == nil {
		return
	}
	w.s(line1, a.Line1)
	w.s(line2, a.Line2)
	w.s(city, a.City)
	w.s(state, a.State)
	z1, z2, _ := strings.Cut(a.Zip, "-")
	w.s(zip1, z1)
	w.s(zip2, z2)
}

func encodeHeader(w writer, h canonical.Header) {
	w.fips("Local-FIPS-State", "Local-FIPS-County", "Local-FIPS-Sub", "senderFips", h.SenderFIPS)
	w.fips("Other-FIPS-State", "Other-FIPS-County", "Other-FIPS-Sub", "receiverFips", h.ReceiverFIPS)
	w.s("CSENet-Version-Number", version)
	if h.Serial < 0 {
		w.fail("Transaction-Serial-Number", "serial", "negative")
	} else {
		w.v["Transaction-Serial-Number"] = strconv.FormatInt(h.Serial, 10)
	}
	w.s("Error-Reason-Code", h.ErrorReason)
	w.s("Transaction-Type", h.TransactionType)
	w.s("Action-Code", string(h.Action))
	w.s("Functional-Type-Code", string(h.Function))
	w.day("Transaction-Date", h.TransactionDate)
	w.s("Case-ID", h.SenderCaseID)
	w.s("Other-Case-ID", h.ReceiverCaseID)
	w.s("Action-Reason", string(h.Reason))
	w.date("Action-Resolution-Date", h.ResolutionDate)
	if h.Attachments {
		w.v["Attachments-Ind."] = "Y"
	} else {
		w.v["Attachments-Ind."] = "N"
	}
	w.date("Attachments-Due-Date", h.AttachmentsDueDate)
	if host := h.Host; host != nil {
		w.date("Date-Received", host.DateReceived)
		w.s("Time-Received", host.TimeReceived)
		w.s("Processing-Complete", host.ProcessingComplete)
		w.s("Sent-To-State-Host", host.SentToStateHost)
		w.s("Interstate-Forms-Printed", host.FormsPrinted)
	}
}

// version is the only CSENet-Version-Number of CSENet 2000.
const version = "003"

func encodeCase(w writer, c *canonical.Case) {
	w.s("Case-Type", string(c.Type))
	w.s("Case-Status", string(c.Status))
	w.address("Payment-Mail-Address-Line-1", "Payment-Mail-Address-Line-2", "Payment-City", "Payment-State", "Payment-Zip-1", "Payment-Zip-2", c.PaymentAddress)
	if ct := c.Contact; ct != nil {
		if ct.Name != nil {
			w.name("Contact-Name-Last", "Contact-Name-First", "Contact-Name-Middle", "Contact-Name-Suffix", *ct.Name)
		}
		w.address("Contact-Address-Line-1", "Contact-Address-Line-2", "Contact-City", "Contact-State", "Contact-Zip-1", "Contact-Zip-2", ct.Address)
		w.s("Contact-Phone-Num.", ct.Phone)
		w.s("Phone-Extension", ct.PhoneExtension)
		w.s("Fax", ct.Fax)
		w.s("Internet-Address", ct.Email)
	}
	w.s("Responding-Docket-Num.", c.RespondingDocket)
	w.s("Initiating-Docket-Num.", c.InitiatingDocket)
	w.s("Send-Payments-Bank-Account", c.PaymentBankAccount)
	w.s("Send-Payments-Routing-Code", c.PaymentRoutingCode)
	w.s("State-With-CEJ", c.CEJState)
	w.fips("Payment-FIPS-State", "Payment-FIPS-County", "Payment-FIPS-Sub", "paymentFips", c.PaymentFIPS)
	w.flag("Nondisclosure-Finding", c.Nondisclosure)
}

func encodeNCPID(w writer, n *canonical.NCPIdentification) {
	w.name("Name-Last", "Name-First", "Name-Middle", "Name-Suffix", n.Name)
	w.s("SSN", n.SSN.Digits())
	w.date("Date-Of-Birth", n.DateOfBirth)
	w.s("Race", string(n.Race))
	w.s("Gender", string(n.Sex))
	w.s("Place-Of-Birth", n.BirthPlace)
	w.num("Height-Ft.", "heightFeet", n.HeightFeet)
	w.num("Height-In.", "heightInches", n.HeightInch)
	w.num("Weight", "weightPounds", n.WeightLbs)
	w.s("Hair-Color", string(n.HairColor))
	w.s("Eye-Color", string(n.EyeColor))
	w.s("Distinguishing-Marks", n.DistinguishingMarks)
	if len(n.AliasSSNs) > 2 {
		w.fail("Alias-SSN-1", "aliasSsns", fmt.Sprintf("%d alias SSNs; the block holds 2", len(n.AliasSSNs)))
	}
	for i, s := range n.AliasSSNs {
		if i < 2 {
			w.s("Alias-SSN-"+strconv.Itoa(i+1), s.Digits())
		}
	}
	w.flag("Possibly-Dangerous", n.PossiblyDangerous)
	w.s("Maiden-Name", n.MaidenName)
	w.s("Mother's-Maiden-Or-Father's-Name", n.MothersMaidenOrFathersName)
}

func (w writer) located(prefix string, la *canonical.LocatedAddress) {
	if la == nil {
		return
	}
	w.address(prefix+"-Address-Line-1", prefix+"-Address-Line-2", prefix+"-City", prefix+"-State", prefix+"-Zip-1", prefix+"-Zip-2", &la.Address)
	w.date(prefix+"-Address-Effective-Date", la.EffectiveDate)
	w.date(prefix+"-Address-End-Date", la.EndDate)
	w.s(prefix+"-Address-Confirmed-Ind.", string(la.Confirmed))
}

func (w writer) employer(e, wage, sub string, emp canonical.Employer) {
	w.s(e+"-EIN", emp.EIN)
	w.s(e+"-Name", emp.Name)
	w.address(e+"-Address-Line-1", e+"-Address-Line-2", e+"-City", e+"-State", e+"-Zip-1", e+"-Zip-2", emp.Address)
	w.s(e+"-Phone-Num.", emp.Phone)
	w.date(e+"-Effective-Date", emp.EffectiveDate)
	w.date(e+"-End-Date", emp.EndDate)
	w.s(e+"-Confirmed-Ind.", string(emp.Confirmed))
	if emp.Wage != nil {
		w.num(wage+"-Qtr", sub+".wage.quarter", emp.Wage.Quarter)
		w.num(wage+"-Year", sub+".wage.year", emp.Wage.Year)
		w.amount(wage+"-Amount", sub+".wage.amountCents", emp.Wage.Amount)
	}
}

func encodeNCPLocate(w writer, l *canonical.NCPLocate) {
	w.located("Residential", l.Residential)
	w.located("Mailing", l.Mailing)
	w.s("Home-Phone-Num.", l.HomePhone)
	w.s("Work-Phone-Num.", l.WorkPhone)
	w.s("Drivers-License-State", l.DriversLicenseState)
	w.s("Drivers-License-Num.", l.DriversLicense)
	if len(l.Aliases) > 3 {
		w.fail("Alias-1-Last", "aliases", fmt.Sprintf("%d aliases; the block holds 3", len(l.Aliases)))
	}
	for i, a := range l.Aliases {
		if i < 3 {
			p := "Alias-" + strconv.Itoa(i+1) + "-"
			w.name(p+"Last", p+"First", p+"Middle", p+"Suffix", a)
		}
	}
	if l.Spouse != nil {
		w.name("Spouse-Name-Last", "Spouse-Name-First", "Spouse-Name-Middle", "Spouse-Name-Suffix", *l.Spouse)
	}
	w.s("Occupation", l.Occupation)
	if len(l.Employers) > canonical.MaxEmployers {
		w.fail("Employer-Name", "employers", fmt.Sprintf("%d employers; the block holds %d", len(l.Employers), canonical.MaxEmployers))
	}
	for i, e := range l.Employers {
		switch i {
		case 0:
			w.employer("Employer", "Wage", "employers[0]", e)
		case 1:
			w.employer("Employer2", "Wage2", "employers[1]", e)
		case 2:
			w.employer("Employer3", "Wage3", "employers[2]", e)
		}
	}
	w.s("Insurance-Carrier-Name", l.InsuranceCarrier)
	w.s("Insurance-Policy-Num.", l.InsurancePolicy)
	w.address("Last-Res.-Address-Line-1", "Last-Res.-Address-Line-2", "Last-Res.-City", "Last-Res.-State", "Last-Res.-Zip-1", "Last-Res.-Zip-2", l.LastResidential)
	w.date("Last-Res.-Address-Date", l.LastResidentialDate)
	w.address("Last-Mail-Address-Line-1", "Last-Mail-Address-Line-2", "Last-Mail-City", "Last-Mail-State", "Last-Mail-Zip-1", "Last-Mail-Zip-2", l.LastMailing)
	w.date("Last-Mail-Address-Date", l.LastMailingDate)
	if le := l.LastEmployer; le != nil {
		w.s("Last-Employer", le.Name)
		w.date("Last-Employer-Date", le.Date)
		w.address("Last-Employer-Address-Line-1", "Last-Employer-Address-Line-2", "Last-Employer-City", "Last-Employer-State", "Last-Employer-Zip-1", "Last-Employer-Zip-2", le.Address)
		w.date("Last-Employer-Eff.-Date", le.EffectiveDate)
	}
	w.s("Professional-Licenses", l.ProfessionalLicenses)
}

func encodeParticipant(w writer, p canonical.Participant) {
	w.name("Name-Last", "Name-First", "Name-Middle", "Name-Suffix", p.Name)
	w.date("Date-Of-Birth", p.DateOfBirth)
	w.s("SSN", p.SSN.Digits())
	w.s("Gender", string(p.Sex))
	w.s("Race", string(p.Race))
	w.s("Relationship", string(p.Relationship))
	w.s("Participant-Status", string(p.Status))
	w.s("Dependent-Relation-CP", string(p.RelationToCP))
	w.address("Participant-Address-Line-1", "Participant Address-Line-2", "Participant-City", "Participant-State", "Participant-Zip-1", "Participant-Zip-2", p.Address)
	if e := p.Employer; e != nil {
		if e.Phone != "" || e.EffectiveDate != nil || e.EndDate != nil || e.Confirmed != "" || e.Wage != nil {
			w.fail(partEmp+"Name", "employer", "a participant's employer has only a name, an address and an EIN in the participant block")
		}
		w.s(partEmp+"Name", e.Name)
		w.address(partEmp+"Street-Line-1", partEmp+"Street-Line-2", partEmp+"City", partEmp+"State", partEmp+"Zip-1", partEmp+"Zip-2", e.Address)
		w.s("Emp-EIN", e.EIN)
	}
	w.flag("Address-Confirmed", p.AddressConfirmed)
	w.date("Date-Address-Confirmed", p.AddressConfirmedDate)
	w.flag("Employer-Confirmed", p.EmployerConfirmed)
	w.date("Date-Employer-Confirmed", p.EmployerConfirmedDate)
	w.s("Work-Phone", p.WorkPhone)
	w.s("Place-Of-Birth", p.BirthPlace)
	w.s("Dependent-Child-State-Of-Residence", p.ResidenceState)
	w.s("Dependent-Paternity-Status", string(p.PaternityStatus))
}

func (w writer) arrears(from, thru, amount, sub string, a *canonical.ArrearsPeriod) {
	if a == nil {
		return
	}
	w.date(from, a.From)
	w.date(thru, a.Thru)
	w.amount(amount, sub+".amountCents", a.Amount)
}

func encodeOrder(w writer, o canonical.Order) {
	w.fips("Order-FIPS-State", "Order-FIPS-County", "Order-FIPS-Sub", "tribunalFips", o.TribunalFIPS)
	w.s("Order-ID", o.Docket)
	w.day("Order-Filing-Date", o.IssueDate)
	w.s("Order-Type", string(o.Type))
	w.s("Debt-Type", string(o.DebtType))
	w.s("Order-Freq.", string(o.Frequency))
	// The current support and arrears total amounts are always written, zero
	// when nothing is due: the layout marks them required.
	w.amount("Order-Freq.-Amount", "amountCents", o.Amount)
	w.date("Order-Effective-Date", o.EffectiveDate)
	w.date("Order-End-Date", o.EndDate)
	w.date("Order-Cancel-Date", o.CancelDate)
	w.s("Order-Arrears-Freq.", string(o.ArrearsFrequency))
	if o.ArrearsFrequency != "" || o.ArrearsAmount != 0 {
		w.amount("Order-Arrears-Freq.-Amount", "arrearsAmountCents", o.ArrearsAmount)
	}
	w.amount("Order-Arrears-Total-Amount", "arrearsCents", o.Arrears)
	w.arrears("Arrears-TANF-From-Date", "Arrears-TANF-Thru-Date", "Arrears-TANF-Amount", "arrearsTanf", o.ArrearsTANF)
	w.arrears("Arrears-Non-TANF-From-Date", "Arrears-Non-TANF-Thru-Date", "Arrears-Non-TANF-Amount", "arrearsNonTanf", o.ArrearsNonTANF)
	w.arrears("Foster-Care-From-Date", "Foster-Care-Thru-Date", "Foster-Care-Amount", "fosterCare", o.FosterCare)
	w.arrears("Medical-From-Date", "Medical-Thru-Date", "Medical-Amount", "medical", o.Medical)
	w.s("Medical-Ordered", string(o.MedicalOrdered))
	w.s("Tribunal-Case-Number", o.TribunalCaseNumber)
	w.date("Date-Of-Last-Payment", o.LastPaymentDate)
	w.s("Controlling-Order-Flag", string(o.ControllingFlag))
	w.flag("New-Order-Flag", o.NewOrder)
	w.s("Docket-Num.", o.DocketNumber)
}

func encodeCollection(w writer, c canonical.Collection) {
	w.day("Date-Of-Collection", c.Date)
	w.date("Date-Of-Posting", c.PostingDate)
	w.amount("Payment-Amount", "amountCents", c.Amount)
	w.s("Payment-Source", string(c.Source))
	w.s("Interstate-Payment-Method", string(c.Method))
	w.s("RDFI-ID", c.RDFIID)
	w.s("RDFI-Account-Num.", c.RDFIAccount)
}

func encodeInformation(w writer, in *canonical.Information) {
	w.s("Status-Change-Code", string(in.StatusChange))
	w.s("New-Case-ID", in.NewCaseID)
	if in.Text == "" {
		return
	}
	lines := strings.Split(in.Text, "\n")
	if len(lines) > canonical.MaxInfoLines {
		w.fail(infoLine(canonical.MaxInfoLines-1), "text", fmt.Sprintf("%d lines; the block holds %d lines of %d characters", len(lines), canonical.MaxInfoLines, canonical.MaxInfoLineLen))
		return
	}
	for i, l := range lines {
		w.s(infoLine(i), l)
	}
}

// toRecord lays t out as a record for the engine.
func toRecord(t canonical.Transaction) (fixedwidth.Record, canonical.FieldErrors) {
	var errs canonical.FieldErrors
	rec := fixedwidth.Record{Blocks: map[string][]fixedwidth.Values{}}
	hw := newWriter("header", "header", &errs)
	encodeHeader(hw, t.Header)
	rec.Header = hw.v
	add := func(block string, w writer) { rec.Blocks[block] = append(rec.Blocks[block], w.v) }
	if t.Case != nil {
		w := newWriter("case", "case[1]", &errs)
		encodeCase(w, t.Case)
		add(blockCase, w)
	}
	if t.NCP != nil {
		w := newWriter("ncp", "ncp_id[1]", &errs)
		encodeNCPID(w, t.NCP)
		add(blockNCPID, w)
	}
	if t.NCPLocate != nil {
		w := newWriter("ncpLocate", "ncp_locate[1]", &errs)
		encodeNCPLocate(w, t.NCPLocate)
		add(blockNCPLocate, w)
	}
	for i, p := range t.Participants {
		w := newWriter(fmt.Sprintf("participants[%d]", i), fmt.Sprintf("participant[%d]", i+1), &errs)
		encodeParticipant(w, p)
		add(blockParticipant, w)
	}
	for i, o := range t.Orders {
		w := newWriter(fmt.Sprintf("orders[%d]", i), fmt.Sprintf("order[%d]", i+1), &errs)
		encodeOrder(w, o)
		add(blockOrder, w)
	}
	for i, c := range t.Collections {
		w := newWriter(fmt.Sprintf("collections[%d]", i), fmt.Sprintf("collection[%d]", i+1), &errs)
		encodeCollection(w, c)
		add(blockCollection, w)
	}
	if t.Information != nil {
		w := newWriter("information", "information[1]", &errs)
		encodeInformation(w, t.Information)
		add(blockInfo, w)
	}
	return rec, errs
}
