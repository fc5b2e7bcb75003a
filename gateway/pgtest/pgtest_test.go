package pgtest

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
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
