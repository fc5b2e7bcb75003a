// Package credentials holds the gateway's own TLS certificate and JWS
// signing key, and picks up renewed files from disk without a restart: an
// operator rotates by replacing a file, and every reader sees the new one
// within the check interval.
package credentials

import (
	"crypto/tls"
	"fmt"
	"sync"
	"time"

	"github.com/uifsagw/uifsagw/gateway/filestamp"
)

// DefaultInterval is how often, at most, renewed files are looked for when
// no interval is given.
const DefaultInterval = 10 * time.Second

func orDefault(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultInterval
	}
	return d
}

// Certs serves the gateway's own certificate and picks up a renewed one
// from disk without a restart: files are checked at most every interval.
type Certs struct {
	certFile, keyFile string
	interval          time.Duration

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string
	checked time.Time
}

// NewCerts loads the certificate and its key, and looks for renewed files at
// most every interval (DefaultInterval when zero).
func NewCerts(certFile, keyFile string, interval time.Duration) (*Certs, error) {
	h := &Certs{certFile: certFile, keyFile: keyFile, interval: orDefault(interval)}
	if err := h.load(); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *Certs) load() error {
	stamp := filestamp.Of(h.certFile, h.keyFile) // before reading; see Keys.load
	pair, err := tls.LoadX509KeyPair(h.certFile, h.keyFile)
	if err != nil {
		return fmt.Errorf("gateway certificate: %w", err)
	}
	h.cert = &pair
	h.stamp = stamp
	return nil
}

// Get returns the current certificate, reloading it if the files changed.
// A renewed pair that fails to load leaves the old one in service.
func (h *Certs) Get() *tls.Certificate {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.checked) >= h.interval {
		h.checked = time.Now()
		if s := filestamp.Of(h.certFile, h.keyFile); s != h.stamp {
			old := h.cert
			if err := h.load(); err != nil {
				h.cert = old
			}
		}
	}
	return h.cert
}

// Expiry returns when the current certificate expires.
func (h *Certs) Expiry() time.Time {
	c := h.Get()
	if c.Leaf != nil {
		return c.Leaf.NotAfter
	}
	return time.Time{}
}
