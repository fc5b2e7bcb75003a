package filestamp_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/filestamp"
)

func TestStampChangesWithTheFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(a, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	first := filestamp.Of(a, b)
	if first == "" {
		t.Fatal("an existing file gives no stamp")
	}
	if again := filestamp.Of(a, b); again != first {
		t.Errorf("unchanged files: %q then %q", first, again)
	}
	// Created: the missing file now counts.
	if err := os.WriteFile(b, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	created := filestamp.Of(a, b)
	if created == first {
		t.Error("a created file left the stamp unchanged")
	}
	// Replaced with content of the same size: the modification time tells.
	later := time.Now().Add(time.Hour)
	if err := os.WriteFile(a, []byte("uno"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(a, later, later); err != nil {
		t.Fatal(err)
	}
	if replaced := filestamp.Of(a, b); replaced == created {
		t.Error("a replaced file left the stamp unchanged")
	}
	if got := filestamp.Of(filepath.Join(dir, "none")); got != "" {
		t.Errorf("only missing files: %q, want empty", got)
	}
}
