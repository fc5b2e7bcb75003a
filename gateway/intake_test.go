package gateway_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
)

// startNY runs a New York gateway with the sample partners.
func startNY(t *testing.T) (*gatewaytest.Gateway, *pgxpool.Pool) {
	t.Helper()
	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url})
	return g, dbPool(t, url)
}

func dbPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func encode(t *testing.T, tx canonical.Transaction, format string) []byte {
	t.Helper()
	b, err := transforms.Encode(tx, format)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func today() canonical.Date { return canonical.DateOf(time.Now()) }

func TestIntakeIsIdempotentAndDurable(t *testing.T) {
	g, pool := startNY(t)
	ctx := context.Background()
	nj := g.ClientAs("nj")
	id := gatewaytest.MustMessageID("NJ-EST")
	body := encode(t, devenv.SampleEST(id, today()), "xml-transaction/1")

	first, err := nj.Post(ctx, body, "application/xml", id)
	if err != nil || first.Status != http.StatusAccepted {
		t.Fatalf("first post: status %d err %v body %s", first.Status, err, first.Body)
	}
	if first.Receipt.MessageID != id || first.Receipt.BodySHA256 != signing.BodyDigest(body) || first.Receipt.Partner != "nj" {
		t.Fatalf("receipt names the wrong message: %+v", first.Receipt)
	}
	// The receipt was given only after commit: the row is there now, with the
	// same receipt.
	if n := count(t, pool, `SELECT count(*) FROM messages WHERE partner = 'nj' AND sender_message_id = $1`, id); n != 1 {
		t.Fatalf("%d rows after the first post", n)
	}
	again, err := nj.Post(ctx, body, "application/xml", id)
	if err != nil || again.Status != http.StatusOK || !again.Repeat || again.ReceiptJWS != first.ReceiptJWS {
		t.Fatalf("repeat: status %d repeat %v same receipt %v err %v", again.Status, again.Repeat, again.ReceiptJWS == first.ReceiptJWS, err)
	}
	other := devenv.SampleEST(id, today())
	other.Header.SenderCaseID = "NJ0000099999"
	conflict, err := nj.Post(ctx, encode(t, other, "xml-transaction/1"), "application/xml", id)
	if err != nil || conflict.Status != http.StatusConflict || conflict.Error.Code != "conflict" {
		t.Fatalf("same id, other body: status %d err %v %+v", conflict.Status, err, conflict.Error)
	}
	if n := count(t, pool, `SELECT count(*) FROM messages WHERE sender_message_id = $1`, id); n != 1 {
		t.Fatalf("%d rows after repeat and conflict", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM refusals WHERE code = 'conflict' AND message_id = $1`, id); n != 1 {
		t.Fatalf("conflict not recorded: %d", n)
	}
	// The processor picks the message up and decides it.
	var status string
	waitFor(t, "the message to be processed", 10*time.Second, func() bool {
		_ = pool.QueryRow(ctx, `SELECT status FROM messages WHERE sender_message_id = $1`, id).Scan(&status)
		return status == "processed"
	})
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
