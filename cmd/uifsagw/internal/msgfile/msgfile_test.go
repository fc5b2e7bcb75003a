package msgfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/exitcode"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
	"github.com/uifsagw/uifsagw/transforms/csenet"
)

var today = canonical.DateOf(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))

// write puts the sample transaction in format into a file named name.
func write(t *testing.T, name, format string, tx canonical.Transaction) string {
	t.Helper()
	b, err := transforms.Encode(tx, format)
	if err != nil {
		t.Fatal(err)
	}
	return writeBytes(t, name, b)
}

func writeBytes(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// failed returns the exit status and message of err, or fails the test when
// err does not end the command with one.
func failed(t *testing.T, err error) *exitcode.Error {
	t.Helper()
	var e *exitcode.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an exit status, got %v", err)
	}
	return e
}

func TestGuessFormat(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ path, want string }{
		{"a.xml", "xml-transaction/1"},
		{"A.XML", "xml-transaction/1"},
		{"a.json", "json-transaction/1"},
		{"a", "json-transaction/1"},
		{"a.csenet", csenet.Format},
		{"a.CSE", csenet.Format},
	} {
		if got := GuessFormat(c.path); got != c.want {
			t.Errorf("%s: got %s, want %s", c.path, got, c.want)
		}
	}
}

func TestValidateSummarisesAValidMessage(t *testing.T) {
	t.Parallel()
	p := write(t, "est.xml", "xml-transaction/1", devenv.SampleEST("NJ-EST-1", today))
	var out bytes.Buffer
	if err := Validate(&out, p, "", "", ""); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "valid xml-transaction/1: EST R ") || !strings.Contains(out.String(), "message NJ-EST-1") {
		t.Fatalf("summary: %q", out.String())
	}
}

func TestValidateListsEveryErrorAndExitsOne(t *testing.T) {
	t.Parallel()
	tx := devenv.SampleEST("NJ-EST-2", today)
	tx.Header.SenderCaseID = ""
	p := write(t, "est.json", "json-transaction/1", tx)
	var out bytes.Buffer
	e := failed(t, Validate(&out, p, "", "", ""))
	if e.Code != 1 || !strings.Contains(e.Msg, "error(s) (json-transaction/1)") {
		t.Fatalf("exit: %+v", e)
	}
	if !strings.Contains(out.String(), "header.senderCaseId") {
		t.Fatalf("the error is not listed by field: %q", out.String())
	}
}

func TestValidateCSENetFileNamesTheLine(t *testing.T) {
	t.Parallel()
	good := devenv.SampleCAEstablish(1, 1, today)
	bad := devenv.SampleCAEstablish(2, 2, today)
	c, _ := transforms.Lookup(csenet.Format)
	b, err := c.(FileCodec).EncodeFile([]canonical.Transaction{good, bad})
	if err != nil {
		t.Fatal(err)
	}
	p := writeBytes(t, "two.csenet", b)
	var out bytes.Buffer
	if err := Validate(&out, p, "", "", ""); err != nil {
		t.Fatal(err)
	}
	if out.String() != "valid csenet-2000 file: 2 transaction(s)\n" {
		t.Fatalf("summary: %q", out.String())
	}
	// Spoil the second line's function code.
	lines := bytes.SplitAfter(b, []byte("\n"))
	i := bytes.Index(lines[1], []byte("EST"))
	if i < 0 {
		t.Fatal("no EST on the second line")
	}
	copy(lines[1][i:], "XYZ")
	p = writeBytes(t, "spoiled.csenet", bytes.Join(lines, nil))
	out.Reset()
	e := failed(t, Validate(&out, p, "", "", ""))
	if !strings.Contains(e.Msg, "1 of 2 transaction(s) have errors") || !strings.HasPrefix(out.String(), "line 2") {
		t.Fatalf("exit %+v, output %q", e, out.String())
	}
}

func TestConvertKeepsTheTransaction(t *testing.T) {
	t.Parallel()
	tx := devenv.SampleEST("NJ-EST-3", today)
	p := write(t, "est.xml", "xml-transaction/1", tx)
	var out, errw bytes.Buffer
	if err := Convert(&out, &errw, Conversion{Path: p, To: "json-transaction/1"}); err != nil {
		t.Fatal(err)
	}
	if errw.Len() != 0 {
		t.Fatalf("warnings for a valid message: %s", errw.String())
	}
	back, errs := transforms.Decode("json-transaction/1", out.Bytes())
	if errs != nil {
		t.Fatal(errs)
	}
	want, _ := transforms.Decode("xml-transaction/1", mustRead(t, p))
	if back.Header != want.Header || len(back.Participants) != len(want.Participants) {
		t.Fatalf("converted header %+v, want %+v", back.Header, want.Header)
	}
	if !bytes.Contains(out.Bytes(), []byte("\n  \"")) {
		t.Fatal("one JSON document is indented for reading unless Compact")
	}
}

func TestDecodeAllReadsAJSONStreamAndPlacesErrors(t *testing.T) {
	t.Parallel()
	c, _ := transforms.Lookup("json-transaction/1")
	a, _ := transforms.Encode(devenv.SampleEST("A-1", today), "json-transaction/1")
	b, _ := transforms.Encode(devenv.SampleEST("B-1", today), "json-transaction/1")
	var errw bytes.Buffer
	txs, err := decodeAll(&errw, c, "stream", bytes.Join([][]byte{a, b}, []byte("\n")))
	if err != nil || len(txs) != 2 || txs[1].Header.MessageID != "B-1" {
		t.Fatalf("got %d transaction(s), err %v", len(txs), err)
	}
	_, err = decodeAll(&errw, c, "stream", append(append(a, '\n'), []byte(`{"header": 7}`)...))
	if e := failed(t, err); e.Msg != "1 error(s) decoding stream" || !strings.HasPrefix(errw.String(), "document 2: ") {
		t.Fatalf("exit %+v, errors %q", e, errw.String())
	}
}

func TestValidateEIWOFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join("..", "..", "..", "..", "transforms", "eiwofile", "testdata", "iwo-file.txt")
	var out bytes.Buffer
	if err := Validate(&out, p, "", "", ""); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "valid eiwo-file: ") || !strings.Contains(out.String(), "IWO(s)") ||
		!strings.Contains(out.String(), "control number ") {
		t.Fatalf("summary: %q", out.String())
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
