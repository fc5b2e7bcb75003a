package gateway_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
)

func TestLoadConfigFileEnvAndErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, []byte(`state_fips: "36"
database_url: postgres:///x
tls: {cert_file: pki/gw.pem, key_file: /abs/gw-key.pem}
jws: {key_file: keys/jwk.json}
pii: {key_file: keys/pii.yaml}
limits: {max_body: 2048}
`))
	cfg, err := gateway.LoadConfig(path, []string{"UIFSAGW_PARTNER_LISTEN=127.0.0.1:9999", "UIFSAGW_JWS_IAT_WINDOW=90s",
		"UIFSAGW_CASEWORK_REROUTE_EST=false", "UIFSAGW_WORKERS_SENDERS=7", "OTHER=1"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PartnerListen != "127.0.0.1:9999" || cfg.JWS.IATWindow != 90*time.Second || cfg.Casework.RerouteEST || cfg.Workers.Senders != 7 {
		t.Fatalf("environment not applied: %+v", cfg)
	}
	if cfg.TLS.CertFile != filepath.Join(dir, "pki/gw.pem") || cfg.TLS.KeyFile != "/abs/gw-key.pem" {
		t.Fatalf("paths not resolved against the file: %q %q", cfg.TLS.CertFile, cfg.TLS.KeyFile)
	}
	if cfg.Limits.MaxBody != 2048 || cfg.StaffListen != ":8080" || cfg.Retention.RawBodyDays != 1095 {
		t.Fatalf("file values or defaults lost: %+v", cfg)
	}

	// Every problem is reported at once, and an unknown key is an error.
	writeFile(t, path, []byte("tls: {min_version: \"1.1\"}\nlog: {format: xml}\n"))
	_, err = gateway.LoadConfig(path, nil)
	for _, want := range []string{"state_fips is required", "database_url is required", "tls.min_version", "log.format"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	writeFile(t, path, []byte("state_fip: \"36\"\n"))
	if _, err := gateway.LoadConfig(path, nil); err == nil || !strings.Contains(err.Error(), "state_fip") {
		t.Errorf("a misspelt key was accepted: %v", err)
	}
	if _, err := gateway.LoadConfig(path, []string{"UIFSAGW_WORKERS_SENDERS=many"}); err == nil {
		t.Error("a bad environment value was accepted")
	}
}

// A misspelt UIFSAGW_ variable used to be ignored, leaving its option at the
// default without a word (issue 15, item 10): it is refused, by name.
func TestUnknownEnvironmentVariablesRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	writeFile(t, path, []byte(`state_fips: "36"
database_url: postgres:///x
tls: {cert_file: gw.pem, key_file: gw-key.pem}
jws: {key_file: jwk.json}
pii: {key_file: pii.yaml}
`))
	for _, typo := range []string{"UIFSAGW_DATABASE_ULR=postgres:///y", "UIFSAGW_WORKERS_SENDER=7", "UIFSAGW_TLS=x", "UIFSAGW_PII_ENC_KEYS=abc"} {
		_, err := gateway.LoadConfig(path, []string{typo})
		name, _, _ := strings.Cut(typo, "=")
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The commands' config path and the test suite's switches are not options.
	if _, err := gateway.LoadConfig(path, []string{"UIFSAGW_CONFIG=" + path, "UIFSAGW_PERF=1", "UIFSAGW_PERF_RATE=5",
		"UIFSAGW_CHAOS_LONG=1", "UIFSAGW_TEST_DATABASE_URL=postgres:///t", "UIFSAGW_WORKERS_SENDERS=3"}); err != nil {
		t.Errorf("non-option variables refused: %v", err)
	}
	if _, err := gateway.LoadConfig(filepath.Join(dir, "missing.yaml"), nil); err == nil || !os.IsNotExist(errorsUnwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

func errorsUnwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}
