// Package loadgen drives a gateway's partner API with signed, realistic case
// transactions from many concurrent partner clients, verifies every receipt,
// and measures throughput and latency; it also measures the two baselines
// intake is judged against (the CPU cost of verify + decode + validate, and
// one PostgreSQL commit per message). `uifsagw load` is its command line and
// TestLoadSmoke its CI form.
package loadgen

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	_ "github.com/uifsagw/uifsagw/transforms/all" // the codecs partners use
)

// Generator builds distinct, valid transactions of about 4 KB on the wire:
// an enforcement request to register an order, with an NCP, a locate block,
// two to four participants (a custodial party and one to three children)
// and the order covering the children. The seq-th message of a run always
// looks the same, so runs are reproducible, but every message ID, docket
// and set of SSNs is its own.
type Generator struct {
	// RunID makes message IDs unique across runs (it goes into every ID).
	RunID string
	// ReceiverFIPS is the gateway's state office, e.g. 3600000.
	ReceiverFIPS canonical.FIPS
	// Date is the transaction date (today, for a gateway that checks it).
	Date canonical.Date
	// Federal makes every transaction pass the federal CSENet edits for
	// ENF R ERRES (no collection or information block, payment and contact
	// addresses, effective dates, open participants), as a gateway's own
	// Send requires. Without it the requests carry nine months of payment
	// history and a note, the fuller documents partners post on the legacy
	// /1 formats, which the load tool measures intake with.
	Federal bool
}

var (
	firstNames = []string{"Jordan", "Riley", "Avery", "Quinn", "Morgan", "Casey", "Taylor", "Reese", "Skyler", "Rowan", "Emerson", "Hayden"}
	lastNames  = []string{"Example", "Sample", "Placeholder", "Testcase", "Fixture", "Specimen", "Dummy", "Mockridge"}
	cities     = []struct{ city, state, zip string }{
		{"Brooklyn", "NY", "11201"}, {"Albany", "NY", "12207"}, {"Newark", "NJ", "07102"}, {"Trenton", "NJ", "08608"},
		{"Harrisburg", "PA", "17101"}, {"Pittsburgh", "PA", "15222"},
	}
)

// ssn returns a well-formed fake SSN that is distinct per (seq, slot)
// within one stream (run and partner): area 100-665 avoids the ranges SSN
// validation refuses. Streams start far apart so that two partners, or two
// runs, do not name the same people, which would send every message to
// duplicate review and measure that instead of intake.
func ssn(stream uint64, seq, slot int) canonical.SSN {
	n := stream*10_000_000 + uint64(seq)*5 + uint64(slot)
	area := 100 + n%566
	group := 1 + (n/566)%99
	serial := 1 + (n/(566*99))%9999
	return canonical.SSN(fmt.Sprintf("%03d%02d%04d", area, group, serial))
}

