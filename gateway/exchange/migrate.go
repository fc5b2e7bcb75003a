package exchange

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable records the schema version; tern keeps one row in it.
const versionTable = "public.uifsagw_schema_version"

// ErrSchemaBehind and ErrSchemaAhead classify a SchemaVersionError.
var (
	ErrSchemaBehind = errors.New("database schema is older than this build")
	ErrSchemaAhead  = errors.New("database schema is newer than this build")
)

// SchemaVersionError says the database schema does not match this build.
// errors.Is matches ErrSchemaBehind or ErrSchemaAhead.
type SchemaVersionError struct {
	Database int32 // version recorded in the database
	Code     int32 // version this build expects
}

func (e *SchemaVersionError) Error() string {
	if e.Database < e.Code {
		return fmt.Sprintf("database schema is at version %d, this build needs %d: run `uifsagw migrate`", e.Database, e.Code)
	}
	return fmt.Sprintf("database schema is at version %d, newer than the %d this build knows: run a newer uifsagw, or roll the database back with `uifsagw migrate`", e.Database, e.Code)
}

// Is makes errors.Is(err, ErrSchemaBehind) and errors.Is(err, ErrSchemaAhead) work.
func (e *SchemaVersionError) Is(target error) bool {
	switch target {
	case ErrSchemaBehind:
		return e.Database < e.Code
	case ErrSchemaAhead:
		return e.Database > e.Code
	}
	return false
}

func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

func newMigrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return nil, fmt.Errorf("exchange: migrator: %w", err)
	}
	if err := m.LoadMigrations(migrationsFS()); err != nil {
		return nil, fmt.Errorf("exchange: load migrations: %w", err)
	}
	return m, nil
}

// SchemaVersion is the schema version this build expects.
func SchemaVersion() int32 {
	paths, err := migrate.FindMigrations(migrationsFS())
	if err != nil {
		panic(fmt.Sprintf("exchange: embedded migrations: %v", err))
	}
	return int32(len(paths))
}

// MigrateConn applies every pending migration on conn. Concurrent callers are
// serialised by tern's advisory lock; each migration is one transaction.
func MigrateConn(ctx context.Context, conn *pgx.Conn) error {
	m, err := newMigrator(ctx, conn)
	if err != nil {
		return err
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("exchange: migrate: %w", err)
	}
	return nil
}

// MigrateConnTo moves the schema to version target (down migrations included).
func MigrateConnTo(ctx context.Context, conn *pgx.Conn, target int32) error {
	m, err := newMigrator(ctx, conn)
	if err != nil {
		return err
	}
	if err := m.MigrateTo(ctx, target); err != nil {
		return fmt.Errorf("exchange: migrate to %d: %w", target, err)
	}
	return nil
}

// Migrate applies every pending migration using a connection from pool.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("exchange: migrate: %w", err)
	}
	defer c.Release()
	return MigrateConn(ctx, c.Conn())
}

// MigrateURL connects to url, applies every pending migration and disconnects.
func MigrateURL(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("exchange: migrate: %w", err)
	}
	defer conn.Close(context.Background())
	return MigrateConn(ctx, conn)
}

// DatabaseSchemaVersionURL connects to url and returns DatabaseSchemaVersion.
func DatabaseSchemaVersionURL(ctx context.Context, url string) (int32, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("exchange: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return DatabaseSchemaVersion(ctx, conn)
}

// DatabaseSchemaVersion returns the version recorded in the database, 0 when
// it has never been migrated.
func DatabaseSchemaVersion(ctx context.Context, q Querier) (int32, error) {
	var exists bool
	if err := q.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", versionTable).Scan(&exists); err != nil {
		return 0, fmt.Errorf("exchange: schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int32
	if err := q.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&v); err != nil {
		return 0, fmt.Errorf("exchange: schema version: %w", err)
	}
	return v, nil
}

// CheckSchema returns a *SchemaVersionError unless the database is at exactly
// the version this build expects; serve refuses to start on it.
func CheckSchema(ctx context.Context, q Querier) error {
	have, err := DatabaseSchemaVersion(ctx, q)
	if err != nil {
		return err
	}
	if want := SchemaVersion(); have != want {
		return &SchemaVersionError{Database: have, Code: want}
	}
	return nil
}
