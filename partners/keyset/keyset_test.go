package keyset

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// setJSON returns the JSON of a set holding a new P-256 key with kid "k1",
// as edit leaves it.
func setJSON(t *testing.T, edit func(k jwk.Key) jwk.Key) []byte {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := jwk.Import(priv)
	if err != nil {
		t.Fatal(err)
	}
	_ = k.Set(jwk.KeyIDKey, "k1")
	k = edit(k)
	set := jwk.NewSet()
	_ = set.AddKey(k)
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func public(t *testing.T) func(jwk.Key) jwk.Key {
	return func(k jwk.Key) jwk.Key {
		p, err := k.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
}

func TestParse(t *testing.T) {
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edKey, _ := jwk.Import(edPriv.Public())
	_ = edKey.Set(jwk.KeyIDKey, "ed")
	edSet := jwk.NewSet()
	_ = edSet.AddKey(edKey)
	edJSON, _ := json.Marshal(edSet)
	hmacKey, _ := jwk.Import([]byte("a shared secret of thirty-two by"))
	_ = hmacKey.Set(jwk.KeyIDKey, "h")
	hmacSet := jwk.NewSet()
	_ = hmacSet.AddKey(hmacKey)
	hmacJSON, _ := json.Marshal(hmacSet)

	for _, c := range []struct {
		name string
		in   []byte
		want string // "" accepts
	}{
		{"public EC key", setJSON(t, public(t)), ""},
		{"public Ed25519 key", edJSON, ""},
		{"private key", setJSON(t, func(k jwk.Key) jwk.Key { return k }), "private key"},
		{"no kid", setJSON(t, func(k jwk.Key) jwk.Key { p := public(t)(k); _ = p.Remove(jwk.KeyIDKey); return p }), "no kid"},
		{"EC key naming RS256", setJSON(t, func(k jwk.Key) jwk.Key { p := public(t)(k); _ = p.Set(jwk.AlgorithmKey, "RS256"); return p }), "not accepted"},
		{"symmetric key", hmacJSON, "not accepted"},
		{"not JSON", []byte("{"), "parse JWKS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.in)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
}

func TestAlgorithmRefusesSymmetricKeys(t *testing.T) {
	k, _ := jwk.Import([]byte("a shared secret of thirty-two by"))
	if _, err := Algorithm(k); !errors.Is(err, ErrAlgorithm) {
		t.Fatalf("a symmetric key gave %v", err)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.json")
	if err := os.WriteFile(path, setJSON(t, public(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Load(path)
	if err != nil || set.Len() != 1 {
		t.Fatalf("load: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "read JWKS") {
		t.Fatalf("a missing file gave %v", err)
	}
}
