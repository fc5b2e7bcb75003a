package credentials_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/credentials"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

// touch moves a file's modification time on, as a replacement written a
// moment later would, so the change is seen whatever the clock's grain.
func touch(t *testing.T, paths ...string) {
	t.Helper()
	later := time.Now().Add(time.Hour)
	for _, p := range paths {
		if err := os.Chtimes(p, later, later); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCertsPickUpARenewal(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "gw.crt"), filepath.Join(dir, "gw.key")
	ca, err := pki.NewCA("test CA", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(validity time.Duration) {
		t.Helper()
		cert, key, err := ca.Issue("gateway", []string{"localhost"}, nil, pki.Usage{Server: true, Client: true}, validity)
		if err != nil {
			t.Fatal(err)
		}
		if err := pki.WriteCert(certFile, cert); err != nil {
			t.Fatal(err)
		}
		if err := pki.WriteKey(keyFile, key); err != nil {
			t.Fatal(err)
		}
	}
	issue(time.Hour)
	// The smallest interval: every Get looks at the files.
	c, err := credentials.NewCerts(certFile, keyFile, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	first := c.Expiry()
	if first.IsZero() || first.After(time.Now().Add(2*time.Hour)) {
		t.Fatalf("first certificate expires %v", first)
	}

	issue(20 * time.Hour)
	touch(t, certFile, keyFile)
	renewed := c.Expiry()
	if !renewed.After(first.Add(10 * time.Hour)) {
		t.Fatalf("renewed certificate not picked up: expiry %v, was %v", renewed, first)
	}

	// A renewal that does not load leaves the working pair in service.
	if err := os.WriteFile(certFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	touch(t, certFile)
	if got := c.Expiry(); !got.Equal(renewed) {
		t.Errorf("a broken renewal replaced the certificate: expiry %v", got)
	}

	if _, err := credentials.NewCerts(filepath.Join(dir, "none.crt"), keyFile, 0); err == nil {
		t.Error("a missing certificate file loaded")
	}
}

func TestKeysRotate(t *testing.T) {
	dir := t.TempDir()
	keyFile, pubFile := filepath.Join(dir, "gw.jwk"), filepath.Join(dir, "published.jwks")
	old, err := signing.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := signing.WriteJSON(keyFile, old, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := credentials.NewKeys(keyFile, pubFile, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	if k.Signer().KeyID() != signing.KeyID(old) || k.Published().Len() != 1 {
		t.Fatalf("signer %s, %d published keys", k.Signer().KeyID(), k.Published().Len())
	}

	// Rotation: a new key file, and the old public key kept published so
	// what it signed still verifies.
	next, err := signing.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	oldPub, err := signing.PublicSet(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := signing.WriteJSON(pubFile, oldPub, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := signing.WriteJSON(keyFile, next, 0o600); err != nil {
		t.Fatal(err)
	}
	touch(t, keyFile, pubFile)
	if got := k.Signer().KeyID(); got != signing.KeyID(next) {
		t.Fatalf("signer after rotation %s, want %s", got, signing.KeyID(next))
	}
	pub := k.Published()
	if pub.Len() != 2 {
		t.Fatalf("%d published keys after rotation, want the new and the old", pub.Len())
	}
	if _, ok := pub.LookupKeyID(signing.KeyID(old)); !ok {
		t.Error("the old public key is no longer published")
	}

	// A broken key file leaves the current signer in service.
	if err := os.WriteFile(keyFile, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	touch(t, keyFile)
	if got := k.Signer().KeyID(); got != signing.KeyID(next) {
		t.Errorf("a broken key file replaced the signer: %s", got)
	}
}
