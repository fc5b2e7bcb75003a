package pki

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// handshake runs a real mutual TLS handshake on loopback between a server and
// a client holding the given certificates, both trusting roots.
func handshake(t *testing.T, roots *x509.CertPool, server, client tls.Certificate) error {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srvErr := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			srvErr <- err
			return
		}
		defer c.Close()
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{server}, ClientCAs: roots,
			ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13})
		err = tc.Handshake()
		if err == nil {
			_, err = io.WriteString(tc, "ok")
		}
		srvErr <- err
	}()
	c, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{RootCAs: roots, ServerName: "gateway.test",
		Certificates: []tls.Certificate{client}, MinVersion: tls.VersionTLS13})
	if err != nil {
		<-srvErr
		return err
	}
	defer c.Close()
	// TLS 1.3 reports a refused client certificate on the first read.
	if _, err := io.ReadAll(io.LimitReader(c, 2)); err != nil {
		<-srvErr
		return err
	}
	return <-srvErr
}

func TestIssuedCertificatesCompleteMutualTLS(t *testing.T) {
	ca, err := NewCA("test CA", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	sc, sk, err := ca.Issue("gateway.test", []string{"gateway.test"}, []net.IP{net.IPv4(127, 0, 0, 1)}, Usage{Server: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cc, ck, err := ca.Issue("nj", nil, nil, Usage{Client: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := handshake(t, roots, TLSCertificate(sc, sk), TLSCertificate(cc, ck)); err != nil {
		t.Fatalf("mutual TLS with issued certificates: %v", err)
	}

	// A client certificate used as a server certificate is refused: usages are enforced.
	if err := handshake(t, roots, TLSCertificate(cc, ck), TLSCertificate(cc, ck)); err == nil {
		t.Fatal("a client-only certificate served TLS")
	}
	// An expired client certificate is refused.
	old, _, err := ca.IssueFor("nj", ck, nil, nil, Usage{Client: true}, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := handshake(t, roots, TLSCertificate(sc, sk), TLSCertificate(old, ck)); err == nil {
		t.Fatal("an expired client certificate was accepted")
	}
	// A certificate from another CA is refused.
	other, err := NewCA("other CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	oc, ok, err := other.Issue("nj", nil, nil, Usage{Client: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := handshake(t, roots, TLSCertificate(sc, sk), TLSCertificate(oc, ok)); err == nil {
		t.Fatal("a certificate of an unknown CA was accepted")
	}
}

func TestSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	ca, err := NewCA("test CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath := filepath.Join(dir, "ca", "cert.pem"), filepath.Join(dir, "ca", "key.pem")
	if err := ca.Save(certPath, keyPath); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	loaded, err := LoadCA(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Cert.Equal(ca.Cert) {
		t.Fatal("loaded CA certificate differs")
	}
	// The loaded CA still issues certificates that chain to the saved one.
	leaf, _, err := loaded.Issue("pa", nil, nil, Usage{Client: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := ReadCertPool(certPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("leaf of the loaded CA does not verify: %v", err)
	}

	notPEM := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCertPool(notPEM); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("ReadCertPool(junk) = %v", err)
	}
	if _, err := ReadCertPool(filepath.Join(dir, "missing.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ReadCertPool(missing) = %v", err)
	}
	if _, err := LoadCA(certPath, notPEM); err == nil {
		t.Fatal("LoadCA with a junk key succeeded")
	}
}
