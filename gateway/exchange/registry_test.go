package exchange_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

// Migration 007 re-normalises the dockets stored under the old rule with the
// one rule (orders.NormalizeDocket), in SQL; rows that become the same docket
// of the same tribunal keep the constraint with a marked norm.
func TestMigrationRenormalisesDockets(t *testing.T) {
	ctx := context.Background()
	c := connect(t, pgtest.NewEmptyDB(t))
	if err := exchange.MigrateConnTo(ctx, c, 6); err != nil {
		t.Fatal(err)
	}
	key := strings.Repeat("k", 32)
	dockets := []struct{ docket, oldNorm string }{
		{"FA#12", "FA#12"}, // old rule kept '#'
		{"fa-12", "FA12"},  // same docket as the first under the one rule
		{"FD-02-1234-19", "FD02123419"},
		{"PA:DR(2020)0042", "PA:DR(2020)0042"},
		{"ıx 7", "IX7"}, // Go's Unicode upper case made 'ı' an I; the one rule drops it
	}
	for _, d := range dockets {
		if _, err := c.Exec(ctx, `INSERT INTO support_orders (tribunal_state, tribunal_fips, docket, docket_norm, order_type,
			issue_date, amount_cents, frequency, obligor_key, child_keys) VALUES ('34', '3402100', $1, $2, 'CS', '2020-01-01', 100, 'W', $3, '{}')`,
			d.docket, d.oldNorm, []byte(key)); err != nil {
			t.Fatal(err)
		}
	}
	if err := exchange.MigrateConn(ctx, c); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Query(ctx, `SELECT id, docket, docket_norm FROM support_orders ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id int64
		var docket, norm string
		if err := rows.Scan(&id, &docket, &norm); err != nil {
			t.Fatal(err)
		}
		want := orders.NormalizeDocket(docket)
		if seen[want] {
			// the second row of one docket: marked, not merged
			if !strings.HasPrefix(norm, want+"~") {
				t.Errorf("docket %q: norm %q, want %q~id", docket, norm, want)
			}
			continue
		}
		seen[want] = true
		if norm != want {
			t.Errorf("docket %q: norm %q, want %q", docket, norm, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