// Transaction returns the seq-th transaction sent by a partner whose
// office is sender; its message ID is "<prefix>-<RunID>-<seq>".
func (g Generator) Transaction(sender canonical.FIPS, prefix string, seq int) canonical.Transaction {
	h := fnv.New32a()
	h.Write([]byte(g.RunID + "/" + prefix))
	stream := uint64(h.Sum32() % 50)
	pick := func(list []string, k int) string { return list[(seq*7+k)%len(list)] }
	dob := func(y int, k int) *canonical.Date {
		return &canonical.Date{Year: y, Month: time.Month(1 + (seq+k)%12), Day: 1 + (seq*3+k)%28}
	}
	last := pick(lastNames, 0)
	home := cities[seq%len(cities)]
	work := cities[(seq+3)%len(cities)]
	children := 1 + seq%3 // 2 to 4 participants with the custodial party
	id := prefix + "-" + g.RunID + "-" + strconv.Itoa(seq)
	tx := canonical.Transaction{
		Header: canonical.Header{SenderFIPS: sender, ReceiverFIPS: g.ReceiverFIPS, MessageID: id, Serial: int64(seq) + 1,
			TransactionDate: g.Date, SenderCaseID: fmt.Sprintf("%s%010d", prefix, seq), Function: canonical.FuncEnforce,
			Action: canonical.ActRequest, Reason: canonical.ReasonRegistration},
		Case: &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen,
			Contact: &canonical.Contact{Name: &canonical.Name{First: pick(firstNames, 5), Last: pick(lastNames, 3)}, Phone: "60955501" + fmt.Sprintf("%02d", seq%100)}},
		NCP: &canonical.NCPIdentification{Name: canonical.Name{First: pick(firstNames, 1), Middle: pick(firstNames, 9), Last: last},
			SSN: ssn(stream, seq, 0), DateOfBirth: dob(1975+seq%20, 0), Sex: canonical.SexMale},
		NCPLocate: &canonical.NCPLocate{
			Residential: &canonical.LocatedAddress{Address: canonical.Address{Line1: fmt.Sprintf("%d Example Avenue", 10+seq%900),
				Line2: fmt.Sprintf("Apartment %d", 1+seq%40), City: home.city, State: home.state, Zip: home.zip}},
			Mailing: &canonical.LocatedAddress{Address: canonical.Address{Line1: fmt.Sprintf("%d Placeholder Street", 5+seq%500),
				City: work.city, State: work.state, Zip: work.zip}},
			Employers: []canonical.Employer{{EIN: fmt.Sprintf("%02d%07d", 10+seq%89, seq%10000000), Name: pick(lastNames, 4) + " Logistics Incorporated",
				Address: &canonical.Address{Line1: fmt.Sprintf("%d Harbor Way", 1+seq%300), City: work.city, State: work.state, Zip: work.zip}}},
		},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: pick(firstNames, 2), Last: pick(lastNames, 1)}, SSN: ssn(stream, seq, 1), DateOfBirth: dob(1978+seq%20, 1),
				Sex: canonical.SexFemale, Relationship: canonical.RelCustodialParty, ResidenceState: home.state},
		},
	}
	// The docket is 17 characters, the federal Order-ID.
	order := canonical.Order{TribunalFIPS: sender, Docket: fmt.Sprintf("FD%08X%07d", h.Sum32(), seq%10_000_000), DebtType: canonical.DebtChildSupport,
		IssueDate: canonical.Date{Year: g.Date.Year - 1 - seq%5, Month: time.Month(1 + seq%12), Day: 1 + seq%28},
		Amount:    canonical.Cents(25000 + 100*(seq%400)), Frequency: canonical.FreqMonthly}
	sexes := []canonical.Sex{canonical.SexFemale, canonical.SexMale}
	for c := range children {
		tx.Participants = append(tx.Participants, canonical.Participant{
			Name: canonical.Name{First: pick(firstNames, 3+c), Last: last}, SSN: ssn(stream, seq, 2+c), DateOfBirth: dob(2010+(seq+c)%12, 2+c),
			Sex: sexes[(seq+c)%2], Relationship: canonical.RelChild, PaternityStatus: canonical.PaternityEstablished, ResidenceState: home.state})
		order.Children = append(order.Children, len(tx.Participants)-1)
	}
	tx.Orders = []canonical.Order{order}
	// Nine months of payment history (the most a transaction holds), as registration requests usually carry.
	for k := range canonical.MaxBlocks {
		month := time.Month(1 + (int(g.Date.Month)+k)%12)
		tx.Collections = append(tx.Collections, canonical.Collection{Date: canonical.Date{Year: g.Date.Year - 1, Month: month, Day: 1 + (seq+k)%28},
			Amount: order.Amount - canonical.Cents(100*((seq+k)%3)), Source: canonical.SourceWithholding, Docket: order.Docket})
	}
	tx.Information = canonical.InformationText(fmt.Sprintf("Please register the enclosed order of %s for enforcement under UIFSA Article 6. "+
		"The obligor is employed in your state and has resided at the first address since %d. Payments are current except for "+
		"the months noted in the payment history, which will follow in a separate collection transaction. Reference %s.",
		order.Docket, g.Date.Year-2, id))
	if g.Federal {
		federal(&tx, home.city, home.state, home.zip, seq)
	}
	return tx
}

// federal reshapes a generated ENF R ERRES to pass the federal edits.
func federal(tx *canonical.Transaction, city, state, zip string, seq int) {
	tx.Collections, tx.Information = nil, nil
	addr := canonical.Address{Line1: fmt.Sprintf("%d State Street", 1+seq%400), City: city, State: state, Zip: zip}
	tx.Case.PaymentAddress = &addr
	tx.Case.Contact.Address = &addr
	since := canonical.Date{Year: tx.Header.TransactionDate.Year - 2, Month: time.Month(1 + seq%12), Day: 1}
	tx.NCPLocate.Residential.EffectiveDate = &since
	for i := range tx.Participants {
		tx.Participants[i].Status = canonical.ParticipantOpen
	}
	for i := range tx.Orders {
		eff := tx.Orders[i].IssueDate
		tx.Orders[i].EffectiveDate = &eff
		tx.Orders[i].MedicalOrdered = canonical.No
	}
}

// Message is one encoded transaction ready to sign and post.
type Message struct {
	ID          string
	Body        []byte
	ContentType string
}

// Encode returns the seq-th message of a partner in format (a transforms
// codec name such as xml-transaction/1 or json-transaction/1).
func (g Generator) Encode(format string, sender canonical.FIPS, prefix string, seq int) (Message, error) {
	codec, ok := transforms.Lookup(format)
	if !ok {
		return Message{}, fmt.Errorf("loadgen: no codec for format %q", format)
	}
	tx := g.Transaction(sender, prefix, seq)
	b, err := codec.Encode(tx)
	if err != nil {
		return Message{}, fmt.Errorf("loadgen: encode %s: %w", tx.Header.MessageID, err)
	}
	return Message{ID: tx.Header.MessageID, Body: b, ContentType: codec.ContentType()}, nil
}
