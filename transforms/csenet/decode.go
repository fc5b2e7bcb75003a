package csenet

import (
	"time"

	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/fixedwidth"
)

// reader reads one block's values onto canonical types. The engine has
// already checked every field's form (digits, dates, codes), so reading
// cannot fail here. When used is set, it records the names read, which is how
// LoadLayout learns the fields the mapping needs.
type reader struct {
	v    fixedwidth.Values
	used map[string]bool
}

func (r reader) s(name string) string {
	if r.used != nil {
		r.used[name] = true
	}
	return r.v[name]
}

func (r reader) flag(name string) bool { return r.s(name) == "Y" }

func (r reader) num(name string) int {
	n, _ := strconv.Atoi(r.s(name))
	return n
}

// date reads an optional date; blank and the zero-filled "no date" are nil.
func (r reader) date(name string) *canonical.Date {
	s := r.s(name)
	if s == "" || s == "00000000" {
		return nil
	}
	d := parseCCYYMMDD(s)
	return &d
}

// day reads a date the model holds by value; no date is the zero Date.
func (r reader) day(name string) canonical.Date {
	if d := r.date(name); d != nil {
		return *d
	}
	return canonical.Date{}
}

func parseCCYYMMDD(s string) canonical.Date {
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:8])
	return canonical.Date{Year: y, Month: time.Month(m), Day: d}
}

func (r reader) amount(name string) canonical.Cents { return decodeAmount(r.s(name)) }

func (r reader) fips(state, county, sub string) canonical.FIPS {
	st, co, sb := r.s(state), r.s(county), r.s(sub)
	if st == "" && co == "" && sb == "" {
		return ""
	}
	// Blank parts keep their columns so the code writes back as it came.
	return canonical.FIPS(strings.TrimRight(pad(st, 2)+pad(co, 3)+pad(sb, 2), " "))
}

func pad(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }

// name reads the four parts named prefix+Last/First/Middle/Suffix.
func (r reader) name(last, first, middle, suffix string) canonical.Name {
	return canonical.Name{Last: r.s(last), First: r.s(first), Middle: r.s(middle), Suffix: r.s(suffix)}
}

func (r reader) optName(last, first, middle, suffix string) *canonical.Name {
	n := r.name(last, first, middle, suffix)
	if n == (canonical.Name{}) {
		return nil
	}
	return &n
}

// address reads an address; all blank is nil.
func (r reader) address(line1, line2, city, state, zip1, zip2 string) *canonical.Address {
	a := canonical.Address{Line1: r.s(line1), Line2: r.s(line2), City: r.s(city), State: r.s(state),
		Zip: joinZip(r.s(zip1), r.s(zip2))}
	if a == (canonical.Address{}) {
		return nil
	}
	return &a
}

func joinZip(zip1, zip2 string) string {
	if zip2 == "" {
		return zip1
	}
	return zip1 + "-" + zip2
}

func decodeHeader(r reader) canonical.Header {
	h := canonical.Header{
		SenderFIPS:         r.fips("Local-FIPS-State", "Local-FIPS-County", "Local-FIPS-Sub"),
		ReceiverFIPS:       r.fips("Other-FIPS-State", "Other-FIPS-County", "Other-FIPS-Sub"),
		ErrorReason:        r.s("Error-Reason-Code"),
		TransactionType:    r.s("Transaction-Type"),
		TransactionDate:    r.day("Transaction-Date"),
		SenderCaseID:       r.s("Case-ID"),
		ReceiverCaseID:     r.s("Other-Case-ID"),
		Function:           canonical.FunctionCode(r.s("Functional-Type-Code")),
		Action:             canonical.ActionCode(r.s("Action-Code")),
		Reason:             canonical.ReasonCode(r.s("Action-Reason")),
		ResolutionDate:     r.date("Action-Resolution-Date"),
		Attachments:        r.flag("Attachments-Ind."),
		AttachmentsDueDate: r.date("Attachments-Due-Date"),
	}
	h.Serial, _ = strconv.ParseInt(r.s("Transaction-Serial-Number"), 10, 64)
	host := canonical.HostFields{
		DateReceived:       r.date("Date-Received"),
		TimeReceived:       r.s("Time-Received"),
		ProcessingComplete: r.s("Processing-Complete"),
		SentToStateHost:    r.s("Sent-To-State-Host"),
		FormsPrinted:       r.s("Interstate-Forms-Printed"),
	}
	if host != (canonical.HostFields{}) {
		h.Host = &host
	}
	h.MessageID = messageID(h.SenderFIPS, h.Serial)
	return h
}

