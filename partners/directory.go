// Package partners is the partner directory: the states and employers the
// gateway exchanges with, how each is recognised (certificate pins, JWS keys),
// where and how to deliver to it, and in which format.
//
// The directory is read from a folder of YAML files, one per partner, and can
// be reloaded while the gateway runs (see Watcher); readers always see one
// whole, validated directory, never a half-read one.
package partners

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"gopkg.in/yaml.v3"

	"github.com/uifsagw/uifsagw/partners/keyset"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Kind of partner.
type Kind string

// Partner kinds.
const (
	KindState    Kind = "state"
	KindEmployer Kind = "employer"
)

// EmployerDefaultFormat is the format of an employer whose entry names none:
// the federal e-IWO file of Appendix D (transforms/eiwofile).
const EmployerDefaultFormat = "eiwo-file"

// Delivery mode: push to the partner's endpoint, or hold for pull.
type Delivery string

// Delivery modes.
const (
	DeliverPush Delivery = "push"
	DeliverPull Delivery = "pull"
)

// Partner is one directory entry as written in its YAML file.
type Partner struct {
	ID   string `yaml:"id"`
	Kind Kind   `yaml:"kind"`
	Name string `yaml:"name"`
	// StateFIPS is the 2-digit state code. For a state agency, messages it
	// sends must carry a sender FIPS in this state; for an employer it is the
	// state of the principal place of employment, whose withholding law applies.
	StateFIPS string `yaml:"state_fips"`
	// FIPS optionally narrows the 7-digit codes a state partner may send as.
	FIPS []string `yaml:"fips,omitempty"`
	// FEIN is an employer's federal employer identification number.
	FEIN string `yaml:"fein,omitempty"`
	// Format is the wire format the partner sends and receives, e.g. xml-transaction/1.
	Format string `yaml:"format"`
	// Mapping names a dialect mapping file (relative to the directory) when the
	// partner's format differs from ours.
	Mapping  string   `yaml:"mapping,omitempty"`
	Delivery Delivery `yaml:"delivery"`
	Endpoint string   `yaml:"endpoint,omitempty"`
	TLS      TLS      `yaml:"tls"`
	// JWKSFile is the partner's public JWK set (relative to the directory).
	JWKSFile string      `yaml:"jwks_file"`
	Rate     RateLimit   `yaml:"rate,omitempty"`
	Retry    RetryPolicy `yaml:"retry,omitempty"`
	// Paused stops outbound delivery to the partner; its messages wait.
	Paused bool `yaml:"paused,omitempty"`
	// FetchInbox says the partner holds messages for us in its own pull inbox
	// (GET Endpoint/v1/inbox); the gateway fetches, ingests and acknowledges them.
	FetchInbox bool `yaml:"fetch_inbox,omitempty"`
	// FileWindow, when set, marks a partner that takes files: the
	// transactions waiting in its pull inbox are also offered as one file per
	// window (GET /v1/inbox/files), e.g. 15m for a CSENet 2000 partner.
	FileWindow time.Duration `yaml:"file_window,omitempty"`
	// Contact is a free-text operator contact, shown to staff.
	Contact string `yaml:"contact,omitempty"`

	// Filled in by Load.
	jwks      jwk.Set
	pins      map[string]bool
	certs     []*x509.Certificate
	caPool    *x509.CertPool
	sourceDir string
}

// TLS says how the partner's certificates are recognised.
type TLS struct {
	// Pins are base64 SHA-256 digests of the partner's SubjectPublicKeyInfo.
	// Several may be listed at once so a certificate can rotate with overlap.
	Pins []string `yaml:"pins,omitempty"`
	// CertFiles are the partner's certificates (PEM); their pins are added to
	// Pins and their expiry is reported.
	CertFiles []string `yaml:"cert_files,omitempty"`
	// CAFile optionally requires the partner's chain to verify to these CAs as well.
	CAFile string `yaml:"ca_file,omitempty"`
	// ServerName is the name expected in the partner's server certificate when pushing.
	ServerName string `yaml:"server_name,omitempty"`
}

// RateLimit bounds inbound requests from one partner.
type RateLimit struct {
	PerSecond float64 `yaml:"per_second,omitempty"`
	Burst     int     `yaml:"burst,omitempty"`
}

// RetryPolicy bounds outbound delivery attempts.
type RetryPolicy struct {
	MaxAttempts int           `yaml:"max_attempts,omitempty"`
	BaseDelay   time.Duration `yaml:"base_delay,omitempty"`
	MaxDelay    time.Duration `yaml:"max_delay,omitempty"`
}

