package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/pgserver"
)

func init() {
	register("dev", "run everything locally: PostgreSQL, dev PKI, sample partners, the gateway", runDev)
}

func runDev(ctx context.Context, args []string) error {
	fs := newFlags("dev", "[--dir ./var]")
	dir := fs.String("dir", "var", "working folder: PKI, keys, partner directory, PostgreSQL data (reused on the next run)")
	partnerListen := fs.String("partner-listen", "127.0.0.1:8443", "partner mTLS listener (first run; then config.yaml)")
	staffListen := fs.String("staff-listen", "127.0.0.1:8080", "staff listener (first run; then config.yaml)")
	state := fs.String("state", "36", "our state FIPS on first run (36 = New York)")
	pgPort := fs.Int("pg-port", 5432, "PostgreSQL socket number (Unix socket only, no TCP)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	layout, created, err := devenv.Prepare(abs, devenv.Options{StateFIPS: *state, Name: "uifsagw-dev-" + *state,
		PartnerListen: *partnerListen, StaffListen: *staffListen})
	if err != nil {
		return fmt.Errorf("prepare %s: %w", abs, err)
	}
	if created {
		fmt.Printf("created a dev installation in %s (CA, gateway certificate and JWS key, PII keys, sample partners)\n", abs)
	} else {
		fmt.Printf("reusing the dev installation in %s\n", abs)
	}

	pgDir := filepath.Join(abs, "pg")
	pg, err := pgserver.Start(ctx, pgserver.Options{Dir: pgDir, Port: *pgPort})
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	defer func() {
		if err := pg.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop PostgreSQL:", err)
		} else {
			fmt.Println("PostgreSQL stopped")
		}
	}()
	dbURL, err := ensureDatabase(ctx, pg, "uifsagw")
	if err != nil {
		return err
	}
	from, to, err := migrate(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if from != to {
		fmt.Printf("database migrated from version %d to %d\n", from, to)
	}
	if err := devenv.WriteSamples(layout); err != nil {
		return fmt.Errorf("sample messages: %w", err)
	}
	// Migrations ran as the database's owner; the gateway serves as a
	// least-privileged member of uifsagw_app, as in production (docs/SECURITY.md).
	if err := exchange.EnsureServingRole(ctx, dbURL, "uifsagw_gateway"); err != nil {
		return err
	}
	if dbURL, err = exchange.URLWithUser(dbURL, "uifsagw_gateway"); err != nil {
		return err
	}

	env := append(os.Environ(), "UIFSAGW_DATABASE_URL="+dbURL)
	// Listen flags given on this run win over the installation's config.
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "partner-listen":
			env = append(env, "UIFSAGW_PARTNER_LISTEN="+f.Value.String())
		case "staff-listen":
			env = append(env, "UIFSAGW_STAFF_LISTEN="+f.Value.String())
		}
	})
	cfg, err := gateway.LoadConfig(layout.Config(), env)
	if err != nil {
		return err
	}
	// The staff listener is bound first so the sign-in issuer and redirect
	// URLs carry its real address (the port may be :0).
	staffLn, err := net.Listen("tcp", cfg.StaffListen)
	if err != nil {
		return fmt.Errorf("staff listener: %w", err)
	}
	issuer, err := devenv.NewIssuer("http://"+staffLn.Addr().String()+"/dev/oidc", cfg.Staff.Audience)
	if err != nil {
		return err
	}
	srv, err := gateway.New(ctx, cfg, gateway.Options{DevIssuer: issuer, StaffListener: staffLn})
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	token, _ := issuer.Mint("casey", 8*time.Hour)
	fmt.Printf(`
uifsagw dev is running (state %s). Ctrl-C stops it and PostgreSQL.

  partner API (mTLS)  https://%s
  staff UI            http://%s/   (sign in as a sample user)
  health              http://%s/readyz   metrics: /metrics
  PostgreSQL          %s
  sample partners     %s

Send a first message (another terminal, in this folder):
  go run ./cmd/uifsagw send --dir %s --as nj %s
  go run ./cmd/uifsagw send --dir %s --as pa %s
Staff API as Casey Caseworker:
  curl -H "Authorization: Bearer %s" http://%s/api/messages

`, cfg.StateFIPS, srv.PartnerAddr(), srv.StaffAddr(), srv.StaffAddr(), dbURL, layout.PartnersDir(),
		*dir, filepath.Join(*dir, "samples", "nj-est-request.xml"), *dir, filepath.Join(*dir, "samples", "pa-csi-request.json"),
		token, srv.StaffAddr())
	runErr := srv.Run(ctx)
	select {
	case <-pg.Done():
		if runErr == nil {
			runErr = fmt.Errorf("PostgreSQL exited unexpectedly; see %s", pg.LogPath())
		}
	default:
	}
	return runErr
}

// ensureDatabase creates db on the dev server if it does not exist.
func ensureDatabase(ctx context.Context, pg *pgserver.Server, db string) (string, error) {
	conn, err := pgx.Connect(ctx, pg.URL())
	if err != nil {
		return "", fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", db).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
			return "", fmt.Errorf("create database: %w", err)
		}
	}
	return pg.URLFor(db), nil
}
