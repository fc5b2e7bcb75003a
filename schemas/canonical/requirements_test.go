package canonical

import (
	"strings"
	"testing"
)

// fullTransaction is a transaction of combination f a r with every block the
// combination may carry and every field filled, so that each requirement is
// met; the blocks the combination carries no (indicator =0) are left out and
// fixed values (Case-Status C on a closure) are set from the table.
func fullTransaction(t *testing.T, f FunctionCode, a ActionCode, r ReasonCode) *Transaction {
	t.Helper()
	d := func(s string) *Date { x := date(s); return &x }
	addr := func() *Address { return &Address{Line1: "1 Main St", City: "Albany", State: "NY", Zip: "12210"} }
	tx := &Transaction{
		Header: Header{SenderFIPS: "3606100", ReceiverFIPS: "3401300", MessageID: "NY-1", Serial: 1, TransactionDate: date("2026-11-20"),
			SenderCaseID: "NY1", ReceiverCaseID: "NJ1", Function: f, Action: a, Reason: r, ResolutionDate: d("2026-11-20")},
		Case: &Case{Type: CaseNonAssistance, Status: CaseOpen, PaymentAddress: addr(),
			Contact: &Contact{Name: &Name{First: "Casey", Last: "Worker"}, Address: addr(), Phone: "5185550100"}},
		NCP: &NCPIdentification{Name: Name{First: "Jordan", Last: "Example"}, SSN: "123456789", DateOfBirth: d("1990-04-12")},
		NCPLocate: &NCPLocate{
			Residential:      &LocatedAddress{Address: *addr(), EffectiveDate: d("2025-01-01"), Confirmed: AddressVerified},
			Employers:        []Employer{{Name: "Acme", Address: addr(), Phone: "5185550101", EffectiveDate: d("2025-01-01"), Confirmed: Yes}},
			InsuranceCarrier: "Example Health", InsurancePolicy: "P-1",
		},
		Participants: []Participant{{Name: Name{First: "Riley", Last: "Example"}, DateOfBirth: d("2015-06-01"), SSN: "223456789",
			Relationship: RelChild, Status: ParticipantOpen}},
		Orders: []Order{{TribunalFIPS: "3401300", Docket: "FD-1", IssueDate: date("2021-03-15"), Type: OrderJudicial, DebtType: DebtChildSupport,
			Frequency: FreqWeekly, Amount: 11500, EffectiveDate: d("2021-03-01"), MedicalOrdered: No}},
		Collections: []Collection{{Date: date("2026-11-02"), PostingDate: d("2026-11-03"), Amount: 11500, Source: SourceWithholding}},
		Information: &Information{StatusChange: CaseOpen, NewCaseID: "NY2", Text: "See the attached order."},
	}
	for _, req := range seedRequirements()[comboKey{f, a, r}] {
		switch {
		case req.kind == reqAbsent:
			switch req.field {
			case "case":
				tx.Case = nil
			case "ncp_id":
				tx.NCP = nil
			case "ncp_locate":
				tx.NCPLocate = nil
			case "participant":
				tx.Participants = nil
			case "order":
				tx.Orders = nil
			case "collection":
				tx.Collections = nil
			case "information":
				tx.Information = nil
			}
		case req.kind == reqValue && req.value == "C":
			switch req.block {
			case "case":
				tx.Case.Status = CaseClosed
			case "participant":
				tx.Participants[0].Status = ParticipantClosed
			}
		case req.kind == reqValue && req.block == "order" && req.field == "Order-Type":
			tx.Orders[0].Type = OrderType(req.value)
		case req.kind == reqValue && req.block == "order" && req.field == "Order-Freq.-Amount":
			tx.Orders[0].Amount = 0
		}
	}
	return tx
}