// Defaults for partner settings left empty.
var (
	DefaultRate  = RateLimit{PerSecond: 200, Burst: 400}
	DefaultRetry = RetryPolicy{MaxAttempts: 12, BaseDelay: 2 * time.Second, MaxDelay: 10 * time.Minute}
)

// JWKS returns the partner's public signing keys.
func (p *Partner) JWKS() jwk.Set { return p.jwks }

// HasPin reports whether an SPKI pin belongs to the partner.
func (p *Partner) HasPin(pin string) bool { return p.pins[pin] }

// Pins returns every pin of the partner, sorted.
func (p *Partner) Pins() []string {
	out := make([]string, 0, len(p.pins))
	for k := range p.pins {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CAPool returns the partner's CA pool, or nil when only pins are used.
func (p *Partner) CAPool() *x509.CertPool { return p.caPool }

// Certificates returns the partner certificates listed in its entry.
func (p *Partner) Certificates() []*x509.Certificate { return p.certs }

// MaySendAs reports whether the partner may send with this sender FIPS.
func (p *Partner) MaySendAs(f canonical.FIPS) bool {
	if f.State() != p.StateFIPS {
		return false
	}
	if p.Kind == KindEmployer {
		// An employer's acknowledgments are enveloped as coming from its
		// state; the envelope is built only after its FEIN was checked.
		return true
	}
	if len(p.FIPS) == 0 {
		return true
	}
	for _, x := range p.FIPS {
		if string(f) == x {
			return true
		}
	}
	return false
}

// Path resolves a file name of the entry relative to its directory.
func (p *Partner) Path(name string) string {
	if name == "" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(p.sourceDir, name)
}

// Directory is one loaded, validated set of partners. It is immutable.
type Directory struct {
	byID    map[string]*Partner
	byPin   map[string]*Partner
	byState map[string]*Partner
	byFEIN  map[string]*Partner
	ids     []string
	// LoadedAt is when the directory was read.
	LoadedAt time.Time
	// Dir is the folder it was read from.
	Dir string
}

// Get returns a partner by ID.
func (d *Directory) Get(id string) (*Partner, bool) { p, ok := d.byID[id]; return p, ok }

// ByPin returns the partner a certificate pin belongs to.
func (d *Directory) ByPin(pin string) (*Partner, bool) { p, ok := d.byPin[pin]; return p, ok }

// ByState returns the state agency partner for a 2-digit state FIPS.
func (d *Directory) ByState(state string) (*Partner, bool) { p, ok := d.byState[state]; return p, ok }

// ByFEIN returns the employer partner with that FEIN.
func (d *Directory) ByFEIN(fein string) (*Partner, bool) { p, ok := d.byFEIN[fein]; return p, ok }

// All returns every partner, sorted by ID.
func (d *Directory) All() []*Partner {
	out := make([]*Partner, len(d.ids))
	for i, id := range d.ids {
		out[i] = d.byID[id]
	}
	return out
}

// Len returns the number of partners.
func (d *Directory) Len() int { return len(d.ids) }

// PinOf returns the base64 SHA-256 pin of a certificate's public key.
func PinOf(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// Load reads every *.yaml file directly in dir as one partner entry. Any
// invalid entry fails the whole load with its file and field named, so a
// reload never half-applies.
func Load(dir string) (*Directory, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	d := &Directory{byID: map[string]*Partner{}, byPin: map[string]*Partner{}, byState: map[string]*Partner{},
		byFEIN: map[string]*Partner{}, LoadedAt: time.Now(), Dir: dir}
	var errs []error
	for _, file := range matches {
		p, err := loadOne(file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := d.add(p); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", file, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Strings(d.ids)
	return d, nil
}

func (d *Directory) add(p *Partner) error {
	if _, dup := d.byID[p.ID]; dup {
		return fmt.Errorf("id %q: listed twice", p.ID)
	}
	for pin := range p.pins {
		if other, dup := d.byPin[pin]; dup {
			return fmt.Errorf("tls.pins: pin %s is also listed for %q; a certificate must identify one partner", pin, other.ID)
		}
	}
	if p.Kind == KindState {
		if other, dup := d.byState[p.StateFIPS]; dup {
			return fmt.Errorf("state_fips: state %s is also partner %q", p.StateFIPS, other.ID)
		}
		d.byState[p.StateFIPS] = p
	}
	if p.Kind == KindEmployer {
		if other, dup := d.byFEIN[p.FEIN]; dup {
			return fmt.Errorf("fein: %s is also partner %q", p.FEIN, other.ID)
		}
		d.byFEIN[p.FEIN] = p
	}
	for pin := range p.pins {
		d.byPin[pin] = p
	}
	d.byID[p.ID] = p
	d.ids = append(d.ids, p.ID)
	return nil
}

// Parse decodes and validates one entry; base resolves relative file names.
func Parse(b []byte, base string) (*Partner, error) {
	var p Partner
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	p.sourceDir = base
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func loadOne(file string) (*Partner, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	p, err := Parse(b, filepath.Dir(file))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return p, nil
}

func (p *Partner) validate() error {
	var errs []string
	bad := func(field, format string, args ...any) {
		errs = append(errs, field+": "+fmt.Sprintf(format, args...))
	}
	if !idPattern.MatchString(p.ID) {
		bad("id", "%q must be 1-40 lowercase letters, digits, - or _", p.ID)
	}
	if _, ok := canonical.StatePostal[p.StateFIPS]; !ok {
		bad("state_fips", "%q is not a known 2-digit state FIPS code", p.StateFIPS)
	}
	switch p.Kind {
	case KindState:
		for _, f := range p.FIPS {
			if fp := canonical.FIPS(f); !fp.Valid() || fp.State() != p.StateFIPS {
				bad("fips", "%q is not a 7-digit FIPS code in state %s", f, p.StateFIPS)
			}
		}
	case KindEmployer:
		if len(p.FEIN) != 9 || strings.Trim(p.FEIN, "0123456789") != "" {
			bad("fein", "%q must be 9 digits", p.FEIN)
		}
		if p.Format == "" {
			// Payroll systems read the federal e-IWO file; XML or JSON only
			// when the employer's entry asks for it.
			p.Format = EmployerDefaultFormat
		}
	default:
		bad("kind", "%q must be state or employer", p.Kind)
	}
	if p.Format == "" {
		bad("format", "required (for example xml-transaction/1)")
	}
	switch p.Delivery {
	case DeliverPush:
		u, err := url.Parse(p.Endpoint)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			bad("endpoint", "push delivery needs an https:// endpoint, got %q", p.Endpoint)
		}
	case DeliverPull:
		if p.FetchInbox {
			if u, err := url.Parse(p.Endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
				bad("endpoint", "fetch_inbox needs the partner's https:// endpoint, got %q", p.Endpoint)
			}
		}
	default:
		bad("delivery", "%q must be push or pull", p.Delivery)
	}
	p.pins = map[string]bool{}
	for _, pin := range p.TLS.Pins {
		raw, err := base64.StdEncoding.DecodeString(pin)
		if err != nil || len(raw) != sha256.Size {
			bad("tls.pins", "%q is not a base64 SHA-256 digest", pin)
			continue
		}
		p.pins[pin] = true
	}
	for _, f := range p.TLS.CertFiles {
		certs, err := readCerts(p.Path(f))
		if err != nil {
			bad("tls.cert_files", "%v", err)
			continue
		}
		for _, c := range certs {
			p.pins[PinOf(c)] = true
			p.certs = append(p.certs, c)
		}
	}
	if len(p.pins) == 0 {
		bad("tls", "at least one pin or certificate file is required to recognise the partner")
	}
	if p.TLS.CAFile != "" {
		certs, err := readCerts(p.Path(p.TLS.CAFile))
		if err != nil {
			bad("tls.ca_file", "%v", err)
		} else {
			p.caPool = x509.NewCertPool()
			for _, c := range certs {
				p.caPool.AddCert(c)
			}
		}
	}
	if p.JWKSFile == "" {
		bad("jwks_file", "required: the partner's public signing keys")
	} else if set, err := keyset.Load(p.Path(p.JWKSFile)); err != nil {
		bad("jwks_file", "%v", err)
	} else {
		p.jwks = set
	}
	if p.FileWindow < 0 || (p.FileWindow > 0 && p.Delivery != DeliverPull) {
		bad("file_window", "a positive duration, for a pull partner (files are offered in its inbox)")
	}
	if p.Rate == (RateLimit{}) {
		p.Rate = DefaultRate
	}
	if p.Retry == (RetryPolicy{}) {
		p.Retry = DefaultRetry
	}
	if p.Retry.MaxAttempts < 1 || p.Retry.BaseDelay <= 0 || p.Retry.MaxDelay < p.Retry.BaseDelay {
		bad("retry", "max_attempts >= 1 and 0 < base_delay <= max_delay")
	}
	if len(errs) > 0 {
		return fmt.Errorf("partner %q: %s", p.ID, strings.Join(errs, "; "))
	}
	return nil
}

func readCerts(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return out, nil
}

// Marshal writes an entry back to YAML (for `uifsagw partners add|pin`).
func Marshal(p *Partner) ([]byte, error) { return yaml.Marshal(p) }