// messageID gives a CSENet transaction the gateway's message identifier: a
// record carries none, and the sender's serial number is unique per sending
// state, which is what idempotent intake needs.
func messageID(sender canonical.FIPS, serial int64) string {
	return "csenet-" + sender.State() + "-" + strconv.FormatInt(serial, 10)
}

func decodeCase(r reader) *canonical.Case {
	c := &canonical.Case{
		Type:               canonical.CaseType(r.s("Case-Type")),
		Status:             canonical.CaseStatus(r.s("Case-Status")),
		PaymentAddress:     r.address("Payment-Mail-Address-Line-1", "Payment-Mail-Address-Line-2", "Payment-City", "Payment-State", "Payment-Zip-1", "Payment-Zip-2"),
		RespondingDocket:   r.s("Responding-Docket-Num."),
		InitiatingDocket:   r.s("Initiating-Docket-Num."),
		PaymentBankAccount: r.s("Send-Payments-Bank-Account"),
		PaymentRoutingCode: r.s("Send-Payments-Routing-Code"),
		CEJState:           r.s("State-With-CEJ"),
		PaymentFIPS:        r.fips("Payment-FIPS-State", "Payment-FIPS-County", "Payment-FIPS-Sub"),
		Nondisclosure:      r.flag("Nondisclosure-Finding"),
	}
	contact := canonical.Contact{
		Name:           r.optName("Contact-Name-Last", "Contact-Name-First", "Contact-Name-Middle", "Contact-Name-Suffix"),
		Address:        r.address("Contact-Address-Line-1", "Contact-Address-Line-2", "Contact-City", "Contact-State", "Contact-Zip-1", "Contact-Zip-2"),
		Phone:          r.s("Contact-Phone-Num."),
		PhoneExtension: r.s("Phone-Extension"),
		Fax:            r.s("Fax"),
		Email:          r.s("Internet-Address"),
	}
	if contact.Name != nil || contact.Address != nil || contact.Phone != "" || contact.PhoneExtension != "" || contact.Fax != "" || contact.Email != "" {
		c.Contact = &contact
	}
	return c
}

func decodeNCPID(r reader) *canonical.NCPIdentification {
	n := &canonical.NCPIdentification{
		Name:                       r.name("Name-Last", "Name-First", "Name-Middle", "Name-Suffix"),
		SSN:                        canonical.SSN(r.s("SSN")),
		DateOfBirth:                r.date("Date-Of-Birth"),
		Race:                       canonical.Race(r.s("Race")),
		Sex:                        canonical.Sex(r.s("Gender")),
		BirthPlace:                 r.s("Place-Of-Birth"),
		HeightFeet:                 r.num("Height-Ft."),
		HeightInch:                 r.num("Height-In."),
		WeightLbs:                  r.num("Weight"),
		HairColor:                  canonical.HairColor(r.s("Hair-Color")),
		EyeColor:                   canonical.EyeColor(r.s("Eye-Color")),
		DistinguishingMarks:        r.s("Distinguishing-Marks"),
		PossiblyDangerous:          r.flag("Possibly-Dangerous"),
		MaidenName:                 r.s("Maiden-Name"),
		MothersMaidenOrFathersName: r.s("Mother's-Maiden-Or-Father's-Name"),
	}
	// Positions are kept: a second alias SSN without a first stays second.
	for _, f := range []string{"Alias-SSN-1", "Alias-SSN-2"} {
		n.AliasSSNs = append(n.AliasSSNs, canonical.SSN(r.s(f)))
	}
	for len(n.AliasSSNs) > 0 && n.AliasSSNs[len(n.AliasSSNs)-1] == "" {
		n.AliasSSNs = n.AliasSSNs[:len(n.AliasSSNs)-1]
	}
	if len(n.AliasSSNs) == 0 {
		n.AliasSSNs = nil
	}
	return n
}

