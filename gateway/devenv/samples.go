package devenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
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

// The samples tell one caseworker's story about the Example family of
// SampleEST (Jordan Example, who lives in Brooklyn; Riley Sample and the two
// children, who live in New Jersey), plus an income withholding case:
//
//  1. Pennsylvania registers its support order for the family with us.
//  2. New Jersey, not knowing of it, asks us to establish an order for the same
//     family: no second order; a review item shows Pennsylvania's order and we
//     tell New Jersey at once (EST P ERXOR), pushed to New Jersey's gateway.
//  3. New Jersey registers an order of its own, issued later: two orders for
//     one family, so a supervisor confirms which one controls (UIFSA §207)
//     and both states are told.
//  4. Pennsylvania asks us to withhold from the pay of a parent who works for
//     Acme Logistics; the IWO waits in Acme's inbox until Acme fetches and
//     acknowledges it.
//
// The people, SSNs and dockets are fictitious.

// StoryRegistration is step 1: Pennsylvania's order for the Example family.
func StoryRegistration(messageID string, date canonical.Date) canonical.Transaction {
	tx := SampleEST(messageID, date)
	tx.Header.SenderFIPS, tx.Header.SenderCaseID = "4200000", "PA0000031415"
	tx.Header.Function, tx.Header.Reason = canonical.FuncEnforce, canonical.ReasonRegistration
	tx.Case.Contact = &canonical.Contact{Name: &canonical.Name{First: "Dana", Last: "Clerk"}, Phone: "7175550140",
		Address: &canonical.Address{Line1: "1 Example Square", City: "Harrisburg", State: "PA", Zip: "17101"}}
	tx.Orders = []canonical.Order{{TribunalFIPS: "4210100", Docket: "PA-DR-2021-0107", Type: canonical.OrderJudicial, DebtType: canonical.DebtChildSupport,
		IssueDate: canonical.Date{Year: 2021, Month: 5, Day: 3}, EffectiveDate: &canonical.Date{Year: 2021, Month: 5, Day: 3}, MedicalOrdered: canonical.No, Amount: 12500, Frequency: canonical.FreqWeekly, Children: []int{1, 2}}}
	return tx
}

// StoryCompetingOrder is step 3: New Jersey's own, later order for the family.
func StoryCompetingOrder(messageID string, date canonical.Date) canonical.Transaction {
	tx := SampleEST(messageID, date)
	tx.Header.Function, tx.Header.Reason = canonical.FuncEnforce, canonical.ReasonRegistration
	tx.Orders = []canonical.Order{{TribunalFIPS: "3402100", Docket: "FD-02-0417-24", Type: canonical.OrderJudicial, DebtType: canonical.DebtChildSupport,
		IssueDate: canonical.Date{Year: 2024, Month: 2, Day: 15}, EffectiveDate: &canonical.Date{Year: 2024, Month: 2, Day: 15}, MedicalOrdered: canonical.No, Amount: 16000, Frequency: canonical.FreqWeekly, Children: []int{1, 2}}}
	return tx
}

// StoryIWORequest is step 4: Pennsylvania asks us to withhold from Acme's employee.
func StoryIWORequest(messageID string, date canonical.Date) canonical.Transaction {
	dob := func(y int, m time.Month, d int) *canonical.Date { return &canonical.Date{Year: y, Month: m, Day: d} }
	return canonical.Transaction{
		Header: canonical.Header{SenderFIPS: "4200000", ReceiverFIPS: "3600000", MessageID: messageID, Serial: 1,
			TransactionDate: date, SenderCaseID: "PA0000027182", Function: canonical.FuncEnforce, Action: canonical.ActRequest,
			Reason: canonical.ReasonIncomeWithholding},
		Case: &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen,
			Contact: &canonical.Contact{Name: &canonical.Name{First: "Dana", Last: "Clerk"}, Phone: "7175550140",
				Address: &canonical.Address{Line1: "1 Example Square", City: "Harrisburg", State: "PA", Zip: "17101"}}},
		NCP: &canonical.NCPIdentification{Name: canonical.Name{First: "Drew", Last: "Sample"}, SSN: "321654987",
			DateOfBirth: dob(1985, 1, 2), Sex: canonical.SexMale},
		NCPLocate: &canonical.NCPLocate{Employers: []canonical.Employer{{EIN: "221234567", Name: "Acme Logistics Inc.",
			Address: &canonical.Address{Line1: "1 Harbor Way", City: "Newark", State: "NJ", Zip: "07102"}}}},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Pat", Last: "Sample"}, Relationship: canonical.RelCustodialParty, ResidenceState: "PA"},
			{Name: canonical.Name{First: "Kim", Last: "Sample"}, SSN: "432165798", DateOfBirth: dob(2016, 4, 4),
				Sex: canonical.SexFemale, Relationship: canonical.RelChild, ResidenceState: "PA"},
		},
		Orders: []canonical.Order{{TribunalFIPS: "4210100", Docket: "PA-DR-2020-0042", Type: canonical.OrderJudicial, DebtType: canonical.DebtChildSupport,
			IssueDate: canonical.Date{Year: 2020, Month: 6, Day: 1}, EffectiveDate: &canonical.Date{Year: 2020, Month: 6, Day: 1}, MedicalOrdered: canonical.No, Amount: 20000, Frequency: canonical.FreqWeekly,
			ControllingFlag: canonical.ControllingPresumed, Children: []int{1}}},
	}
}

