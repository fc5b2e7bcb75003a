package exchange_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

func TestMigrateFromEmptyAndCheckSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewEmptyDB(t)
	c := connect(t, url)
	want := exchange.SchemaVersion()
	if want < 1 {
		t.Fatalf("SchemaVersion = %d", want)
	}

	err := exchange.CheckSchema(ctx, c)
	var sv *exchange.SchemaVersionError
	if !errors.Is(err, exchange.ErrSchemaBehind) || errors.Is(err, exchange.ErrSchemaAhead) || !errors.As(err, &sv) {
		t.Fatalf("empty database: CheckSchema = %v; want ErrSchemaBehind", err)
	}
	if sv.Database != 0 || sv.Code != want || !strings.Contains(err.Error(), "run `uifsagw migrate`") {
		t.Fatalf("error = %+v %q", sv, err)
	}
	if _, err := exchange.Open(ctx, url, testKeys(t)); !errors.Is(err, exchange.ErrSchemaBehind) {
		t.Fatalf("Open on an unmigrated database = %v; want ErrSchemaBehind", err)
	}

	if err := exchange.MigrateConn(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := exchange.CheckSchema(ctx, c); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
	if err := exchange.MigrateConn(ctx, c); err != nil {
		t.Fatalf("second migrate: %v", err)
	}

	// Down to nothing and up again: the down migration is complete.
	if err := exchange.MigrateConnTo(ctx, c, 0); err != nil {
		t.Fatal(err)
	}
	if n := count(t, c, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'uifsagw_schema_version'`); n != 0 {
		t.Fatalf("%d tables left after migrating down", n)
	}
	if err := exchange.MigrateConn(ctx, c); err != nil {
		t.Fatal(err)
	}

	if _, err := c.Exec(ctx, `UPDATE uifsagw_schema_version SET version = $1`, want+1); err != nil {
		t.Fatal(err)
	}
	err = exchange.CheckSchema(ctx, c)
	if !errors.Is(err, exchange.ErrSchemaAhead) || errors.Is(err, exchange.ErrSchemaBehind) || !errors.As(err, &sv) || sv.Database != want+1 {
		t.Fatalf("ahead: CheckSchema = %v; want ErrSchemaAhead at %d", err, want+1)
	}
	if _, err := exchange.Open(ctx, url, testKeys(t)); !errors.Is(err, exchange.ErrSchemaAhead) {
		t.Fatalf("Open on a newer schema = %v; want ErrSchemaAhead", err)
	}
	s, err := exchange.Open(ctx, url, testKeys(t), exchange.SkipSchemaCheck())
	if err != nil {
		t.Fatalf("Open with SkipSchemaCheck: %v", err)
	}
	s.Close()
}
