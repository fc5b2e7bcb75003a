// Package devenv lays out a complete local installation for `uifsagw dev`
// and for tests: a certificate authority, the gateway's server certificate and
// JWS key, PII keys, a sample partner directory (two states and an employer)
// with each partner's client certificate and signing key, and a config file.
//
// Everything is generated once; a second run on the same folder reuses it.
package devenv

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"net"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
)

// SamplePartner describes one generated partner.
type SamplePartner struct {
	ID        string
	Kind      partners.Kind
	Name      string
	StateFIPS string
	FEIN      string
	Format    string
	Delivery  partners.Delivery
	Endpoint  string
}

// Samples are the partners `uifsagw dev` sets up for a New York gateway.
var Samples = []SamplePartner{
	{ID: "nj", Kind: partners.KindState, Name: "New Jersey Division of Family Development", StateFIPS: "34",
		Format: "xml-transaction/1", Delivery: partners.DeliverPush, Endpoint: "https://127.0.0.1:9443"},
	{ID: "pa", Kind: partners.KindState, Name: "Pennsylvania Bureau of Child Support Enforcement", StateFIPS: "42",
		Format: "json-transaction/1", Delivery: partners.DeliverPull},
	{ID: "acme", Kind: partners.KindEmployer, Name: "Acme Logistics Inc.", StateFIPS: "34", FEIN: "221234567",
		Format: "eiwo-xml/1", Delivery: partners.DeliverPull},
}

// Options shape a generated installation.
type Options struct {
	// StateFIPS is the gateway's own state (default 36, New York).
	StateFIPS string
	Name      string
	// PartnerListen and StaffListen go into the config file.
	PartnerListen string
	StaffListen   string
	// DatabaseURL goes into the config file (dev fills it when PostgreSQL starts).
	DatabaseURL string
	Partners    []SamplePartner
}

// Layout names the files of an installation rooted at Dir.
type Layout struct{ Dir string }

// Config returns the config file path.
func (l Layout) Config() string { return filepath.Join(l.Dir, "config.yaml") }

// CA returns the CA certificate and key paths.
func (l Layout) CA() (string, string) {
	return filepath.Join(l.Dir, "pki", "ca.pem"), filepath.Join(l.Dir, "pki", "ca-key.pem")
}

// GatewayCert returns the gateway's certificate and key paths.
func (l Layout) GatewayCert() (string, string) {
	return filepath.Join(l.Dir, "pki", "gateway.pem"), filepath.Join(l.Dir, "pki", "gateway-key.pem")
}

// GatewayJWK is the gateway's private signing key.
func (l Layout) GatewayJWK() string { return filepath.Join(l.Dir, "keys", "gateway.jwk.json") }

// GatewayJWKS is the gateway's public key set, as partners would be given it.
func (l Layout) GatewayJWKS() string { return filepath.Join(l.Dir, "keys", "gateway.jwks.json") }

// PIIKeys is the file with the SSN encryption and HMAC keys.
func (l Layout) PIIKeys() string { return filepath.Join(l.Dir, "keys", "pii.yaml") }

// PartnersDir is the partner directory.
func (l Layout) PartnersDir() string { return filepath.Join(l.Dir, "partners.d") }

// Client returns a sample partner's client certificate, key and signing JWK.
func (l Layout) Client(id string) (cert, key, jwkFile string) {
	d := filepath.Join(l.Dir, "clients", id)
	return filepath.Join(d, "cert.pem"), filepath.Join(d, "key.pem"), filepath.Join(d, "signing.jwk.json")
}

// PGData is the PostgreSQL data folder.
func (l Layout) PGData() string { return filepath.Join(l.Dir, "pgdata") }

// Exists reports whether the installation was generated before.
func (l Layout) Exists() bool {
	_, err := os.Stat(l.Config())
	return err == nil
}

