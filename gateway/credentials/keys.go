package credentials

import (
	"fmt"
	"os"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/signing"
)

// Keys holds the current JWS signing key and the set of public keys we
// publish. Rotating is replacing the key file (and listing the old public key
// in the published-keys file so receipts it signed still verify).
type Keys struct{ r *reloading[keyPair] }

type keyPair struct {
	signer    *signing.Signer
	published jwk.Set
}

// NewKeys loads the signing key and the published keys, and looks for
// replaced files at most every interval (DefaultInterval when zero).
func NewKeys(keyFile, publishedFile string, interval time.Duration) (*Keys, error) {
	r, err := newReloading(interval, func() (keyPair, error) { return readKeys(keyFile, publishedFile) },
		keyFile, publishedFile)
	if err != nil {
		return nil, err
	}
	return &Keys{r: r}, nil
}

func readKeys(keyFile, publishedFile string) (keyPair, error) {
	k, err := signing.LoadPrivateKey(keyFile)
	if err != nil {
		return keyPair{}, err
	}
	s, err := signing.NewSigner(k)
	if err != nil {
		return keyPair{}, fmt.Errorf("jws.key_file: %w", err)
	}
	set, err := signing.PublicSet(k)
	if err != nil {
		return keyPair{}, err
	}
	if publishedFile != "" {
		if _, err := os.Stat(publishedFile); err == nil {
			extra, err := signing.LoadKeySet(publishedFile)
			if err != nil {
				return keyPair{}, fmt.Errorf("jws.published_keys_file: %w", err)
			}
			for i := 0; i < extra.Len(); i++ {
				x, _ := extra.Key(i)
				if signing.KeyID(x) != signing.KeyID(k) {
					_ = set.AddKey(x)
				}
			}
		}
	}
	return keyPair{signer: s, published: set}, nil
}

// Signer returns the current signer.
func (h *Keys) Signer() *signing.Signer { return h.r.get().signer }

// Published returns the public keys partners verify our signatures with.
func (h *Keys) Published() jwk.Set { return h.r.get().published }
