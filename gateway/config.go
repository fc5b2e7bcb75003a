// Package gateway wires the service together: configuration, the partner and
// staff listeners, workers, and their lifecycle.
package gateway

import (
	"fmt"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the whole gateway configuration: one YAML file plus UIFSAGW_*
// environment overrides (UIFSAGW_ + the YAML path in upper case joined by _,
// e.g. UIFSAGW_DATABASE_URL, UIFSAGW_PARTNER_LISTEN, UIFSAGW_PII_ENC_KEY).
type Config struct {
	// StateFIPS is our own state (2 digits); messages must be addressed to it.
	StateFIPS string `yaml:"state_fips"`
	// Name is how receipts name this gateway.
	Name string `yaml:"name"`
	// DatabaseURL is a PostgreSQL connection string.
	DatabaseURL string `yaml:"database_url"`
	// PartnerListen is the mTLS partner listener address.
	PartnerListen string `yaml:"partner_listen"`
	// StaffListen serves the staff UI, staff API, health and metrics.
	StaffListen string `yaml:"staff_listen"`
	// PartnersDir holds one YAML file per partner.
	PartnersDir string `yaml:"partners_dir"`
	// CodesFile optionally extends the function/action/reason table (CSV).
	CodesFile string `yaml:"codes_file"`

	TLS     TLSConfig     `yaml:"tls"`
	JWS     JWSConfig     `yaml:"jws"`
	PII     PIIConfig     `yaml:"pii"`
	Limits  LimitsConfig  `yaml:"limits"`
	Workers WorkersConfig `yaml:"workers"`
	Log     LogConfig     `yaml:"log"`
	Staff   StaffConfig   `yaml:"staff"`
	// Casework holds the agency's choices for the rules.
	Casework CaseworkConfig `yaml:"casework"`
	// Retention bounds how long data is kept.
	Retention RetentionConfig `yaml:"retention"`
	// Telemetry exports traces beyond the built-in Prometheus metrics.
	Telemetry TelemetryConfig `yaml:"telemetry"`
	// Audit anchors the audit log outside the database.
	Audit AuditConfig `yaml:"audit"`
}

// AuditConfig sets where signed audit checkpoints go. A checkpoint is a JWS
// (the gateway's signing key) over the audit chain's head: its newest record,
// that record's keyed hash, and how many records lead to it. `uifsagw audit
// verify` compares the database with the latest one, which catches deleted,
// truncated or rewritten records. Checkpoints always go to the structured log
// (message "audit checkpoint"); CheckpointFile adds a file of one JSON line
// per checkpoint, which should live where the database's administrators
// cannot write (another volume, a log shipper's spool).
type AuditConfig struct {
	CheckpointFile     string        `yaml:"checkpoint_file"`
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
}

// TelemetryConfig configures trace export.
type TelemetryConfig struct {
	// OTLPEndpoint, when set, receives every span over OTLP/HTTP, e.g.
	// http://otel-collector:4318 (https for TLS). Empty: spans are not exported.
	OTLPEndpoint string `yaml:"otlp_endpoint"`
	// MetricsToken, when set, is required as "Authorization: Bearer TOKEN"
	// on /metrics; empty leaves /metrics open on the staff listener.
	MetricsToken string `yaml:"metrics_token"`
}

// RetentionConfig is the retention policy, run by one replica at a time.
type RetentionConfig struct {
	// RawBodyDays keeps raw bodies (and the sealed SSNs) this many days after
	// receipt, once nothing is left to do with the message; 0 keeps them forever.
	RawBodyDays int `yaml:"raw_body_days"`
	// MessageDays keeps message metadata, history and receipts this many days; 0 forever.
	MessageDays int `yaml:"message_days"`
	// Interval between runs.
	Interval time.Duration `yaml:"interval"`
}

// CaseworkConfig holds the agency's choices for the one-order and withholding rules.
type CaseworkConfig struct {
	// SelfFIPS is the 7-digit FIPS our answers are sent from; default state_fips + "00000".
	SelfFIPS string `yaml:"self_fips"`
	// RerouteEST answers an EST request that meets one existing order as
	// enforcement or registration without waiting for a person (it is still
	// put in review); false waits for staff.
	RerouteEST bool `yaml:"reroute_est"`
	// SDUPayee and SDUFIPS name our state disbursement unit on IWOs we issue.
	SDUPayee string `yaml:"sdu_payee"`
	SDUFIPS  string `yaml:"sdu_fips"`
	// WithholdingDir holds state withholding rule files that add to or
	// replace the shipped ones (partners/withholding).
	WithholdingDir string `yaml:"withholding_dir"`
	// Contact is the interstate caseworker or unit every CSENet answer the
	// gateway sends names in its case block: the federal edits require the
	// contact's name, address and phone on most answers.
	Contact ContactConfig `yaml:"contact"`
	// EIWOBatchWindow is how long an employer's e-IWO documents wait to be
	// sent together in one federal file (employers with format eiwo-file);
	// 0 sends what is waiting at every poll.
	EIWOBatchWindow time.Duration `yaml:"eiwo_batch_window"`
}

// ContactConfig is the agency's interstate contact.
type ContactConfig struct {
	FirstName string `yaml:"first_name"`
	LastName  string `yaml:"last_name"`
	Line1     string `yaml:"line1"`
	Line2     string `yaml:"line2"`
	City      string `yaml:"city"`
	State     string `yaml:"state"`
	Zip       string `yaml:"zip"`
	// Phone is 10 digits.
	Phone string `yaml:"phone"`
	Email string `yaml:"email"`
}

// Canonical returns the contact for case blocks, or nil when none is set.
func (c ContactConfig) Canonical() *canonical.Contact {
	if c == (ContactConfig{}) {
		return nil
	}
	return &canonical.Contact{Name: &canonical.Name{First: c.FirstName, Last: c.LastName},
		Address: &canonical.Address{Line1: c.Line1, Line2: c.Line2, City: c.City, State: c.State, Zip: c.Zip},
		Phone:   c.Phone, Email: c.Email}
}

// TLSConfig is the gateway's own certificate and the client-certificate policy.
type TLSConfig struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ClientCAFile lists CAs whose client certificates are checked for validity
	// dates and chain; the partner is still identified by its pin.
	ClientCAFile string `yaml:"client_ca_file"`
	// MinVersion is "1.3" (default) or "1.2".
	MinVersion string `yaml:"min_version"`
	// RootCAFile verifies partners' server certificates when pushing; the
	// system roots are used when empty.
	RootCAFile string `yaml:"root_ca_file"`
}

