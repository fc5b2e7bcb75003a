// Package eiwo carries income withholding documents to and from employers:
// eiwo-xml/1, XML in namespace urn:uifsagw:eiwo:1 (schemas/xsd/eiwo-1.xsd),
// and eiwo-json/1, the canonical JSON of canonical.IWO and
// canonical.EmployerAck. Both decode under the same safety rules as the
// transaction formats.
package eiwo

import (
	"encoding/json"
	"fmt"

	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/internal/safexml"
	"github.com/uifsagw/uifsagw/transforms/internal/strictjson"
)

// Names of the formats.
const (
	XMLFormat    = "eiwo-xml/1"
	JSONFormat   = "eiwo-json/1"
	Namespace    = "urn:uifsagw:eiwo:1"
	Version      = "1"
	xmlMediaType = "application/xml"
)

// XML reads and writes eiwo-xml/1. The zero value uses the default limits.
type XML struct {
	Limits safexml.Limits
}

// NewXML returns the XML codec with the default limits.
func NewXML() *XML { return &XML{} }

// Format returns "eiwo-xml/1".
func (*XML) Format() string { return XMLFormat }

// ContentType returns "application/xml".
func (*XML) ContentType() string { return xmlMediaType }

func (x *XML) open(b []byte, root string) (*safexml.Reader, *safexml.Node, canonical.FieldErrors) {
	doc, err := safexml.Parse(b, x.Limits)
	if err != nil {
		return nil, nil, canonical.FieldErrors{{Path: "", PartnerPath: "/", Reason: err.Error()}}
	}
	r := safexml.NewReader(Namespace)
	n := r.Root(doc, root)
	if n == nil {
		return nil, nil, r.Errors(nil)
	}
	if v, ok := n.Attr("version"); !ok || v != Version {
		n.Fail(`version attribute must be "1"`)
	}
	return r, n, nil
}

// DecodeIWO reads an IWO document.
func (x *XML) DecodeIWO(b []byte) (canonical.IWO, canonical.FieldErrors) {
	r, n, errs := x.open(b, "IWO")
	if errs != nil {
		return canonical.IWO{}, errs
	}
	iwo := canonical.IWO{
		DocAction:           safexml.Code[canonical.IWODocAction](n, "DocAction", "docAction"),
		IssuingState:        n.Str("IssuingState", "issuingState"),
		IssuingJurisdiction: n.Str("IssuingJurisdiction", "issuingJurisdiction"),
		DocumentDate:        n.Date("DocumentDate", "documentDate"),
		TrackingNumber:      n.Str("TrackingNumber", "trackingNumber"),
		ControlNumber:       n.Str("ControlNumber", "controlNumber"),
		CaseID:              n.Str("CaseID", "caseId"),
		OrderID:             n.Str("OrderID", "orderId"),
		RemittanceID:        n.Str("RemittanceID", "remittanceId"),
	}
	if e := n.One("Employer", "employer"); e != nil {
		iwo.Employer = safexml.ReadEmployer(e)
	}
	if e := n.One("Employee", "employeeName"); e != nil {
		if nm := e.One("Name", "employeeName"); nm != nil {
			iwo.EmployeeName = safexml.ReadName(nm, "employeeName")
		}
		iwo.EmployeeSSN = safexml.Code[canonical.SSN](e, "SSN", "employeeSsn")
		iwo.EmployeeBirth = e.DatePtr("DateOfBirth", "employeeDateOfBirth")
	}
	if cp := n.One("CustodialParty", "custodialParty"); cp != nil {
		iwo.CustodialParty = safexml.ReadName(cp, "custodialParty")
	}
	for _, c := range n.Many("Child", "children") {
		ch := canonical.IWOChild{DateOfBirth: c.DatePtr("DateOfBirth", c.CPath+".dateOfBirth")}
		if nm := c.One("Name", c.CPath+".name"); nm != nil {
			ch.Name = safexml.ReadName(nm, c.CPath+".name")
		}
		iwo.Children = append(iwo.Children, ch)
	}
	iwo.CurrentChildSupport = readAmount(n, "CurrentChildSupport", "currentChildSupport")
	iwo.PastDueChildSupport = readAmount(n, "PastDueChildSupport", "pastDueChildSupport")
	iwo.PastDueOver12Weeks = n.Bool("PastDueOver12Weeks", "pastDueOver12Weeks")
	iwo.CurrentCashMedical = readAmount(n, "CurrentCashMedical", "currentCashMedical")
	iwo.PastDueCashMedical = readAmount(n, "PastDueCashMedical", "pastDueCashMedical")
	iwo.CurrentSpousal = readAmount(n, "CurrentSpousal", "currentSpousal")
	iwo.PastDueSpousal = readAmount(n, "PastDueSpousal", "pastDueSpousal")
	iwo.Other = readAmount(n, "Other", "other")
	iwo.OtherDescription = n.Str("OtherDescription", "otherDescription")
	if pp := n.One("PerPeriod", "perPeriod"); pp != nil {
		iwo.PerPeriod = canonical.PerPeriodTotals{
			Weekly:      pp.Money("Weekly", "perPeriod.weeklyCents"),
			Biweekly:    pp.Money("Biweekly", "perPeriod.biweeklyCents"),
			Semimonthly: pp.Money("Semimonthly", "perPeriod.semimonthlyCents"),
			Monthly:     pp.Money("Monthly", "perPeriod.monthlyCents"),
		}
	}
	iwo.LumpSum = n.Money("LumpSum", "lumpSumCents")
	iwo.LimitPercent = n.Int("LimitPercent", "limitPercent")
	iwo.LimitState = n.Str("LimitState", "limitState")
	iwo.DaysToStart = n.Int("DaysToStart", "daysToStart")
	iwo.DaysToRemit = n.Int("DaysToRemit", "daysToRemit")
	iwo.EmployerFee = n.Money("EmployerFee", "employerFeeCents")
	iwo.SDUPayee = n.Str("SDUPayee", "sduPayee")
	iwo.SDUFIPS = safexml.Code[canonical.FIPS](n, "SDUFIPS", "sduFips")
	iwo.SDUAddress = safexml.ReadAddressPtr(n, "SDUAddress", "sduAddress")
	iwo.HealthInsuranceNotice = n.Bool("HealthInsuranceNotice", "healthInsuranceNotice")
	iwo.Contact = safexml.ReadIWOContact(n, "Contact", "contact")
	return iwo, r.Errors(n)
}

