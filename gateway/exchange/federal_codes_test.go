package exchange_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// TestMigrationMapsOldCodes stores a message and a registry row the way the
// gateway did before it spoke the federal dictionary, migrates, and reads
// them back in the federal codes and shapes (docs/CSENET-CODES.md).
func TestMigrationMapsOldCodes(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewEmptyDB(t)
	c := connect(t, url)
	if err := exchange.MigrateConnTo(ctx, c, 6); err != nil {
		t.Fatal(err)
	}
	old := `{"header":{"senderFips":"3400000","receiverFips":"3600000","messageId":"NJ-1","serial":1,
		"transactionDate":"2026-11-20","senderCaseId":"NJ1","function":"MSC","action":"P","reason":"GSCOD"},
	"case":{"type":"AD","status":"O","contact":{"name":"Morgan Q Example","phone":"(609) 555-0100"}},
	"ncp":{"name":{"first":"Jordan","last":"Example"},"sex":"U","aliases":[{"first":"Jo","last":"Example"}]},
	"ncpLocate":{"addresses":[{"line1":"1 Main St","city":"Trenton","state":"NJ","zip":"08608"},{"line1":"PO Box 9","city":"Trenton","state":"NJ","zip":"08608"}],
		"licenses":[{"type":"DRIVER","number":"D123","state":"NJ"},{"type":"CPA","number":"77","state":"NJ"}]},
	"participants":[{"name":{"first":"Riley","last":"Sample"},"relationship":"CP"},
		{"name":{"first":"Avery","last":"Example"},"relationship":"CH","paternityStatus":"N","sex":"F"}],
	"orders":[{"tribunalFips":"3401300","docket":"FD-1","type":"AR","issueDate":"2021-03-15","amountCents":5000,"frequency":"B","controlling":true},
		{"tribunalFips":"3401300","docket":"FD-2","type":"SS","issueDate":"2021-03-15","amountCents":9000,"frequency":"O"}],
	"collections":[{"date":"2026-11-02","amountCents":11500,"source":"IWO"},{"date":"2026-11-03","amountCents":100,"source":"OTH"}],
	"information":{"text":"Controlling order determined."}}`
	var id int64
	if err := c.QueryRow(ctx, `INSERT INTO messages (direction, partner, sender_message_id, format, content_type, function, action, reason,
		status, raw_sealed, body_sha256, canonical) VALUES ('in', 'nj', 'NJ-1', 'xml-transaction/1', 'application/xml', 'MSC', 'P', 'GSCOD',
		'processed', '\x00', decode(repeat('00', 32), 'hex'), $1) RETURNING id`, old).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, `INSERT INTO support_orders (tribunal_state, tribunal_fips, docket, docket_norm, order_type, issue_date,
		amount_cents, frequency, obligor_key, child_keys) VALUES ('34', '3401300', 'FD-1', 'FD1', 'AR', '2021-03-15', 5000, 'B',
		decode(repeat('01', 32), 'hex'), '{}')`); err != nil {
		t.Fatal(err)
	}
	if err := exchange.MigrateConn(ctx, c); err != nil {
		t.Fatal(err)
	}

	var raw []byte
	var fn, act, reason, orderType string
	if err := c.QueryRow(ctx, `SELECT canonical, function, action, reason FROM messages WHERE id = $1`, id).Scan(&raw, &fn, &act, &reason); err != nil {
		t.Fatal(err)
	}
	var tx canonical.Transaction
	if err := json.Unmarshal(raw, &tx); err != nil {
		t.Fatal(err)
	}
	got := []struct {
		what      string
		got, want any
	}{
		{"listing columns", fn + " " + act + " " + reason, "ENF P GSCOE"},
		{"header", string(tx.Header.Function) + " " + string(tx.Header.Action) + " " + string(tx.Header.Reason), "ENF P GSCOE"},
		{"case type", tx.Case.Type, canonical.CaseAssistance},
		{"contact name", *tx.Case.Contact.Name, canonical.Name{First: "Morgan", Last: "Q Example"}},
		{"contact phone", tx.Case.Contact.Phone, "6095550100"},
		{"NCP sex", tx.NCP.Sex, canonical.SexOther},
		{"aliases moved", len(tx.NCPLocate.Aliases), 1},
		{"residential", tx.NCPLocate.Residential.Address.Line1, "1 Main St"},
		{"mailing", tx.NCPLocate.Mailing.Address.Line1, "PO Box 9"},
		{"driver's license", tx.NCPLocate.DriversLicense + " " + tx.NCPLocate.DriversLicenseState, "D123 NJ"},
		{"professional licenses", tx.NCPLocate.ProfessionalLicenses, "CPA 77 NJ"},
		{"custodial party", tx.Participants[0].Relationship, canonical.RelCustodialParty},
		{"status", tx.Participants[0].Status, canonical.ParticipantOpen},
		{"dependent", tx.Participants[1].Relationship, canonical.RelChild},
		{"paternity N has no federal code", tx.Participants[1].PaternityStatus, canonical.PaternityStatus("")},
		{"arrears-only order", [4]any{tx.Orders[0].DebtType, tx.Orders[0].Amount, tx.Orders[0].ArrearsAmount, tx.Orders[0].ArrearsFrequency},
			[4]any{canonical.DebtChildSupport, canonical.Cents(0), canonical.Cents(5000), canonical.FreqBiweekly}},
		{"controlling", tx.Orders[0].ControllingFlag, canonical.ControllingPresumed},
		{"spousal support", tx.Orders[1].DebtType, canonical.DebtSpousalSupport},
		{"one-time amount", [3]any{tx.Orders[1].Frequency, tx.Orders[1].Amount, tx.Orders[1].Arrears},
			[3]any{canonical.FreqMonthly, canonical.Cents(0), canonical.Cents(9000)}},
		{"wage assignment", tx.Collections[0].Source, canonical.SourceWithholding},
		{"other source", tx.Collections[1].Source, canonical.SourceNormal},
	}
	for _, g := range got {
		if g.got != g.want {
			t.Errorf("%s: got %v, want %v", g.what, g.got, g.want)
		}
	}
	if err := c.QueryRow(ctx, `SELECT order_type FROM support_orders WHERE docket = 'FD-1'`).Scan(&orderType); err != nil || orderType != "CS" {
		t.Errorf("registry order type %q, %v; want CS", orderType, err)
	}
	// A federal FIPS without a sub-office and a negative arrears total fit the registry now.
	if _, err := c.Exec(ctx, `INSERT INTO support_orders (tribunal_state, tribunal_fips, docket, docket_norm, order_type, issue_date,
		amount_cents, frequency, arrears_cents, obligor_key, child_keys) VALUES ('34', '34013', 'FD-3', 'FD3', 'CS', '2021-03-15', 5000, 'W', -100,
		decode(repeat('01', 32), 'hex'), '{}')`); err != nil {
		t.Errorf("federal registry row: %v", err)
	}
	// Migrating again is a no-op, and down and up again works.
	if err := exchange.MigrateConnTo(ctx, c, 6); err != nil {
		t.Fatal(err)
	}
	if err := exchange.MigrateConn(ctx, c); err != nil {
		t.Fatal(err)
	}
}