// JWSConfig is the gateway's signing key and the acceptance window.
type JWSConfig struct {
	// KeyFile is the current private signing key (JWK JSON).
	KeyFile string `yaml:"key_file"`
	// PublishedKeysFile lists extra public keys still published in our JWKS
	// (previous keys whose receipts have not aged out).
	PublishedKeysFile string `yaml:"published_keys_file"`
	// IATWindow bounds the skew between a signature's iat and our clock.
	IATWindow time.Duration `yaml:"iat_window"`
}

// PIIConfig holds the keys that protect SSNs at rest (base64, 32 bytes each).
type PIIConfig struct {
	EncKey  string `yaml:"enc_key"`
	HMACKey string `yaml:"hmac_key"`
	// KeyFile, when set, is read for "enc_key: ..." and "hmac_key: ..." instead.
	KeyFile string `yaml:"key_file"`
}

// LimitsConfig bounds what a partner request may cost.
type LimitsConfig struct {
	MaxBody int64 `yaml:"max_body"`
	// MaxFileBody bounds a file of many transactions (POST /v1/files).
	MaxFileBody       int64         `yaml:"max_file_body"`
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	HandlerTimeout    time.Duration `yaml:"handler_timeout"`
	// FileTimeout bounds reading, handling and answering one file of many
	// transactions (POST /v1/files) instead of the three timeouts above.
	FileTimeout time.Duration `yaml:"file_timeout"`
}

