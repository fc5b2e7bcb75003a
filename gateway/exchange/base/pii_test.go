package base

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
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
