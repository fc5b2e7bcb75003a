package casework

import (
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

// TestGeneratorsSendFederalCombinations walks every generator of this
// package: each combination it sends is in the federal table (not one of the
// gateway's own), so a partner state knows it.
func TestGeneratorsSendFederalCombinations(t *testing.T) {
	combos := validate.DefaultCombos()
	for _, g := range Generators() {
		src := combos.Source(g.Function, g.Action, g.Reason)
		if src != validate.SourceFederal {
			t.Errorf("%s sends %s %s %s, source %q, want federal", g.Generator, g.Function, g.Action, g.Reason, src)
		}
		for _, old := range []canonical.ReasonCode{"GSCOD", "ERXOR", "SIIWO", "EIACK", "EIREJ"} {
			if g.Reason == old {
				t.Errorf("%s still sends the gateway's old code %s", g.Generator, old)
			}
		}
	}
}

// TestAnswersMeetTheFederalEdits builds the answers whose combinations have
// per-transaction edits the way the generators do, from a realistic request,
// and checks them with the federal edits.
func TestAnswersMeetTheFederalEdits(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }
	p := &Processor{now: now, cfg: Config{SelfFIPS: "3600000", StateFIPS: "36", Contact: &canonical.Contact{
		Name:    &canonical.Name{First: "Interstate", Last: "Unit"},
		Address: &canonical.Address{Line1: "150 Example Street", City: "New York", State: "NY", Zip: "10001"}, Phone: "2125550100"}}}
	dob := &canonical.Date{Year: 1988, Month: 3, Day: 14}
	request := canonical.Transaction{
		Header: canonical.Header{SenderFIPS: "3400000", ReceiverFIPS: "3600000", MessageID: "NJ-1", Serial: 1,
			TransactionDate: canonical.Date{Year: 2026, Month: 11, Day: 20}, SenderCaseID: "NJ1", Function: canonical.FuncEstablish,
			Action: canonical.ActRequest, Reason: "SRORD"},
		Case: &canonical.Case{Type: canonical.CaseAssistance, Status: canonical.CaseOpen},
		NCP:  &canonical.NCPIdentification{Name: canonical.Name{First: "Jordan", Last: "Example"}, SSN: "123456789", DateOfBirth: dob},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Riley", Last: "Sample"}, Relationship: canonical.RelCustodialParty},
			{Name: canonical.Name{First: "Avery", Last: "Example"}, Relationship: canonical.RelChild, DateOfBirth: dob},
		},
	}
	order := canonical.Order{TribunalFIPS: "3401300", Docket: "FD-1", IssueDate: canonical.Date{Year: 2021, Month: 3, Day: 15},
		DebtType: canonical.DebtChildSupport, Frequency: canonical.FreqWeekly, Amount: 11500,
		EffectiveDate: &canonical.Date{Year: 2021, Month: 3, Day: 1}, MedicalOrdered: canonical.No, ControllingFlag: canonical.ControllingDetermined}

	for _, tt := range []struct {
		g     Generated
		build func(resp *canonical.Transaction)
	}{
		{genOrderNotEstablished, func(resp *canonical.Transaction) {
			resp.Information = canonical.InformationText("An order already exists for this obligor and child.")
		}},
		{genControllingEnforcement, func(resp *canonical.Transaction) { resp.Orders = []canonical.Order{order} }},
		{genControllingEstablishment, func(resp *canonical.Transaction) { resp.Orders = []canonical.Order{order} }},
		{genWithholdingRejected, func(resp *canonical.Transaction) {
			resp.Information = canonical.InformationText("Employer rejected income withholding order T-1: the employee is no longer employed there.")
		}},
	} {
		t.Run(tt.g.Generator, func(t *testing.T) {
			resp := p.replyWith(request, "NY0000000001", request.Header.SenderCaseID, tt.g.Function, tt.g.Action, tt.g.Reason, "NY-1-X")
			tt.build(&resp)
			p.withCaseBlocks(&resp, request)
			if errs := p.validateOutbound(&resp); errs != nil {
				t.Errorf("%s %s %s: %v", tt.g.Function, tt.g.Action, tt.g.Reason, errs)
			}
		})
	}

	// Without a configured contact, the answer cannot meet the edits: the
	// gateway still answers, checked by the model's rules.
	p.cfg.Contact = nil
	resp := p.replyWith(request, "NY0000000001", request.Header.SenderCaseID, genOrderNotEstablished.Function, genOrderNotEstablished.Action, genOrderNotEstablished.Reason, "NY-1-Y")
	resp.Information = canonical.InformationText("An order already exists.")
	p.withCaseBlocks(&resp, request)
	if errs := validate.Transaction(&resp); errs == nil {
		t.Error("an answer without our contact met the federal edits")
	}
	if errs := p.validateOutbound(&resp); errs != nil {
		t.Errorf("model rules: %v", errs)
	}
}