func readAmount(n *safexml.Node, name, cpath string) canonical.Amount {
	a := n.One(name, cpath)
	if a == nil {
		return canonical.Amount{}
	}
	return canonical.Amount{
		Cents:     a.Money("Amount", cpath+".cents"),
		Frequency: safexml.Code[canonical.Frequency](a, "Frequency", cpath+".frequency"),
	}
}

func writeAmount(w *safexml.Writer, parent *etree.Element, name string, a canonical.Amount) {
	e := parent.CreateElement(name)
	w.Money(e, "Amount", a.Cents)
	w.Text(e, "Frequency", string(a.Frequency))
}

// EncodeIWO writes an IWO document in the XSD's element order.
func (x *XML) EncodeIWO(iwo canonical.IWO) ([]byte, error) {
	w, n := safexml.NewWriter("IWO", Namespace, "version", Version)
	w.Text(n, "DocAction", string(iwo.DocAction))
	w.Text(n, "IssuingState", iwo.IssuingState)
	w.Text(n, "IssuingJurisdiction", iwo.IssuingJurisdiction)
	w.Date(n, "DocumentDate", iwo.DocumentDate)
	w.Text(n, "TrackingNumber", iwo.TrackingNumber)
	w.Text(n, "ControlNumber", iwo.ControlNumber)
	w.Text(n, "CaseID", iwo.CaseID)
	w.Text(n, "OrderID", iwo.OrderID)
	w.Text(n, "RemittanceID", iwo.RemittanceID)
	safexml.WriteEmployer(w, n, "Employer", iwo.Employer)
	emp := n.CreateElement("Employee")
	safexml.WriteName(w, emp.CreateElement("Name"), iwo.EmployeeName)
	w.Text(emp, "SSN", iwo.EmployeeSSN.Digits())
	w.DatePtr(emp, "DateOfBirth", iwo.EmployeeBirth)
	safexml.WriteName(w, n.CreateElement("CustodialParty"), iwo.CustodialParty)
	for _, c := range iwo.Children {
		ce := n.CreateElement("Child")
		safexml.WriteName(w, ce.CreateElement("Name"), c.Name)
		w.DatePtr(ce, "DateOfBirth", c.DateOfBirth)
	}
	writeAmount(w, n, "CurrentChildSupport", iwo.CurrentChildSupport)
	writeAmount(w, n, "PastDueChildSupport", iwo.PastDueChildSupport)
	w.Bool(n, "PastDueOver12Weeks", iwo.PastDueOver12Weeks)
	writeAmount(w, n, "CurrentCashMedical", iwo.CurrentCashMedical)
	writeAmount(w, n, "PastDueCashMedical", iwo.PastDueCashMedical)
	writeAmount(w, n, "CurrentSpousal", iwo.CurrentSpousal)
	writeAmount(w, n, "PastDueSpousal", iwo.PastDueSpousal)
	writeAmount(w, n, "Other", iwo.Other)
	w.Text(n, "OtherDescription", iwo.OtherDescription)
	pp := n.CreateElement("PerPeriod")
	w.Money(pp, "Weekly", iwo.PerPeriod.Weekly)
	w.Money(pp, "Biweekly", iwo.PerPeriod.Biweekly)
	w.Money(pp, "Semimonthly", iwo.PerPeriod.Semimonthly)
	w.Money(pp, "Monthly", iwo.PerPeriod.Monthly)
	if iwo.LumpSum != 0 {
		w.Money(n, "LumpSum", iwo.LumpSum)
	}
	w.Int(n, "LimitPercent", int64(iwo.LimitPercent))
	w.Text(n, "LimitState", iwo.LimitState)
	w.Int(n, "DaysToStart", int64(iwo.DaysToStart))
	w.Int(n, "DaysToRemit", int64(iwo.DaysToRemit))
	if iwo.EmployerFee != 0 {
		w.Money(n, "EmployerFee", iwo.EmployerFee)
	}
	w.Text(n, "SDUPayee", iwo.SDUPayee)
	w.Text(n, "SDUFIPS", string(iwo.SDUFIPS))
	safexml.WriteAddress(w, n, "SDUAddress", iwo.SDUAddress)
	w.Bool(n, "HealthInsuranceNotice", iwo.HealthInsuranceNotice)
	safexml.WriteIWOContact(w, n, "Contact", iwo.Contact)
	b, err := w.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s IWO: %w", XMLFormat, err)
	}
	return b, nil
}

