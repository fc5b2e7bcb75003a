package signing

import (
	"testing"
	"time"
)

// FuzzVerifyDetached feeds arbitrary signature headers and bodies to the
// verifier: it must never panic and never accept anything not signed by the
// key set's key.
func FuzzVerifyDetached(f *testing.F) {
	k, err := GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	s, _ := NewSigner(k)
	set, _ := PublicSet(k)
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	good, _ := s.SignDetached([]byte("body"), "M-1", now)
	f.Add(good, []byte("body"))
	f.Add(good, []byte("other"))
	f.Add("eyJhbGciOiJub25lIn0..", []byte("body"))
	f.Add("a.b.c", []byte{})
	f.Add("", []byte("body"))
	f.Fuzz(func(t *testing.T, sig string, body []byte) {
		claims, err := Verifier{Window: 5 * time.Minute}.VerifyDetached(sig, body, set, now)
		if err == nil && (sig != good || string(body) != "body" || claims.JTI != "M-1") {
			t.Fatalf("accepted a signature it did not make: %q over %q", sig, body)
		}
	})
}
