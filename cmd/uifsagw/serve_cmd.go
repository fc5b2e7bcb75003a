package main

import (
	"context"
	"fmt"
	"os"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/exchange"
)

func init() {
	register("serve", "run the gateway from a config file", runServe)
	register("migrate", "apply database migrations (the only way the schema changes)", runMigrate)
}

func configFlag(fs interface {
	String(string, string, string) *string
}) *string {
	def := os.Getenv("UIFSAGW_CONFIG")
	return fs.String("config", def, "config file (YAML); UIFSAGW_* environment variables override it (env UIFSAGW_CONFIG)")
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlags("serve", "--config FILE")
	cfgPath := configFlag(fs)
	profile := profileFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := gateway.LoadConfig(*cfgPath, os.Environ())
	if err != nil {
		return err
	}
	stopProfile, err := startProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	srv, err := gateway.New(ctx, cfg, gateway.Options{})
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}

func runMigrate(ctx context.Context, args []string) error {
	fs := newFlags("migrate", "--config FILE | --database-url URL")
	cfgPath := configFlag(fs)
	url := fs.String("database-url", "", "PostgreSQL URL (instead of --config)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		cfg, err := gateway.LoadConfig(*cfgPath, os.Environ())
		if err != nil && cfg.DatabaseURL == "" {
			return err
		}
		*url = cfg.DatabaseURL
	}
	if *url == "" {
		return fmt.Errorf("no database: give --config or --database-url")
	}
	from, to, err := migrate(ctx, *url)
	if err != nil {
		return err
	}
	fmt.Printf("schema at version %d (was %d)\n", to, from)
	return nil
}

// migrate applies pending migrations and reports the versions before and after.
func migrate(ctx context.Context, url string) (from, to int32, err error) {
	from, err = exchange.DatabaseSchemaVersionURL(ctx, url)
	if err != nil {
		return 0, 0, err
	}
	if err := exchange.MigrateURL(ctx, url); err != nil {
		return from, 0, err
	}
	return from, exchange.SchemaVersion(), nil
}
