// Package exchangetest holds what the tests of the exchange store packages
// share: a migrated database per test, keys, and sample transactions.
package exchangetest

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Main runs a test binary of a store package on a private PostgreSQL whose
// template database is migrated once.
func Main(m *testing.M) {
	pgtest.Main(m, pgtest.WithTemplate(exchange.MigrateURL))
}

// Keys are fixed PII keys for tests.
func Keys(t testing.TB) exchange.PIIKeys {
	t.Helper()
	enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))
	mac := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("h", 32)))
	k, err := exchange.ParsePIIKeys(enc, mac)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// NewStore opens a store on a fresh migrated database and returns it with
// the database URL (for superuser access in tests).
func NewStore(t testing.TB, opts ...exchange.Option) (*exchange.Store, string) {
	t.Helper()
	url := pgtest.NewDB(t)
	s, err := exchange.Open(context.Background(), url, Keys(t), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, url
}

// Connect opens a connection to url, closed when the test ends.
func Connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// Date parses a YYYY-MM-DD date, panicking on a bad literal.
func Date(s string) *canonical.Date {
	d, err := canonical.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return &d
}

// SampleTx is an ENF request naming an NCP, a CP and a child.
func SampleTx(msgID, caseID string, ncp, cp, child canonical.SSN) canonical.Transaction {
	return canonical.Transaction{
		Header: canonical.Header{
			SenderFIPS: "3400000", ReceiverFIPS: "3600000", MessageID: msgID, Serial: 7,
			TransactionDate: *Date("2026-11-02"), SenderCaseID: caseID, Function: canonical.FuncEnforce,
			Action: canonical.ActRequest, Reason: "GSADD",
		},
		NCP: &canonical.NCPIdentification{
			Name: canonical.Name{First: "Pat", Last: "Doe"}, SSN: ncp, DateOfBirth: Date("1981-04-17"), Sex: canonical.SexMale,
		},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Chris", Last: "Doe"}, SSN: cp, DateOfBirth: Date("1983-09-30"), Relationship: canonical.RelCustodialParty},
			{Name: canonical.Name{First: "Sam", Last: "Doe"}, SSN: child, DateOfBirth: Date("2015-01-05"), Relationship: canonical.RelChild},
		},
	}
}

// Inbound is a received message from partner carrying tx and body.
func Inbound(partner string, tx canonical.Transaction, body string) exchange.Inbound {
	return exchange.Inbound{
		Partner: partner, MessageID: tx.Header.MessageID, Format: "csenet-json", ContentType: "application/json",
		Raw: []byte(body), Tx: tx, Signature: "eyJhbGciOiJFUzI1NiJ9..sig", TraceID: "trace-1",
	}
}

// FakeSign stands in for the gateway signer: the exchange only stores what it returns.
func FakeSign(calls *atomic.Int64) func(exchange.Receipt) (string, error) {
	return func(r exchange.Receipt) (string, error) {
		if calls != nil {
			calls.Add(1)
		}
		return fmt.Sprintf("jws(%s|%s|%s|%s|%s)", r.ID, r.Partner, r.MessageID, r.BodySHA256, r.ReceivedAt.Format(time.RFC3339Nano)), nil
	}
}

// Receive stores a sample inbound message received at at.
func Receive(t testing.TB, s *exchange.Store, partner, msgID, caseID string, at time.Time) exchange.Receipt {
	t.Helper()
	in := Inbound(partner, SampleTx(msgID, caseID, "123456789", "234567890", "345678901"), `{"id":"`+msgID+`"}`)
	in.ReceivedAt = at
	r, _, err := s.Receive(context.Background(), in, FakeSign(nil))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Outbound is a sample outbound message for partner, held for pickup when pull.
func Outbound(partner, msgID, caseID string, pull bool) exchange.Outbound {
	tx := SampleTx(msgID, caseID, "456789012", "", "")
	tx.Header.SenderFIPS, tx.Header.ReceiverFIPS = "3600000", "3400000"
	return exchange.Outbound{
		Partner: partner, MessageID: msgID, Format: "csenet-json", ContentType: "application/json",
		Raw: []byte(`{"out":"` + msgID + `","ssn":"456789012"}`), Tx: tx, Pull: pull,
	}
}

// Count runs a count query.
func Count(t testing.TB, c *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := c.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
