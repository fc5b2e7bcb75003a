package admin_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange/admin"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestDatabaseLifecycle(t *testing.T) {
	ctx := t.Context()
	srv := pgtest.Shared(t)
	s, err := admin.Connect(ctx, srv.AdminURL(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Unique names: with UIFSAGW_TEST_DATABASE_URL the server is shared.
	t1, t2 := fmt.Sprintf("admin_%d_t1", os.Getpid()), fmt.Sprintf("admin_%d_t2", os.Getpid())
	t.Cleanup(func() {
		ctx := context.Background()
		_ = admin.WithServer(ctx, srv.AdminURL(), func(s *admin.Server) error {
			_ = s.MarkTemplate(ctx, t1, false)
			return errors.Join(s.DropDatabase(ctx, t2), s.DropDatabase(ctx, t1))
		})
	})
	if created, err := s.EnsureDatabase(ctx, t1); err != nil || !created {
		t.Fatalf("EnsureDatabase = %v, %v; want created", created, err)
	}
	if created, err := s.EnsureDatabase(ctx, t1); err != nil || created {
		t.Fatalf("second EnsureDatabase = %v, %v; want exists", created, err)
	}
	if err := admin.Ping(ctx, srv.URLFor(t1)); err != nil {
		t.Fatalf("Ping new database: %v", err)
	}
	if err := s.MarkTemplate(ctx, t1, true); err != nil {
		t.Fatal(err)
	}
	if err := admin.Ping(ctx, srv.URLFor(t1)); err == nil {
		t.Fatal("a template database accepted a connection")
	}
	if err := s.CreateDatabase(ctx, t2, t1); err != nil {
		t.Fatalf("clone: %v", err)
	}
	if err := s.CreateDatabase(ctx, t2, ""); err == nil {
		t.Fatal("creating an existing database succeeded")
	}
	if err := s.MarkTemplate(ctx, t1, false); err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{t1, t2, t2} {
		if err := s.DropDatabase(ctx, db); err != nil {
			t.Fatalf("drop %s: %v", db, err)
		}
	}
	if err := admin.Ping(ctx, srv.URLFor(t2)); err == nil {
		t.Fatal("a dropped database accepted a connection")
	}
}

func TestCommitTable(t *testing.T) {
	ctx := t.Context()
	url := pgtest.NewEmptyDB(t)
	tb, err := admin.OpenCommitTable(ctx, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := tb.Insert(ctx, id, []byte("body")); err != nil {
			t.Fatal(err)
		}
	}
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM uifsagw_load_baseline`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("rows = %d, %v; want 3", n, err)
	}
	tb.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, `SELECT to_regclass('uifsagw_load_baseline') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Fatalf("table still exists after Close (%v, %v)", exists, err)
	}
	sc, fs, err := admin.Durability(ctx, url)
	if err != nil || sc == "" || fs == "" {
		t.Fatalf("Durability = %q, %q, %v", sc, fs, err)
	}
}

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want admin.Endpoint
	}{
		{"postgres://ann@db.example:6543/x", admin.Endpoint{Host: "db.example", Port: 6543, User: "ann"}},
		{"postgres:///x?host=/run/pg&port=5433&user=bob", admin.Endpoint{Host: "/run/pg", Port: 5433, User: "bob"}},
	} {
		got, err := admin.ParseEndpoint(tc.url)
		if err != nil || got != tc.want {
			t.Errorf("ParseEndpoint(%q) = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}
	if _, err := admin.ParseEndpoint("postgres://%zz"); err == nil {
		t.Error("a malformed URL parsed")
	}
}
