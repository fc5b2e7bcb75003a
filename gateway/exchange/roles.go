package exchange

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// AppRole is the group role migration 10 grants row rights to. The serving
// gateway connects as a login role that is a member of it: no superuser, no
// owner, so it cannot change the schema, disable the audit log's triggers, or
// change, delete or truncate audit records (docs/SECURITY.md).
const AppRole = "uifsagw_app"

var roleName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// EnsureServingRole creates login as a member of AppRole when it does not
// exist (for `uifsagw dev` and tests; production roles are a DBA's work). It
// runs as a role that may create roles, after the migrations.
func EnsureServingRole(ctx context.Context, adminURL, login string) error {
	if !roleName.MatchString(login) {
		return fmt.Errorf("exchange: %q is not a plain role name", login)
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("exchange: connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, login).Scan(&exists); err != nil {
		return fmt.Errorf("exchange: look up role %s: %w", login, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, `CREATE ROLE `+login+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE `+AppRole); err != nil {
		return fmt.Errorf("exchange: create role %s: %w", login, err)
	}
	return nil
}

// URLWithUser returns the connection URL u with its user set to user (the
// password, if any, removed: local development trusts local connections).
// The user may be in the URL's authority or in its query (Unix sockets).
func URLWithUser(u, user string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("exchange: database URL: %w", err)
	}
	q := p.Query()
	if q.Has("user") {
		q.Set("user", user)
		q.Del("password")
		p.RawQuery = q.Encode()
		p.User = nil
	} else {
		p.User = url.User(user)
	}
	return p.String(), nil
}

// Privilege describes the role the store connects as.
type Privilege struct {
	Role      string
	Superuser bool
	// OwnsTables says the role owns tables of the schema, and could so
	// alter them or disable their triggers.
	OwnsTables bool
}

// LeastPrivileged reports whether the role may serve: neither superuser nor owner.
func (p Privilege) LeastPrivileged() bool { return !p.Superuser && !p.OwnsTables }

// ConnectedPrivilege reports the privileges of the role the pool connects as.
func ConnectedPrivilege(ctx context.Context, pool *pgxpool.Pool) (Privilege, error) {
	var p Privilege
	err := pool.QueryRow(ctx, `SELECT current_user, r.rolsuper,
			EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&p.Role, &p.Superuser, &p.OwnsTables)
	if err != nil {
		return p, fmt.Errorf("exchange: database role: %w", err)
	}
	return p, nil
}
