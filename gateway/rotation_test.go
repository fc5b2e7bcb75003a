package gateway_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

func TestKeyAndCertificateRotationWithoutRestart(t *testing.T) {
	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	published := filepath.Join(l.Dir, "keys", "published.jwks.json")
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url, FileCheckInterval: 100 * time.Millisecond,
		Configure: func(c *gateway.Config) { c.JWS.PublishedKeysFile = published }})
	ctx := context.Background()
	nj := g.ClientAs("nj")
	oldKeys, _ := signing.LoadKeySet(l.GatewayJWKS())

	post := func() string {
		t.Helper()
		id := gatewaytest.MustMessageID("NJ-EST")
		nj.ServerKeys = nil // verified below against the published set
		res, err := nj.Post(ctx, encode(t, devenv.SampleEST(id, today()), "xml-transaction/1"), "application/xml", id)
		if err != nil || res.Error != nil {
			t.Fatalf("post: %v %+v", err, res.Error)
		}
		return res.ReceiptJWS
	}
	jwks := func() map[string]bool {
		resp, err := http.Get(g.StaffURL() + "/.well-known/jwks.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var set struct {
			Keys []struct {
				Kid string `json:"kid"`
			} `json:"keys"`
		}
		_ = json.Unmarshal(b, &set)
		out := map[string]bool{}
		for _, k := range set.Keys {
			out[k.Kid] = true
		}
		return out
	}
	serial := func() string {
		t.Helper()
		caFile, _ := l.CA()
		roots, _ := pki.ReadCertPool(caFile)
		certFile, keyFile, _ := l.Client("nj")
		pair, _ := tls.LoadX509KeyPair(certFile, keyFile)
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", g.Server.PartnerAddr(),
			&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}, ServerName: "localhost"})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].SerialNumber.String()
	}

	before := post()
	oldKid := firstKid(t, oldKeys)
	oldSerial := serial()

	// Rotate the JWS key: the new key signs, the old one stays published.
	newKey, _ := signing.GenerateKey()
	if err := signing.WriteJSON(published, oldKeys, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := signing.WriteJSON(l.GatewayJWK(), newKey, 0o600); err != nil {
		t.Fatal(err)
	}
	// Renew the TLS certificate.
	caCert, caKey := l.CA()
	ca, err := pki.LoadCA(caCert, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := ca.Issue("renewed", []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, pki.Usage{Server: true, Client: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := l.GatewayCert()
	if err := pki.WriteKey(keyFile, key); err != nil {
		t.Fatal(err)
	}
	if err := pki.WriteCert(certFile, cert); err != nil {
		t.Fatal(err)
	}

	waitFor(t, "both keys published", 5*time.Second, func() bool {
		k := jwks()
		return k[oldKid] && k[signing.KeyID(newKey)] && len(k) == 2
	})
	after := post()
	pub, _ := fetchSet(t, g)
	for name, r := range map[string]string{"old receipt": before, "new receipt": after} {
		if _, err := signing.VerifyReceipt(r, pub); err != nil {
			t.Fatalf("%s does not verify with the published keys: %v", name, err)
		}
	}
	newSet, _ := signing.PublicSet(newKey)
	if _, err := signing.VerifyReceipt(after, newSet); err != nil {
		t.Fatalf("new receipts are not signed with the new key: %v", err)
	}
	waitFor(t, "renewed certificate served", 5*time.Second, func() bool { return serial() != oldSerial })
	if serial() != cert.SerialNumber.String() {
		t.Fatal("the gateway serves neither the old nor the renewed certificate")
	}
}

func firstKid(t *testing.T, set interface{ Len() int }) string {
	t.Helper()
	b, _ := json.Marshal(set)
	var s struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	_ = json.Unmarshal(b, &s)
	if len(s.Keys) == 0 {
		t.Fatal("empty key set")
	}
	return s.Keys[0].Kid
}

func fetchSet(t *testing.T, g *gatewaytest.Gateway) (jwk.Set, error) {
	t.Helper()
	resp, err := http.Get(g.StaffURL() + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return signing.ParseKeySet(b)
}
