package credentials

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/filestamp"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

// Keys holds the current JWS signing key and the set of public keys we
// publish. Rotating is replacing the key file (and listing the old public key
// in the published-keys file so receipts it signed still verify).
type Keys struct {
	keyFile, publishedFile string
	interval               time.Duration

	mu        sync.Mutex
	signer    *signing.Signer
	published jwk.Set
	stamp     string
	checked   time.Time
}

// NewKeys loads the signing key and the published keys, and looks for
// replaced files at most every interval (DefaultInterval when zero).
func NewKeys(keyFile, publishedFile string, interval time.Duration) (*Keys, error) {
	h := &Keys{keyFile: keyFile, publishedFile: publishedFile, interval: orDefault(interval)}
	if err := h.load(); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *Keys) load() error {
	// The stamp is taken before reading: a file replaced while we read is
	// then seen as changed at the next check, never as already loaded.
	stamp := filestamp.Of(h.keyFile, h.publishedFile)
	k, err := signing.LoadPrivateKey(h.keyFile)
	if err != nil {
		return err
	}
	s, err := signing.NewSigner(k)
	if err != nil {
		return fmt.Errorf("jws.key_file: %w", err)
	}
	set, err := signing.PublicSet(k)
	if err != nil {
		return err
	}
	if h.publishedFile != "" {
		if _, err := os.Stat(h.publishedFile); err == nil {
			extra, err := signing.LoadKeySet(h.publishedFile)
			if err != nil {
				return fmt.Errorf("jws.published_keys_file: %w", err)
			}
			for i := 0; i < extra.Len(); i++ {
				x, _ := extra.Key(i)
				if signing.KeyID(x) != signing.KeyID(k) {
					_ = set.AddKey(x)
				}
			}
		}
	}
	h.signer, h.published = s, set
	h.stamp = stamp
	return nil
}

func (h *Keys) refresh() {
	if time.Since(h.checked) < h.interval {
		return
	}
	h.checked = time.Now()
	if s := filestamp.Of(h.keyFile, h.publishedFile); s != h.stamp {
		oldS, oldP := h.signer, h.published
		if err := h.load(); err != nil {
			h.signer, h.published = oldS, oldP
		}
	}
}

// Signer returns the current signer.
func (h *Keys) Signer() *signing.Signer {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refresh()
	return h.signer
}

// Published returns the public keys partners verify our signatures with.
func (h *Keys) Published() jwk.Set {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.refresh()
	return h.published
}
