// Package partnerclient acts as a partner towards a gateway, as the send
// and inbox commands do: it builds an mTLS client with a partner's
// certificate and signing key (from a dev installation or explicit files),
// posts messages and CSENet files and checks their receipts, and pulls a
// pull partner's inbox. It prints what a person at a terminal reads; the
// commands only parse flags.
package partnerclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

// Identity names a partner and the gateway it talks to: a dev installation
// (Dir) and a sample partner ID (As), or explicit files; explicit files win.
type Identity struct {
	Dir, As, Addr, Cert, Key, JWK, CA, ServerJWKS string
}

// Client builds the partner's client: mTLS with its certificate, its
// signing key for the detached JWS, and the gateway's keys to verify
// receipts (from ServerJWKS, or fetched from the gateway).
func (c Identity) Client(ctx context.Context) (*courier.Client, error) {
	l := devenv.Layout{Dir: c.Dir}
	if c.As != "" && c.Cert == "" && c.Key == "" && c.JWK == "" {
		if err := l.CheckClient(c.As); err != nil {
			return nil, err
		}
	}
	if c.Addr == "" {
		u, err := l.PartnerURL()
		if err != nil {
			return nil, fmt.Errorf("no gateway address: give --addr, or --dir with the install folder of uifsagw dev (%w)", err)
		}
		c.Addr = u
	}
	if c.As != "" {
		cert, key, jwkFile := l.Client(c.As)
		if c.Cert == "" {
			c.Cert = cert
		}
		if c.Key == "" {
			c.Key = key
		}
		if c.JWK == "" {
			c.JWK = jwkFile
		}
	}
	if c.CA == "" {
		c.CA, _ = l.CA()
	}
	if c.Cert == "" || c.Key == "" || c.JWK == "" {
		return nil, fmt.Errorf("name the partner with --as ID (dev installation) or give --cert, --key and --jwk")
	}
	pair, err := tls.LoadX509KeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, fmt.Errorf("client certificate: %w", err)
	}
	roots, err := pki.ReadCertPool(c.CA)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	k, err := signing.LoadPrivateKey(c.JWK)
	if err != nil {
		return nil, err
	}
	signer, err := signing.NewSigner(k)
	if err != nil {
		return nil, err
	}
	cl := &courier.Client{HTTP: courier.NewHTTPClient(pair, roots, "", 30*time.Second), BaseURL: c.Addr, Signer: signer}
	if c.ServerJWKS != "" {
		cl.ServerKeys, err = signing.LoadKeySet(c.ServerJWKS)
	} else {
		cl.ServerKeys, err = cl.FetchJWKS(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("gateway keys: %w", err)
	}
	return cl, nil
}
