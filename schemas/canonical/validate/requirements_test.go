package validate

import (
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// fullTransaction is a transaction of combination f a r with every block the
// combination may carry and every field filled, so that each requirement is
// met; the blocks the combination carries no (indicator =0) are left out and
// fixed values (Case-Status C on a closure) are set from the table.
func fullTransaction(t *testing.T, f canonical.FunctionCode, a canonical.ActionCode, r canonical.ReasonCode) *canonical.Transaction {
	t.Helper()
	d := func(s string) *canonical.Date { x := date(s); return &x }
	addr := func() *canonical.Address {
		return &canonical.Address{Line1: "1 Main St", City: "Albany", State: "NY", Zip: "12210"}
	}
	tx := &canonical.Transaction{
		Header: canonical.Header{SenderFIPS: "3606100", ReceiverFIPS: "3401300", MessageID: "NY-1", Serial: 1, TransactionDate: date("2026-11-20"),
			SenderCaseID: "NY1", ReceiverCaseID: "NJ1", Function: f, Action: a, Reason: r, ResolutionDate: d("2026-11-20")},
		Case: &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen, PaymentAddress: addr(),
			Contact: &canonical.Contact{Name: &canonical.Name{First: "Casey", Last: "Worker"}, Address: addr(), Phone: "5185550100"}},
		NCP: &canonical.NCPIdentification{Name: canonical.Name{First: "Jordan", Last: "Example"}, SSN: "123456789", DateOfBirth: d("1990-04-12")},
		NCPLocate: &canonical.NCPLocate{
			Residential:      &canonical.LocatedAddress{Address: *addr(), EffectiveDate: d("2025-01-01"), Confirmed: canonical.AddressVerified},
			Employers:        []canonical.Employer{{Name: "Acme", Address: addr(), Phone: "5185550101", EffectiveDate: d("2025-01-01"), Confirmed: canonical.Yes}},
			InsuranceCarrier: "Example Health", InsurancePolicy: "P-1",
		},
		Participants: []canonical.Participant{{Name: canonical.Name{First: "Riley", Last: "Example"}, DateOfBirth: d("2015-06-01"), SSN: "223456789",
			Relationship: canonical.RelChild, Status: canonical.ParticipantOpen}},
		Orders: []canonical.Order{{TribunalFIPS: "3401300", Docket: "FD-1", IssueDate: date("2021-03-15"), Type: canonical.OrderJudicial, DebtType: canonical.DebtChildSupport,
			Frequency: canonical.FreqWeekly, Amount: 11500, EffectiveDate: d("2021-03-01"), MedicalOrdered: canonical.No}},
		Collections: []canonical.Collection{{Date: date("2026-11-02"), PostingDate: d("2026-11-03"), Amount: 11500, Source: canonical.SourceWithholding}},
		Information: &canonical.Information{StatusChange: canonical.CaseOpen, NewCaseID: "NY2", Text: "See the attached order."},
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
				tx.Case.Status = canonical.CaseClosed
			case "participant":
				tx.Participants[0].Status = canonical.ParticipantClosed
			}
		case req.kind == reqValue && req.block == "order" && req.field == "Order-Type":
			tx.Orders[0].Type = canonical.OrderType(req.value)
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
		bad   func(tx *canonical.Transaction)
		want  string
	}{
		{"ENF R ERREG", func(tx *canonical.Transaction) { tx.Case.Status = canonical.CaseClosed }, `case.status: must be "O" for ENF R ERREG`},
		{"ENF R ERREG", func(tx *canonical.Transaction) { tx.Orders = nil }, "orders: required: ENF R ERREG carries a order block"},
		{"ENF R ERREG", func(tx *canonical.Transaction) { tx.Orders[0].MedicalOrdered = "" }, "orders[0].medicalOrdered: must be Y or N for ENF R ERREG"},
		{"ENF R ERREO", func(tx *canonical.Transaction) { tx.NCP.SSN = "" }, "ncp.ssn: required for ENF R ERREO"},
		{"ENF R ERRES", func(tx *canonical.Transaction) { tx.NCPLocate.Residential.EffectiveDate = nil },
			"ncpLocate.residential.effectiveDate: required for ENF R ERRES when the residential address is given"},
		{"ENF R ERMEO", func(tx *canonical.Transaction) {
			tx.Collections = append(tx.Collections, canonical.Collection{Date: date("2026-11-02"), Amount: 1, Source: canonical.SourceNormal})
		},
			"collections: ENF R ERMEO carries no collection block"},
		{"ENF R ERALL", func(tx *canonical.Transaction) { tx.Case.Contact.Phone = "" }, "case.contact.phone: required for ENF R ERALL"},
		{"ENF R ERARR", func(tx *canonical.Transaction) { tx.Orders[0].Docket = "" }, "orders[0].docket: required"},
		{"ENF P GSCOE", func(tx *canonical.Transaction) { tx.NCP.DateOfBirth = nil }, "ncp.dateOfBirth: required for ENF P GSCOE"},
		{"EST P GSCOE", func(tx *canonical.Transaction) { tx.Orders[0].EffectiveDate = nil }, "orders[0].effectiveDate: required for EST P GSCOE"},
		{"EST R SRORD", func(tx *canonical.Transaction) { tx.Participants[0].SSN = "" }, "participants[0].ssn: required for EST R SRORD"},
		{"EST R SRPAT", func(tx *canonical.Transaction) { tx.Participants[0].Status = canonical.ParticipantClosed }, `participants[0].status: must be "O" for EST R SRPAT`},
		{"EST P SUEST", func(tx *canonical.Transaction) { tx.Information.StatusChange = canonical.CaseClosed }, `information.statusChange: must be "O" for EST P SUEST`},
		{"EST P SSEST", func(tx *canonical.Transaction) { tx.Case.Contact.Name.Last = "" }, "case.contact.name.last: required for EST P SSEST"},
		{"EST A AADIN", func(tx *canonical.Transaction) { tx.Header.ReceiverCaseID = "" }, "header.receiverCaseId: required for EST A AADIN"},
		{"PAT A ANOAD", func(tx *canonical.Transaction) { tx.Case = nil }, "case: required: PAT A ANOAD carries a case block"},
		{"PAT P PSEST", func(tx *canonical.Transaction) { tx.Case.Contact.Address.Zip = "" }, "case.contact.address.zip: required for PAT P PSEST"},
		{"CSI R FRINF", func(tx *canonical.Transaction) {
			tx.NCP = &canonical.NCPIdentification{Name: canonical.Name{First: "A", Last: "B"}}
		},
			"ncp: CSI R FRINF carries no ncp id block"},
		{"CSI P FUINF", func(tx *canonical.Transaction) {
			tx.Participants = []canonical.Participant{{Name: canonical.Name{First: "Riley", Last: "Example"}, Relationship: canonical.RelChild}}
		}, "participants: CSI P FUINF carries no participant block"},
		{"MSC P REJCT", func(tx *canonical.Transaction) { tx.Information = nil }, "information: required: MSC P REJCT carries a information block"},
		{"MSC P REJCT", func(tx *canonical.Transaction) { tx.Information.Text = " " }, "information.text: required for MSC P REJCT"},
		{"MSC P GSC02", func(tx *canonical.Transaction) { tx.Case.Status = canonical.CaseOpen }, `case.status: must be "C" for MSC P GSC02`},
		{"MSC P GSPUD", func(tx *canonical.Transaction) { tx.Header.SenderCaseID = "" }, "header.senderCaseId: required"},
		{"MSC R GRUPD", func(tx *canonical.Transaction) { tx.NCP.Name.First = "" }, "ncp.name.first: required"},
		{"LO1 P LSADR", func(tx *canonical.Transaction) { tx.NCPLocate.Residential.Address.City = "" },
			"ncpLocate.residential.address.city: required for LO1 P LSADR"},
		{"LO1 P LSEMP", func(tx *canonical.Transaction) { tx.NCPLocate.Employers[0].Confirmed = canonical.No }, `ncpLocate.employers[0].confirmed: must be "Y" for LO1 P LSEMP`},
		{"COL P CITAX", func(tx *canonical.Transaction) { tx.Collections[0].PostingDate = nil }, "collections[0].postingDate: required for COL P CITAX"},
	}
	combos := map[string]bool{}
	for _, tt := range tests {
		parts := strings.Fields(tt.combo)
		f, a, r := canonical.FunctionCode(parts[0]), canonical.ActionCode(parts[1]), canonical.ReasonCode(parts[2])
		combos[tt.combo] = true
		t.Run(tt.combo+" good", func(t *testing.T) {
			if len(seedRequirements()[comboKey{f, a, r}]) == 0 {
				t.Fatalf("requirements.csv has no rows for %s", tt.combo)
			}
			if errs := Transaction(fullTransaction(t, f, a, r)); errs != nil {
				t.Errorf("Validate() = %v", errs)
			}
		})
		t.Run(tt.combo+" bad: "+tt.want, func(t *testing.T) {
			tx := fullTransaction(t, f, a, r)
			tt.bad(tx)
			errs := Transaction(tx)
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
