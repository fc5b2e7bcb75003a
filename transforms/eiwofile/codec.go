package eiwofile

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// Header is what a file or batch header says besides its document code.
type Header struct {
	// Control is the 22-character control number, never reused.
	Control string
	// StateFIPS is the 5-digit FIPS of the state (state and "000").
	StateFIPS string
	// EIN is the employer's; PrimaryEIN its payroll processor's, if any.
	EIN, PrimaryEIN string
	Created         time.Time
}

// IWOBatch is one employer's IWOs in a file.
type IWOBatch struct {
	Header Header
	IWOs   []canonical.IWO
}

// AckBatch is one employer's acknowledgments in a file.
type AckBatch struct {
	Header Header
	Acks   []canonical.EmployerAck
}

// ControlLength is the length of every control number (chart D-1).
const ControlLength = 22

// CheckControl says what is wrong with a control number the gateway writes:
// 22 characters, starting with the state's 5-digit FIPS (the federal
// recommended form).
func CheckControl(ctl, stateFIPS string) error {
	if len(ctl) != ControlLength {
		return fmt.Errorf("control number %q is %d characters; the federal header holds %d", ctl, len(ctl), ControlLength)
	}
	if !strings.HasPrefix(ctl, stateFIPS) {
		return fmt.Errorf("control number %q does not start with the state FIPS %s", ctl, stateFIPS)
	}
	return nil
}

func (h Header) values() fixedwidth.Values {
	v := fixedwidth.Values{"Control Number": h.Control, "State FIPS Code": h.StateFIPS, "EIN": h.EIN, "Primary EIN": h.PrimaryEIN}
	if !h.Created.IsZero() {
		v["Creation Date"] = h.Created.Format("20060102")
		v["Creation Time"] = h.Created.Format("150405")
	}
	return v
}

func headerOf(v fixedwidth.Values) Header {
	h := Header{Control: v["Control Number"], StateFIPS: v["State FIPS Code"], EIN: v["EIN"], PrimaryEIN: v["Primary EIN"]}
	if d := v["Creation Date"]; d != "" && d != "00000000" {
		t := v["Creation Time"]
		if len(t) != 6 {
			t = "000000"
		}
		h.Created, _ = time.Parse("20060102150405", d+t)
	}
	return h
}

// EncodeIWOFile writes an IWO file (FHI, per employer BHI, DTL records, BTI;
// FTI). Every problem is reported, placed by batch, record and element, and
// nothing is written unless all is well.
func (l *Layouts) EncodeIWOFile(file Header, batches []IWOBatch) ([]byte, error) {
	return encodeFile(l, IWOs, "DTL", file, len(batches),
		func(i int) (Header, []canonical.IWO) { return batches[i].Header, batches[i].IWOs }, DTL)
}

// EncodeAckFile writes an acknowledgment file (FHA, BHA, ACK records, BTA,
// FTA), as an employer does.
func (l *Layouts) EncodeAckFile(file Header, batches []AckBatch) ([]byte, error) {
	return encodeFile(l, Acks, "ACK", file, len(batches),
		func(i int) (Header, []canonical.EmployerAck) { return batches[i].Header, batches[i].Acks }, ACK)
}