// WorkersConfig sizes the background workers.
type WorkersConfig struct {
	Processors int `yaml:"processors"`
	// Senders is how many outbox items one gateway may hold claimed at
	// once; SenderPerPartner how many of them may be in flight to one
	// partner (the messages of one case still leave one at a time, in order).
	Senders          int           `yaml:"senders"`
	SenderPerPartner int           `yaml:"sender_per_partner"`
	PollInterval     time.Duration `yaml:"poll_interval"`
	SendTimeout      time.Duration `yaml:"send_timeout"`
	Lease            time.Duration `yaml:"lease"`
	// GroupCommitBatch bounds how many concurrent intakes share one commit;
	// 1 turns group commit off. GroupCommitWait is how long a commit may wait
	// for company.
	GroupCommitBatch int           `yaml:"group_commit_batch"`
	GroupCommitWait  time.Duration `yaml:"group_commit_wait"`
	// BreakerThreshold consecutive failed deliveries open a partner's circuit
	// for BreakerCooldown (doubling on each failed probe, up to 10 minutes).
	BreakerThreshold int           `yaml:"breaker_threshold"`
	BreakerCooldown  time.Duration `yaml:"breaker_cooldown"`
}

// LogConfig chooses the log format and level.
type LogConfig struct {
	// Format is "json" (default) or "text".
	Format string `yaml:"format"`
	// Level is debug, info (default), warn or error.
	Level string `yaml:"level"`
}

// StaffConfig is the staff sign-in.
type StaffConfig struct {
	// Issuer and JWKSURL of the agency's OpenID Connect provider.
	Issuer   string `yaml:"issuer"`
	JWKSURL  string `yaml:"jwks_url"`
	Audience string `yaml:"audience"`
	// RoleClaim names the token claim that holds the staff roles.
	RoleClaim string `yaml:"role_claim"`
	// ClientID and ClientSecret identify the UI to the provider (the secret is
	// optional: the browser flow uses PKCE either way).
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// RedirectURL is this gateway's /callback as registered with the provider.
	RedirectURL string `yaml:"redirect_url"`
	// SessionKey (base64, 32 bytes or more) keys the sign-in cookie and CSRF
	// tokens; every replica must share it.
	SessionKey string `yaml:"session_key"`
	// SecureCookies marks cookies Secure; turn it off only for plain-HTTP development.
	SecureCookies bool `yaml:"secure_cookies"`
}

// DefaultConfig returns every option at its documented default.
func DefaultConfig() Config {
	return Config{
		Name:          "uifsagw",
		PartnerListen: ":8443",
		StaffListen:   ":8080",
		PartnersDir:   "partners.d",
		TLS:           TLSConfig{MinVersion: "1.3"},
		JWS:           JWSConfig{IATWindow: 5 * time.Minute},
		Limits: LimitsConfig{
			MaxBody:           1 << 20,
			MaxFileBody:       64 << 20,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       120 * time.Second,
			HandlerTimeout:    20 * time.Second,
			FileTimeout:       5 * time.Minute,
		},
		Workers: WorkersConfig{Processors: 4, Senders: 16, SenderPerPartner: 8, PollInterval: 5 * time.Second,
			SendTimeout: 15 * time.Second, Lease: time.Minute, GroupCommitBatch: 64, GroupCommitWait: 2 * time.Millisecond,
			BreakerThreshold: 5, BreakerCooldown: 30 * time.Second},
		Log:       LogConfig{Format: "json", Level: "info"},
		Staff:     StaffConfig{Audience: "uifsagw", RoleClaim: "roles", ClientID: "uifsagw", SecureCookies: true},
		Casework:  CaseworkConfig{RerouteEST: true, EIWOBatchWindow: 15 * time.Minute},
		Retention: RetentionConfig{RawBodyDays: 1095, MessageDays: 2555, Interval: time.Hour},
		Audit:     AuditConfig{CheckpointInterval: 5 * time.Minute},
	}
}