func (r reader) located(prefix string) *canonical.LocatedAddress {
	a := r.address(prefix+"-Address-Line-1", prefix+"-Address-Line-2", prefix+"-City", prefix+"-State", prefix+"-Zip-1", prefix+"-Zip-2")
	la := canonical.LocatedAddress{
		EffectiveDate: r.date(prefix + "-Address-Effective-Date"),
		EndDate:       r.date(prefix + "-Address-End-Date"),
		Confirmed:     canonical.AddressConfirmed(r.s(prefix + "-Address-Confirmed-Ind.")),
	}
	if a == nil && la.EffectiveDate == nil && la.EndDate == nil && la.Confirmed == "" {
		return nil
	}
	if a != nil {
		la.Address = *a
	}
	return &la
}

// employer reads one of the locate block's three employers: "Employer",
// "Employer2", "Employer3" with wages "Wage", "Wage2", "Wage3".
func (r reader) employer(e, w string) *canonical.Employer {
	emp := canonical.Employer{
		EIN:           r.s(e + "-EIN"),
		Name:          r.s(e + "-Name"),
		Address:       r.address(e+"-Address-Line-1", e+"-Address-Line-2", e+"-City", e+"-State", e+"-Zip-1", e+"-Zip-2"),
		Phone:         r.s(e + "-Phone-Num."),
		EffectiveDate: r.date(e + "-Effective-Date"),
		EndDate:       r.date(e + "-End-Date"),
		Confirmed:     canonical.YesNo(r.s(e + "-Confirmed-Ind.")),
	}
	if q, y, a := r.s(w+"-Qtr"), r.s(w+"-Year"), r.s(w+"-Amount"); q != "" || y != "" || a != "" {
		emp.Wage = &canonical.Wage{Quarter: r.num(w + "-Qtr"), Year: r.num(w + "-Year"), Amount: decodeAmount(a)}
	}
	if emp.EIN == "" && emp.Name == "" && emp.Address == nil && emp.Phone == "" && emp.EffectiveDate == nil &&
		emp.EndDate == nil && emp.Confirmed == "" && emp.Wage == nil {
		return nil
	}
	return &emp
}

func decodeNCPLocate(r reader) *canonical.NCPLocate {
	l := &canonical.NCPLocate{
		Residential:          r.located("Residential"),
		Mailing:              r.located("Mailing"),
		HomePhone:            r.s("Home-Phone-Num."),
		WorkPhone:            r.s("Work-Phone-Num."),
		DriversLicenseState:  r.s("Drivers-License-State"),
		DriversLicense:       r.s("Drivers-License-Num."),
		Spouse:               r.optName("Spouse-Name-Last", "Spouse-Name-First", "Spouse-Name-Middle", "Spouse-Name-Suffix"),
		Occupation:           r.s("Occupation"),
		InsuranceCarrier:     r.s("Insurance-Carrier-Name"),
		InsurancePolicy:      r.s("Insurance-Policy-Num."),
		LastResidential:      r.address("Last-Res.-Address-Line-1", "Last-Res.-Address-Line-2", "Last-Res.-City", "Last-Res.-State", "Last-Res.-Zip-1", "Last-Res.-Zip-2"),
		LastResidentialDate:  r.date("Last-Res.-Address-Date"),
		LastMailing:          r.address("Last-Mail-Address-Line-1", "Last-Mail-Address-Line-2", "Last-Mail-City", "Last-Mail-State", "Last-Mail-Zip-1", "Last-Mail-Zip-2"),
		LastMailingDate:      r.date("Last-Mail-Address-Date"),
		ProfessionalLicenses: r.s("Professional-Licenses"),
	}
	for i := 1; i <= 3; i++ {
		p := "Alias-" + strconv.Itoa(i) + "-"
		l.Aliases = append(l.Aliases, r.name(p+"Last", p+"First", p+"Middle", p+"Suffix"))
	}
	for len(l.Aliases) > 0 && l.Aliases[len(l.Aliases)-1] == (canonical.Name{}) {
		l.Aliases = l.Aliases[:len(l.Aliases)-1]
	}
	if len(l.Aliases) == 0 {
		l.Aliases = nil
	}
	emps := []*canonical.Employer{r.employer("Employer", "Wage"), r.employer("Employer2", "Wage2"), r.employer("Employer3", "Wage3")}
	for len(emps) > 0 && emps[len(emps)-1] == nil {
		emps = emps[:len(emps)-1]
	}
	for _, e := range emps {
		if e == nil {
			e = &canonical.Employer{}
		}
		l.Employers = append(l.Employers, *e)
	}
	last := canonical.PastEmployer{
		Name:          r.s("Last-Employer"),
		Date:          r.date("Last-Employer-Date"),
		Address:       r.address("Last-Employer-Address-Line-1", "Last-Employer-Address-Line-2", "Last-Employer-City", "Last-Employer-State", "Last-Employer-Zip-1", "Last-Employer-Zip-2"),
		EffectiveDate: r.date("Last-Employer-Eff.-Date"),
	}
	if last.Name != "" || last.Date != nil || last.Address != nil || last.EffectiveDate != nil {
		l.LastEmployer = &last
	}
	return l
}

