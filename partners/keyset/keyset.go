// Package keyset reads the public JWK sets partners publish, and holds the
// one rule on which keys the gateway accepts (ES256, PS256, EdDSA, each on
// its own key type). It depends on nothing of the gateway, so the partner
// directory can check a partner's keys without the signing package, and the
// signing package applies the same rule.
package keyset

import (
	"errors"
	"fmt"
	"os"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// ErrAlgorithm says a key or signature uses an algorithm the gateway does not accept.
var ErrAlgorithm = errors.New("signature algorithm not accepted (use ES256, PS256 or EdDSA)")

// KeyID returns the kid of key, or "" when it has none.
func KeyID(key jwk.Key) string {
	kid, _ := key.KeyID()
	return kid
}

// Algorithm returns the one algorithm a key may sign with, given its type;
// a key that names another algorithm is refused, so an EC key can never be
// used for, say, HS256.
func Algorithm(key jwk.Key) (jwa.SignatureAlgorithm, error) {
	var want jwa.SignatureAlgorithm
	switch key.KeyType() {
	case jwa.EC():
		want = jwa.ES256()
	case jwa.RSA():
		want = jwa.PS256()
	case jwa.OKP():
		want = jwa.EdDSA()
	default:
		return want, ErrAlgorithm
	}
	if a, ok := key.Algorithm(); ok && a.String() != "" && a.String() != want.String() {
		return jwa.SignatureAlgorithm{}, fmt.Errorf("key %q: algorithm %s not accepted for its key type: %w", KeyID(key), a, ErrAlgorithm)
	}
	return want, nil
}

// Load reads a JWK set (public keys) from a JSON file.
func Load(path string) (jwk.Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read JWKS: %w", err)
	}
	return Parse(b)
}

// Parse parses a JWK set and refuses private or symmetric keys in it:
// a published key set must hold public keys only.
func Parse(b []byte) (jwk.Set, error) {
	set, err := jwk.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		if KeyID(k) == "" {
			return nil, fmt.Errorf("JWKS key %d has no kid", i)
		}
		if _, err := Algorithm(k); err != nil {
			return nil, fmt.Errorf("JWKS key %q: %w", KeyID(k), err)
		}
		if isPrivate(k) {
			return nil, fmt.Errorf("JWKS key %q is a private key; publish only public keys", KeyID(k))
		}
	}
	return set, nil
}

func isPrivate(k jwk.Key) bool {
	switch k.(type) {
	case jwk.ECDSAPrivateKey, jwk.RSAPrivateKey, jwk.OKPPrivateKey, jwk.SymmetricKey:
		return true
	}
	return false
}
