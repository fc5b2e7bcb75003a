package gateway_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

// TestNewClosesWhatItOpenedWhenItFails builds gateways whose configuration
// fails after the database pool is open (an unreadable client CA file, a
// staff session key too short). New must refuse, naming the setting, and
// leave no connection behind: DROP DATABASE without FORCE succeeds only
// when no session uses the database (PostgreSQL waits a few seconds for
// closing ones, so no sleep is needed here).
func TestNewClosesWhatItOpenedWhenItFails(t *testing.T) {
	ctx := context.Background()
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	pg := pgtest.Shared(t)
	admin, err := pgx.Connect(ctx, pg.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, c := range []struct {
		name, want string
		breakIt    func(*gateway.Config)
	}{
		{"client CA file missing", "tls.client_ca_file", func(c *gateway.Config) {
			c.TLS.ClientCAFile = filepath.Join(t.TempDir(), "no-such-ca.pem")
		}},
		{"staff session key too short", "staff.session_key", func(c *gateway.Config) {
			c.Staff.Issuer, c.Staff.SessionKey = "https://login.example.gov/realms/ocss", "c2hvcnQ="
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			name, url, err := pg.CreateDatabase(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := gateway.LoadConfig(l.Config(), []string{"UIFSAGW_DATABASE_URL=" + url})
			if err != nil {
				t.Fatal(err)
			}
			c.breakIt(&cfg)
			srv, err := gateway.New(ctx, cfg, gateway.Options{})
			if err == nil {
				srv.Close()
				t.Fatal("New accepted a broken configuration")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("the refusal does not name %s: %v", c.want, err)
			}
			if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
				t.Fatalf("a connection was left open after New failed: %v", err)
			}
		})
	}
}

// TestCloseWaitsForEverything starts a gateway, closes it, and then finds
// the database free: every service (processor, sender, fetcher, notifier,
// loops) and both listeners have stopped and the pool is closed when Close
// returns, not some time after.
func TestCloseWaitsForEverything(t *testing.T) {
	ctx := context.Background()
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	pg := pgtest.Shared(t)
	name, url, err := pg.CreateDatabase(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	ls := gatewaytest.Listen(t)
	cfg, err := gateway.LoadConfig(l.Config(), []string{"UIFSAGW_DATABASE_URL=" + url})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := gateway.New(ctx, cfg, gateway.Options{PartnerListener: ls.Partner, StaffListener: ls.Staff})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	srv.Close() // twice is fine
	admin, err := pgx.Connect(ctx, pg.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("a connection outlived Close: %v", err)
	}
}
