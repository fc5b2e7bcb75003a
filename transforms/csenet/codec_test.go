package csenet

import (
	"strconv"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
)

// TestHandBuiltRoundTrip is the done-when: three transactions built by hand
// from layout.csv convert to the model and back byte for byte.
func TestHandBuiltRoundTrip(t *testing.T) {
	c := New()
	for _, tc := range []struct {
		name   string
		record string
		length int
		check  func(t *testing.T, tx canonical.Transaction)
	}{
		{"ENF R ERREG", handENF(t), 121 + 351 + 181 + 1421 + 2*341 + 254 + 416, func(t *testing.T, tx canonical.Transaction) {
			o := tx.Orders[0]
			if o.Amount != 45000 || o.Arrears != 270000 || o.ArrearsAmount != 5000 || o.Frequency != "M" || o.DebtType != "CS" || o.Type != "J" {
				t.Errorf("order = %+v", o)
			}
			if o.ArrearsNonTANF == nil || o.ArrearsNonTANF.Amount != 270000 || o.ArrearsTANF != nil || o.ControllingFlag != "P" {
				t.Errorf("order arrears = %+v", o)
			}
			if o.TribunalFIPS != "36061" || tx.Header.ReceiverFIPS != "0603701" || tx.Case.PaymentFIPS != "36000" {
				t.Errorf("FIPS %q %q %q", o.TribunalFIPS, tx.Header.ReceiverFIPS, tx.Case.PaymentFIPS)
			}
			if p := tx.Participants; len(p) != 2 || p[0].Relationship != "C" || p[1].Relationship != "D" || p[1].RelationToCP != "C" ||
				p[1].DateOfBirth.String() != "2016-02-29" || p[0].Employer == nil || p[0].Employer.EIN != "111222333" {
				t.Errorf("participants = %+v", p)
			}
			n := tx.NCP
			if n.SSN.Digits() != "123456789" || n.HeightFeet != 5 || n.HeightInch != 11 || n.WeightLbs != 180 ||
				len(n.AliasSSNs) != 1 || n.AliasSSNs[0].Digits() != "234567890" || !n.PossiblyDangerous {
				t.Errorf("ncp = %+v", n)
			}
			l := tx.NCPLocate
			if len(l.Employers) != 2 || l.Employers[0].Wage == nil || l.Employers[0].Wage.Amount != 1250000 || l.Employers[0].Wage.Quarter != 3 ||
				l.Employers[1].Name != "WEEKEND DINER" || l.Employers[1].Wage != nil || len(l.Aliases) != 1 || l.Aliases[0].First != "JACK" {
				t.Errorf("locate = %+v", l)
			}
			if l.Residential == nil || l.Residential.Address.Zip != "90026" || l.Residential.Confirmed != "Y" {
				t.Errorf("residential = %+v", l.Residential)
			}
			if tx.Case.PaymentAddress.Zip != "12212-5363" || tx.Case.Contact.Phone != "2125550100" || tx.Case.Contact.Name.Last != "RIVERA" {
				t.Errorf("case = %+v", tx.Case)
			}
			if tx.Information.Text != "PLEASE REGISTER THE ATTACHED ORDER FOR ENFORCEMENT.\n\nCERTIFIED COPY FOLLOWS BY MAIL." {
				t.Errorf("information = %q", tx.Information.Text)
			}
		}},
		{"LO1 R", handLO1(t), 121 + 181, func(t *testing.T, tx canonical.Transaction) {
			if tx.Header.Function != "LO1" || tx.Header.Reason != "" || tx.Header.ReceiverCaseID != "CA-998877" || tx.NCP == nil || tx.Case != nil {
				t.Errorf("tx = %+v", tx)
			}
		}},
		{"CSI R FRINF", handCSI(t), 121, func(t *testing.T, tx canonical.Transaction) {
			if tx.Header.Serial != 999999999999 || tx.Header.MessageID != "csenet-36-999999999999" || tx.Header.ReceiverCaseID != "CA-998877" || tx.Case != nil {
				t.Errorf("tx = %+v", tx.Header)
			}
		}},
		{"a case and two participants", handHeader(t, "CSI", "P", "FSINF", "1002000", nil) + handParticipants(t), 121 + 351 + 2*341, func(t *testing.T, tx canonical.Transaction) {
			if tx.Case.Type != "A" || len(tx.Participants) != 2 || tx.Participants[1].DateOfBirth.String() != "2016-02-29" {
				t.Errorf("tx = %+v", tx)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.record) != tc.length {
				t.Fatalf("hand-built record is %d columns, want %d", len(tc.record), tc.length)
			}
			tx, errs := c.Decode([]byte(tc.record))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			tc.check(t, tx)
			// The done-when transactions are also valid federal transactions
			// under the per-combination edits of requirements.csv.
			if tc.name != "a case and two participants" {
				if errs := validate.Transaction(&tx); len(errs) > 0 {
					t.Errorf("Validate: %v", errs)
				}
			}
			if h := tx.Header; h.SenderFIPS != "36061" || h.TransactionDate.String() != "2026-12-01" || h.Attachments || h.SenderCaseID != "NY00012345" {
				t.Errorf("header = %+v", h)
			}
			out, err := c.Encode(tx)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.record {
				t.Errorf("not byte for byte:\n%s", firstDiff(string(out), tc.record))
			}
		})
	}
}