// DecodeAck reads an employer acknowledgment.
func (x *XML) DecodeAck(b []byte) (canonical.EmployerAck, canonical.FieldErrors) {
	r, n, errs := x.open(b, "EmployerAck")
	if errs != nil {
		return canonical.EmployerAck{}, errs
	}
	ack := canonical.EmployerAck{
		TrackingNumber: n.Str("TrackingNumber", "trackingNumber"),
		ControlNumber:  n.Str("ControlNumber", "controlNumber"),
		EmployerFEIN:   n.Str("EmployerFEIN", "employerFein"),
		Status:         safexml.Code[canonical.AckStatus](n, "Status", "status"),
	}
	for _, rn := range n.Many("Reason", "reasons") {
		s, ok := rn.LeafText()
		switch {
		case !ok:
		case s == "":
			rn.Fail("empty reason")
		default:
			ack.Reasons = append(ack.Reasons, canonical.AckReason(s))
		}
	}
	ack.OtherState = n.Str("OtherState", "otherState")
	ack.CorrectedFEIN = n.Str("CorrectedFEIN", "correctedFein")
	ack.TerminationDate = n.DatePtr("TerminationDate", "terminationDate")
	ack.Note = n.Str("Note", "note")
	ack.AckDate = n.Date("AckDate", "ackDate")
	return ack, r.Errors(n)
}

// EncodeAck writes an employer acknowledgment.
func (x *XML) EncodeAck(ack canonical.EmployerAck) ([]byte, error) {
	w, n := safexml.NewWriter("EmployerAck", Namespace, "version", Version)
	w.Text(n, "TrackingNumber", ack.TrackingNumber)
	w.Text(n, "ControlNumber", ack.ControlNumber)
	w.Text(n, "EmployerFEIN", ack.EmployerFEIN)
	w.Text(n, "Status", string(ack.Status))
	for i, r := range ack.Reasons {
		if r == "" {
			w.Fail(fmt.Errorf("reasons[%d]: empty reason", i))
			continue
		}
		w.Text(n, "Reason", string(r))
	}
	w.Text(n, "OtherState", ack.OtherState)
	w.Text(n, "CorrectedFEIN", ack.CorrectedFEIN)
	w.DatePtr(n, "TerminationDate", ack.TerminationDate)
	w.Text(n, "Note", ack.Note)
	w.Date(n, "AckDate", ack.AckDate)
	b, err := w.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s ack: %w", XMLFormat, err)
	}
	return b, nil
}

// JSON reads and writes eiwo-json/1, the canonical JSON of the IWO and the
// acknowledgment, with the strict decoding of json-transaction/1.
type JSON struct {
	Limits strictjson.Limits
}

// NewJSON returns the JSON codec with the default limits.
func NewJSON() *JSON { return &JSON{} }

// Format returns "eiwo-json/1".
func (*JSON) Format() string { return JSONFormat }

// ContentType returns "application/json".
func (*JSON) ContentType() string { return "application/json" }

// DecodeIWO reads an IWO document.
func (j *JSON) DecodeIWO(b []byte) (canonical.IWO, canonical.FieldErrors) {
	var iwo canonical.IWO
	if errs := strictjson.Decode(b, &iwo, j.Limits); len(errs) > 0 {
		return iwo, errs
	}
	return iwo, nil
}

// EncodeIWO writes an IWO document.
func (j *JSON) EncodeIWO(iwo canonical.IWO) ([]byte, error) {
	b, err := json.Marshal(iwo)
	if err != nil {
		return nil, fmt.Errorf("%s IWO: %w", JSONFormat, err)
	}
	return b, nil
}

// DecodeAck reads an employer acknowledgment.
func (j *JSON) DecodeAck(b []byte) (canonical.EmployerAck, canonical.FieldErrors) {
	var ack canonical.EmployerAck
	if errs := strictjson.Decode(b, &ack, j.Limits); len(errs) > 0 {
		return ack, errs
	}
	return ack, nil
}

// EncodeAck writes an employer acknowledgment.
func (j *JSON) EncodeAck(ack canonical.EmployerAck) ([]byte, error) {
	b, err := json.Marshal(ack)
	if err != nil {
		return nil, fmt.Errorf("%s ack: %w", JSONFormat, err)
	}
	return b, nil
}
