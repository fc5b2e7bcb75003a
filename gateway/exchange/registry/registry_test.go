package registry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

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

// One family is one of our cases whatever each partner calls it; a partner's
// first case ID is its current one until a case ID change replaces it.
func TestResolveCaseCrossReference(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	key := func(b byte) []byte { return []byte(strings.Repeat(string(rune('a'+b)), 32)) }
	seq := 0
	resolve := func(in exchange.CaseInbound) string {
		t.Helper()
		in.NewID = func(n int64) string { seq++; return fmt.Sprintf("NY%010d", n) }
		var id string
		err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
			var err error
			id, err = exchange.ResolveCase(ctx, tx, in)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	current := func(caseID, partner string) string {
		t.Helper()
		id, err := exchange.PartnerCaseID(ctx, s.Pool(), caseID, partner)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	child := [][]byte{key(9)}
	a := resolve(exchange.CaseInbound{Partner: "nj", PartnerCaseID: "NJ1", ObligorKey: key(1), ChildKeys: child})
	if got := resolve(exchange.CaseInbound{Partner: "pa", PartnerCaseID: "PA1", ObligorKey: key(1), ChildKeys: child}); got != a {
		t.Fatalf("the same family under Pennsylvania's ID opened case %s, not %s", got, a)
	}
	if got := resolve(exchange.CaseInbound{Partner: "nj", PartnerCaseID: "NJ2", ObligorKey: key(1)}); got != a || current(a, "nj") != "NJ1" {
		t.Fatalf("a second New Jersey ID for the family: case %s, current %s", got, current(a, "nj"))
	}
	if got := resolve(exchange.CaseInbound{Partner: "nj", PartnerCaseID: "NJ3", OurCaseID: a, ChangesID: true}); got != a || current(a, "nj") != "NJ3" {
		t.Fatalf("case ID change: case %s, current %s", got, current(a, "nj"))
	}
	if got := resolve(exchange.CaseInbound{Partner: "pa", PartnerCaseID: "PA1"}); got != a || current(a, "pa") != "PA1" {
		t.Fatalf("Pennsylvania's ID without an SSN: case %s", got)
	}
	b := resolve(exchange.CaseInbound{Partner: "ca", PartnerCaseID: "PA1", ObligorKey: key(2)})
	if b == a || seq != 2 || current(b, "pa") != "" {
		t.Fatalf("another family: case %s (%d opened)", b, seq)
	}
	c, err := s.FindCase(ctx, "NJ1")
	if err != nil || c.CaseID != a || len(c.Partners) != 4 {
		t.Fatalf("find by an earlier New Jersey ID: %+v %v", c, err)
	}
	if _, err := s.FindCase(ctx, "PA1"); !errors.Is(err, exchange.ErrInvalid) {
		t.Fatalf("an ID two partners use for different cases: %v", err)
	}
	if _, err := s.FindCase(ctx, "NOSUCH"); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
	if c, err := s.FindCase(ctx, b); err != nil || c.CaseID != b {
		t.Fatalf("find by our ID: %+v %v", c, err)
	}
}