const partEmp = "Participant-Employer-Info.-Emp.-"

func decodeParticipant(r reader) canonical.Participant {
	p := canonical.Participant{
		Name:                  r.name("Name-Last", "Name-First", "Name-Middle", "Name-Suffix"),
		DateOfBirth:           r.date("Date-Of-Birth"),
		SSN:                   canonical.SSN(r.s("SSN")),
		Sex:                   canonical.Sex(r.s("Gender")),
		Race:                  canonical.Race(r.s("Race")),
		Relationship:          canonical.Relationship(r.s("Relationship")),
		Status:                canonical.ParticipantStatus(r.s("Participant-Status")),
		RelationToCP:          canonical.DependentRelation(r.s("Dependent-Relation-CP")),
		Address:               r.address("Participant-Address-Line-1", "Participant Address-Line-2", "Participant-City", "Participant-State", "Participant-Zip-1", "Participant-Zip-2"),
		AddressConfirmed:      r.flag("Address-Confirmed"),
		AddressConfirmedDate:  r.date("Date-Address-Confirmed"),
		EmployerConfirmed:     r.flag("Employer-Confirmed"),
		EmployerConfirmedDate: r.date("Date-Employer-Confirmed"),
		WorkPhone:             r.s("Work-Phone"),
		BirthPlace:            r.s("Place-Of-Birth"),
		ResidenceState:        r.s("Dependent-Child-State-Of-Residence"),
		PaternityStatus:       canonical.PaternityStatus(r.s("Dependent-Paternity-Status")),
	}
	emp := canonical.Employer{
		Name:    r.s(partEmp + "Name"),
		Address: r.address(partEmp+"Street-Line-1", partEmp+"Street-Line-2", partEmp+"City", partEmp+"State", partEmp+"Zip-1", partEmp+"Zip-2"),
		EIN:     r.s("Emp-EIN"),
	}
	if emp.Name != "" || emp.Address != nil || emp.EIN != "" {
		p.Employer = &emp
	}
	return p
}

func (r reader) arrears(from, thru, amount string) *canonical.ArrearsPeriod {
	a := canonical.ArrearsPeriod{From: r.date(from), Thru: r.date(thru), Amount: r.amount(amount)}
	if a.From == nil && a.Thru == nil && r.s(amount) == "" {
		return nil
	}
	return &a
}

func decodeOrder(r reader) canonical.Order {
	return canonical.Order{
		TribunalFIPS:       r.fips("Order-FIPS-State", "Order-FIPS-County", "Order-FIPS-Sub"),
		Docket:             r.s("Order-ID"),
		IssueDate:          r.day("Order-Filing-Date"),
		Type:               canonical.OrderType(r.s("Order-Type")),
		DebtType:           canonical.DebtType(r.s("Debt-Type")),
		Frequency:          canonical.Frequency(r.s("Order-Freq.")),
		Amount:             r.amount("Order-Freq.-Amount"),
		EffectiveDate:      r.date("Order-Effective-Date"),
		EndDate:            r.date("Order-End-Date"),
		CancelDate:         r.date("Order-Cancel-Date"),
		ArrearsFrequency:   canonical.Frequency(r.s("Order-Arrears-Freq.")),
		ArrearsAmount:      r.amount("Order-Arrears-Freq.-Amount"),
		Arrears:            r.amount("Order-Arrears-Total-Amount"),
		ArrearsTANF:        r.arrears("Arrears-TANF-From-Date", "Arrears-TANF-Thru-Date", "Arrears-TANF-Amount"),
		ArrearsNonTANF:     r.arrears("Arrears-Non-TANF-From-Date", "Arrears-Non-TANF-Thru-Date", "Arrears-Non-TANF-Amount"),
		FosterCare:         r.arrears("Foster-Care-From-Date", "Foster-Care-Thru-Date", "Foster-Care-Amount"),
		Medical:            r.arrears("Medical-From-Date", "Medical-Thru-Date", "Medical-Amount"),
		MedicalOrdered:     canonical.YesNo(r.s("Medical-Ordered")),
		TribunalCaseNumber: r.s("Tribunal-Case-Number"),
		LastPaymentDate:    r.date("Date-Of-Last-Payment"),
		ControllingFlag:    canonical.ControllingFlag(r.s("Controlling-Order-Flag")),
		NewOrder:           r.flag("New-Order-Flag"),
		DocketNumber:       r.s("Docket-Num."),
	}
}