// Sample is one sample message file and the partner that sends it.
type Sample struct {
	File, Partner, Says string
}

// Story lists the sample files in the order to send them.
var Story = []Sample{
	{"pa-order-registration.json", "pa", "Pennsylvania registers its support order for the Example family"},
	{"nj-est-request.xml", "nj", "New Jersey asks us to establish an order for the same family: review item, and New Jersey is told at once"},
	{"nj-competing-order.xml", "nj", "New Jersey registers its own, later order: a supervisor confirms which order controls"},
	{"pa-iwo-request.json", "pa", "Pennsylvania asks us to withhold from the pay of an Acme Logistics employee: an IWO to Acme"},
	{"pa-csi-request.json", "pa", "Pennsylvania asks for the status of a case"},
	{"pa-enf-initech-1.json", "pa", "Pennsylvania asks us to withhold from an Initech employee: Initech takes federal e-IWO files, and its acknowledgment file accepts this one"},
	{"pa-enf-initech-2.json", "pa", "Pennsylvania asks us to withhold from another Initech employee: the acknowledgment file rejects it (no longer employed), and Pennsylvania is told"},
}

// FileSamples are the sample CSENet files of California, sent whole to the
// batch endpoint: each transaction becomes its own message and one receipt
// lists them all.
var FileSamples = []Sample{
	{"ca-transactions.csenet", "ca", "California sends a CSENet file of three establishment requests: one receipt lists all three"},
	{"ca-transactions-with-errors.csenet", "ca", "California sends a CSENet file with two bad records: the good one is stored, the receipt names the fields at fault"},
}

// SampleCAEstablish is a California establishment request (EST R SRORD) for the
// i-th sample family, as a CSENet record carries it.
func SampleCAEstablish(i int, serial int64, date canonical.Date) canonical.Transaction {
	tx := SampleEST("", date)
	tx.Header.SenderFIPS, tx.Header.Serial = "0603700", serial
	// A CSENet record carries no message ID; the codec names a transaction
	// by sending state and serial number, as here.
	tx.Header.MessageID = fmt.Sprintf("csenet-06-%d", serial)
	tx.Header.SenderCaseID = fmt.Sprintf("CA%010d", 4200+i)
	last := []string{"Example", "Sample", "Placeholder"}[i%3]
	tx.NCP.Name.Last = last
	// What the federal edits ask of an EST R SRORD (requirements.csv):
	// where to pay, whom to call, since when the address holds, and each
	// participant's status.
	office := canonical.Address{Line1: "PO Box 419064", City: "Rancho Cordova", State: "CA", Zip: "95741"}
	tx.Case.PaymentAddress = &office
	tx.Case.Contact = &canonical.Contact{Name: &canonical.Name{First: "Lee", Last: "Caseworker"}, Phone: "8665573333",
		Address: &canonical.Address{Line1: "11150 International Dr", City: "Rancho Cordova", State: "CA", Zip: "95670"}}
	since := canonical.Date{Year: 2025, Month: 3, Day: 1}
	tx.NCPLocate.Residential = &canonical.LocatedAddress{EffectiveDate: &since,
		Address: canonical.Address{Line1: "200 Sample St", City: "Los Angeles", State: "CA", Zip: "90012"}}
	for k := range tx.Participants {
		tx.Participants[k].Name.Last, tx.Participants[k].ResidenceState = last, "CA"
		tx.Participants[k].Status = canonical.ParticipantOpen
	}
	return tx
}