// TestRequirements checks the per-transaction edits of requirements.csv on
// combinations of every function: the full transaction passes, and the bad
// one (one field or block against the rule) is refused with its path and
// reason.
func TestRequirements(t *testing.T) {
	tests := []struct {
		combo string
		bad   func(tx *Transaction)
		want  string
	}{
		{"ENF R ERREG", func(tx *Transaction) { tx.Case.Status = CaseClosed }, `case.status: must be "O" for ENF R ERREG`},
		{"ENF R ERREG", func(tx *Transaction) { tx.Orders = nil }, "orders: required: ENF R ERREG carries a order block"},
		{"ENF R ERREG", func(tx *Transaction) { tx.Orders[0].MedicalOrdered = "" }, "orders[0].medicalOrdered: must be Y or N for ENF R ERREG"},
		{"ENF R ERREO", func(tx *Transaction) { tx.NCP.SSN = "" }, "ncp.ssn: required for ENF R ERREO"},
		{"ENF R ERRES", func(tx *Transaction) { tx.NCPLocate.Residential.EffectiveDate = nil },
			"ncpLocate.residential.effectiveDate: required for ENF R ERRES when the residential address is given"},
		{"ENF R ERMEO", func(tx *Transaction) {
			tx.Collections = append(tx.Collections, Collection{Date: date("2026-11-02"), Amount: 1, Source: SourceNormal})
		},
			"collections: ENF R ERMEO carries no collection block"},
		{"ENF R ERALL", func(tx *Transaction) { tx.Case.Contact.Phone = "" }, "case.contact.phone: required for ENF R ERALL"},
		{"ENF R ERARR", func(tx *Transaction) { tx.Orders[0].Docket = "" }, "orders[0].docket: required"},
		{"ENF P GSCOE", func(tx *Transaction) { tx.NCP.DateOfBirth = nil }, "ncp.dateOfBirth: required for ENF P GSCOE"},
		{"EST P GSCOE", func(tx *Transaction) { tx.Orders[0].EffectiveDate = nil }, "orders[0].effectiveDate: required for EST P GSCOE"},
		{"EST R SRORD", func(tx *Transaction) { tx.Participants[0].SSN = "" }, "participants[0].ssn: required for EST R SRORD"},
		{"EST R SRPAT", func(tx *Transaction) { tx.Participants[0].Status = ParticipantClosed }, `participants[0].status: must be "O" for EST R SRPAT`},
		{"EST P SUEST", func(tx *Transaction) { tx.Information.StatusChange = CaseClosed }, `information.statusChange: must be "O" for EST P SUEST`},
		{"EST P SSEST", func(tx *Transaction) { tx.Case.Contact.Name.Last = "" }, "case.contact.name.last: required for EST P SSEST"},
		{"EST A AADIN", func(tx *Transaction) { tx.Header.ReceiverCaseID = "" }, "header.receiverCaseId: required for EST A AADIN"},
		{"PAT A ANOAD", func(tx *Transaction) { tx.Case = nil }, "case: required: PAT A ANOAD carries a case block"},
		{"PAT P PSEST", func(tx *Transaction) { tx.Case.Contact.Address.Zip = "" }, "case.contact.address.zip: required for PAT P PSEST"},
		{"CSI R FRINF", func(tx *Transaction) { tx.NCP = &NCPIdentification{Name: Name{First: "A", Last: "B"}} },
			"ncp: CSI R FRINF carries no ncp id block"},
		{"CSI P FUINF", func(tx *Transaction) {
			tx.Participants = []Participant{{Name: Name{First: "Riley", Last: "Example"}, Relationship: RelChild}}
		}, "participants: CSI P FUINF carries no participant block"},
		{"MSC P REJCT", func(tx *Transaction) { tx.Information = nil }, "information: required: MSC P REJCT carries a information block"},
		{"MSC P REJCT", func(tx *Transaction) { tx.Information.Text = " " }, "information.text: required for MSC P REJCT"},
		{"MSC P GSC02", func(tx *Transaction) { tx.Case.Status = CaseOpen }, `case.status: must be "C" for MSC P GSC02`},
		{"MSC P GSPUD", func(tx *Transaction) { tx.Header.SenderCaseID = "" }, "header.senderCaseId: required"},
		{"MSC R GRUPD", func(tx *Transaction) { tx.NCP.Name.First = "" }, "ncp.name.first: required"},
		{"LO1 P LSADR", func(tx *Transaction) { tx.NCPLocate.Residential.Address.City = "" },
			"ncpLocate.residential.address.city: required for LO1 P LSADR"},
		{"LO1 P LSEMP", func(tx *Transaction) { tx.NCPLocate.Employers[0].Confirmed = No }, `ncpLocate.employers[0].confirmed: must be "Y" for LO1 P LSEMP`},
		{"COL P CITAX", func(tx *Transaction) { tx.Collections[0].PostingDate = nil }, "collections[0].postingDate: required for COL P CITAX"},
	}
	combos := map[string]bool{}
	for _, tt := range tests {
		parts := strings.Fields(tt.combo)
		f, a, r := FunctionCode(parts[0]), ActionCode(parts[1]), ReasonCode(parts[2])
		combos[tt.combo] = true
		t.Run(tt.combo+" good", func(t *testing.T) {
			if len(seedRequirements()[comboKey{f, a, r}]) == 0 {
				t.Fatalf("requirements.csv has no rows for %s", tt.combo)
			}
			if errs := fullTransaction(t, f, a, r).Validate(); errs != nil {
				t.Errorf("Validate() = %v", errs)
			}
		})
		t.Run(tt.combo+" bad: "+tt.want, func(t *testing.T) {
			tx := fullTransaction(t, f, a, r)
			tt.bad(tx)
			errs := tx.Validate()
			found := false
			for _, e := range errs {
				found = found || e.Path+": "+e.Reason == tt.want
			}
			if !found {
				t.Errorf("Validate() = %v, want it to include %q", errs, tt.want)
			}
		})
	}
	if len(combos) < 20 {
		t.Errorf("%d combinations tested, want at least 20", len(combos))
	}
}

// The edits are the same for every wire format because they run on the
// canonical model; the table itself must parse and map every field it names.
func TestParseRequirements(t *testing.T) {
	if _, err := ParseRequirements([]byte("function,action,reason,block,field,rule\nENF,R,ERREG,case,Mystery-Field,Fill me\n")); err == nil ||
		!strings.Contains(err.Error(), "Mystery-Field") {
		t.Errorf("an unknown field parsed: %v", err)
	}
	if _, err := ParseRequirements([]byte("f,a\n")); err == nil {
		t.Error("a bad header parsed")
	}
	if n := len(seedRequirements()); n != 103 {
		t.Errorf("requirements for %d combinations, want 103", n)
	}
}
