package main

import (
	"bufio"
	"context"
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

// devDir returns a folder the postgres system user can reach when the tests
// run as root (t.TempDir is private to its owner).
func devDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "uifsagw-dev-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

var addrLine = regexp.MustCompile(`(?m)^\s+(partner API \(mTLS\)|staff UI)\s+(https?://[0-9.:]+)`)

type devRun struct {
	cmd     *exec.Cmd
	out     strings.Builder
	partner string
	staff   string
}

// startDev runs `uifsagw dev` and waits for its banner.
func startDev(t *testing.T, dir string) *devRun {
	t.Helper()
	r := &devRun{}
	r.cmd = exec.Command(binary, "dev", "--dir", dir, "--partner-listen", "127.0.0.1:0", "--staff-listen", "127.0.0.1:0")
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
			if m := addrLine.FindStringSubmatch(line); m != nil {
				if strings.HasPrefix(m[1], "partner") {
					r.partner = m[2]
				} else {
					r.staff = strings.TrimSuffix(m[2], "/")
					close(found)
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

func TestDevRunsReusesAndStopsClean(t *testing.T) {
	dir := devDir(t)
	r := startDev(t, dir)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(r.staff + "/readyz")
		if err == nil && resp.StatusCode == http.StatusOK {
			resp.Body.Close()
			break
		}
		if resp != nil {
			resp.Body.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not 200 within 60 s:\n%s", r.out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A first message, as the banner says.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "send", "--dir", dir, "--addr", r.partner, "--as", "nj",
		filepath.Join(dir, "samples", "nj-est-request.xml")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"verified": true`) {
		t.Fatalf("send: %v\n%s", err, out)
	}
	r.stop(t)
	if !strings.Contains(r.out.String(), "created a dev installation") {
		t.Fatalf("first run did not create the installation:\n%s", r.out.String())
	}
	time.Sleep(500 * time.Millisecond)
	if postgresRunningIn(dir) {
		t.Fatal("a postgres process is left behind after Ctrl-C")
	}

	// The second run reuses the installation and the database.
	r2 := startDev(t, dir)
	if !strings.Contains(r2.out.String(), "reusing the dev installation") {
		t.Fatalf("second run did not reuse:\n%s", r2.out.String())
	}
	out, err = exec.CommandContext(ctx, binary, "send", "--dir", dir, "--addr", r2.partner, "--as", "nj",
		filepath.Join(dir, "samples", "nj-est-request.xml")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"status": 202`) {
		t.Fatalf("send after restart (new sample IDs): %v\n%s", err, out)
	}
	r2.stop(t)
	time.Sleep(500 * time.Millisecond)
	if postgresRunningIn(dir) {
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
