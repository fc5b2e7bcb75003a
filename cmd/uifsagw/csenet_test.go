package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

// stdout runs the binary and returns its standard output and exit code.
func stdout(t *testing.T, args ...string) ([]byte, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.Bytes(), errb.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), errb.String(), 0
}

// csenetSamples writes dev's CSENet sample files into a fresh folder.
func csenetSamples(t *testing.T) (good, mixed string) {
	t.Helper()
	dir := t.TempDir()
	if err := devenv.WriteFileSamples(devenv.Layout{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "samples", devenv.FileSamples[0].File), filepath.Join(dir, "samples", devenv.FileSamples[1].File)
}

func TestValidateCSENetFile(t *testing.T) {
	good, mixed := csenetSamples(t)
	out, _, code := stdout(t, "validate", "--format", "csenet-2000", good)
	if code != 0 || !strings.HasPrefix(string(out), "valid csenet-2000 file: 3 transaction(s)") {
		t.Fatalf("good file: exit %d\n%s", code, out)
	}
	// The format follows from the .csenet extension too; every error of every
	// transaction is reported, with its line.
	out, errOut, code := stdout(t, "validate", mixed)
	if code != 1 || !strings.Contains(errOut, "2 of 3 transaction(s) have errors") {
		t.Fatalf("mixed file: exit %d\n%s%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if !strings.HasPrefix(lines[0], "line 2 (csenet-06-") || !strings.Contains(lines[0], "header.reason") {
		t.Errorf("first error %q, want line 2's reason", lines[0])
	}
	if !strings.HasPrefix(lines[len(lines)-1], "line 3") {
		t.Errorf("last error %q, want line 3 (the truncated record)", lines[len(lines)-1])
	}
	if strings.Contains(string(out), "line 1") {
		t.Errorf("the good line is reported:\n%s", out)
	}
}

func TestConvertCSENetToJSONAndBack(t *testing.T) {
	good, _ := csenetSamples(t)
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	js, errOut, code := stdout(t, "convert", "--from", "csenet-2000", "--to", "json-transaction/2", good)
	if code != 0 {
		t.Fatalf("to JSON: exit %d: %s", code, errOut)
	}
	docs := strings.Split(strings.TrimSpace(string(js)), "\n")
	if len(docs) != 3 {
		t.Fatalf("%d JSON lines for 3 transactions:\n%s", len(docs), js)
	}
	for _, d := range docs {
		var v struct {
			Header struct {
				MessageID string `json:"messageId"`
			} `json:"header"`
		}
		if err := json.Unmarshal([]byte(d), &v); err != nil || !strings.HasPrefix(v.Header.MessageID, "csenet-06-") {
			t.Fatalf("not a transaction: %v %s", err, d)
		}
	}
	jsonFile := filepath.Join(t.TempDir(), "file.json")
	if err := os.WriteFile(jsonFile, js, 0o644); err != nil {
		t.Fatal(err)
	}
	back, errOut, code := stdout(t, "convert", "--from", "json-transaction/2", "--to", "csenet-2000", jsonFile)
	if code != 0 || !bytes.Equal(back, orig) {
		t.Fatalf("back to CSENet: exit %d %s\ngot  %q\nwant %q", code, errOut, back, orig)
	}

	// One transaction: an indented JSON document, and back to the same record.
	one := filepath.Join(t.TempDir(), "one.csenet")
	first := orig[:bytes.IndexByte(orig, '\n')+1]
	if err := os.WriteFile(one, first, 0o644); err != nil {
		t.Fatal(err)
	}
	pretty, _, code := stdout(t, "convert", "--to", "json-transaction/2", one)
	if code != 0 || !bytes.HasPrefix(pretty, []byte("{\n  \"header\"")) {
		t.Fatalf("one transaction: exit %d\n%s", code, pretty)
	}
	prettyFile := filepath.Join(t.TempDir(), "one.json")
	if err := os.WriteFile(prettyFile, pretty, 0o644); err != nil {
		t.Fatal(err)
	}
	if rec, errOut, code := stdout(t, "convert", "--from", "json-transaction/2", "--to", "csenet-2000", prettyFile); code != 0 || !bytes.Equal(rec, first) {
		t.Fatalf("one transaction back: exit %d %s\n%q", code, errOut, rec)
	}
}

// TestSendCSENetFile posts dev's CSENet samples with `uifsagw send` to a
// running gateway as the sample partner ca.
func TestSendCSENetFile(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pg, err := pgtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	_, url, err := pg.CreateDatabase(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := exchange.MigrateURL(ctx, url); err != nil {
		t.Fatal(err)
	}
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url})
	if err := devenv.WriteFileSamples(l); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(l.Dir, "samples", devenv.FileSamples[0].File)
	mixed := filepath.Join(l.Dir, "samples", devenv.FileSamples[1].File)
	send := func(file string) (map[string]any, string, int) {
		out, errOut, code := stdout(t, "send", "--dir", l.Dir, "--addr", g.PartnerURL(), "--as", "ca", file)
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("send %s: exit %d, not JSON: %s%s", file, code, out, errOut)
		}
		return v, errOut, code
	}
	v, errOut, code := send(good)
	if code != 0 || v["status"] != float64(202) || v["stored"] != float64(3) || v["verified"] != true {
		t.Fatalf("good file: exit %d %v %s", code, v, errOut)
	}
	v, errOut, code = send(good)
	if code != 0 || v["status"] != float64(200) || v["repeat"] != true || !strings.Contains(errOut, "sent before") {
		t.Fatalf("good file again: exit %d %v %s", code, v, errOut)
	}
	v, errOut, code = send(mixed)
	refused, _ := v["refused"].([]any)
	if code != 1 || v["stored"] != float64(1) || len(refused) != 2 || !strings.Contains(errOut, "2 of 3 transaction(s) refused") {
		t.Fatalf("mixed file: exit %d %v %s", code, v, errOut)
	}
	var n int
	if err := g.Server.Store().Pool().QueryRow(ctx, `SELECT count(*) FROM messages WHERE partner = 'ca'`).Scan(&n); err != nil || n != 4 {
		t.Fatalf("%d messages from ca, want 4 (%v)", n, err)
	}
}