// LoadConfig reads path (if not empty) over the defaults, then applies the
// environment. Relative file names in the file are resolved against the
// file's folder, so a config and its keys can move together.
func LoadConfig(path string, env []string) (Config, error) {
	c := DefaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
		c.resolvePaths(filepath.Dir(path))
	}
	if err := applyEnv(&c, env); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func (c *Config) resolvePaths(base string) {
	for _, p := range []*string{&c.PartnersDir, &c.CodesFile, &c.TLS.CertFile, &c.TLS.KeyFile, &c.TLS.ClientCAFile,
		&c.TLS.RootCAFile, &c.JWS.KeyFile, &c.JWS.PublishedKeysFile, &c.PII.KeyFile, &c.Casework.WithholdingDir,
		&c.Audit.CheckpointFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
}

// Validate reports every missing or inconsistent option at once.
func (c Config) Validate() error {
	var errs []string
	need := func(v, name string) {
		if v == "" {
			errs = append(errs, name+" is required")
		}
	}
	need(c.StateFIPS, "state_fips")
	need(c.DatabaseURL, "database_url")
	need(c.TLS.CertFile, "tls.cert_file")
	need(c.TLS.KeyFile, "tls.key_file")
	need(c.JWS.KeyFile, "jws.key_file")
	if c.PII.KeyFile == "" {
		need(c.PII.EncKey, "pii.enc_key (or pii.key_file)")
		need(c.PII.HMACKey, "pii.hmac_key (or pii.key_file)")
	}
	if c.TLS.MinVersion != "1.3" && c.TLS.MinVersion != "1.2" {
		errs = append(errs, fmt.Sprintf("tls.min_version %q must be 1.2 or 1.3", c.TLS.MinVersion))
	}
	if c.Limits.MaxBody < 1024 {
		errs = append(errs, "limits.max_body must be at least 1024 bytes")
	}
	if c.Limits.MaxFileBody < c.Limits.MaxBody {
		errs = append(errs, "limits.max_file_body must be at least limits.max_body")
	}
	if c.Workers.Senders < 1 || c.Workers.SenderPerPartner < 1 {
		errs = append(errs, "workers.senders and workers.sender_per_partner must be at least 1")
	}
	if c.Workers.BreakerThreshold < 1 || c.Workers.BreakerCooldown <= 0 {
		errs = append(errs, "workers.breaker_threshold must be >= 1 and workers.breaker_cooldown positive")
	}
	if c.JWS.IATWindow <= 0 {
		errs = append(errs, "jws.iat_window must be positive")
	}
	if c.Retention.RawBodyDays < 0 || c.Retention.MessageDays < 0 || (c.Retention.MessageDays > 0 && c.Retention.RawBodyDays > c.Retention.MessageDays) {
		errs = append(errs, "retention: days must be >= 0 and raw_body_days <= message_days")
	}
	if c.Audit.CheckpointInterval <= 0 {
		errs = append(errs, "audit.checkpoint_interval must be positive")
	}
	if c.Retention.Interval <= 0 {
		errs = append(errs, "retention.interval must be positive")
	}
	if c.Log.Format != "json" && c.Log.Format != "text" {
		errs = append(errs, fmt.Sprintf("log.format %q must be json or text", c.Log.Format))
	}
	if len(errs) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return nil
}

// applyEnv sets fields from UIFSAGW_* variables, walking the YAML names.
func applyEnv(c *Config, env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "UIFSAGW_") {
			vars[k] = v
		}
	}
	if len(vars) == 0 {
		return nil
	}
	var errs []string
	used := map[string]bool{}
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			name := prefix + "_" + strings.ToUpper(tag)
			fv := v.Field(i)
			if f.Type.Kind() == reflect.Struct {
				walk(fv, name)
				continue
			}
			s, ok := vars[name]
			if !ok {
				continue
			}
			used[name] = true
			if err := setFromString(fv, s); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", name, err))
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "UIFSAGW")
	// A misspelt variable would otherwise be ignored and its option left at
	// the default without a word: refuse every UIFSAGW_ name that is neither
	// an option nor one of the few that are not configuration.
	var unknown []string
	for k := range vars {
		if !used[k] && !nonConfigEnv(k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = append(errs, fmt.Sprintf("%s is not an option (a typo? options are UIFSAGW_ and the YAML path in capitals joined by _, e.g. UIFSAGW_WORKERS_POLL_INTERVAL)", k))
	}
	if len(errs) > 0 {
		return fmt.Errorf("environment: %s", strings.Join(errs, "; "))
	}
	return nil
}

// nonConfigEnv names the UIFSAGW_ variables that are not options: the config
// file's path for the commands, and the test suite's switches.
func nonConfigEnv(name string) bool {
	switch name {
	case "UIFSAGW_CONFIG", "UIFSAGW_PERF", "UIFSAGW_CHAOS_LONG":
		return true
	}
	return strings.HasPrefix(name, "UIFSAGW_TEST_") || strings.HasPrefix(name, "UIFSAGW_PERF_")
}

func setFromString(v reflect.Value, s string) error {
	switch v.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}
