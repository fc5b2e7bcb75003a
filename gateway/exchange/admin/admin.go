// Package admin is the part of the store layer that manages a PostgreSQL
// server rather than the gateway's schema: it creates, clones and drops
// databases (the dev environment, the load test's scratch gateway, the test
// harness) and answers whether a server accepts connections. It exists so
// that the packages around the store need no database driver of their own.
package admin

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Server is a connection pool to a server's maintenance database, held by
// a role that may create databases.
type Server struct {
	pool *pgxpool.Pool
}

// Connect opens at most maxConns connections to the database at url.
func Connect(ctx context.Context, url string, maxConns int32) (*Server, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("admin: database URL: %w", err)
	}
	cfg.MaxConns = max(maxConns, 1)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("admin: connect: %w", err)
	}
	return &Server{pool: pool}, nil
}

// Close closes the pool.
func (s *Server) Close() { s.pool.Close() }

// CreateDatabase creates the database name, a clone of template when
// template is not empty.
func (s *Server) CreateDatabase(ctx context.Context, name, template string) error {
	sql := "CREATE DATABASE " + ident(name)
	if template != "" {
		sql += " TEMPLATE " + ident(template)
	}
	if _, err := s.pool.Exec(ctx, sql); err != nil {
		return fmt.Errorf("admin: create database %s: %w", name, err)
	}
	return nil
}

// EnsureDatabase creates the database name unless it exists, and reports
// whether it did.
func (s *Server) EnsureDatabase(ctx context.Context, name string) (created bool, err error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return false, fmt.Errorf("admin: look up database %s: %w", name, err)
	}
	if exists {
		return false, nil
	}
	return true, s.CreateDatabase(ctx, name, "")
}

// MarkTemplate makes name a template that nobody may connect to (cloning
// fails while anyone is connected), or, with on false, an ordinary database
// again so that it can be dropped.
func (s *Server) MarkTemplate(ctx context.Context, name string, on bool) error {
	sql := "ALTER DATABASE " + ident(name) + " WITH IS_TEMPLATE false"
	if on {
		sql = "ALTER DATABASE " + ident(name) + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
	}
	if _, err := s.pool.Exec(ctx, sql); err != nil {
		return fmt.Errorf("admin: mark template %s: %w", name, err)
	}
	return nil
}

// DropDatabase drops name if it exists, disconnecting any session using it.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	if _, err := s.pool.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("admin: drop %s: %w", name, err)
	}
	return nil
}

// WithServer connects to url with one connection, runs fn and closes.
func WithServer(ctx context.Context, url string, fn func(*Server) error) error {
	s, err := Connect(ctx, url, 1)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// Ping opens one connection to url and closes it: the server accepts
// connections and the credentials hold.
func Ping(ctx context.Context, url string) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	return c.Close(context.WithoutCancel(ctx))
}

// Endpoint is where a connection URL points.
type Endpoint struct {
	// Host is a host name or address, or a Unix socket directory (starting with /).
	Host string
	Port uint16
	User string
}

// ParseEndpoint reads host, port and user from a connection URL or DSN, with
// libpq's defaults and environment variables applied.
func ParseEndpoint(url string) (Endpoint, error) {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return Endpoint{}, fmt.Errorf("admin: database URL: %w", err)
	}
	return Endpoint{Host: cfg.Host, Port: cfg.Port, User: cfg.User}, nil
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }
