package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/pgserver"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "uifsagw-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "uifsagw")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		panic("build: " + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// devDir returns an install folder inside a private (0700) folder, as a
// checkout under /root or a mktemp -d folder is: when the tests run as root,
// the postgres user cannot reach it, and dev must keep PostgreSQL elsewhere.
func devDir(t *testing.T) string {
	t.Helper()
	private := t.TempDir()
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(private, "var")
}

var (
	addrLine  = regexp.MustCompile(`(?m)^\s+(partner API \(mTLS\)|staff UI)\s+(https?://[0-9.:]+)`)
	pgLine    = regexp.MustCompile(`(?m)^\s+PostgreSQL data\s+(\S+)/data `)
	tokenLine = regexp.MustCompile(`Bearer ([A-Za-z0-9_.-]+)`)
)

type devRun struct {
	cmd     *exec.Cmd
	out     strings.Builder
	partner string
	staff   string
	pgDir   string
	token   string
}

// startDev runs `uifsagw dev --dir dir` on free ports and waits for its banner.
func startDev(t *testing.T, dir string) *devRun {
	t.Helper()
	return startDevIn(t, "", "--dir", dir)
}

// startDevIn runs `uifsagw dev` in the folder work (with extra flags) on
// free ports and waits for its banner.
func startDevIn(t *testing.T, work string, flags ...string) *devRun {
	t.Helper()
	r := &devRun{}
	r.cmd = exec.Command(binary, append([]string{"dev", "--partner-listen", "127.0.0.1:0", "--staff-listen", "127.0.0.1:0",
		"--peer-listen", "127.0.0.1:0"}, flags...)...)
	r.cmd.Dir = work
	r.cmd.Env = append(os.Environ(), "UIFSAGW_LOG_LEVEL=warn")
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stderr = r.cmd.Stdout
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.cmd.Process.Kill() })
	found := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			r.out.WriteString(line + "\n")
			if m := pgLine.FindStringSubmatch(line); m != nil {
				r.pgDir = m[1]
			}
			if m := tokenLine.FindStringSubmatch(line); m != nil {
				r.token = m[1]
				close(found)
			}
			if m := addrLine.FindStringSubmatch(line); m != nil {
				if strings.HasPrefix(m[1], "partner") {
					r.partner = m[2]
				} else {
					r.staff = strings.TrimSuffix(m[2], "/")
				}
			}
		}
	}()
	select {
	case <-found:
	case <-time.After(90 * time.Second):
		t.Fatalf("dev did not start:\n%s", r.out.String())
	}
	return r
}

func (r *devRun) stop(t *testing.T) {
	t.Helper()
	_ = r.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("dev did not stop on SIGINT")
	}
}

func postgresRunningIn(dir string) bool {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if strings.Contains(string(b), "postgres") && strings.Contains(string(b), dir) {
			return true
		}
	}
	return false
}

// run runs the binary in dir and returns its combined output and exit code.
func run(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return string(out), 0
}

// staffGet returns the decoded JSON answer of a staff API path.
func (r *devRun) staffGet(t *testing.T, path string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.staff+path, nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

type apiMessage struct {
	ID        int64  `json:"id"`
	Direction string `json:"direction"`
	Partner   string `json:"partner"`
	Function  string `json:"function"`
	Reason    string `json:"reason"`
	Status    string `json:"status"`
}

func (r *devRun) messages(t *testing.T) []apiMessage {
	t.Helper()
	var page struct {
		Items []apiMessage `json:"items"`
	}
	r.staffGet(t, "/api/messages?limit=200", &page)
	return page.Items
}

// waitUntil polls until ok holds: the dev gateway runs as a child process,
// reached only over HTTP, so there is no in-process signal to wait on.
func waitUntil(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The newcomer's first run, as root from a folder the postgres user cannot
// reach when the tests run as root: dev starts, the commands its banner
// prints work without --addr, the sample peer takes what we push to New
// Jersey and its receipt verifies, audit verify works on the dev config,
// load leaves the staff UI's database alone, and a second run reuses it all.
func TestDevRunsReusesAndStopsClean(t *testing.T) {
	dir := devDir(t)
	work := filepath.Dir(dir)
	r := startDev(t, dir)
	if r.pgDir == "" {
		t.Fatalf("the banner does not say where PostgreSQL keeps its data:\n%s", r.out.String())
	}
	if os.Geteuid() == 0 {
		t.Cleanup(func() { os.RemoveAll(r.pgDir) })
		if !strings.HasPrefix(r.pgDir, pgserver.RootBase+"/") {
			t.Fatalf("as root from a private folder, PostgreSQL data in %s; want it under %s", r.pgDir, pgserver.RootBase)
		}
		fi, err := os.Stat(r.pgDir)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid == 0 || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: uid %d mode %v; want the postgres user's, 0700", r.pgDir, st.Uid, fi.Mode().Perm())
		}
	}
	waitUntil(t, "/readyz 200", 60*time.Second, func() bool {
		resp, err := http.Get(r.staff + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	// The story, as the banner prints it: no --addr (dev listens on ports it
	// chose; send finds them in the install folder).
	for _, s := range devenv.Story[:2] {
		out, code := run(t, work, "send", "--dir", dir, "--as", s.Partner, filepath.Join(dir, "samples", s.File))
		if code != 0 || !strings.Contains(out, `"verified": true`) || !strings.Contains(out, `"status": 202`) {
			t.Fatalf("send %s: exit %d\n%s", s.File, code, out)
		}
	}
	// Our answer to New Jersey's request reaches the sample peer, whose signed
	// receipt verified (the courier marks it delivered only then).
	waitUntil(t, "answer to New Jersey delivered", 60*time.Second, func() bool {
		for _, m := range r.messages(t) {
			if m.Direction == "out" && m.Partner == "nj" && m.Status == "delivered" {
				return true
			}
		}
		return false
	})
	if out, code := run(t, work, "audit", "verify", "--config", filepath.Join(dir, "config.yaml")); code != 0 ||
		!strings.Contains(out, "audit chain intact") {
		t.Fatalf("audit verify on the dev config: exit %d\n%s", code, out)
	}
	before := len(r.messages(t))
	if out, code := run(t, work, "load", "--dir", dir, "--count", "20", "--duration", "0", "--concurrency", "2"); code != 0 ||
		!strings.Contains(out, "acknowledged 20") || !strings.Contains(out, "scratch gateway") {
		t.Fatalf("load: exit %d\n%s", code, out)
	}
	if after := len(r.messages(t)); after != before {
		t.Fatalf("load put %d messages into the dev database the staff UI shows", after-before)
	}
	r.stop(t)
	if !strings.Contains(r.out.String(), "created a dev installation") {
		t.Fatalf("first run did not create the installation:\n%s", r.out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "running.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("running.yaml left after dev stopped: %v", err)
	}
	// dev exits only after PostgreSQL has (pgserver.Stop waits for it).
	if postgresRunningIn(r.pgDir) {
		t.Fatal("a postgres process is left behind after Ctrl-C")
	}

	// The second run reuses the installation and the database.
	r2 := startDev(t, dir)
	if !strings.Contains(r2.out.String(), "reusing the dev installation") || r2.pgDir != r.pgDir {
		t.Fatalf("second run did not reuse (PostgreSQL in %s, was %s):\n%s", r2.pgDir, r.pgDir, r2.out.String())
	}
	if n := len(r2.messages(t)); n != before {
		t.Fatalf("second run sees %d messages, the first left %d", n, before)
	}
	out, code := run(t, work, "send", "--dir", dir, "--as", "nj", filepath.Join(dir, "samples", "nj-est-request.xml"))
	if code != 0 || !strings.Contains(out, `"status": 202`) {
		t.Fatalf("send after restart (new sample IDs): exit %d\n%s", code, out)
	}
	// The same file again is a repeat, and send says so; --new-id makes it new.
	out, code = run(t, work, "send", "--dir", dir, "--as", "nj", filepath.Join(dir, "samples", "nj-est-request.xml"))
	if code != 0 || !strings.Contains(out, `"repeat": true`) || !strings.Contains(out, "--new-id") {
		t.Fatalf("send of the same file again: exit %d\n%s", code, out)
	}
	out, code = run(t, work, "send", "--dir", dir, "--as", "nj", "--new-id", filepath.Join(dir, "samples", "nj-est-request.xml"))
	if code != 0 || !strings.Contains(out, `"status": 202`) || !strings.Contains(out, `"repeat": false`) {
		t.Fatalf("send --new-id: exit %d\n%s", code, out)
	}
	r2.stop(t)
	// dev exits only after PostgreSQL has (pgserver.Stop waits for it).
	if postgresRunningIn(r.pgDir) {
		t.Fatal("a postgres process is left behind after the second run")
	}
}

func TestValidateExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join("..", "..", "transforms", "testdata", "est-r.xml")
	out, err := exec.Command(binary, "validate", good).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "valid xml-transaction/1") {
		t.Fatalf("valid file: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"header":{"senderFips":"99","function":"XXX"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(binary, "validate", bad).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "header.") {
		t.Fatalf("invalid file: %v\n%s", err, out)
	}
	conv, err := exec.Command(binary, "convert", "--to", "json-transaction/1", good).Output()
	if err != nil || !strings.Contains(string(conv), `"function": "EST"`) && !strings.Contains(string(conv), `"function":"EST"`) {
		t.Fatalf("convert: %v\n%s", err, conv)
	}
}

// install makes a dev installation (no PostgreSQL) whose config says the
// partner API is at partnerListen.
func install(t *testing.T, partnerListen string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "var")
	if _, _, err := devenv.Prepare(dir, devenv.Options{PartnerListen: partnerListen}); err != nil {
		t.Fatal(err)
	}
	if err := devenv.WriteSamples(devenv.Layout{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCLIBehaviours(t *testing.T) {
	// Port 1 on loopback: nothing listens, so a refused connection there
	// proves the address came from the install's config.
	dir := install(t, "127.0.0.1:1")
	work := filepath.Dir(dir)
	sample := filepath.Join(dir, "samples", "nj-est-request.xml")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		dont     []string
	}{
		{"help", []string{"-h"}, 0, []string{"commands:", "audit"}, nil},
		{"no command", nil, 2, []string{"usage:"}, nil},
		{"audit help", []string{"audit", "-h"}, 0, []string{"verify"}, nil},
		{"audit without subcommand", []string{"audit"}, 2, []string{"verify"}, nil},
		{"audit unknown subcommand", []string{"audit", "check"}, 2, []string{`"check"`, "verify"}, nil},
		{"audit verify help", []string{"audit", "verify", "-h"}, 0, []string{"-config"}, nil},
		{"pki help", []string{"pki", "--help"}, 0, []string{"issue"}, nil},
		{"send help", []string{"send", "-h"}, 0, []string{"-new-id", "-dir"}, nil},
		{"dev help", []string{"dev", "-h"}, 0, []string{"-peer-listen"}, nil},
		{"load help says scratch", []string{"load", "-h"}, 0, []string{"scratch gateway", "staff UI"}, nil},
		{"inbox help", []string{"inbox", "-h"}, 0, []string{"-accept-iwos"}, nil},
		{"partners help", []string{"partners", "-h"}, 0, []string{"-partners-dir"}, nil},
		{"send reads the partner address from the config", []string{"send", "--dir", dir, "--as", "nj", sample}, 1,
			[]string{"127.0.0.1:1"}, []string{"8443"}},
		{"--addr overrides the config", []string{"send", "--dir", dir, "--addr", "https://127.0.0.1:2", "--as", "nj", sample}, 1,
			[]string{"127.0.0.1:2"}, []string{"127.0.0.1:1"}},
		{"unknown --as lists the sample partners", []string{"send", "--dir", dir, "--as", "ny", sample}, 1,
			[]string{`"ny"`, "acme, ca, nj, pa"}, []string{"cert.pem"}},
		{"inbox unknown --as", []string{"inbox", "--dir", dir, "--as", "ny"}, 1, []string{"acme, ca, nj, pa"}, nil},
		{"partners --dir is the install folder", []string{"partners", "--dir", dir, "list"}, 0,
			[]string{"nj", "acme", "pa"}, []string{"yaml:"}},
		{"partners --dir after the subcommand", []string{"partners", "list", "--dir", dir}, 0, []string{"acme"}, nil},
		{"partners --partners-dir is the partner folder", []string{"partners", "--partners-dir", filepath.Join(dir, "partners.d"), "show", "pa"}, 0,
			[]string{"id: pa"}, nil},
		{"--partners-dir given the install folder", []string{"partners", "--partners-dir", dir, "list"}, 1,
			[]string{"install folder", "--dir"}, []string{"yaml:", "unmarshal"}},
		{"validate --partner with --dir", []string{"validate", "--dir", dir, "--partner", "nj", sample}, 0, []string{"valid xml-transaction/1"}, nil},
		{"convert names its own flag", []string{"convert", "--to", "nope", sample}, 1, []string{"--to", `"nope"`}, []string{"--partner"}},
		{"convert --from unknown", []string{"convert", "--from", "nope", "--to", "json-transaction/1", sample}, 1, []string{"--from"}, []string{"--partner"}},
		{"convert pretty-prints JSON", []string{"convert", "--to", "json-transaction/1", sample}, 0, []string{"{\n  \"header\": {\n"}, nil},
		{"convert --compact", []string{"convert", "--compact", "--to", "json-transaction/1", sample}, 0, []string{`{"header":{`}, []string{"\n  "}},
		{"send --new-id with --message-id", []string{"send", "--dir", dir, "--as", "nj", "--new-id", "--message-id", "X", sample}, 1,
			[]string{"--message-id"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, code := run(t, work, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tc.wantCode, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, d := range tc.dont {
				if strings.Contains(out, d) {
					t.Errorf("output has %q:\n%s", d, out)
				}
			}
		})
	}
}

func TestReorder(t *testing.T) {
	fs := newFlags("x", "")
	fs.String("dir", "", "")
	fs.Bool("new-id", false, "")
	tests := []struct{ in, want []string }{
		{[]string{"list", "--dir", "v"}, []string{"--dir", "v", "list"}},
		{[]string{"--new-id", "f.xml"}, []string{"--new-id", "f.xml"}},
		{[]string{"f.xml", "--new-id", "--dir=v"}, []string{"--new-id", "--dir=v", "f.xml"}},
		{[]string{"-h", "list"}, []string{"-h", "list"}},
		{[]string{"--dir", "v", "--", "-odd-name"}, []string{"--dir", "v", "--", "-odd-name"}},
	}
	for _, tc := range tests {
		if got := reorder(fs, tc.in); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("reorder(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidateAndConvertEIWOFiles(t *testing.T) {
	dir := t.TempDir()
	iwos := filepath.Join("..", "..", "transforms", "eiwofile", "testdata", "iwo-file.txt")
	out, err := exec.Command(binary, "validate", iwos).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "valid eiwo-file: 2 IWO(s) (1 ORG, 1 TRM)") {
		t.Fatalf("valid IWO file: %v\n%s", err, out)
	}
	// The batch trailer says 3 records where the batch holds 2: refused whole.
	b, _ := os.ReadFile(iwos)
	lines := strings.Split(string(b), "\n")
	for i, ln := range lines {
		if strings.HasPrefix(ln, "BTI") {
			lines[i] = ln[:30] + "00003" + ln[35:]
		}
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(binary, "validate", bad).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "BTI.Record Count (columns 31-35): says 3; the batch holds 2 DTL records") {
		t.Fatalf("miscounted file: %v\n%s", err, out)
	}
	// File to JSON documents and back to a file with given control numbers.
	js, err := exec.Command(binary, "convert", "--to", "eiwo-json/1", iwos).Output()
	if err != nil || !strings.HasPrefix(string(js), "[") || !strings.Contains(string(js), `"trackingNumber": "NY-IWO-2026-000914"`) {
		t.Fatalf("file to JSON: %v\n%s", err, js)
	}
	one := filepath.Join("..", "..", "transforms", "eiwo", "testdata", "iwo-org.json")
	if _, err := exec.Command(binary, "convert", "--from", "eiwo-json/1", "--to", "eiwo-file", one).Output(); err == nil {
		t.Fatal("a file was written without control numbers")
	}
	file, err := exec.Command(binary, "convert", "--from", "eiwo-json/1", "--to", "eiwo-file",
		"--control", "3600000000000000000101", "--batch-control", "3600000000000000000102", one).Output()
	if err != nil || !strings.HasPrefix(string(file), "FHI3600000000000000000101") {
		t.Fatalf("JSON to file: %v\n%s", err, file)
	}
	written := filepath.Join(dir, "one.txt")
	if err := os.WriteFile(written, file, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(binary, "validate", written).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "valid eiwo-file: 1 IWO(s) (1 ORG)") {
		t.Fatalf("written file: %v\n%s", err, out)
	}
}
