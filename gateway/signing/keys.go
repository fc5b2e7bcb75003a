package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/partners/keyset"
)

// GenerateKey makes a new ES256 private key with a kid derived from its
// thumbprint, so the kid is stable and collision-free.
func GenerateKey() (jwk.Key, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	key, err := jwk.Import(priv)
	if err != nil {
		return nil, err
	}
	tp, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	_ = key.Set(jwk.KeyIDKey, base64.RawURLEncoding.EncodeToString(tp)[:16])
	_ = key.Set(jwk.AlgorithmKey, "ES256")
	_ = key.Set(jwk.KeyUsageKey, "sig")
	return key, nil
}

// LoadPrivateKey reads one private JWK from a JSON file.
func LoadPrivateKey(path string) (jwk.Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	key, err := jwk.ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("parse signing key %s: %w", path, err)
	}
	return key, nil
}

// LoadKeySet reads a JWK set (public keys) from a JSON file.
func LoadKeySet(path string) (jwk.Set, error) { return keyset.Load(path) }

// ParseKeySet parses a JWK set and refuses private or symmetric keys in it:
// a published key set must hold public keys only.
func ParseKeySet(b []byte) (jwk.Set, error) { return keyset.Parse(b) }

// PublicSet returns a JWK set of the public halves of keys.
func PublicSet(keys ...jwk.Key) (jwk.Set, error) {
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := k.PublicKey()
		if err != nil {
			return nil, err
		}
		if err := set.AddKey(pub); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// WriteJSON writes v (a key or a set) as indented JSON with the given mode.
func WriteJSON(path string, v any, mode os.FileMode) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), mode)
}
