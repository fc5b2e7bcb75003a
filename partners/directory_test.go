package partners

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

func writeEntry(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	writePublicKeySet(t, filepath.Join(dir, "k.json"))
	pinA := "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	pinB := "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="
	entry := func(id, state, pins string) string {
		return "id: " + id + "\nkind: state\nstate_fips: \"" + state + "\"\nformat: xml-transaction/1\ndelivery: pull\n" +
			"tls: {pins: [" + pins + "]}\njwks_file: k.json\n"
	}
	writeEntry(t, dir, "nj.yaml", entry("nj", "34", `"`+pinA+`", "`+pinB+`"`))
	writeEntry(t, dir, "pa.yaml", entry("pa", "42", `"`+strings.Repeat("A", 43)+`="`))
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Two pins at once: a certificate rotating with overlap.
	for _, pin := range []string{pinA, pinB} {
		if p, ok := d.ByPin(pin); !ok || p.ID != "nj" {
			t.Fatalf("pin %s: %v", pin, p)
		}
	}
	if p, ok := d.ByState("42"); !ok || p.ID != "pa" || p.Rate != DefaultRate || p.Retry != DefaultRetry {
		t.Fatalf("pa: %+v", p)
	}
	nj, _ := d.Get("nj")
	if !nj.MaySendAs("3400000") || !nj.MaySendAs("3401300") || nj.MaySendAs("4200000") {
		t.Fatal("MaySendAs")
	}

	// One bad entry fails the whole load, naming the file and the field.
	writeEntry(t, dir, "ny.yaml", entry("ny", "36", `"`+pinA+`"`))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "ny.yaml") || !strings.Contains(err.Error(), "pin") {
		t.Fatalf("a pin shared by two partners was accepted: %v", err)
	}
	writeEntry(t, dir, "ny.yaml", "id: ny\nkind: state\nstate_fips: \"99\"\nformat: x\ndelivery: push\nendpoint: http://insecure\ntls: {}\njwks_file: none.json\n")
	_, err = Load(dir)
	for _, want := range []string{"state_fips", "endpoint", "tls", "jwks_file"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

// writePublicKeySet writes a JWK set with the public half of a new P-256 key.
func writePublicKeySet(t *testing.T, path string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := jwk.Import(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	_ = k.Set(jwk.KeyIDKey, "partner-key")
	set := jwk.NewSet()
	_ = set.AddKey(k)
	b, _ := json.Marshal(set)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
