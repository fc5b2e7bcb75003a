package devenv

import (
	"fmt"
	"time"

	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
)

// FileEmployer is the sample payroll provider that takes federal e-IWO files
// from its pull inbox and answers each with an acknowledgment file.
var FileEmployer = SamplePartner{ID: "initech", Kind: partners.KindEmployer, Name: "Initech Payroll (sample e-IWO file employer)",
	StateFIPS: "34", FEIN: "441234567", Format: eiwofile.Format, Delivery: partners.DeliverPull}

// AnswerEIWOFile is the sample employer's answer to an IWO file: an
// acknowledgment file (FHA, BHA, ACK records, BTA, FTA) that accepts the
// first IWO and rejects the next as no longer employed, alternately, so a
// file of two shows both. Its control numbers are the employer's own.
func AnswerEIWOFile(file []byte, fileCtl, batchCtl string, now time.Time) ([]byte, error) {
	l, err := eiwofile.Default()
	if err != nil {
		return nil, err
	}
	h, batches, err := l.DecodeIWOFile(file)
	if err != nil {
		return nil, err
	}
	var out []eiwofile.AckBatch
	n := 0
	for _, b := range batches {
		ab := eiwofile.AckBatch{Header: eiwofile.Header{Control: batchCtl, StateFIPS: h.StateFIPS, EIN: b.Header.EIN, Created: now}}
		for _, iwo := range b.IWOs {
			a := canonical.EmployerAck{TrackingNumber: iwo.TrackingNumber, CaseID: iwo.CaseID, OrderID: iwo.OrderID,
				EmployerFEIN: iwo.Employer.EIN, DocAction: iwo.DocAction, Status: canonical.AckAccepted}
			if n%2 == 1 {
				last := canonical.DateOf(now.AddDate(0, 0, -14))
				a.Status, a.Reasons, a.TerminationDate = canonical.AckRejected, []canonical.AckReason{canonical.AckNoLongerEmployed}, &last
			}
			n++
			ab.Acks = append(ab.Acks, a)
		}
		out = append(out, ab)
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("the sample employer answers files of one batch, not %d", len(out))
	}
	return l.EncodeAckFile(eiwofile.Header{Control: fileCtl, StateFIPS: h.StateFIPS, EIN: FileEmployer.FEIN, Created: now}, out)
}

// SampleENF is an enforcement request from Pennsylvania asking New York to
// withhold from an NCP who works for the sample file employer; n (1 or 2)
// picks one of two families, so the two requests are two IWOs rather than a
// second order for one child.
func SampleENF(messageID, caseID string, date canonical.Date, weekly canonical.Cents, n int) canonical.Transaction {
	dob := &canonical.Date{Year: 1985, Month: 1, Day: 2}
	ncp, ncpSSN, child, childSSN := "Drew", canonical.SSN("321654987"), "Kim", canonical.SSN("432165798")
	if n == 2 {
		ncp, ncpSSN, child, childSSN = "Robin", "321654988", "Lee", "432165799"
	}
	return canonical.Transaction{
		Header: canonical.Header{SenderFIPS: "4200000", ReceiverFIPS: "3600000", MessageID: messageID, Serial: 1,
			TransactionDate: date, SenderCaseID: caseID, Function: canonical.FuncEnforce, Action: canonical.ActRequest,
			Reason: canonical.ReasonIncomeWithholding},
		Case: &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen},
		NCP:  &canonical.NCPIdentification{Name: canonical.Name{First: ncp, Last: "Sample"}, SSN: ncpSSN, DateOfBirth: dob},
		NCPLocate: &canonical.NCPLocate{Employers: []canonical.Employer{{EIN: FileEmployer.FEIN, Name: "Initech Payroll",
			Address: &canonical.Address{Line1: "1 Harbor Way", City: "Newark", State: "NJ", Zip: "07102"}}}},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Pat", Last: "Sample"}, Relationship: canonical.RelCustodialParty, ResidenceState: "PA"},
			{Name: canonical.Name{First: child, Last: "Sample"}, SSN: childSSN, DateOfBirth: &canonical.Date{Year: 2016, Month: 4, Day: 4},
				Relationship: canonical.RelChild, ResidenceState: "PA"},
		},
		Orders: []canonical.Order{{TribunalFIPS: "4210100", Docket: "PA-DR-" + caseID, DebtType: canonical.DebtChildSupport,
			IssueDate: canonical.Date{Year: 2020, Month: 6, Day: 1}, Amount: weekly, Frequency: canonical.FreqWeekly,
			ControllingFlag: canonical.ControllingPresumed, Children: []int{1}}},
	}
}
