package messages

import (
	"fmt"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func TestMaskTransaction(t *testing.T) {
	tx := canonical.Transaction{
		NCP:          &canonical.NCPIdentification{Name: canonical.Name{First: "Pat", Last: "Doe"}, SSN: "123456789"},
		Participants: []canonical.Participant{{SSN: "12345", Relationship: canonical.RelChild}, {Relationship: canonical.RelCustodialParty}},
		Case:         &canonical.Case{PaymentAddress: &canonical.Address{Zip: "12345"}},
		Information:  &canonical.Information{Text: "NCP SSN 123-45-6789, also 123456789"},
	}
	m, fields, dobs, err := maskTransaction(tx)
	if len(dobs) != 0 {
		t.Fatalf("dates of birth found in a transaction without any: %v", dobs)
	}
	if err != nil {
		t.Fatal(err)
	}
	if m.NCP.SSN != "***-**-6789" || m.Participants[0].SSN != "***-**-2345" || m.Participants[1].SSN != "" {
		t.Fatalf("masked SSNs: %q %q %q", m.NCP.SSN, m.Participants[0].SSN, m.Participants[1].SSN)
	}
	if m.Information.Text != "NCP SSN ***-**-6789, also ***-**-6789" {
		t.Fatalf("free text = %q", m.Information.Text)
	}
	if m.Case.PaymentAddress.Zip != "12345" {
		t.Fatalf("a malformed SSN was scrubbed from a zip code: %q", m.Case.PaymentAddress.Zip)
	}
	if tx.NCP.SSN != "123456789" || tx.Information.Text != "NCP SSN 123-45-6789, also 123456789" {
		t.Fatal("the caller's transaction was changed")
	}
	want := []ssnField{{ncpSSNPath, "ncp", -1, "123456789", -1, nil}, {"participants[0].ssn", "ch", 0, "12345", -1, nil}}
	if fmt.Sprint(fields) != fmt.Sprint(want) {
		t.Fatalf("fields = %v; want %v", fields, want)
	}
	back := m
	for _, f := range fields {
		if err := setSSN(&back, f.path, f.ssn); err != nil {
			t.Fatal(err)
		}
	}
	if back.NCP.SSN != "123456789" || back.Participants[0].SSN != "12345" {
		t.Fatal("setSSN did not restore")
	}
	for _, bad := range []string{"participants[5].ssn", "participants[0].name", "ncp.name"} {
		if err := setSSN(&back, bad, "1"); err == nil {
			t.Errorf("setSSN(%q) accepted", bad)
		}
	}
}

func TestMaskTransactionDatesOfBirth(t *testing.T) {
	ncp, child := canonical.Date{Year: 1981, Month: 4, Day: 17}, canonical.Date{Year: 2015, Month: 1, Day: 5}
	tx := canonical.Transaction{
		NCP:          &canonical.NCPIdentification{SSN: "123456789", DateOfBirth: &ncp},
		Participants: []canonical.Participant{{Relationship: canonical.RelChild, DateOfBirth: &child}},
		Information:  &canonical.Information{Text: "NCP born 1981-04-17; child born 01/05/2015 (20150105)"},
	}
	m, fields, dobs, err := maskTransaction(tx)
	if err != nil {
		t.Fatal(err)
	}
	if m.NCP.DateOfBirth != nil || m.Participants[0].DateOfBirth != nil {
		t.Fatal("a date of birth stays in the stored form")
	}
	if m.Information.Text != "NCP born ****-**-**; child born ****-**-** (****-**-**)" {
		t.Fatalf("free text = %q", m.Information.Text)
	}
	if tx.NCP.DateOfBirth == nil || tx.Participants[0].DateOfBirth == nil {
		t.Fatal("the caller's transaction was changed")
	}
	if len(fields) != 1 || fields[0].dob == nil || *fields[0].dob != ncp {
		t.Fatalf("the NCP's SSN field does not carry the date for its matching key: %+v", fields)
	}
	want := []dobField{{ncpDOBPath, ncp}, {"participants[0].dateOfBirth", child}}
	if fmt.Sprint(dobs) != fmt.Sprint(want) {
		t.Fatalf("dobs = %v; want %v", dobs, want)
	}
	for _, f := range dobs {
		if err := setPII(&m, f.path, []byte(f.dob.String())); err != nil {
			t.Fatal(err)
		}
	}
	if *m.NCP.DateOfBirth != ncp || *m.Participants[0].DateOfBirth != child {
		t.Fatal("setPII did not restore the dates")
	}
	for _, bad := range []string{"participants[3].dateOfBirth", "ncp.dateOfBirthX", "participants[x].dateOfBirth"} {
		if err := setPII(&m, bad, []byte("2000-01-01")); err == nil {
			t.Errorf("setPII(%q) accepted", bad)
		}
	}
	if err := setPII(&m, ncpDOBPath, []byte("not a date")); err == nil {
		t.Error("setPII accepted a malformed date")
	}
}
