package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func date(s string) canonical.Date {
	d, err := canonical.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func datePtr(s string) *canonical.Date {
	d := date(s)
	return &d
}

// enfRequest is a complete, valid registration request from New Jersey to New
// York: every block is filled so that each test case can break one thing.
// The people and numbers are fictitious.
func enfRequest() *canonical.Transaction {
	return &canonical.Transaction{
		Header: canonical.Header{
			SenderFIPS:      "3401300",
			ReceiverFIPS:    "3606100",
			MessageID:       "NJ-2026-000123",
			Serial:          123,
			TransactionDate: date("2026-11-20"),
			SenderCaseID:    "NJ00012345",
			ReceiverCaseID:  "NY-CS-778812",
			Function:        canonical.FuncEnforce,
			Action:          canonical.ActRequest,
			Reason:          canonical.ReasonIncomeWithholding,
		},
		Case: &canonical.Case{
			Type:           canonical.CaseNonAssistance,
			Status:         canonical.CaseOpen,
			PaymentAddress: &canonical.Address{Line1: "PO Box 4880", City: "Trenton", State: "NJ", Zip: "08650-4880"},
			Contact: &canonical.Contact{Name: &canonical.Name{First: "Casey", Last: "Worker"}, Address: &canonical.Address{Line1: "PO Box 4880", City: "Trenton", State: "NJ", Zip: "08650"},
				Phone: "6095550100", Email: "casey.worker@example.gov"},
			InitiatingDocket: "FD-13-000123-21",
			CEJState:         "34",
		},
		NCP: &canonical.NCPIdentification{
			Name:        canonical.Name{First: "Jordan", Middle: "Lee", Last: "Example"},
			SSN:         "123456789",
			DateOfBirth: datePtr("1990-04-12"),
			Sex:         canonical.SexMale,
		},
		NCPLocate: &canonical.NCPLocate{
			Aliases:     []canonical.Name{{First: "Jordy", Last: "Example"}},
			Residential: &canonical.LocatedAddress{Address: canonical.Address{Line1: "12 Example Street", Line2: "Apt 3", City: "Brooklyn", State: "NY", Zip: "11201"}},
			Employers: []canonical.Employer{{
				EIN:     "123456789",
				Name:    "Example Logistics LLC",
				Address: &canonical.Address{Line1: "400 Warehouse Road", City: "Queens", State: "NY", Zip: "11101"},
				Phone:   "7185550199",
			}},
			DriversLicense: "E1234 56789 01234", DriversLicenseState: "NY",
		},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Taylor", Last: "Example"}, SSN: "223456789", DateOfBirth: datePtr("1991-02-03"), Sex: canonical.SexFemale, Relationship: canonical.RelCustodialParty, Status: canonical.ParticipantOpen, ResidenceState: "NJ"},
			{Name: canonical.Name{First: "Riley", Last: "Example"}, SSN: "323456789", DateOfBirth: datePtr("2015-06-01"), Sex: canonical.SexFemale, Relationship: canonical.RelChild, Status: canonical.ParticipantOpen, PaternityStatus: canonical.PaternityEstablished, ResidenceState: "NJ"},
			{Name: canonical.Name{First: "Morgan", Last: "Example"}, DateOfBirth: datePtr("2018-09-15"), Sex: canonical.SexMale, Relationship: canonical.RelChild, Status: canonical.ParticipantOpen, PaternityStatus: canonical.PaternityEstablished, ResidenceState: "NJ"},
		},
		Orders: []canonical.Order{{
			TribunalFIPS:    "3401300",
			Docket:          "FD-13-000123-21",
			Type:            canonical.OrderJudicial,
			DebtType:        canonical.DebtChildSupport,
			IssueDate:       date("2021-03-15"),
			EffectiveDate:   datePtr("2021-02-01"),
			Amount:          11500,
			Frequency:       canonical.FreqWeekly,
			Arrears:         230000,
			ArrearsAsOf:     datePtr("2026-10-31"),
			ControllingFlag: canonical.ControllingPresumed,
			Children:        []int{1, 2},
		}},
		Collections: []canonical.Collection{{Date: date("2026-11-02"), Amount: 11500, Source: canonical.SourceWithholding, Docket: "FD-13-000123-21"}},
		Information: &canonical.Information{Text: "Please register for enforcement.\n\tNCP works nights."},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(tx *canonical.Transaction)
		want   []string // "path: reason", in the order Validate reports them
	}{
		{name: "complete ENF R registration is valid"},
		{
			name: "minimal acknowledgment needs no reason and no blocks",
			mutate: func(tx *canonical.Transaction) {
				*tx = canonical.Transaction{Header: canonical.Header{
					SenderFIPS: "3600000", ReceiverFIPS: "0600000", MessageID: "ack:1", Serial: 1,
					TransactionDate: date("2026-11-20"), SenderCaseID: "A", Function: canonical.FuncQuickLocate, Action: canonical.ActAck,
				}}
			},
		},
		{
			name: "EST R meeting an existing order may be answered with SUEST (support order not established)",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.Function, tx.Header.Action, tx.Header.Reason = canonical.FuncEstablish, canonical.ActProvide, canonical.ReasonOrderNotEstablished
				tx.NCPLocate, tx.Orders, tx.Collections = nil, nil, nil
				tx.Information.StatusChange = canonical.CaseOpen
				tx.Header.ResolutionDate = datePtr("2026-11-20")
				tx.Header.InReplyTo = "NY.2026.11.000042"
			},
		},
		{
			name:   "empty transaction reports every required header field",
			mutate: func(tx *canonical.Transaction) { *tx = canonical.Transaction{} },
			want: []string{
				"header.senderFips: required",
				"header.receiverFips: required",
				"header.messageId: required",
				"header.serial: must be from 1 to 999999999999",
				"header.transactionDate: required",
				"header.senderCaseId: required",
				"header.function: required",
				"header.action: required",
			},
		},
		{
			name: "malformed FIPS and unknown state",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.SenderFIPS = "340130"
				tx.Header.ReceiverFIPS = "9906100"
				tx.Orders[0].TribunalFIPS = "34O1300"
			},
			want: []string{
				"header.senderFips: not a FIPS code (state and county, 5 digits beginning with a known state code, then an optional 2-character sub-office)",
				"header.receiverFips: not a FIPS code (state and county, 5 digits beginning with a known state code, then an optional 2-character sub-office)",
				"orders[0].tribunalFips: not a FIPS code (state and county, 5 digits beginning with a known state code, then an optional 2-character sub-office)",
			},
		},
		{
			name:   "sender and receiver in the same state",
			mutate: func(tx *canonical.Transaction) { tx.Header.ReceiverFIPS = "3400000" },
			want:   []string{"header.receiverFips: same state as senderFips"},
		},
		{
			name:   "message ID longer than 64",
			mutate: func(tx *canonical.Transaction) { tx.Header.MessageID = strings.Repeat("m", 65) },
			want:   []string{"header.messageId: longer than 64 characters"},
		},
		{
			name: "message ID and inReplyTo with forbidden characters",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.MessageID = "NJ 2026/1"
				tx.Header.InReplyTo = "é"
			},
			want: []string{
				"header.messageId: may hold only letters, digits and . _ : -",
				"header.inReplyTo: may hold only letters, digits and . _ : -",
			},
		},
		{
			name:   "message ID of exactly 64 is valid",
			mutate: func(tx *canonical.Transaction) { tx.Header.MessageID = strings.Repeat("a", 64) },
		},
		{
			name: "case ID of 15 characters is valid, 16 is too long",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.SenderCaseID = "NJ0001234567890"    // 15: fine
				tx.Header.ReceiverCaseID = "NY0001234567890X" // 16
			},
			want: []string{"header.receiverCaseId: longer than 15 characters"},
		},
		{
			name: "case ID with a trailing space or a non-ASCII letter",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.SenderCaseID = "NJ123 "
				tx.Header.ReceiverCaseID = "NYÅ1"
			},
			want: []string{
				"header.senderCaseId: must be printable ASCII without leading or trailing spaces",
				"header.receiverCaseId: must be printable ASCII without leading or trailing spaces",
			},
		},
		{
			name: "length counts characters, not bytes",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.SenderCaseID = strings.Repeat("Å", 15)
				tx.Header.MessageID = strings.Repeat("é", 40)
			},
			want: []string{
				"header.messageId: may hold only letters, digits and . _ : -",
				"header.senderCaseId: must be printable ASCII without leading or trailing spaces",
			},
		},
		{
			name: "serial out of range",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.Serial = canonical.MaxSerial + 1
			},
			want: []string{"header.serial: must be from 1 to 999999999999"},
		},
		{
			name: "unknown function and action skip the combination check",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.Function = "XYZ"
				tx.Header.Action = "Q"
			},
			want: []string{`header.function: unknown code "XYZ"`, `header.action: unknown code "Q"`},
		},
		{
			name:   "a hostile code is cut short in the reason",
			mutate: func(tx *canonical.Transaction) { tx.Header.Function = canonical.FunctionCode(strings.Repeat("Z", 40)) },
			want:   []string{`header.function: unknown code "ZZZZZZZZZZZZZZZZ"...`},
		},
		{
			name: "reason not allowed for the function and action",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.Function, tx.Header.Reason = canonical.FuncEstablish, canonical.ReasonAddParticipant
			},
			want: []string{`header.reason: "GSADD" not allowed for EST R`},
		},
		{
			name:   "request without a reason",
			mutate: func(tx *canonical.Transaction) { tx.Header.Reason = "" },
			want:   []string{"header.reason: required for ENF R"},
		},
		{
			name:   "acknowledgment with a reason",
			mutate: func(tx *canonical.Transaction) { tx.Header.Action = canonical.ActAck },
			want:   []string{`header.reason: "ERWAG" not allowed for ENF A`},
		},
		{
			name:   "malformed reason",
			mutate: func(tx *canonical.Transaction) { tx.Header.Reason = "srreg" },
			want:   []string{`header.reason: not a reason code (5 characters A-Z 0-9): "srreg"`},
		},
		{
			name:   "resolution date before the transaction date",
			mutate: func(tx *canonical.Transaction) { tx.Header.ResolutionDate = datePtr("2026-11-19") },
			want:   []string{"header.resolutionDate: before the transaction date"},
		},
		{
			name: "out-of-range transaction date disables the future checks",
			mutate: func(tx *canonical.Transaction) {
				tx.Header.TransactionDate = canonical.Date{Year: 1700, Month: time.January, Day: 1}
				tx.Header.ResolutionDate = &canonical.Date{Year: 2026, Month: time.February, Day: 30}
				tx.NCP.DateOfBirth = datePtr("2999-01-01")
			},
			want: []string{
				"header.transactionDate: not a valid date (YYYY-MM-DD, years 1800 to 2999)",
				"header.resolutionDate: not a valid date (YYYY-MM-DD, years 1800 to 2999)",
			},
		},
		{
			name: "dates after the transaction date plus one day",
			mutate: func(tx *canonical.Transaction) {
				tx.NCP.DateOfBirth = datePtr("2026-11-22")
				tx.Participants[2].DateOfBirth = datePtr("2026-11-21") // one day of slack: fine
				tx.Orders[0].IssueDate = date("2026-12-01")
				tx.Orders[0].EffectiveDate = datePtr("2027-01-01") // may be in the future
				tx.Orders[0].ArrearsAsOf = datePtr("2026-11-30")
				tx.Collections[0].Date = date("2027-01-01")
			},
			want: []string{
				"ncp.dateOfBirth: after the transaction date",
				"orders[0].issueDate: after the transaction date",
				"orders[0].arrearsAsOf: after the transaction date",
				"collections[0].date: after the transaction date",
			},
		},
		{
			name: "amounts out of range and arrears without a date",
			mutate: func(tx *canonical.Transaction) {
				tx.Orders[0].Amount = -1
				tx.Orders[0].Arrears = canonical.MaxCents + 1
				tx.Orders[0].ArrearsAsOf = nil
				tx.Collections[0].Amount = 0
			},
			want: []string{
				"orders[0].amountCents: must be from 0 to 1000000000 cents",
				// Arrears may be negative (an overpayment), need no as-of date
				// (CSENet has none), and a collection may be negative (a
				// reversal) but not 0.
				"orders[0].arrearsCents: must be from -1000000000 to 1000000000 cents",
				"collections[0].amountCents: must not be 0",
			},
		},
		{
			name: "zero arrears need no date; MaxCents is allowed",
			mutate: func(tx *canonical.Transaction) {
				tx.Orders[0].Arrears = 0
				tx.Orders[0].ArrearsAsOf = nil
				tx.Orders[0].Amount = canonical.MaxCents
			},
		},
		{
			name: "order codes: frequency unknown, debt type missing",
			mutate: func(tx *canonical.Transaction) {
				tx.Orders = append(tx.Orders, tx.Orders[0])
				tx.Orders[1].Children = nil
				tx.Orders[1].DebtType = ""
				tx.Orders[1].Frequency = "X"
			},
			want: []string{
				"orders[1].debtType: required",
				`orders[1].frequency: unknown code "X"`,
			},
		},
		{
			name: "order children: missing participant, not a child, listed twice",
			mutate: func(tx *canonical.Transaction) {
				tx.Orders[0].Children = []int{1, 5, 0, 1, -1}
			},
			want: []string{
				"orders[0].children[1]: no participant 5",
				`orders[0].children[2]: participant 0 is not a dependent (relationship "C")`,
				"orders[0].children[3]: participant 1 listed twice",
				"orders[0].children[4]: no participant -1",
			},
		},
		{
			// A CSENet order block names no children, so an order without
			// them is valid; the list is the gateway's own.
			name: "an order need not list its children",
			mutate: func(tx *canonical.Transaction) {
				tx.Orders[0].Children = nil
				tx.Orders = append(tx.Orders, canonical.Order{TribunalFIPS: "3401300", Docket: "FD-13-000124-21", DebtType: canonical.DebtMedicalSupport,
					IssueDate: date("2021-03-15"), Amount: 2500, Frequency: canonical.FreqMonthly})
			},
		},
		{
			name: "more than 9 participants, orders and collections, more than 3 employers",
			mutate: func(tx *canonical.Transaction) {
				for len(tx.Participants) < 10 {
					tx.Participants = append(tx.Participants, canonical.Participant{Name: canonical.Name{First: "Sam", Last: "Example"}, Relationship: canonical.RelSecondAdult})
				}
				for len(tx.Orders) < 10 {
					tx.Orders = append(tx.Orders, tx.Orders[0])
				}
				for len(tx.Collections) < 10 {
					tx.Collections = append(tx.Collections, tx.Collections[0])
				}
				for len(tx.NCPLocate.Employers) < 4 {
					tx.NCPLocate.Employers = append(tx.NCPLocate.Employers, tx.NCPLocate.Employers[0])
				}
			},
			want: []string{
				"ncpLocate.employers: at most 3 allowed, got 4",
				"participants: at most 9 allowed, got 10",
				"orders: at most 9 allowed, got 10",
				"collections: at most 9 allowed, got 10",
			},
		},
		{
			name: "employer EIN, name and phone",
			mutate: func(tx *canonical.Transaction) {
				tx.NCPLocate.Employers[0].EIN = "12-3456789"
				tx.NCPLocate.Employers[0].Name = ""
				tx.NCPLocate.Employers[0].Phone = "call me"
				tx.NCPLocate.Employers = append(tx.NCPLocate.Employers, canonical.Employer{Name: "Second Job Inc"})
			},
			want: []string{
				"ncpLocate.employers[0].ein: must be 9 digits",
				"ncpLocate.employers[0].name: required",
				// The layout's EIN is optional.
				"ncpLocate.employers[0].phone: must be 10 digits (area code and number)",
			},
		},
		{
			name: "invalid SSNs",
			mutate: func(tx *canonical.Transaction) {
				tx.NCP.SSN = "000123456"
				tx.Participants[0].SSN = "666123456"
				tx.Participants[1].SSN = "12345678"
				tx.Participants[2].SSN = "123450000"
			},
			want: []string{
				"ncp.ssn: not a valid SSN (9 digits; no area 000, 666 or 900-999, group 00 or serial 0000)",
				"participants[0].ssn: not a valid SSN (9 digits; no area 000, 666 or 900-999, group 00 or serial 0000)",
				"participants[1].ssn: not a valid SSN (9 digits; no area 000, 666 or 900-999, group 00 or serial 0000)",
				"participants[2].ssn: not a valid SSN (9 digits; no area 000, 666 or 900-999, group 00 or serial 0000)",
			},
		},
		{
			name: "NCP repeated as a participant, and a participant twice",
			mutate: func(tx *canonical.Transaction) {
				tx.Participants[0].SSN = tx.NCP.SSN
				tx.Participants[2].SSN = tx.Participants[1].SSN
			},
			want: []string{
				"participants[0].ssn: same SSN as the NCP, but the participant is not the NCP (relationship A)",
				"participants[2].ssn: same SSN as participants[1]",
			},
		},
		{
			name: "participant codes",
			mutate: func(tx *canonical.Transaction) {
				tx.Participants[0].Relationship = ""
				tx.Participants[1].Sex = "X"
				tx.Participants[2].PaternityStatus = "maybe"
			},
			want: []string{
				"participants[0].relationship: required",
				`participants[1].sex: unknown code "X"`,
				`participants[2].paternityStatus: unknown code "maybe"`,
				// the order's children still point at participants 1 and 2, which are children
			},
		},
		{
			name: "names: required, too long, control characters",
			mutate: func(tx *canonical.Transaction) {
				tx.NCP.Name.First = ""
				tx.NCP.Name.Last = strings.Repeat("é", 22)
				tx.NCPLocate.Aliases[0].Middle = "A\x00B"
				tx.Participants[0].Name.Suffix = "Jr\u0085"
			},
			want: []string{
				"ncp.name.first: required",
				"ncp.name.last: longer than 21 characters",
				"ncpLocate.aliases[0].middle: contains a control character",
				"participants[0].name.suffix: contains a control character",
			},
		},
		{
			name:   "a last name of exactly 21 characters is valid",
			mutate: func(tx *canonical.Transaction) { tx.NCP.Name.Last = strings.Repeat("é", 21) },
		},
		{
			name:   "invalid UTF-8",
			mutate: func(tx *canonical.Transaction) { tx.NCPLocate.Residential.Address.City = "Brookl\xffn" },
			want:   []string{"ncpLocate.residential.address.city: not valid UTF-8"},
		},
		{
			name: "information text: tab and newline allowed, carriage return not, length",
			mutate: func(tx *canonical.Transaction) {
				tx.Information.Text = strings.Repeat("x", 4000) + "\r\n"
			},
			want: []string{
				"information.text: contains a control character",
				"information.text: longer than 404 characters",
				"information.text: line 1 is longer than 80 characters",
			},
		},
		{
			// The information block may carry only a status change or a new case ID.
			name:   "information block without text",
			mutate: func(tx *canonical.Transaction) { tx.Information.Text = "" },
		},
		{
			name: "states: postal abbreviations and CEJ state FIPS",
			mutate: func(tx *canonical.Transaction) {
				tx.Case.CEJState = "99"
				tx.NCPLocate.Residential.Address.State = "ny"
				tx.NCPLocate.DriversLicenseState = ""
				tx.Participants[1].ResidenceState = "XX"
			},
			want: []string{
				`case.cejState: not a known 2-digit state FIPS code: "99"`,
				`ncpLocate.residential.address.state: not a known state postal abbreviation: "ny"`,
				"ncpLocate.driversLicenseState: required",
				`participants[1].residenceState: not a known state postal abbreviation: "XX"`,
			},
		},
		{
			name: "address, contact and license fields",
			mutate: func(tx *canonical.Transaction) {
				tx.Case.PaymentAddress.Zip = "8650"
				tx.Case.PaymentAddress.Line1 = ""
				tx.Case.Contact.Phone = "555"
				tx.Case.Contact.Email = "casey@localhost"
				tx.NCPLocate.DriversLicense = strings.Repeat("9", 21)
				tx.NCPLocate.Residential.Address.Zip = "11201-12"
			},
			want: []string{
				"case.paymentAddress.line1: required",
				"case.paymentAddress.zip: must be 5 digits or ZIP+4 (12345-6789)",
				"case.contact.phone: must be 10 digits (area code and number)",
				"case.contact.email: not an email address",
				"ncpLocate.residential.address.zip: must be 5 digits or ZIP+4 (12345-6789)",
				"ncpLocate.driversLicense: longer than 20 characters",
			},
		},
		{
			name: "case codes and docket length",
			mutate: func(tx *canonical.Transaction) {
				tx.Case.Type = "TANF"
				tx.Case.Status = ""
				tx.Case.RespondingDocket = strings.Repeat("D", 31)
				tx.Orders[0].Docket = ""
			},
			want: []string{
				`case.type: unknown code "TANF"`,
				"case.status: required",
				"case.respondingDocket: longer than 17 characters",
				"orders[0].docket: required",
			},
		},
		{
			name: "collection source and docket",
			mutate: func(tx *canonical.Transaction) {
				tx.Collections[0].Source = ""
				tx.Collections[0].Docket = "FD\t13"
				tx.Collections = append(tx.Collections, canonical.Collection{Date: date("2026-11-09"), Amount: 11500, Source: "CASH"})
			},
			want: []string{
				"collections[0].source: required",
				"collections[0].docket: contains a control character",
				`collections[1].source: unknown code "CASH"`,
			},
		},
		{
			name: "NCP sex and alias count",
			mutate: func(tx *canonical.Transaction) {
				tx.NCP.Sex = "male"
				for len(tx.NCPLocate.Aliases) < canonical.MaxAliases+1 {
					tx.NCPLocate.Aliases = append(tx.NCPLocate.Aliases, canonical.Name{First: "J", Last: "Example"})
				}
			},
			want: []string{
				`ncp.sex: unknown code "male"`,
				"ncpLocate.aliases: at most 3 allowed, got 4",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := enfRequest()
			if tc.mutate != nil {
				tc.mutate(tx)
			}
			var got []string
			for _, e := range Transaction(tx) {
				got = append(got, e.Error())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Validate() =\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	var tx *canonical.Transaction
	got := Transaction(tx)
	if len(got) != 1 || got[0].Reason != "no transaction" {
		t.Fatalf("nil Validate() = %v", got)
	}
}

func TestValidateWithOperatorTable(t *testing.T) {
	tx := enfRequest()
	tx.Header.Function, tx.Header.Reason = canonical.FuncEstablish, "NJX01"
	want := `header.reason: "NJX01" not allowed for EST R`
	if got := Transaction(tx).Error(); got != want {
		t.Fatalf("seed table: Validate() = %q, want %q", got, want)
	}
	ext, err := ParseCombos([]byte("function,action,reason,description\nEST,R,NJX01,New Jersey pilot: establish with genetic test on file\n"))
	if err != nil {
		t.Fatal(err)
	}
	table := DefaultCombos()
	table.Merge(ext)
	if errs := With(tx, table); errs != nil {
		t.Fatalf("merged table: ValidateWith() = %v, want none", errs)
	}
	// The merge must not leak into the seed that Validate uses.
	if got := Transaction(tx).Error(); got != want {
		t.Fatalf("after merge: Validate() = %q, want %q", got, want)
	}
}

// TestValidateNeverEchoesPII breaks every SSN and date of birth and checks
// that no reason repeats them: reasons go back to partners and into logs.
func TestValidateNeverEchoesPII(t *testing.T) {
	tx := enfRequest()
	tx.NCP.SSN = "987654321"
	tx.Participants[0].SSN = "98765432X"
	tx.NCP.DateOfBirth = datePtr("2027-03-04")
	tx.Participants[1].DateOfBirth = &canonical.Date{Year: 1799, Month: time.December, Day: 31}
	errs := Transaction(tx)
	if len(errs) != 4 {
		t.Fatalf("want 4 errors, got %v", errs)
	}
	msg := fmt.Sprint(errs)
	for _, secret := range []string{"987654321", "98765432X", "6789", "2027", "1799"} {
		if strings.Contains(msg, secret) {
			t.Errorf("reasons contain %q: %s", secret, msg)
		}
	}
}

func TestHasControlMatchesPatterns(t *testing.T) {
	single := regexp.MustCompile(singleLinePattern)
	multi := regexp.MustCompile(multiLinePattern)
	for r := rune(0); r <= 0x2FF; r++ {
		s := "a" + string(r) + "b"
		if got, want := single.MatchString(s), !hasControl(s, false); got != want {
			t.Errorf("U+%04X: singleLinePattern matches %v, hasControl says valid %v", r, got, want)
		}
		if got, want := multi.MatchString(s), !hasControl(s, true); got != want {
			t.Errorf("U+%04X: multiLinePattern matches %v, hasControl says valid %v", r, got, want)
		}
	}
}