// Prepare generates the installation unless it exists. It returns whether it
// generated anything.
func Prepare(dir string, o Options) (Layout, bool, error) {
	l := Layout{Dir: dir}
	if l.Exists() {
		return l, false, nil
	}
	if o.StateFIPS == "" {
		o.StateFIPS = "36"
	}
	if o.Name == "" {
		o.Name = "uifsagw-dev"
	}
	if o.PartnerListen == "" {
		o.PartnerListen = "127.0.0.1:8443"
	}
	if o.StaffListen == "" {
		o.StaffListen = "127.0.0.1:8080"
	}
	if o.Partners == nil {
		o.Partners = Samples
	}
	for _, sub := range []string{"pki", "keys", "partners.d/keys", "partners.d/certs", "clients"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return l, false, err
		}
	}
	if err := os.Chmod(filepath.Join(dir, "keys"), 0o700); err != nil {
		return l, false, err
	}
	ca, err := pki.NewCA("uifsagw dev CA", 5*365*24*time.Hour)
	if err != nil {
		return l, false, err
	}
	caCert, caKey := l.CA()
	if err := ca.Save(caCert, caKey); err != nil {
		return l, false, err
	}
	cert, key, err := ca.Issue(o.Name, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		pki.Usage{Server: true, Client: true}, 2*365*24*time.Hour)
	if err != nil {
		return l, false, err
	}
	gc, gk := l.GatewayCert()
	if err := pki.WriteCert(gc, cert); err != nil {
		return l, false, err
	}
	if err := pki.WriteKey(gk, key); err != nil {
		return l, false, err
	}
	jk, err := signing.GenerateKey()
	if err != nil {
		return l, false, err
	}
	if err := signing.WriteJSON(l.GatewayJWK(), jk, 0o600); err != nil {
		return l, false, err
	}
	pub, err := signing.PublicSet(jk)
	if err != nil {
		return l, false, err
	}
	if err := signing.WriteJSON(l.GatewayJWKS(), pub, 0o644); err != nil {
		return l, false, err
	}
	if err := writePIIKeys(l.PIIKeys()); err != nil {
		return l, false, err
	}
	for _, sp := range o.Partners {
		if err := addPartner(l, ca, sp); err != nil {
			return l, false, fmt.Errorf("partner %s: %w", sp.ID, err)
		}
	}
	if _, err := partners.Load(l.PartnersDir()); err != nil {
		return l, false, fmt.Errorf("generated directory does not load: %w", err)
	}
	cfg := map[string]any{
		"state_fips":     o.StateFIPS,
		"name":           o.Name,
		"database_url":   o.DatabaseURL,
		"partner_listen": o.PartnerListen,
		"staff_listen":   o.StaffListen,
		"partners_dir":   "partners.d",
		"tls": map[string]any{"cert_file": "pki/gateway.pem", "key_file": "pki/gateway-key.pem",
			"client_ca_file": "pki/ca.pem", "root_ca_file": "pki/ca.pem", "min_version": "1.3"},
		"jws": map[string]any{"key_file": "keys/gateway.jwk.json", "iat_window": "5m"},
		"pii": map[string]any{"key_file": "keys/pii.yaml"},
		"log": map[string]any{"format": "text", "level": "info"},
		// A sample interstate contact; the federal edits require one on the
		// gateway's answers.
		"casework": map[string]any{"contact": map[string]any{"first_name": "Interstate", "last_name": "Unit",
			"line1": "150 Example Street", "city": "Capital City", "state": canonical.StatePostal[o.StateFIPS], "zip": "10001",
			"phone": "2125550100"}},
	}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return l, false, err
	}
	header := "# Generated by `uifsagw dev`. Every option and its default: deploy/config.example.yaml\n"
	// The config is written last: its presence marks a complete installation.
	if err := os.WriteFile(l.Config(), append([]byte(header), b...), 0o600); err != nil {
		return l, false, err
	}
	return l, true, nil
}

func writePIIKeys(path string) error {
	gen := func() string {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		return base64.StdEncoding.EncodeToString(b)
	}
	b, err := yaml.Marshal(map[string]string{"enc_key": gen(), "hmac_key": gen()})
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// AddPartner issues a client certificate and a signing key for a new sample
// partner in an existing installation and writes its directory entry.
func AddPartner(l Layout, sp SamplePartner) error {
	caCert, caKey := l.CA()
	ca, err := pki.LoadCA(caCert, caKey)
	if err != nil {
		return err
	}
	return addPartner(l, ca, sp)
}

func addPartner(l Layout, ca *pki.CA, sp SamplePartner) error {
	certPath, keyPath, jwkPath := l.Client(sp.ID)
	if err := os.MkdirAll(filepath.Dir(certPath), 0o700); err != nil {
		return err
	}
	cert, key, err := ca.Issue(sp.ID, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")},
		pki.Usage{Client: true, Server: true}, 2*365*24*time.Hour)
	if err != nil {
		return err
	}
	if err := pki.WriteCert(certPath, cert); err != nil {
		return err
	}
	if err := pki.WriteKey(keyPath, key); err != nil {
		return err
	}
	jk, err := signing.GenerateKey()
	if err != nil {
		return err
	}
	if err := signing.WriteJSON(jwkPath, jk, 0o600); err != nil {
		return err
	}
	pub, err := signing.PublicSet(jk)
	if err != nil {
		return err
	}
	dir := l.PartnersDir()
	if err := signing.WriteJSON(filepath.Join(dir, "keys", sp.ID+".jwks.json"), pub, 0o644); err != nil {
		return err
	}
	if err := pki.WriteCert(filepath.Join(dir, "certs", sp.ID+".pem"), cert); err != nil {
		return err
	}
	p := partners.Partner{ID: sp.ID, Kind: sp.Kind, Name: sp.Name, StateFIPS: sp.StateFIPS, FEIN: sp.FEIN,
		Format: sp.Format, Delivery: sp.Delivery, Endpoint: sp.Endpoint,
		TLS:      partners.TLS{CertFiles: []string{"certs/" + sp.ID + ".pem"}, ServerName: "localhost"},
		JWKSFile: "keys/" + sp.ID + ".jwks.json"}
	b, err := partners.Marshal(&p)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, sp.ID+".yaml")
	if _, err := os.Stat(path); err == nil {
		return errors.New("a partner with that id exists")
	}
	return os.WriteFile(path, b, 0o644)
}
