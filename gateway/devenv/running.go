package devenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"gopkg.in/yaml.v3"
)

// Running is what a running `uifsagw dev` tells the other commands (send,
// inbox, load, audit): the addresses it really listens on, which may differ
// from config.yaml when listen flags were given or a port was 0. It lives in
// Dir/running.yaml while dev runs and is removed when it stops.
type Running struct {
	PID         int    `yaml:"pid"`
	PartnerURL  string `yaml:"partner_url"`
	StaffURL    string `yaml:"staff_url"`
	DatabaseURL string `yaml:"database_url"`
	// OwnerURL is the database owner's URL, which migrates and may create
	// databases; DatabaseURL is the least-privileged role the gateway serves as.
	OwnerURL string `yaml:"owner_url,omitempty"`
	PGDir    string `yaml:"pg_dir"`
	PeerURL  string `yaml:"peer_url,omitempty"`
}

// RunningFile is where dev records Running.
func (l Layout) RunningFile() string { return filepath.Join(l.Dir, "running.yaml") }

// WriteRunning records r for the other commands.
func (l Layout) WriteRunning(r Running) error {
	b, err := yaml.Marshal(r)
	if err != nil {
		return err
	}
	header := "# Written by a running `uifsagw dev` (removed when it stops); send, inbox, load and audit read it.\n"
	return os.WriteFile(l.RunningFile(), append([]byte(header), b...), 0o644)
}

// RemoveRunning forgets the running dev.
func (l Layout) RemoveRunning() error {
	err := os.Remove(l.RunningFile())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// ReadRunning returns what the running dev recorded; ok is false when no dev
// runs on this installation (no file, or its process is gone).
func (l Layout) ReadRunning() (Running, bool) {
	var r Running
	b, err := os.ReadFile(l.RunningFile())
	if err != nil || yaml.Unmarshal(b, &r) != nil || r.PID <= 0 {
		return Running{}, false
	}
	if err := syscall.Kill(r.PID, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return Running{}, false
	}
	return r, true
}

// PartnerURL is the partner API base URL of the installation: the running
// dev's, else the address in config.yaml (a wildcard host means this machine).
func (l Layout) PartnerURL() (string, error) {
	if r, ok := l.ReadRunning(); ok && r.PartnerURL != "" {
		return r.PartnerURL, nil
	}
	var c struct {
		PartnerListen string `yaml:"partner_listen"`
	}
	b, err := os.ReadFile(l.Config())
	if err != nil {
		return "", err
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		return "", fmt.Errorf("%s: %w", l.Config(), err)
	}
	if c.PartnerListen == "" {
		c.PartnerListen = ":8443"
	}
	host, port, err := net.SplitHostPort(c.PartnerListen)
	if err != nil {
		return "", fmt.Errorf("%s: partner_listen %q: %w", l.Config(), c.PartnerListen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "https://" + net.JoinHostPort(host, port), nil
}

// ClientIDs lists the sample partners the installation has credentials for.
func (l Layout) ClientIDs() []string {
	entries, _ := os.ReadDir(filepath.Join(l.Dir, "clients"))
	var ids []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(l.Dir, "clients", e.Name(), "cert.pem")); err == nil {
			ids = append(ids, e.Name())
		}
	}
	sort.Strings(ids)
	return ids
}

// CheckClient says clearly when id is not a sample partner of the installation.
func (l Layout) CheckClient(id string) error {
	ids := l.ClientIDs()
	for _, x := range ids {
		if x == id {
			return nil
		}
	}
	if len(ids) == 0 {
		return fmt.Errorf("no sample partners in %s (is it a dev installation? give the install folder with --dir)", l.Dir)
	}
	return fmt.Errorf("no sample partner %q in %s; the sample partners are: %s", id, l.Dir, strings.Join(ids, ", "))
}

// SetConfigValue sets a top-level scalar of config.yaml, keeping the rest of
// the file (comments, order) as it is. dev uses it to record the database URL
// of the PostgreSQL it runs, so tools given --config find it.
func (l Layout) SetConfigValue(key, value string) error {
	b, err := os.ReadFile(l.Config())
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%s: %w", l.Config(), err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a YAML mapping", l.Config())
	}
	m := doc.Content[0]
	found := false
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if m.Content[i+1].Value == value && m.Content[i+1].Kind == yaml.ScalarNode {
				return nil
			}
			m.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Value: value}
			found = true
		}
	}
	if !found {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return err
	}
	tmp := l.Config() + ".tmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, l.Config())
}
