package base

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Sealed values are: version byte, key id, GCM nonce, ciphertext and tag. The
// key id lets keys rotate: new values are sealed with the current key while
// values sealed with a previous key can still be opened.
const (
	sealVersion = 1
	keyIDLen    = 8
	nonceLen    = 12
	sealHeader  = 1 + keyIDLen + nonceLen
)

// ErrUnknownKey says a sealed value names a key that is not configured.
var ErrUnknownKey = errors.New("exchange: sealed with a key that is not configured")

// ErrOpen says a sealed value failed authentication: corrupted, moved to
// another row, or sealed under another key with the same id.
var ErrOpen = errors.New("exchange: sealed value failed authentication")

// PIIKeys holds the keys that protect personal data at rest: an AES-256-GCM
// key (plus previous keys kept for reading during rotation) and an
// HMAC-SHA256 key for matching SSNs without storing them. Its printed and
// logged forms show key ids only.
type PIIKeys struct {
	current []byte // key id of the sealing key
	aeads   map[string]cipher.AEAD
	hmacKey []byte
}

// ParsePIIKeys reads base64 keys. encB64 is one 32-byte AES key, or a
// comma-separated list whose first key seals and whose others only open
// (rotation). hmacB64 is the HMAC key, at least 32 bytes; it cannot rotate
// without recomputing every stored matching key.
func ParsePIIKeys(encB64, hmacB64 string) (PIIKeys, error) {
	k := PIIKeys{aeads: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(encB64, ",") {
		key, err := decodeKey(strings.TrimSpace(part))
		if err != nil {
			return PIIKeys{}, fmt.Errorf("exchange: encryption key %d: %w", i+1, err)
		}
		if len(key) != 32 {
			return PIIKeys{}, fmt.Errorf("exchange: encryption key %d is %d bytes; AES-256 needs 32", i+1, len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return PIIKeys{}, fmt.Errorf("exchange: encryption key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return PIIKeys{}, fmt.Errorf("exchange: encryption key %d: %w", i+1, err)
		}
		id := keyID(key)
		if _, dup := k.aeads[string(id)]; dup {
			return PIIKeys{}, fmt.Errorf("exchange: encryption key %d is listed twice", i+1)
		}
		k.aeads[string(id)] = aead
		if i == 0 {
			k.current = id
		}
		if subtle.ConstantTimeCompare(key, mustDecode(hmacB64)) == 1 {
			return PIIKeys{}, errors.New("exchange: the HMAC key must differ from the encryption keys")
		}
	}
	hk, err := decodeKey(strings.TrimSpace(hmacB64))
	if err != nil {
		return PIIKeys{}, fmt.Errorf("exchange: HMAC key: %w", err)
	}
	if len(hk) < 32 {
		return PIIKeys{}, fmt.Errorf("exchange: HMAC key is %d bytes; need at least 32", len(hk))
	}
	k.hmacKey = hk
	return k, nil
}

// GeneratePIIKeys returns a fresh encryption key and HMAC key in the base64
// form ParsePIIKeys reads (for `uifsagw dev` and first installation).
func GeneratePIIKeys() (encB64, hmacB64 string) {
	e, h := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(e) // crypto/rand.Read never fails
	_, _ = rand.Read(h)
	return base64.StdEncoding.EncodeToString(e), base64.StdEncoding.EncodeToString(h)
}

func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

func mustDecode(s string) []byte {
	b, _ := decodeKey(strings.TrimSpace(s))
	return b
}

// keyID names a key without revealing it.
func keyID(key []byte) []byte {
	h := sha256.Sum256(append([]byte("uifsagw pii key id\x00"), key...))
	return h[:keyIDLen]
}

// Valid reports whether k was made by ParsePIIKeys.
func (k PIIKeys) Valid() bool { return k.current != nil && len(k.hmacKey) > 0 }

// KeyID is the hex id of the sealing key.
func (k PIIKeys) KeyID() string { return hex.EncodeToString(k.current) }

func (k PIIKeys) String() string { return "PIIKeys{seal:" + k.KeyID() + "}" }

// GoString hides the keys from %#v.
func (k PIIKeys) GoString() string { return k.String() }

// LogValue hides the keys from slog.
func (k PIIKeys) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Seal encrypts plaintext with the current key. aad binds the value to where
// it is stored, so a ciphertext copied to another row does not open.
func (k PIIKeys) Seal(plaintext, aad []byte) ([]byte, error) {
	if !k.Valid() {
		return nil, errors.New("exchange: PII keys not configured")
	}
	aead := k.aeads[string(k.current)]
	out := make([]byte, sealHeader, sealHeader+len(plaintext)+aead.Overhead())
	out[0] = sealVersion
	copy(out[1:], k.current)
	if _, err := rand.Read(out[1+keyIDLen : sealHeader]); err != nil {
		return nil, fmt.Errorf("exchange: nonce: %w", err)
	}
	return aead.Seal(out, out[1+keyIDLen:sealHeader], plaintext, aad), nil
}

// Open decrypts a value made by Seal with the same aad.
func (k PIIKeys) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < sealHeader || sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: not a sealed value", ErrOpen)
	}
	aead, ok := k.aeads[string(sealed[1:1+keyIDLen])]
	if !ok {
		return nil, fmt.Errorf("%w (key id %x)", ErrUnknownKey, sealed[1:1+keyIDLen])
	}
	pt, err := aead.Open(nil, sealed[1+keyIDLen:sealHeader], sealed[sealHeader:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// HashSSN is the keyed hash of an SSN used to match people across messages.
// It is deterministic for one HMAC key and reveals nothing without the key.
func (k PIIKeys) HashSSN(ssn canonical.SSN) []byte {
	m := hmac.New(sha256.New, k.hmacKey)
	m.Write([]byte("ssn\x00"))
	m.Write([]byte(ssn.Digits()))
	return m.Sum(nil)
}

// HashDOB is the keyed hash of a date of birth, matched like HashSSN: the
// database can compare two people's dates of birth without holding either.
func (k PIIKeys) HashDOB(d canonical.Date) []byte {
	m := hmac.New(sha256.New, k.hmacKey)
	m.Write([]byte("dob\x00"))
	m.Write([]byte(d.String()))
	return m.Sum(nil)
}

// hashDOBOrNil is HashDOB for an optional date, nil (SQL NULL) without one.
func (k PIIKeys) hashDOBOrNil(d *canonical.Date) []byte {
	if d == nil || d.IsZero() {
		return nil
	}
	return k.HashDOB(*d)
}

// auditKey keys the audit chain. It is derived from the HMAC key, so it is
// configured wherever the gateway runs and never stored in the database.
func (k PIIKeys) auditKey() []byte {
	if len(k.hmacKey) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, k.hmacKey)
	m.Write([]byte("uifsagw audit chain key v1"))
	return m.Sum(nil)
}
