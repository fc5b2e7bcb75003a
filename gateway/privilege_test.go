package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

// TestServingRoleIsLeastPrivileged is issue 15 item 3a. The gateway serves
// as a member of uifsagw_app (migrations ran as the owner): it takes and
// answers a message and audits a reveal, and as that role every way of
// hiding evidence or changing the schema is refused by PostgreSQL itself.
func TestServingRoleIsLeastPrivileged(t *testing.T) {
	ctx := context.Background()
	ownerURL := pgtest.NewDB(t)
	login := fmt.Sprintf("uifsagw_gw_%d", time.Now().UnixNano()%1e9)
	if err := exchange.EnsureServingRole(ctx, ownerURL, login); err != nil {
		t.Fatal(err)
	}
	appURL, err := exchange.URLWithUser(ownerURL, login)
	if err != nil {
		t.Fatal(err)
	}
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: appURL})

	p, err := exchange.ConnectedPrivilege(ctx, g.Server.Store().Pool())
	if err != nil || p.Role != login || !p.LeastPrivileged() {
		t.Fatalf("the gateway connects as %+v (%v)", p, err)
	}

	// The whole flow works with row rights alone.
	id := gatewaytest.MustMessageID("LEAST")
	res, err := g.ClientAs("nj").Post(ctx, est(t, id, nil), "application/xml", id)
	if err != nil || res.Status != http.StatusAccepted {
		t.Fatalf("post: %d %v %s", res.Status, err, res.Body)
	}
	var row int64
	if err := g.Server.Store().Pool().QueryRow(ctx, `SELECT id FROM messages WHERE sender_message_id = $1`, id).Scan(&row); err != nil {
		t.Fatal(err)
	}
	tok, err := g.Issuer.Mint("casey", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/messages/%d/reveal", g.StaffURL(), row),
		strings.NewReader(`{"field":"ncp.ssn","reason":"locate"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("reveal: %v %v", resp, err)
	}
	resp.Body.Close()
	if n, _, err := g.Server.Store().VerifyAudit(ctx); err != nil || n == 0 {
		t.Fatalf("audit verify as the serving role: %d records, %v", n, err)
	}

	conn, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, attack := range []string{
		`DELETE FROM audit_log`,
		`UPDATE audit_log SET actor = 'nobody'`,
		`TRUNCATE audit_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER ALL`,
		`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`,
		`DROP TRIGGER audit_log_no_update ON audit_log`,
		`DROP TABLE audit_log`,
		`CREATE TABLE evil (x int)`,
		`CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`,
		`UPDATE uifsagw_schema_version SET version = 1`,
		`SET session_replication_role = replica`,
		`ALTER ROLE ` + login + ` SUPERUSER`,
		`CREATE ROLE evil SUPERUSER`,
	} {
		_, err := conn.Exec(ctx, attack)
		var pe *pgconn.PgError
		if err == nil {
			t.Errorf("the serving role may %s", attack)
		} else if !errors.As(err, &pe) || (pe.Code != "42501" && pe.Code != "0LP01") {
			t.Errorf("%s: refused for another reason than privilege: %v", attack, err)
		}
	}
}