// encodeFile writes a file of n batches of records of one kind; batch gives
// each batch's header and records, record turns one into its elements.
func encodeFile[T any](l *Layouts, kind Kind, code string, file Header, n int,
	batch func(int) (Header, []T), record func(T) (fixedwidth.Values, canonical.FieldErrors)) ([]byte, error) {
	f := &File{Kind: kind, Header: file.values()}
	var errs Errors
	for bi := range n {
		h, recs := batch(bi)
		fb := Batch{Header: h.values()}
		for ri, r := range recs {
			v, ferrs := record(r)
			for _, fe := range ferrs {
				errs = append(errs, Error{FieldError: fixedwidth.FieldError{Block: fmt.Sprintf("batch[%d].%s", bi+1, code),
					Occurrence: ri + 1, Field: fe.Path, Reason: fe.Reason}})
			}
			fb.Records = append(fb.Records, v)
		}
		f.Batches = append(f.Batches, fb)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return l.Encode(f)
}

// DecodeIWOFile reads an IWO file whole: framing, counts, then each DTL into
// the canonical IWO. Any problem refuses the file.
func (l *Layouts) DecodeIWOFile(b []byte) (Header, []IWOBatch, error) {
	return decodeFile(l, b, IWOs, "an acknowledgment file where IWOs (FHI) were expected", "DTL",
		func(_ Batch, r fixedwidth.Values) (canonical.IWO, canonical.FieldErrors) { return IWOFromDTL(r) },
		func(h Header, iwos []canonical.IWO) IWOBatch { return IWOBatch{Header: h, IWOs: iwos} })
}

// DecodeAckFile reads an acknowledgment file whole. The acknowledgments take
// their date from their batch header's creation date.
func (l *Layouts) DecodeAckFile(b []byte) (Header, []AckBatch, error) {
	return decodeFile(l, b, Acks, "an IWO file where acknowledgments (FHA) were expected", "ACK", ackOf,
		func(h Header, acks []canonical.EmployerAck) AckBatch { return AckBatch{Header: h, Acks: acks} })
}

// ackOf reads one ACK record of batch fb.
func ackOf(fb Batch, r fixedwidth.Values) (canonical.EmployerAck, canonical.FieldErrors) {
	if r["EIN"] == "" && fb.Header["EIN"] != "" {
		// The batch is one employer's: its header names it.
		r = withEIN(r, fb.Header["EIN"])
	}
	a, ferrs := AckFromACK(r)
	if created := headerOf(fb.Header).Created; !created.IsZero() {
		a.AckDate = canonical.DateOf(created)
	}
	return a, ferrs
}

// decodeFile reads a file of the kind it must be (wrong says what came
// instead): its header, and each batch made by batch of its header and its
// records read by read. The records' problems are placed by line and
// element; any problem refuses the whole file.
func decodeFile[T, B any](l *Layouts, b []byte, kind Kind, wrong, code string,
	read func(Batch, fixedwidth.Values) (T, canonical.FieldErrors), batch func(Header, []T) B) (Header, []B, error) {
	f, errs := l.Decode(b)
	if len(errs) > 0 {
		return Header{}, nil, errs
	}
	if f.Kind != kind {
		return Header{}, nil, Errors{fileErr(1, "FH"+string(f.Kind), "", wrong)}
	}
	var out []B
	line := 1
	for _, fb := range f.Batches {
		line++
		var rs []T
		for _, r := range fb.Records {
			line++
			v, ferrs := read(fb, r)
			for _, fe := range ferrs {
				errs = append(errs, l.placed(line, code, fe))
			}
			rs = append(rs, v)
		}
		line++
		out = append(out, batch(headerOf(fb.Header), rs))
	}
	if len(errs) > 0 {
		return Header{}, nil, errs
	}
	return headerOf(f.Header), out, nil
}

// placed turns a canonical field error of a record into a file error with the
// element's columns.
func (l *Layouts) placed(line int, code string, fe canonical.FieldError) Error {
	e := fileErr(line, code, fe.PartnerPath, fe.Reason)
	blk := l.Detail
	if code == "ACK" {
		blk = l.Ack
	}
	if f, ok := blk.Field(fe.PartnerPath); ok {
		e.Start, e.End = f.Start, f.End
	}
	if e.Field == "" {
		e.Field = fe.Path
	}
	return e
}

// Money is written in the 11 columns of a DTL or ACK amount as dollars with a
// decimal point, zero-filled: $240.00 is "00000240.00". Derived, not read in
// a federal chart (the stored pages do not show the amounts' format); kept in
// these two functions so that a confirmed format changes one place.
func formatMoney(c canonical.Cents) string {
	if c == 0 {
		return ""
	}
	return fmt.Sprintf("%08d.%02d", c/100, c%100)
}

func parseMoney(s string) (canonical.Cents, string) {
	if s == "" {
		return 0, ""
	}
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 2 || whole == "" || !digits(whole) || !digits(frac) {
		return 0, fmt.Sprintf("%q is not an amount in dollars and cents, zero-filled with a decimal point (00000240.00)", s)
	}
	d, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || d > int64(canonical.MaxCents/100) {
		return 0, fmt.Sprintf("%q is more than the largest amount", s)
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	return canonical.Cents(d*100 + cents), ""
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func formatDate(d canonical.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

func formatDatePtr(d *canonical.Date) string {
	if d == nil {
		return ""
	}
	return formatDate(*d)
}

func parseDate(s string) *canonical.Date {
	if s == "" || s == "00000000" {
		return nil
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return nil // the engine has checked the date already
	}
	d := canonical.DateOf(t)
	return &d
}

func splitZip(z string) (string, string) {
	five, four, _ := strings.Cut(z, "-")
	return five, four
}

func joinZip(five, four string) string {
	if four == "" {
		return five
	}
	return five + "-" + four
}

// enc collects the elements of one record and the problems found filling
// them, by canonical path.
type enc struct {
	v    fixedwidth.Values
	errs canonical.FieldErrors
}

func (e *enc) set(name, v string) {
	if v != "" {
		e.v[name] = v
	}
}

func (e *enc) bad(path, reason string) {
	e.errs = append(e.errs, canonical.FieldError{Path: path, Reason: reason})
}

func (e *enc) name(prefix string, n canonical.Name, suffixElem string) {
	e.set(prefix+" Last Name", noLeadingSpace(n.Last))
	e.set(prefix+" First Name", noLeadingSpace(n.First))
	e.set(prefix+" Middle Name", noLeadingSpace(n.Middle))
	e.set(suffixElem, noLeadingSpace(n.Suffix))
}

func (e *enc) address(prefix string, a *canonical.Address, city, state, zip, ext string) {
	if a == nil {
		return
	}
	e.set(prefix+" Line 1", a.Line1)
	e.set(prefix+" Line 2", a.Line2)
	e.set(city, a.City)
	e.set(state, a.State)
	five, four := splitZip(a.Zip)
	e.set(zip, five)
	e.set(ext, four)
}

func (e *enc) amount(prefix, freqElem, path string, a canonical.Amount) {
	e.set(prefix, formatMoney(a.Cents))
	if a.Cents != 0 {
		e.set(freqElem, string(a.Frequency))
	}
}

// noLeadingSpace keeps names as given: the federal chart asks only that the first
// character not be a space.
func noLeadingSpace(s string) string { return strings.TrimLeft(s, " ") }

// DTL fills a detail record's elements from an IWO. The canonical fields the
// DTL has no element for (ControlNumber, HealthInsuranceNotice, EmployerFee,
// the employer's phone) are not written; the limit state is written by name.
func DTL(iwo canonical.IWO) (fixedwidth.Values, canonical.FieldErrors) {
	e := &enc{v: fixedwidth.Values{}}
	e.set("Document Action Code", string(iwo.DocAction))
	e.set("Document Date", formatDate(iwo.DocumentDate))
	if n, ok := stateNames[iwo.IssuingState]; ok {
		e.set("Issuing State Tribe Territory Name", n)
	} else {
		e.bad("issuingState", fmt.Sprintf("%q is not a state FIPS code with a name", iwo.IssuingState))
	}
	e.set("Issuing Jurisdiction Name", iwo.IssuingJurisdiction)
	e.set("Case Identifier", iwo.CaseID)
	e.set("Employer Name", iwo.Employer.Name)
	e.address("Employer Address", iwo.Employer.Address, "Employer Address City Name", "Employer Address State Code",
		"Employer Address Zip Code", "Employer Address Ext Zip Code")
	e.set("EIN", iwo.Employer.EIN)
	e.name("Employee", iwo.EmployeeName, "Employee Suffix")
	e.set("Employee SSN", iwo.EmployeeSSN.Digits())
	e.set("Employee Birth Date", formatDatePtr(iwo.EmployeeBirth))
	e.name("Obligee", iwo.CustodialParty, "Obligee Name Suffix")
	e.amount("Support Current Child Amount", "Support Current Child Frequency", "currentChildSupport", iwo.CurrentChildSupport)
	e.amount("Support Past Due Child Amount", "Support Past Due Child Frequency", "pastDueChildSupport", iwo.PastDueChildSupport)
	e.amount("Support Current Medical Amount", "Support Current Medical Frequency", "currentCashMedical", iwo.CurrentCashMedical)
	e.amount("Support Past Due Medical Amount", "Support Past Due Medical Frequency", "pastDueCashMedical", iwo.PastDueCashMedical)
	e.amount("Support Current Spousal Amount", "Support Current Spousal Frequency", "currentSpousal", iwo.CurrentSpousal)
	e.amount("Support Past Due Spousal Amount", "Support Past Due Spousal Frequency", "pastDueSpousal", iwo.PastDueSpousal)
	e.amount("Obligation Other Amount", "Obligation Other Frequency Code", "other", iwo.Other)
	e.set("Obligation Other Description", iwo.OtherDescription)
	e.amount("Obligation Total Amount", "Obligation Total Frequency", "total", iwo.Total)
	if iwo.PastDueOver12Weeks {
		e.set("Arrears 12 Weeks Overdue Code", "Y")
	} else {
		e.set("Arrears 12 Weeks Overdue Code", "N")
	}
	e.set("IWO Deduction Weekly Amount", formatMoney(iwo.PerPeriod.Weekly))
	e.set("IWO Deduction Biweekly Amount", formatMoney(iwo.PerPeriod.Biweekly))
	e.set("IWO Deduction Semimonthly Amount", formatMoney(iwo.PerPeriod.Semimonthly))
	e.set("IWO Deduction Monthly Amount", formatMoney(iwo.PerPeriod.Monthly))
	if iwo.LimitState != "" {
		if n, ok := stateNames[iwo.LimitState]; ok {
			e.set("State Tribe Territory Name", n)
		} else {
			e.bad("limitState", fmt.Sprintf("%q is not a state FIPS code with a name", iwo.LimitState))
		}
	}
	e.days("Begin Withholding Within Days", "daysToStart", iwo.DaysToStart)
	e.set("Income Withholding Start Date", formatDatePtr(iwo.IncomeWithholdingStart))
	e.days("Send Payment Within Days", "daysToRemit", iwo.DaysToRemit)
	if iwo.LimitPercent < 0 || iwo.LimitPercent > 99 {
		e.bad("limitPercent", fmt.Sprintf("%d does not fit the two columns of the CCPA percent", iwo.LimitPercent))
	} else if iwo.LimitPercent > 0 {
		e.set("IWO CCPA Percent Rate", fmt.Sprintf("%02d", iwo.LimitPercent))
	}
	e.set("Payee Name", iwo.SDUPayee)
	e.address("Payee Address", iwo.SDUAddress, "Payee Address City", "Payee Address State Code",
		"Payee Address Zip Code", "Payee Address Ext Zip Code")
	e.set("Payee Remittance FIPS Code", string(iwo.SDUFIPS))
	if c := iwo.Contact; c != nil {
		e.set("Employee State Contact Name", c.Name)
		e.set("Employee State Contact Phone", c.Phone)
		e.set("Employee State Contact Fax", c.Fax)
		e.set("Employee State Contact Email", c.Email)
	}
	e.set("Document Tracking Number", iwo.TrackingNumber)
	e.set("Order Identifier", iwo.OrderID)
	if c := iwo.EmployerContact; c != nil {
		e.set("Employer Contact Name", c.Name)
		e.address("Employer Contact Address", c.Address, "Employer Contact Address City", "Employer Contact Address State",
			"Employer Contact Address Zip", "Employer Contact Address Ext Zip")
		e.set("Employer Contact Phone", c.Phone)
		e.set("Employer Contact Fax", c.Fax)
		e.set("Employer Contact Email", c.Email)
	}
	if len(iwo.Children) > canonical.MaxIWOChildren {
		e.bad("children", fmt.Sprintf("%d children; the DTL record names at most %d", len(iwo.Children), canonical.MaxIWOChildren))
	}
	for i, c := range iwo.Children {
		if i >= canonical.MaxIWOChildren {
			break
		}
		p := fmt.Sprintf("Child %d", i+1)
		e.name(p, c.Name, p+" Suffix Name")
		e.set(p+" Birth Date", formatDatePtr(c.DateOfBirth))
	}
	e.set("Lump Sum Payment Amount", formatMoney(iwo.LumpSum))
	e.set("Remittance Identifier", iwo.RemittanceID)
	return e.v, e.errs
}

func (e *enc) days(elem, path string, n int) {
	if n < 0 || n > 99 {
		e.bad(path, fmt.Sprintf("%d does not fit the two columns of %s", n, elem))
		return
	}
	if n > 0 {
		e.set(elem, fmt.Sprintf("%02d", n))
	}
}

// dec reads elements of one record, collecting problems by element.
type dec struct {
	v    fixedwidth.Values
	errs canonical.FieldErrors
}

func (d *dec) bad(elem, path, reason string) {
	d.errs = append(d.errs, canonical.FieldError{Path: path, PartnerPath: elem, Reason: reason})
}

func (d *dec) money(elem, path string) canonical.Cents {
	c, reason := parseMoney(d.v[elem])
	if reason != "" {
		d.bad(elem, path, reason)
	}
	return c
}

func (d *dec) amount(elem, freqElem, path string) canonical.Amount {
	a := canonical.Amount{Cents: d.money(elem, path+".cents"), Frequency: canonical.Frequency(d.v[freqElem])}
	if a.Cents != 0 && a.Frequency == "" {
		d.bad(freqElem, path+".frequency", "an amount needs its frequency")
	}
	if a.Frequency != "" {
		known := false
		for _, f := range canonical.Frequencies {
			known = known || f == a.Frequency
		}
		if !known {
			d.bad(freqElem, path+".frequency", fmt.Sprintf("%q is not a frequency code", a.Frequency))
		}
	}
	return a
}

func (d *dec) number(elem, path string) int {
	s := d.v[elem]
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		d.bad(elem, path, fmt.Sprintf("%q is not a number", s))
	}
	return n
}

func (d *dec) name(prefix, suffixElem string) canonical.Name {
	// A name's first character must not be a space (chart D-3); read past
	// any, as the encoder does not write them.
	t := func(e string) string { return strings.TrimLeft(d.v[e], " ") }
	return canonical.Name{Last: t(prefix + " Last Name"), First: t(prefix + " First Name"),
		Middle: t(prefix + " Middle Name"), Suffix: t(suffixElem)}
}

func (d *dec) address(prefix, city, state, zip, ext string) *canonical.Address {
	a := canonical.Address{Line1: d.v[prefix+" Line 1"], Line2: d.v[prefix+" Line 2"], City: d.v[city], State: d.v[state],
		Zip: joinZip(d.v[zip], d.v[ext])}
	if a == (canonical.Address{}) {
		return nil
	}
	return &a
}

func (d *dec) state(elem, path string) string {
	n := d.v[elem]
	if n == "" {
		return ""
	}
	if fips, ok := stateByName[upper(n)]; ok {
		return fips
	}
	if fips, ok := canonical.PostalState[upper(n)]; ok {
		return fips
	}
	d.bad(elem, path, fmt.Sprintf("%q is not the name of a state, tribe or territory this gateway knows", n))
	return ""
}

func (d *dec) contact(name, phone, fax, email string, addr *canonical.Address) *canonical.IWOContact {
	c := canonical.IWOContact{Name: d.v[name], Phone: d.v[phone], Fax: d.v[fax], Email: d.v[email], Address: addr}
	if c.Name == "" && c.Phone == "" && c.Fax == "" && c.Email == "" && c.Address == nil {
		return nil
	}
	return &c
}

// IWOFromDTL reads a detail record's elements into an IWO. Problems name the
// element (PartnerPath) and the canonical field (Path).
func IWOFromDTL(v fixedwidth.Values) (canonical.IWO, canonical.FieldErrors) {
	d := &dec{v: v}
	iwo := canonical.IWO{
		DocAction:           canonical.IWODocAction(v["Document Action Code"]),
		IssuingState:        d.state("Issuing State Tribe Territory Name", "issuingState"),
		IssuingJurisdiction: v["Issuing Jurisdiction Name"],
		CaseID:              v["Case Identifier"],
		TrackingNumber:      v["Document Tracking Number"],
		OrderID:             v["Order Identifier"],
		RemittanceID:        v["Remittance Identifier"],
		Employer: canonical.Employer{Name: v["Employer Name"], EIN: v["EIN"],
			Address: d.address("Employer Address", "Employer Address City Name", "Employer Address State Code",
				"Employer Address Zip Code", "Employer Address Ext Zip Code")},
		EmployeeName:   d.name("Employee", "Employee Suffix"),
		EmployeeSSN:    canonical.SSN(v["Employee SSN"]),
		EmployeeBirth:  parseDate(v["Employee Birth Date"]),
		CustodialParty: d.name("Obligee", "Obligee Name Suffix"),

		CurrentChildSupport: d.amount("Support Current Child Amount", "Support Current Child Frequency", "currentChildSupport"),
		PastDueChildSupport: d.amount("Support Past Due Child Amount", "Support Past Due Child Frequency", "pastDueChildSupport"),
		CurrentCashMedical:  d.amount("Support Current Medical Amount", "Support Current Medical Frequency", "currentCashMedical"),
		PastDueCashMedical:  d.amount("Support Past Due Medical Amount", "Support Past Due Medical Frequency", "pastDueCashMedical"),
		CurrentSpousal:      d.amount("Support Current Spousal Amount", "Support Current Spousal Frequency", "currentSpousal"),
		PastDueSpousal:      d.amount("Support Past Due Spousal Amount", "Support Past Due Spousal Frequency", "pastDueSpousal"),
		Other:               d.amount("Obligation Other Amount", "Obligation Other Frequency Code", "other"),
		OtherDescription:    v["Obligation Other Description"],
		Total:               d.amount("Obligation Total Amount", "Obligation Total Frequency", "total"),
		PerPeriod: canonical.PerPeriodTotals{
			Weekly:      d.money("IWO Deduction Weekly Amount", "perPeriod.weeklyCents"),
			Biweekly:    d.money("IWO Deduction Biweekly Amount", "perPeriod.biweeklyCents"),
			Semimonthly: d.money("IWO Deduction Semimonthly Amount", "perPeriod.semimonthlyCents"),
			Monthly:     d.money("IWO Deduction Monthly Amount", "perPeriod.monthlyCents"),
		},
		LimitState:             d.state("State Tribe Territory Name", "limitState"),
		DaysToStart:            d.number("Begin Withholding Within Days", "daysToStart"),
		IncomeWithholdingStart: parseDate(v["Income Withholding Start Date"]),
		DaysToRemit:            d.number("Send Payment Within Days", "daysToRemit"),
		LimitPercent:           d.number("IWO CCPA Percent Rate", "limitPercent"),
		SDUPayee:               v["Payee Name"],
		SDUAddress: d.address("Payee Address", "Payee Address City", "Payee Address State Code",
			"Payee Address Zip Code", "Payee Address Ext Zip Code"),
		SDUFIPS: canonical.FIPS(v["Payee Remittance FIPS Code"]),
		Contact: d.contact("Employee State Contact Name", "Employee State Contact Phone", "Employee State Contact Fax",
			"Employee State Contact Email", nil),
		EmployerContact: d.contact("Employer Contact Name", "Employer Contact Phone", "Employer Contact Fax", "Employer Contact Email",
			d.address("Employer Contact Address", "Employer Contact Address City", "Employer Contact Address State",
				"Employer Contact Address Zip", "Employer Contact Address Ext Zip")),
		LumpSum: d.money("Lump Sum Payment Amount", "lumpSumCents"),
	}
	if dd := parseDate(v["Document Date"]); dd != nil {
		iwo.DocumentDate = *dd
	} else {
		d.bad("Document Date", "documentDate", "required")
	}
	switch o := v["Arrears 12 Weeks Overdue Code"]; o {
	case "Y":
		iwo.PastDueOver12Weeks = true
	case "N", "":
	default:
		d.bad("Arrears 12 Weeks Overdue Code", "pastDueOver12Weeks", fmt.Sprintf("%q is neither Y nor N", o))
	}
	for i := 1; i <= canonical.MaxIWOChildren; i++ {
		p := fmt.Sprintf("Child %d", i)
		c := canonical.IWOChild{Name: d.name(p, p+" Suffix Name"), DateOfBirth: parseDate(v[p+" Birth Date"])}
		if c.Name == (canonical.Name{}) && c.DateOfBirth == nil {
			continue
		}
		iwo.Children = append(iwo.Children, c)
	}
	for _, req := range []struct{ elem, path string }{
		{"Document Action Code", "docAction"}, {"Case Identifier", "caseId"}, {"Employer Name", "employer.name"},
		{"Document Tracking Number", "trackingNumber"},
	} {
		if v[req.elem] == "" {
			d.bad(req.elem, req.path, "required")
		}
	}
	return iwo, d.errs
}

// ACK fills an acknowledgment record. The record holds one reason; an
// acknowledgment with several cannot be written as one record.
func ACK(a canonical.EmployerAck) (fixedwidth.Values, canonical.FieldErrors) {
	e := &enc{v: fixedwidth.Values{}}
	action := a.DocAction
	switch a.Notice {
	case canonical.NoticeTermination:
		action = canonical.IWOTerminate
	case canonical.NoticeLumpSum:
		action = canonical.IWOLumpSum
	case "":
		if action == "" {
			action = canonical.IWOOriginal
		}
		e.set("Disposition Status Code", a.Status.Disposition())
		if errs := a.CheckReasons(); len(errs) > 0 {
			e.errs = append(e.errs, errs...)
		}
	default:
		e.bad("notice", fmt.Sprintf("%q is neither termination nor lump_sum", a.Notice))
	}
	e.set("Document Action Code", string(action))
	e.set("Case Identifier", a.CaseID)
	e.set("Employee SSN", a.EmployeeSSN.Digits())
	if a.EmployeeName != nil {
		e.name("Employee", *a.EmployeeName, "Employee Suffix")
	}
	e.set("EIN", a.EmployerFEIN)
	e.set("Order Identifier", a.OrderID)
	e.set("Document Tracking Number", a.TrackingNumber)
	if len(a.Reasons) > 1 {
		e.bad("reasons", fmt.Sprintf("%d reasons; the ACK record holds one", len(a.Reasons)))
	} else if len(a.Reasons) == 1 {
		e.set("Disposition Reason Code", string(a.Reasons[0]))
	}
	e.set("Corrected EIN", a.CorrectedFEIN)
	if a.OtherState != "" {
		if p, ok := canonical.StatePostal[a.OtherState]; ok {
			e.set("Multiple IWO State Code", p)
		} else {
			e.bad("otherState", fmt.Sprintf("%q is not a state FIPS code", a.OtherState))
		}
	}
	e.set("Employment Termination Date", formatDatePtr(a.TerminationDate))
	e.set("Last Payment Date", formatDatePtr(a.FinalPaymentDate))
	e.set("Final Payment Amount", formatMoney(a.FinalPaymentAmount))
	e.set("Lump Sum Payment Date", formatDatePtr(a.LumpSumDate))
	e.set("Lump Sum Payment Amount", formatMoney(a.LumpSumAmount))
	return e.v, e.errs
}

// AckFromACK reads an acknowledgment record. A record without a disposition
// is a notice the employer sends on its own: TRM a termination, LUM a lump
// sum (derived: the stored pages do not show how chart D-4 marks them).
func AckFromACK(v fixedwidth.Values) (canonical.EmployerAck, canonical.FieldErrors) {
	d := &dec{v: v}
	a := canonical.EmployerAck{
		DocAction:          canonical.IWODocAction(v["Document Action Code"]),
		CaseID:             v["Case Identifier"],
		EmployeeSSN:        canonical.SSN(v["Employee SSN"]),
		EmployerFEIN:       v["EIN"],
		OrderID:            v["Order Identifier"],
		TrackingNumber:     v["Document Tracking Number"],
		CorrectedFEIN:      v["Corrected EIN"],
		TerminationDate:    parseDate(v["Employment Termination Date"]),
		FinalPaymentDate:   parseDate(v["Last Payment Date"]),
		FinalPaymentAmount: d.money("Final Payment Amount", "finalPaymentCents"),
		LumpSumDate:        parseDate(v["Lump Sum Payment Date"]),
		LumpSumAmount:      d.money("Lump Sum Payment Amount", "lumpSumCents"),
	}
	if n := d.name("Employee", "Employee Suffix"); n != (canonical.Name{}) {
		a.EmployeeName = &n
	}
	if r := v["Disposition Reason Code"]; r != "" {
		a.Reasons = []canonical.AckReason{canonical.AckReason(r)}
	}
	if s := v["Multiple IWO State Code"]; s != "" {
		if fips, ok := canonical.PostalState[upper(s)]; ok {
			a.OtherState = fips
		} else if _, ok := canonical.StatePostal[s]; ok {
			a.OtherState = s
		} else {
			d.bad("Multiple IWO State Code", "otherState", fmt.Sprintf("%q is not a state code", s))
		}
	}
	switch v["Disposition Status Code"] {
	case "A":
		a.Status = canonical.AckAccepted
		if len(a.Reasons) > 0 {
			a.Status = canonical.AckAcceptedWithNote
		}
	case "R":
		a.Status = canonical.AckRejected
	case "":
		switch a.DocAction {
		case canonical.IWOTerminate:
			a.Notice = canonical.NoticeTermination
		case canonical.IWOLumpSum:
			a.Notice = canonical.NoticeLumpSum
		default:
			d.bad("Disposition Status Code", "status", "blank: an acknowledgment is A or R; only a termination (TRM) or lump-sum (LUM) notice has none")
		}
		a.Status = canonical.AckAccepted
	}
	if a.Notice == "" {
		for _, fe := range a.CheckReasons() {
			d.bad("Disposition Reason Code", fe.Path, fe.Reason)
		}
		if a.TrackingNumber == "" {
			d.bad("Document Tracking Number", "trackingNumber", "required: it names the IWO answered")
		}
	} else if a.Notice == canonical.NoticeTermination && a.TerminationDate == nil {
		d.bad("Employment Termination Date", "terminationDate", "required in a termination notice")
	}
	if a.EmployerFEIN == "" {
		d.bad("EIN", "employerFein", "required")
	}
	return a, d.errs
}

func withEIN(v fixedwidth.Values, ein string) fixedwidth.Values {
	out := make(fixedwidth.Values, len(v)+1)
	for k, x := range v {
		out[k] = x
	}
	out["EIN"] = ein
	return out
}
