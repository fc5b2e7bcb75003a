package signing

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

func mustKey(t *testing.T, raw any, kid string) jwk.Key {
	t.Helper()
	k, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	_ = k.Set(jwk.KeyIDKey, kid)
	return k
}

// forge builds a detached compact JWS by hand, for algorithms the library
// would never let us sign with on purpose.
func forge(header map[string]any, body []byte, sign func(input []byte) []byte) string {
	h, _ := json.Marshal(header)
	hb := base64.RawURLEncoding.EncodeToString(h)
	input := []byte(hb + "." + base64.RawURLEncoding.EncodeToString(body))
	return hb + ".." + base64.RawURLEncoding.EncodeToString(sign(input))
}

func TestVerifyDetached(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"header":{"messageId":"NJ-1"}}`)

	ec, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	rsaPriv, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsaKey := mustKey(t, rsaPriv, "rsa1")
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edKey := mustKey(t, edPriv, "ed1")
	other, _ := GenerateKey()

	set, err := PublicSet(ec, rsaKey, edKey)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k jwk.Key, b []byte, jti string, at time.Time) string {
		s, err := NewSigner(k)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := s.SignDetached(b, jti, at)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	ecPub, _ := ec.PublicKey()
	ecPubJSON, _ := json.Marshal(ecPub)

	cases := []struct {
		name string
		sig  string
		body []byte
		want error
	}{
		{"ES256 good", sign(ec, body, "NJ-1", now), body, nil},
		{"PS256 good", sign(rsaKey, body, "NJ-1", now), body, nil},
		{"EdDSA good", sign(edKey, body, "NJ-1", now), body, nil},
		{"iat at edge of window", sign(ec, body, "NJ-1", now.Add(-5*time.Minute)), body, nil},
		{"missing", "", body, ErrMissing},
		{"garbage", "not-a-jws", body, ErrMalformed},
		{"attached payload", func() string {
			s, _ := NewSigner(ec)
			x, _ := s.SignCompact(body, now)
			return x
		}(), body, ErrMalformed},
		{"body changed after signing", sign(ec, body, "NJ-1", now), append([]byte{}, append(body, ' ')...), ErrBadSignature},
		{"stale iat", sign(ec, body, "NJ-1", now.Add(-6*time.Minute)), body, ErrStale},
		{"future iat", sign(ec, body, "NJ-1", now.Add(6*time.Minute)), body, ErrStale},
		{"no jti", sign(ec, body, "", now), body, ErrNoJTI},
		{"unknown kid", sign(other, body, "NJ-1", now), body, ErrUnknownKey},
		{"alg none", forge(map[string]any{"alg": "none", "kid": KeyID(ec), "iat": now.Unix(), "jti": "NJ-1"}, body,
			func([]byte) []byte { return nil }), body, ErrAlgorithm},
		{"HS256 keyed with the public key", forge(map[string]any{"alg": "HS256", "kid": KeyID(ec), "iat": now.Unix(), "jti": "NJ-1"}, body,
			func(in []byte) []byte { m := hmac.New(sha256.New, ecPubJSON); m.Write(in); return m.Sum(nil) }), body, ErrAlgorithm},
		{"ES256 header on an RSA key", forge(map[string]any{"alg": "ES256", "kid": "rsa1", "iat": now.Unix(), "jti": "NJ-1"}, body,
			func([]byte) []byte { return make([]byte, 64) }), body, ErrAlgorithm},
		{"crit header", forge(map[string]any{"alg": "ES256", "kid": KeyID(ec), "iat": now.Unix(), "jti": "NJ-1", "crit": []string{"x"}, "x": 1}, body,
			func([]byte) []byte { return make([]byte, 64) }), body, ErrMalformed},
	}
	v := Verifier{Window: 5 * time.Minute}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			claims, err := v.VerifyDetached(c.sig, c.body, set, now)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if err == nil && claims.JTI != "NJ-1" {
				t.Fatalf("jti = %q", claims.JTI)
			}
		})
	}
}

func TestReceiptRoundTrip(t *testing.T) {
	k, _ := GenerateKey()
	s, _ := NewSigner(k)
	set, _ := PublicSet(k)
	r := Receipt{ID: "rcpt-1", Partner: "nj", MessageID: "NJ-1", BodySHA256: BodyDigest([]byte("x")),
		ReceivedAt: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), Issuer: "36"}
	sig, err := s.SignReceipt(r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := VerifyReceipt(sig, set)
	if err != nil {
		t.Fatal(err)
	}
	if got != r {
		t.Fatalf("got %+v want %+v", got, r)
	}
	otherKey, _ := GenerateKey()
	otherSet, _ := PublicSet(otherKey)
	if _, err := VerifyReceipt(sig, otherSet); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("foreign set: %v", err)
	}
}

func TestParseKeySetRefusesPrivateKeys(t *testing.T) {
	k, _ := GenerateKey()
	set := jwk.NewSet()
	_ = set.AddKey(k)
	b, _ := json.Marshal(set)
	if _, err := ParseKeySet(b); err == nil {
		t.Fatal("a private key in a JWKS was accepted")
	}
	pub, _ := PublicSet(k)
	b, _ = json.Marshal(pub)
	if _, err := ParseKeySet(b); err != nil {
		t.Fatal(err)
	}
}

// The JWS library is security code: the build must use the maintained major
// version, never the deprecated jwx/v2 (issue 15, item 8).
func TestMaintainedJWXOnly(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "lestrrat-go/jwx/v2") {
		t.Fatal("go.mod still requires the deprecated lestrrat-go/jwx/v2")
	}
	if !strings.Contains(string(b), "lestrrat-go/jwx/v3") {
		t.Fatal("go.mod does not require lestrrat-go/jwx/v3")
	}
}
