package edge

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/uifsagw/uifsagw/partners"
)

type partnerKey struct{}

// PartnerFrom returns the partner the request's client certificate identified.
func PartnerFrom(ctx context.Context) *partners.Partner {
	p, _ := ctx.Value(partnerKey{}).(*partners.Partner)
	return p
}

// TLSConfig returns the partner listener's TLS settings. A client certificate
// is required at the handshake; which partner it belongs to (by SPKI pin) is
// decided per request, so the answer to an unknown certificate is a
// structured 401 that is recorded, not a bare handshake alert.
func TLSConfig(getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error), minVersion uint16) *tls.Config {
	return &tls.Config{
		MinVersion:     minVersion,
		GetCertificate: getCert,
		ClientAuth:     tls.RequireAnyClientCert,
		NextProtos:     []string{"h2", "http/1.1"},
	}
}

type connKey struct{}

// connIdentity remembers, for one TLS connection, which partner its
// certificate identified under which directory, so kept-alive connections do
// not hash the key and verify the chain again on every request.
type connIdentity struct {
	mu      sync.Mutex
	dir     *partners.Directory
	partner *partners.Partner
	err     *APIError
}

// ConnContext gives each partner connection its identity cache; set it as
// the partner listener's http.Server.ConnContext.
func ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connIdentity{})
}

// identify finds the partner for the verified connection state.
func (s *Server) identify(r *http.Request, now time.Time) (*partners.Partner, *APIError) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, apiErr(http.StatusUnauthorized, CodeCertRequired, "a client certificate is required")
	}
	leaf := r.TLS.PeerCertificates[0]
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		p, _ := s.deps.Directory().ByPin(partners.PinOf(leaf))
		return p, apiErr(http.StatusUnauthorized, CodeCertExpired, "the client certificate is expired or not yet valid")
	}
	dir := s.deps.Directory()
	ci, _ := r.Context().Value(connKey{}).(*connIdentity)
	if ci == nil {
		return s.identifyCert(r, leaf, dir, now)
	}
	ci.mu.Lock()
	defer ci.mu.Unlock()
	if ci.dir != dir { // first request, or the directory was reloaded since
		ci.partner, ci.err = s.identifyCert(r, leaf, dir, now)
		ci.dir = dir
	}
	return ci.partner, ci.err
}

func (s *Server) identifyCert(r *http.Request, leaf *x509.Certificate, dir *partners.Directory, now time.Time) (*partners.Partner, *APIError) {
	p, ok := dir.ByPin(partners.PinOf(leaf))
	if !ok {
		return nil, apiErr(http.StatusUnauthorized, CodeUnknownCert,
			"the client certificate's public key is not pinned for any partner; send its SPKI pin to the gateway operator")
	}
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return p, apiErr(http.StatusUnauthorized, CodeCertExpired, "the client certificate is expired or not yet valid")
	}
	roots := p.CAPool()
	if roots == nil {
		roots = s.cfg.ClientCAs
	}
	if roots != nil {
		inter := x509.NewCertPool()
		for _, c := range r.TLS.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			return p, apiErr(http.StatusUnauthorized, CodeCertChain, "the client certificate does not chain to the partner's CA")
		}
	}
	return p, nil
}