// WriteFileSamples writes the CSENet files of FileSamples into Dir/samples
// (WriteSamples writes them too).
func WriteFileSamples(l Layout) error {
	dir := filepath.Join(l.Dir, "samples")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	return writeFileSamples(dir, time.Now(), rnd)
}

// writeFileSamples writes FileSamples with serial numbers unique to this
// call, so a later dev start sends new transactions, not repeats.
func writeFileSamples(dir string, now time.Time, rnd [3]byte) error {
	base := (now.Unix()%100_000_000*1000 + int64(rnd[0])*4 + int64(rnd[1])%4) * 10
	today := canonical.DateOf(now)
	var good [3][]byte
	for i := range good {
		tx := SampleCAEstablish(i, base+int64(i), today)
		if errs := validate.Transaction(&tx); len(errs) > 0 {
			return fmt.Errorf("CSENet sample %d is invalid: %v", i+1, errs)
		}
		b, err := transforms.Encode(tx, "csenet-2000")
		if err != nil {
			return fmt.Errorf("CSENet sample %d: %w", i+1, err)
		}
		good[i] = b
	}
	fresh, err := transforms.Encode(SampleCAEstablish(4, base+4, today), "csenet-2000")
	if err != nil {
		return err
	}
	bad := SampleCAEstablish(3, base+3, today)
	bad.Header.Reason = "SRXYZ" // no such establishment reason
	wrong, err := transforms.Encode(bad, "csenet-2000")
	if err != nil {
		return err
	}
	truncated := good[1][:len(good[1])-60] // its header promises blocks it does not hold
	files := map[string][][]byte{
		FileSamples[0].File: good[:],
		FileSamples[1].File: {fresh, wrong, truncated},
	}
	for name, lines := range files {
		var b []byte
		for _, l := range lines {
			b = append(append(b, l...), '\n')
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WriteSamples writes the sample messages of Story into Dir/samples, in each
// partner's format, with message IDs unique to this call: files written on
// a later start are new messages, not repeats. Sending one file twice is a
// repeat (the gateway answers with the first receipt), unless send is given
// --new-id.
func WriteSamples(l Layout) error {
	dir := filepath.Join(l.Dir, "samples")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	now := time.Now()
	// Unique per run even for two runs within one second.
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	stamp := now.Format("20060102-150405") + "-" + hex.EncodeToString(rnd[:])
	today := canonical.DateOf(now)
	files := map[string]struct {
		format string
		tx     canonical.Transaction
	}{
		"pa-order-registration.json": {"json-transaction/1", StoryRegistration("PA-REG-"+stamp, today)},
		"nj-est-request.xml":         {"xml-transaction/1", SampleEST("NJ-EST-"+stamp, today)},
		"nj-competing-order.xml":     {"xml-transaction/1", StoryCompetingOrder("NJ-REG-"+stamp, today)},
		"pa-iwo-request.json":        {"json-transaction/1", StoryIWORequest("PA-ENF-"+stamp, today)},
		"pa-csi-request.json":        {"json-transaction/1", SampleCSI("PA-CSI-"+stamp, today)},
		// Two withholding requests for the sample file employer: its
		// acknowledgment file accepts one and rejects the other.
		"pa-enf-initech-1.json": {"json-transaction/1", SampleENF("PA-ENF1-"+stamp, "PAIWO1", today, 20000, 1)},
		"pa-enf-initech-2.json": {"json-transaction/1", SampleENF("PA-ENF2-"+stamp, "PAIWO2", today, 15000, 2)},
	}
	for _, s := range Story {
		f := files[s.File]
		if strings.HasSuffix(f.format, "/1") {
			// The gateway reads a /1 file as legacy (no federal
			// per-transaction edits); check the sample as it will be read.
			canonical.MarkLegacy(&f.tx)
		}
		if errs := validate.Transaction(&f.tx); len(errs) > 0 {
			return fmt.Errorf("%s: sample is invalid: %v", s.File, errs)
		}
		b, err := transforms.Encode(f.tx, f.format)
		if err != nil {
			return fmt.Errorf("%s: %w", s.File, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.File), b, 0o644); err != nil {
			return err
		}
	}
	return writeFileSamples(dir, now, rnd)
}