func firstDiff(got, want string) string {
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			lo := max(0, i-20)
			return "at column " + itoa(i+1) + ":\n got …" + got[lo:min(len(got), i+20)] + "\nwant …" + want[lo:min(len(want), i+20)]
		}
	}
	return "lengths " + itoa(len(got)) + " and " + itoa(len(want))
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestDecodeRefuses(t *testing.T) {
	c := New()
	enf := handENF(t)
	hdrLen := 121
	// Participants start after the header, case, NCP identification and locate.
	partStart := hdrLen + 351 + 181 + 1421
	for _, tc := range []struct {
		name, record string
		want         []canonical.FieldError
	}{
		{"promises more blocks than it holds", handHeader(t, "CSI", "P", "FSINF", "1002000", nil) + handParticipants(t)[:351+341],
			[]canonical.FieldError{
				{Path: "participants[1]", PartnerPath: "participant[2]", Reason: "missing: the header says 2, the record holds 1"},
				{Path: "", PartnerPath: "record", Reason: "the record is 813 columns long; the header's indicators describe 1154"}}},
		{"more than the indicators say", handLO1(t) + "X",
			[]canonical.FieldError{{Path: "", PartnerPath: "record (columns 303-303)", Reason: "1 columns after the blocks the header's indicators describe (302 columns)"}}},
		{"a bad date in the second participant", enf[:partStart+341+56] + "20161301" + enf[partStart+341+64:],
			[]canonical.FieldError{{Path: "participants[1]", PartnerPath: "participant[2].Date-Of-Birth (columns 2472-2479)", Reason: `"20161301" is not a calendar date in CCYYMMDD`}}},
		{"a relationship not in the federal code set", enf[:partStart+75] + "X" + enf[partStart+76:],
			[]canonical.FieldError{{Path: "participants[0]", PartnerPath: "participant[1].Relationship (columns 2150-2150)", Reason: `"X" is not a valid value (valid: A, C, D, P, S)`}}},
		{"letters in an amount", strings.Replace(enf, "000000045000", "0000000450.0", 1),
			[]canonical.FieldError{{Path: "orders[0]", PartnerPath: "order[1].Order-Freq.-Amount (columns 2793-2804)", Reason: `"0000000450.0" is not a number: numeric fields are digits only, right-justified and zero-filled`}}},
		{"another version", handLO1(t)[:14] + "002" + handLO1(t)[17:],
			[]canonical.FieldError{{Path: "header", PartnerPath: "header.CSENet-Version-Number", Reason: `version "002": CSENet 2000 transactions are version 003`}}},
		{"an unknown function", strings.Replace(handLO1(t), "RLO1", "RXYZ", 1),
			[]canonical.FieldError{{Path: "header", PartnerPath: "header.Functional-Type-Code (columns 35-37)", Reason: `"XYZ" is not a valid value (valid: LO1, CSI, ENF, MSC, PAT, EST, COL)`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := c.Decode([]byte(tc.record))
			if len(errs) != len(tc.want) {
				t.Fatalf("errors = %v, want %v", errs, tc.want)
			}
			for i := range errs {
				if errs[i] != tc.want[i] {
					t.Errorf("error %d =\n %+v\nwant\n %+v", i, errs[i], tc.want[i])
				}
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	c := New()
	base, errs := c.Decode([]byte(handENF(t)))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, tc := range []struct {
		name   string
		change func(tx *canonical.Transaction)
		want   []string
	}{
		{"negative arrears", func(tx *canonical.Transaction) { tx.Orders[0].Arrears = -1250 },
			[]string{"orders[0].arrearsCents (order[1].Order-Arrears-Total-Amount): -12.50 is negative"}},
		{"six lines of information", func(tx *canonical.Transaction) { tx.Information.Text = "1\n2\n3\n4\n5\n6" },
			[]string{"information.text (information[1].Information-Text-Line-5): 6 lines; the block holds 5 lines of 80 characters"}},
		{"a last name too long", func(tx *canonical.Transaction) { tx.Participants[1].Name.Last = strings.Repeat("X", 22) },
			[]string{"participants[1] (participant[2].Name-Last (columns 2416-2436)): 22 characters; the field holds 21"}},
		{"ten participants", func(tx *canonical.Transaction) {
			tx.Participants = append(tx.Participants, make([]canonical.Participant, 8)...)
		}, []string{"header (header.Participant-Data-Ind. (columns 93-93)): 10 participant blocks; at most 9 are allowed"}},
		{"four employers", func(tx *canonical.Transaction) {
			tx.NCPLocate.Employers = append(tx.NCPLocate.Employers, canonical.Employer{Name: "X"}, canonical.Employer{Name: "Y"})
		}, []string{"ncpLocate.employers (ncp_locate[1].Employer-Name): 4 employers; the block holds 3"}},
		{"a FIPS code too long", func(tx *canonical.Transaction) { tx.Header.SenderFIPS = "360610012" },
			[]string{`header.senderFips (header.Local-FIPS-State): "360610012" is not a FIPS code`}},
		{"a participant employer's wage", func(tx *canonical.Transaction) {
			tx.Participants[0].Employer.Wage = &canonical.Wage{Quarter: 1, Year: 2026}
		}, []string{"participants[0].employer (participant[1].Participant-Employer-Info.-Emp.-Name): a participant's employer has only a name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, _ := c.Decode([]byte(handENF(t)))
			tc.change(&tx)
			_, err := c.Encode(tx)
			if err == nil {
				t.Fatal("encoded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nwant it to contain %q", err, w)
				}
			}
		})
	}
	// The unchanged transaction still encodes: the cases above failed on
	// their own change.
	if _, err := c.Encode(base); err != nil {
		t.Fatal(err)
	}
}

// TestSkippedSlotsKeepTheirPlace: a record may fill the second alias SSN,
// alias or employer and leave the first blank; the model keeps the blank
// slot so the record writes back as it came.
func TestSkippedSlotsKeepTheirPlace(t *testing.T) {
	c := New()
	rec := handHeader(t, "LO1", "R", "", "0110000", nil) +
		handBlock(t, "ncp_id", map[string]string{"Name-Last": "DOE", "Name-First": "JOHN", "Alias-SSN-2": "234567890"}) +
		handBlock(t, "ncp_locate", map[string]string{"Alias-3-Last": "DOE", "Employer3-Name": "WEEKEND DINER", "Wage3-Amount": "0"})
	tx, errs := c.Decode([]byte(rec))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l := tx.NCPLocate
	if len(tx.NCP.AliasSSNs) != 2 || tx.NCP.AliasSSNs[0] != "" || len(l.Aliases) != 3 || l.Aliases[2].Last != "DOE" ||
		len(l.Employers) != 3 || l.Employers[2].Name != "WEEKEND DINER" || l.Employers[2].Wage == nil || l.Employers[0].Name != "" {
		t.Fatalf("ncp %+v locate %+v", tx.NCP, l)
	}
	out, err := c.Encode(tx)
	if err != nil || string(out) != rec {
		t.Fatalf("round trip: %v", err)
	}
}

func TestFile(t *testing.T) {
	c := New()
	file := handENF(t) + "\r\n" + handLO1(t)[:200] + "\r\n\r\n" + handCSI(t) + "\r\n"
	items := c.DecodeFile([]byte(file))
	if len(items) != 4 {
		t.Fatalf("%d items", len(items))
	}
	if len(items[0].Errors) > 0 || items[0].Transaction.Header.Function != "ENF" || items[3].Transaction.Header.Function != "CSI" {
		t.Errorf("good lines: %+v / %+v", items[0].Errors, items[3].Errors)
	}
	if items[1].Line != 2 || len(items[1].Errors) == 0 || !strings.Contains(items[1].Errors[0].Reason, "missing: the header says 1, the record holds 0") {
		t.Errorf("line 2 = %+v", items[1].Errors)
	}
	if items[2].Line != 3 || len(items[2].Errors) != 1 || !strings.Contains(items[2].Errors[0].Reason, "empty line") {
		t.Errorf("line 3 = %+v", items[2].Errors)
	}
	out, err := c.EncodeFile([]canonical.Transaction{items[0].Transaction, items[3].Transaction})
	if err != nil {
		t.Fatal(err)
	}
	if want := handENF(t) + "\n" + handCSI(t) + "\n"; string(out) != want {
		t.Error("file does not encode back line for line")
	}
	bad := items[0].Transaction
	bad.Orders[0].Amount = -1
	if _, err := c.EncodeFile([]canonical.Transaction{items[3].Transaction, bad}); err == nil || !strings.HasPrefix(err.Error(), "transaction 2: ") {
		t.Errorf("err = %v", err)
	}
}

func TestLayoutOverride(t *testing.T) {
	// An operator's table loads when it has every field the mapping reads...
	if _, err := NewWithLayout(schemasLayout()); err != nil {
		t.Fatal(err)
	}
	// ...and is refused, naming the field, when it lacks one.
	without := strings.Replace(string(schemasLayout()), "order,Medical-Ordered,", "order,Medical-Ordered-X,", 1)
	if _, err := NewWithLayout([]byte(without)); err == nil || !strings.Contains(err.Error(), `the order block has no field "Medical-Ordered"`) {
		t.Errorf("err = %v", err)
	}
	narrow := strings.Replace(string(schemasLayout()), "collection,Payment-Amount,17,28,12,numeric", "collection,Payment-Amount,17,28,12,alphanumeric", 1)
	if _, err := NewWithLayout([]byte(narrow)); err == nil || !strings.Contains(err.Error(), "collection.Payment-Amount must be a 12-column numeric amount") {
		t.Errorf("err = %v", err)
	}
	noBlock := strings.ReplaceAll(string(schemasLayout()), "\ncollection,", "\ncollections,")
	if _, err := NewWithLayout([]byte(noBlock)); err == nil || !strings.Contains(err.Error(), "no collection block") {
		t.Errorf("err = %v", err)
	}
}

func TestAmountEncoding(t *testing.T) {
	for _, tc := range []struct {
		cents canonical.Cents
		want  string
		err   string
	}{
		{0, "000000000000", ""},
		{45000, "000000045000", ""},
		{99999999999_9, "999999999999", ""},
		{1_000_000_000_000, "", "does not fit in 12 digits"},
		{-1, "", "is negative"},
	} {
		got, err := encodeAmount(tc.cents, 12)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("encodeAmount(%d) = %q, %v", tc.cents, got, err)
		}
		if tc.err == "" && decodeAmount(got) != tc.cents {
			t.Errorf("decodeAmount(%q) = %d", got, decodeAmount(got))
		}
	}
}
