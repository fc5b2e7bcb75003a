package pgserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSearchable(t *testing.T) {
	// The test's own uid owns everything it makes; an unrelated uid and gid
	// stand for the postgres user.
	const uid, gid = 4242421, 4242421
	// Not t.TempDir: its parent is private to the test's user.
	base, err := os.MkdirTemp("", "pgserver-reach-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if !searchable(filepath.Dir(base), uid, gid) {
		t.Skip("the temporary folder is private to its owner (TMPDIR)")
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		modes []os.FileMode // of base/a, base/a/b
		want  bool
	}{
		{"world-searchable", []os.FileMode{0o755, 0o755}, true},
		{"execute only", []os.FileMode{0o711, 0o711}, true},
		{"private parent", []os.FileMode{0o700, 0o755}, false},
		{"group only", []os.FileMode{0o750, 0o755}, false},
		{"private leaf", []os.FileMode{0o755, 0o700}, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := filepath.Join(base, string(rune('a'+i)))
			b := filepath.Join(a, "b")
			if err := os.MkdirAll(b, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(b, tc.modes[1]); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(a, tc.modes[0]); err != nil {
				t.Fatal(err)
			}
			defer os.Chmod(a, 0o755)
			// A folder that does not exist yet counts by its existing parents.
			if got := searchable(filepath.Join(b, "not-yet", "pg"), uid, gid); got != tc.want {
				t.Errorf("searchable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRootDir(t *testing.T) {
	long := "/root/" + strings.Repeat("x", 120) + "/checkout/var"
	seen := map[string]string{}
	for _, p := range []string{"/root/uifsagw/var", "/root/other/var", "/tmp/tmp.Ab12/var", long} {
		d, err := RootDir(p)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(d) != RootBase {
			t.Errorf("%s → %s: not directly under %s", p, d, RootBase)
		}
		if again, _ := RootDir(p); again != d {
			t.Errorf("%s: %s then %s; want the same folder on every run", p, d, again)
		}
		if other, ok := seen[d]; ok {
			t.Errorf("%s and %s share %s", p, other, d)
		}
		seen[d] = p
		if sock := filepath.Join(d, ".s.PGSQL.65535"); len(sock) > 107 {
			t.Errorf("%s: socket path %s is %d bytes", p, sock, len(sock))
		}
	}
}
