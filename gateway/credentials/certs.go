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

// reloading holds a value read from files and reads it again when they
// change, looking at most every interval.
type reloading[T any] struct {
	files    []string
	interval time.Duration
	read     func() (T, error)

	mu      sync.Mutex
	v       T
	stamp   string
	checked time.Time
}

func newReloading[T any](interval time.Duration, read func() (T, error), files ...string) (*reloading[T], error) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	r := &reloading[T]{files: files, interval: interval, read: read}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *reloading[T]) load() error {
	// The stamp is taken before reading: a file replaced while we read is
	// then seen as changed at the next check, never as already loaded.
	stamp := filestamp.Of(r.files...)
	v, err := r.read()
	if err != nil {
		return err
	}
	r.v, r.stamp = v, stamp
	return nil
}

// get returns the value, read again first if the files changed. A changed
// file that fails to read leaves the old value in service (and is tried
// again at the next check).
func (r *reloading[T]) get() T {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checked) >= r.interval {
		r.checked = time.Now()
		if filestamp.Of(r.files...) != r.stamp {
			_ = r.load()
		}
	}
	return r.v
}

// Certs serves the gateway's own certificate and picks up a renewed one
// from disk without a restart.
type Certs struct{ r *reloading[*tls.Certificate] }

// NewCerts loads the certificate and its key, and looks for renewed files at
// most every interval (DefaultInterval when zero).
func NewCerts(certFile, keyFile string, interval time.Duration) (*Certs, error) {
	r, err := newReloading(interval, func() (*tls.Certificate, error) {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("gateway certificate: %w", err)
		}
		return &pair, nil
	}, certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &Certs{r: r}, nil
}

// Get returns the current certificate, reloading it if the files changed.
// A renewed pair that fails to load leaves the old one in service.
func (c *Certs) Get() *tls.Certificate { return c.r.get() }

// Expiry returns when the current certificate expires.
func (c *Certs) Expiry() time.Time {
	if leaf := c.Get().Leaf; leaf != nil {
		return leaf.NotAfter
	}
	return time.Time{}
}
