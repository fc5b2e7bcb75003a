package exchange

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

var (
	keyA = b64(strings.Repeat("a", 32))
	keyB = b64(strings.Repeat("b", 32))
	macK = b64(strings.Repeat("m", 32))
)

func TestParsePIIKeys(t *testing.T) {
	tests := []struct {
		name, enc, mac string
		ok             bool
	}{
		{"one key", keyA, macK, true},
		{"rotation list", keyB + "," + keyA, macK, true},
		{"short AES key", b64("short"), macK, false},
		{"not base64", "%%%", macK, false},
		{"empty", "", macK, false},
		{"short HMAC key", keyA, b64("tiny"), false},
		{"same key twice", keyA + "," + keyA, macK, false},
		{"HMAC key equals AES key", keyA, keyA, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePIIKeys(tc.enc, tc.mac)
			if (err == nil) != tc.ok || k.Valid() != tc.ok {
				t.Fatalf("ParsePIIKeys = %v, valid %v; want ok %v", err, k.Valid(), tc.ok)
			}
		})
	}
}

func TestSealOpenAndRotation(t *testing.T) {
	old, err := ParsePIIKeys(keyA, macK)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := ParsePIIKeys(keyB+","+keyA, macK)
	if err != nil {
		t.Fatal(err)
	}
	onlyNew, err := ParsePIIKeys(keyB, macK)
	if err != nil {
		t.Fatal(err)
	}
	pt, aad := []byte("123456789"), []byte("uifsagw/ssn/1/ncp.ssn")
	sealed, err := old.Seal(pt, aad)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "123456789") {
		t.Fatal("sealed value contains the plaintext")
	}
	again, _ := old.Seal(pt, aad)
	if string(again) == string(sealed) {
		t.Fatal("two seals of one value are equal: nonce reuse")
	}
	tests := []struct {
		name    string
		keys    PIIKeys
		sealed  []byte
		aad     []byte
		wantErr error
	}{
		{"same key", old, sealed, aad, nil},
		{"rotated set opens the old key", rotated, sealed, aad, nil},
		{"key no longer configured", onlyNew, sealed, aad, ErrUnknownKey},
		{"moved to another row", old, sealed, []byte("uifsagw/ssn/2/ncp.ssn"), ErrOpen},
		{"flipped bit", old, flip(sealed), aad, ErrOpen},
		{"truncated", old, sealed[:10], aad, ErrOpen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.keys.Open(tc.sealed, tc.aad)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Open err = %v; want %v", err, tc.wantErr)
			}
			if err == nil && string(got) != string(pt) {
				t.Fatalf("Open = %q", got)
			}
		})
	}
	fresh, _ := rotated.Seal(pt, aad)
	if got, err := onlyNew.Open(fresh, aad); err != nil || string(got) != string(pt) {
		t.Fatalf("new values are not sealed with the first key: %v", err)
	}
	if rotated.KeyID() != onlyNew.KeyID() || rotated.KeyID() == old.KeyID() {
		t.Fatalf("key ids: rotated %s, new %s, old %s", rotated.KeyID(), onlyNew.KeyID(), old.KeyID())
	}
}

func flip(b []byte) []byte {
	c := append([]byte(nil), b...)
	c[len(c)-1] ^= 1
	return c
}

func TestHashSSN(t *testing.T) {
	k1, _ := ParsePIIKeys(keyA, macK)
	k2, _ := ParsePIIKeys(keyB, macK) // another AES key, same HMAC key
	k3, _ := ParsePIIKeys(keyA, b64(strings.Repeat("n", 32)))
	h := k1.HashSSN("123456789")
	if len(h) != 32 || string(h) != string(k2.HashSSN("123456789")) {
		t.Fatal("hash depends on something other than the HMAC key and the SSN")
	}
	if string(h) == string(k1.HashSSN("123456780")) || string(h) == string(k3.HashSSN("123456789")) {
		t.Fatal("hash does not separate SSNs or keys")
	}
}

func TestPIIKeysDoNotPrint(t *testing.T) {
	k, _ := ParsePIIKeys(keyA, macK)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k)} {
		if strings.Contains(s, "aaaa") || strings.Contains(s, keyA[:8]) || !strings.Contains(s, k.KeyID()) {
			t.Fatalf("printed keys: %s", s)
		}
	}
}

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