func decodeCollection(r reader) canonical.Collection {
	return canonical.Collection{
		Date:        r.day("Date-Of-Collection"),
		PostingDate: r.date("Date-Of-Posting"),
		Amount:      r.amount("Payment-Amount"),
		Source:      canonical.CollectionSource(r.s("Payment-Source")),
		Method:      canonical.PaymentMethod(r.s("Interstate-Payment-Method")),
		RDFIID:      r.s("RDFI-ID"),
		RDFIAccount: r.s("RDFI-Account-Num."),
	}
}

func decodeInformation(r reader) *canonical.Information {
	lines := make([]string, canonical.MaxInfoLines)
	for i := range lines {
		lines[i] = r.s(infoLine(i))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return &canonical.Information{
		StatusChange: canonical.CaseStatus(r.s("Status-Change-Code")),
		NewCaseID:    r.s("New-Case-ID"),
		Text:         strings.Join(lines, "\n"),
	}
}

func infoLine(i int) string { return "Information-Text-Line-" + strconv.Itoa(i+1) }

// fromRecord maps a decoded record onto the model.
func fromRecord(rec fixedwidth.Record, used map[string]map[string]bool) canonical.Transaction {
	rd := func(block string, v fixedwidth.Values) reader {
		if used == nil {
			return reader{v: v}
		}
		if used[block] == nil {
			used[block] = map[string]bool{}
		}
		return reader{v: v, used: used[block]}
	}
	t := canonical.Transaction{Header: decodeHeader(rd(blockHeader, rec.Header))}
	for _, v := range rec.Blocks[blockCase] {
		t.Case = decodeCase(rd(blockCase, v))
	}
	for _, v := range rec.Blocks[blockNCPID] {
		t.NCP = decodeNCPID(rd(blockNCPID, v))
	}
	for _, v := range rec.Blocks[blockNCPLocate] {
		t.NCPLocate = decodeNCPLocate(rd(blockNCPLocate, v))
	}
	for _, v := range rec.Blocks[blockParticipant] {
		t.Participants = append(t.Participants, decodeParticipant(rd(blockParticipant, v)))
	}
	for _, v := range rec.Blocks[blockOrder] {
		t.Orders = append(t.Orders, decodeOrder(rd(blockOrder, v)))
	}
	for _, v := range rec.Blocks[blockCollection] {
		t.Collections = append(t.Collections, decodeCollection(rd(blockCollection, v)))
	}
	for _, v := range rec.Blocks[blockInfo] {
		t.Information = decodeInformation(rd(blockInfo, v))
	}
	return t
}

// fieldsUsed lists, per block, the layout fields the mapping reads, found by
// running the decoder once over one empty occurrence of every block.
var fieldsUsed = func() map[string][]string {
	used := map[string]map[string]bool{}
	empty := fixedwidth.Record{Header: fixedwidth.Values{}, Blocks: map[string][]fixedwidth.Values{}}
	for _, b := range bodyBlocks {
		empty.Blocks[b.block] = []fixedwidth.Values{{}}
	}
	fromRecord(empty, used)
	out := map[string][]string{}
	for b, names := range used {
		for n := range names {
			out[b] = append(out[b], n)
		}
	}
	return out
}()
