package gateway

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// certHolder serves the gateway's own certificate and picks up a renewed one
// from disk without a restart: files are checked at most every interval.
type certHolder struct {
	certFile, keyFile string
	interval          time.Duration

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string
	checked time.Time
}

func newCertHolder(certFile, keyFile string) (*certHolder, error) {
	h := &certHolder{certFile: certFile, keyFile: keyFile, interval: 10 * time.Second}
	if err := h.load(); err != nil {
		return nil, err
	}
	return h, nil
}

func fileStamp(paths ...string) string {
	s := ""
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			s += fmt.Sprintf("%s:%d:%d;", p, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return s
}

func (h *certHolder) load() error {
	stamp := fileStamp(h.certFile, h.keyFile) // before reading; see keyHolder.load
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
func (h *certHolder) Get() *tls.Certificate {
	h.mu.Lock()
	defer h.mu.Unlock()
	if time.Since(h.checked) >= h.interval {
		h.checked = time.Now()
		if s := fileStamp(h.certFile, h.keyFile); s != h.stamp {
			old := h.cert
			if err := h.load(); err != nil {
				h.cert = old
			}
		}
	}
	return h.cert
}

// Expiry returns when the current certificate expires.
func (h *certHolder) Expiry() time.Time {
	c := h.Get()
	if c.Leaf != nil {
		return c.Leaf.NotAfter
	}
	return time.Time{}
}
