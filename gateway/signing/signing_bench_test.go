package signing

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// benchKeys returns one key per allowed algorithm: ES256 (what the gateway
// generates), PS256 and EdDSA (what partners may bring).
func benchKeys(b *testing.B) map[string]jwk.Key {
	b.Helper()
	ec, err := GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	rsaPriv, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	raw := func(r any, kid string) jwk.Key {
		k, err := jwk.Import(r)
		if err != nil {
			b.Fatal(err)
		}
		_ = k.Set(jwk.KeyIDKey, kid)
		return k
	}
	return map[string]jwk.Key{"ES256": ec, "PS256": raw(rsaPriv, "rsa1"), "EdDSA": raw(edPriv, "ed1")}
}

// BenchmarkVerifyDetached measures the edge's per-message signature check
// over a 4 KB body, for each algorithm.
func BenchmarkVerifyDetached(b *testing.B) {
	now := time.Now()
	body := bytes.Repeat([]byte("<Field>value</Field>"), 205)
	for _, alg := range []string{"ES256", "PS256", "EdDSA"} {
		k := benchKeys(b)[alg]
		s, err := NewSigner(k)
		if err != nil {
			b.Fatal(err)
		}
		sig, err := s.SignDetached(body, "NJ-BENCH-1", now)
		if err != nil {
			b.Fatal(err)
		}
		set, err := PublicSet(k)
		if err != nil {
			b.Fatal(err)
		}
		v := Verifier{Window: time.Hour}
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := v.VerifyDetached(sig, body, set, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignReceipt measures what the gateway spends signing each receipt (ES256).
func BenchmarkSignReceipt(b *testing.B) {
	s, err := NewSigner(benchKeys(b)["ES256"])
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	r := Receipt{ID: "rcpt_X", Partner: "nj", MessageID: "NJ-BENCH-1", BodySHA256: BodyDigest([]byte("x")), ReceivedAt: now, Issuer: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SignReceipt(r, now); err != nil {
			b.Fatal(err)
		}
	}
}
