package pgtest

import (
	"context"
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/pgserver"
)

func TestMain(m *testing.M) {
	Main(m, WithTemplate(func(ctx context.Context, url string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('from template')")
		return err
	}))
}

func TestNewDBIsClonedAndIsolated(t *testing.T) {
	ctx := context.Background()
	a, b := NewDB(t), NewDB(t)
	if a == b {
		t.Fatalf("two tests got the same database %s", a)
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	var v string
	if err := ca.QueryRow(ctx, "SELECT v FROM marker").Scan(&v); err != nil || v != "from template" {
		t.Fatalf("template row = %q, %v", v, err)
	}
	if _, err := ca.Exec(ctx, "INSERT INTO marker VALUES ('only in a')"); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var n int
	if err := cb.QueryRow(ctx, "SELECT count(*) FROM marker").Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows in b = %d, %v; want 1", n, err)
	}
}

func TestEmptyDBHasNoTemplateTables(t *testing.T) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, NewEmptyDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'marker'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("marker tables = %d, %v", n, err)
	}
}

func TestServerSettings(t *testing.T) {
	if os.Getenv(EnvURL) != "" {
		t.Skip("external server: settings are not ours")
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, NewEmptyDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for name, want := range map[string]string{"fsync": "on", "synchronous_commit": "on", "listen_addresses": ""} {
		var got string
		if err := c.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
}

// A second private server must stop cleanly and leave neither a process nor
// its directory behind.
func TestStartStopLeavesNothing(t *testing.T) {
	if os.Getenv(EnvURL) != "" {
		t.Skip("external server")
	}
	ctx := context.Background()
	t.Setenv(EnvURL, "")
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pid, dir := s.pg.PID(), s.dir
	if pid == 0 {
		t.Fatal("no postmaster pid")
	}
	if os.Geteuid() == 0 {
		fi, err := os.Stat(s.pg.DataDir())
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid == 0 {
			t.Errorf("data directory owned by root; want the postgres user")
		}
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("postmaster %d still exists after Stop (kill 0: %v)", pid, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("directory %s still exists: %v", dir, err)
	}
}

// As root with a temporary folder the postgres user cannot traverse (TMPDIR
// under /root, or a private mktemp -d folder), the harness keeps its server
// where that user can reach it, owned by it and private to it.
func TestStartAsRootFromPrivateTempDir(t *testing.T) {
	if os.Getenv(EnvURL) != "" {
		t.Skip("external server")
	}
	if os.Geteuid() != 0 {
		t.Skip("only root starts PostgreSQL as another user")
	}
	private := t.TempDir() // 0700, owned by root
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", private)
	t.Setenv(EnvURL, "")
	ctx := context.Background()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if !strings.HasPrefix(s.dir, pgserver.RootBase+"/") {
		t.Errorf("server folder %s; want it under %s", s.dir, pgserver.RootBase)
	}
	fi, err := os.Stat(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Uid == 0 || fi.Mode().Perm() != 0o700 {
		t.Errorf("server folder owner uid %d mode %v; want the postgres user, 0700", st.Uid, fi.Mode().Perm())
	}
	name, u, err := s.CreateDatabase(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("SELECT 1 = %d, %v", one, err)
	}
	_ = c.Close(ctx)
	if err := s.DropDatabase(ctx, name); err != nil {
		t.Error(err)
	}
}
