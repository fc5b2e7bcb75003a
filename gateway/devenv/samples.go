package devenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	_ "github.com/uifsagw/uifsagw/transforms/all" // every codec the samples use
)

// SampleEST is an establishment request from New Jersey to New York with a
// noncustodial parent, a custodial party and two children. The data is fake.
func SampleEST(messageID string, date canonical.Date) canonical.Transaction {
	dob := func(y int, m time.Month, d int) *canonical.Date { return &canonical.Date{Year: y, Month: m, Day: d} }
	return canonical.Transaction{
		Header: canonical.Header{SenderFIPS: "3400000", ReceiverFIPS: "3600000", MessageID: messageID, Serial: 1,
			TransactionDate: date, SenderCaseID: "NJ0000012345", Function: canonical.FuncEstablish,
			Action: canonical.ActRequest, Reason: "SRORD"},
		Case: &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen,
			PaymentAddress: &canonical.Address{Line1: "PO Box 4880", City: "Trenton", State: "NJ", Zip: "08650"},
			Contact: &canonical.Contact{Name: &canonical.Name{First: "Morgan", Last: "Example"},
				Address: &canonical.Address{Line1: "1 Example Plaza", City: "Trenton", State: "NJ", Zip: "08608"}, Phone: "6095550100"}},
		NCP: &canonical.NCPIdentification{Name: canonical.Name{First: "Jordan", Last: "Example"}, SSN: "123456789",
			DateOfBirth: dob(1988, 3, 14), Sex: canonical.SexMale},
		NCPLocate: &canonical.NCPLocate{
			Residential: &canonical.LocatedAddress{Address: canonical.Address{Line1: "100 Example Ave", City: "Brooklyn", State: "NY", Zip: "11201"},
				EffectiveDate: dob(2024, 1, 1)},
			Employers: []canonical.Employer{{EIN: "221234567", Name: "Acme Logistics Inc.",
				Address: &canonical.Address{Line1: "1 Harbor Way", City: "Newark", State: "NJ", Zip: "07102"}}},
		},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Riley", Last: "Sample"}, SSN: "234567890", DateOfBirth: dob(1990, 7, 2),
				Sex: canonical.SexFemale, Relationship: canonical.RelCustodialParty, Status: canonical.ParticipantOpen, ResidenceState: "NJ"},
			{Name: canonical.Name{First: "Avery", Last: "Example"}, SSN: "345678901", DateOfBirth: dob(2015, 5, 20),
				Sex: canonical.SexFemale, Relationship: canonical.RelChild, Status: canonical.ParticipantOpen, PaternityStatus: canonical.PaternityEstablished, ResidenceState: "NJ"},
			{Name: canonical.Name{First: "Quinn", Last: "Example"}, SSN: "456789012", DateOfBirth: dob(2018, 9, 9),
				Sex: canonical.SexMale, Relationship: canonical.RelChild, Status: canonical.ParticipantOpen, PaternityStatus: canonical.PaternityEstablished, ResidenceState: "NJ"},
		},
	}
}

// SampleCSI is a case status request from Pennsylvania to New York.
func SampleCSI(messageID string, date canonical.Date) canonical.Transaction {
	return canonical.Transaction{
		Header: canonical.Header{SenderFIPS: "4200000", ReceiverFIPS: "3600000", MessageID: messageID, Serial: 1,
			TransactionDate: date, SenderCaseID: "PA7654321", ReceiverCaseID: "NY0000067890",
			Function: canonical.FuncCaseStatus, Action: canonical.ActRequest, Reason: "FRINF"},
	}
}

// WriteSamples writes sample messages for the sample partners into
// Dir/samples, in each partner's format, with message IDs unique to this run
// so they can be sent again after a restart.
func WriteSamples(l Layout) error {
	dir := filepath.Join(l.Dir, "samples")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	now := time.Now()
	// Unique per run even for two runs within one second: a rerun must send
	// new messages, not repeats.
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	stamp := now.Format("20060102-150405") + "-" + hex.EncodeToString(rnd[:])
	today := canonical.DateOf(now)
	files := []struct {
		name, format string
		tx           canonical.Transaction
	}{
		{"nj-est-request.xml", "xml-transaction/1", SampleEST("NJ-EST-"+stamp, today)},
		{"pa-csi-request.json", "json-transaction/1", SampleCSI("PA-CSI-"+stamp, today)},
	}
	for _, f := range files {
		if errs := f.tx.Validate(); len(errs) > 0 {
			return fmt.Errorf("%s: sample is invalid: %v", f.name, errs)
		}
		b, err := transforms.Encode(f.tx, f.format)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
