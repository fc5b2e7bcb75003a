// Package signing holds the gateway's JWS handling: detached signatures over
// exact message bytes (RFC 7515 Appendix F), the signed receipt, and the key
// material (a private signing JWK and public JWK sets).
//
// Only asymmetric algorithms are accepted: ES256, PS256 and EdDSA. "none" and
// every HMAC algorithm are refused before any key is consulted, which closes
// the classic confusions (alg:none, HS256 keyed with a public key).
package signing

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jws/jwsbb"

	"github.com/uifsagw/uifsagw/partners/keyset"
)

// Allowed lists the signature algorithms the gateway accepts and produces.
var Allowed = []jwa.SignatureAlgorithm{jwa.ES256(), jwa.PS256(), jwa.EdDSA()}

// Errors a verification can end in; the edge maps them to error codes.
var (
	ErrMissing      = errors.New("no JWS-Signature header")
	ErrMalformed    = errors.New("the signature is not a detached compact JWS")
	ErrAlgorithm    = keyset.ErrAlgorithm
	ErrUnknownKey   = errors.New("no key with that kid in the sender's JWKS")
	ErrBadSignature = errors.New("signature does not verify over the body")
	ErrStale        = errors.New("iat is outside the accepted window")
	ErrNoJTI        = errors.New("protected header lacks jti")
	ErrNoIAT        = errors.New("protected header lacks iat")
)

// Claims are the protected-header fields a detached message signature carries.
type Claims struct {
	KeyID     string
	Algorithm jwa.SignatureAlgorithm
	IssuedAt  time.Time
	// JTI is the sender's message ID.
	JTI string
	// ContentType is the cty header: what kind of statement a compact JWS is.
	ContentType string
}

// Signer signs with one private key.
type Signer struct {
	key jwk.Key
	alg jwa.SignatureAlgorithm
}

// NewSigner returns a signer for a private JWK that has a kid and an alg of Allowed
// (or whose algorithm can be inferred from its key type).
func NewSigner(key jwk.Key) (*Signer, error) {
	if KeyID(key) == "" {
		return nil, fmt.Errorf("signing key has no kid")
	}
	alg, err := keyAlgorithm(key)
	if err != nil {
		return nil, err
	}
	if _, err := key.PublicKey(); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return &Signer{key: key, alg: alg}, nil
}

// KeyID returns the kid of the signing key.
func (s *Signer) KeyID() string { return KeyID(s.key) }

// KeyID returns the kid of key, or "" when it has none.
func KeyID(key jwk.Key) string { return keyset.KeyID(key) }

// Public returns the public half of the signing key.
func (s *Signer) Public() (jwk.Key, error) { return s.key.PublicKey() }

// SignDetached returns a compact JWS with an empty payload part, signed over
// body, with kid, iat and jti in the protected header.
func (s *Signer) SignDetached(body []byte, jti string, now time.Time) (string, error) {
	h := jws.NewHeaders()
	_ = h.Set(jws.KeyIDKey, KeyID(s.key))
	_ = h.Set("iat", now.Unix())
	if jti != "" {
		_ = h.Set("jti", jti)
	}
	out, err := jws.Sign(nil, jws.WithKey(s.alg, s.key, jws.WithProtectedHeaders(h)), jws.WithDetachedPayload(body))
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return string(out), nil
}

// SignCompact returns an ordinary compact JWS over payload (used for receipts,
// which carry their own content).
func (s *Signer) SignCompact(payload []byte, now time.Time) (string, error) {
	return s.SignCompactType(payload, ReceiptType, now)
}

// Content types of the gateway's own compact statements, so that one kind
// can never be passed off as another.
const (
	ReceiptType    = "uifsagw-receipt+json"
	CheckpointType = "uifsagw-audit-checkpoint+json"
)

// SignCompactType returns a compact JWS over payload with content type cty.
func (s *Signer) SignCompactType(payload []byte, cty string, now time.Time) (string, error) {
	h := jws.NewHeaders()
	_ = h.Set(jws.KeyIDKey, KeyID(s.key))
	_ = h.Set("iat", now.Unix())
	_ = h.Set(jws.ContentTypeKey, cty)
	out, err := jws.Sign(payload, jws.WithKey(s.alg, s.key, jws.WithProtectedHeaders(h)))
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return string(out), nil
}

// Verifier checks detached signatures against a public key set.
type Verifier struct {
	// Window bounds how far iat may be from now, either way.
	Window time.Duration
}

// VerifyDetached checks sig over body with a key of set. It refuses algorithms
// outside Allowed before looking for a key, requires kid, iat and jti, and
// checks iat against now ± Window.
func (v Verifier) VerifyDetached(sig string, body []byte, set jwk.Set, now time.Time) (Claims, error) {
	if sig == "" {
		return Claims{}, ErrMissing
	}
	claims, err := parseHeader(sig, true)
	if err != nil {
		return claims, err
	}
	if claims.JTI == "" {
		return claims, ErrNoJTI
	}
	if claims.IssuedAt.IsZero() {
		return claims, ErrNoIAT
	}
	if d := now.Sub(claims.IssuedAt); d > v.Window || -d > v.Window {
		return claims, ErrStale
	}
	key, err := findKey(set, claims)
	if err != nil {
		return claims, err
	}
	if _, err := jws.Verify([]byte(sig), jws.WithKey(claims.Algorithm, key), jws.WithDetachedPayload(body)); err != nil {
		return claims, ErrBadSignature
	}
	return claims, nil
}

// VerifyCompact checks an attached compact JWS (a receipt) and returns its payload.
func VerifyCompact(sig string, set jwk.Set) ([]byte, Claims, error) {
	claims, err := parseHeader(sig, false)
	if err != nil {
		return nil, claims, err
	}
	key, err := findKey(set, claims)
	if err != nil {
		return nil, claims, err
	}
	payload, err := jws.Verify([]byte(sig), jws.WithKey(claims.Algorithm, key))
	if err != nil {
		return nil, claims, ErrBadSignature
	}
	return payload, claims, nil
}

func parseHeader(sig string, detached bool) (Claims, error) {
	if len(sig) > 16<<10 {
		return Claims{}, ErrMalformed
	}
	hdr, payload, _, err := jwsbb.SplitCompactString(sig)
	if err != nil {
		return Claims{}, ErrMalformed
	}
	if detached != (len(payload) == 0) {
		return Claims{}, ErrMalformed
	}
	h := jws.NewHeaders()
	raw, err := base64.RawURLEncoding.DecodeString(string(hdr))
	if err != nil {
		return Claims{}, ErrMalformed
	}
	if err := json.Unmarshal(raw, h); err != nil {
		return Claims{}, ErrMalformed
	}
	var c Claims
	c.KeyID, _ = h.KeyID()
	c.ContentType, _ = h.ContentType()
	alg, ok := h.Algorithm()
	if !ok || !algorithmAllowed(alg) {
		return c, ErrAlgorithm
	}
	c.Algorithm = alg
	var v any
	if h.Get("iat", &v) == nil {
		if f, ok := v.(float64); ok && f > 0 && f < 1e11 {
			c.IssuedAt = time.Unix(int64(f), 0)
		}
	}
	v = nil
	if h.Get("jti", &v) == nil {
		if s, ok := v.(string); ok {
			c.JTI = s
		}
	}
	if crit, _ := h.Critical(); len(crit) > 0 {
		// We understand no extensions; RFC 7515 §4.1.11 says refuse.
		return c, ErrMalformed
	}
	return c, nil
}

func algorithmAllowed(a jwa.SignatureAlgorithm) bool {
	for _, x := range Allowed {
		if a == x {
			return true
		}
	}
	return false
}

func findKey(set jwk.Set, c Claims) (jwk.Key, error) {
	if set == nil || c.KeyID == "" {
		return nil, ErrUnknownKey
	}
	key, ok := set.LookupKeyID(c.KeyID)
	if !ok {
		return nil, ErrUnknownKey
	}
	// The key's own type must fit the algorithm, so an RSA key can never be
	// used as an HMAC secret or an EC key with an RSA algorithm.
	alg, err := keyAlgorithm(key)
	if err != nil || alg != c.Algorithm {
		return nil, ErrAlgorithm
	}
	return key, nil
}

// keyAlgorithm infers the one algorithm the gateway uses with a key type
// (the rule lives in partners/keyset, which the directory also applies).
func keyAlgorithm(key jwk.Key) (jwa.SignatureAlgorithm, error) { return keyset.Algorithm(key) }

// BodyDigest returns the lowercase hex SHA-256 of body.
func BodyDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
