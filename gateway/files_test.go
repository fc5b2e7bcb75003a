package gateway_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/partners"
)

// TestCSENetFileOverHTTPS posts a 10,000-transaction CSENet file from a
// California partner to a New York gateway over mTLS: one request, one
// signed receipt naming every line, each good transaction stored once, the
// bad ones refused naming the field, and the re-post answered with the same
// receipt.
func TestCSENetFileOverHTTPS(t *testing.T) {
	if testing.Short() {
		t.Skip("posts 10,000 transactions")
	}
	url := pgtest.NewDB(t)
	ca := devenv.SamplePartner{ID: "ca", Kind: partners.KindState, Name: "California Department of Child Support Services",
		StateFIPS: "06", Format: "csenet-2000", Delivery: partners.DeliverPull}
	l := gatewaytest.Prepare(t, gatewaytest.Options{Partners: append(append([]devenv.SamplePartner(nil), devenv.Samples...), ca)})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url,
		Configure: func(c *gateway.Config) { c.Limits.HandlerTimeout = 5 * time.Minute }})
	pool := dbPool(t, url)
	client := g.ClientAs("ca")
	client.HTTP.Timeout = 5 * time.Minute

	const n = 10_000
	var file bytes.Buffer
	for i := range n {
		tx := devenv.SampleEST("", today())
		tx.Header.SenderFIPS, tx.Header.Serial, tx.Header.SenderCaseID = "0603700", int64(i+1), fmt.Sprintf("CA%08d", i)
		if i == 17 {
			tx.Header.ReceiverFIPS = "4200000" // not ours: refused for this line only
		}
		file.Write(encode(t, tx, "csenet-2000"))
		file.WriteByte('\n')
	}
	file.WriteString("NOT A CSENET RECORD\n")

	start := time.Now()
	res, err := client.PostFile(context.Background(), file.Bytes(), "text/plain", "CA-20261201-001")
	took := time.Since(start)
	if err != nil || res.Status != http.StatusAccepted {
		t.Fatalf("post: %v status %d %+v", err, res.Status, res.Error)
	}
	t.Logf("%d-transaction file (%d bytes) over HTTPS in %v: %.0f transactions/s", n, file.Len(), took.Round(time.Millisecond), n/took.Seconds())
	rc := res.Receipt
	if len(rc.Transactions) != n+1 || rc.Stored != n-1 || rc.Refused != 2 {
		t.Fatalf("receipt: %d lines, %d stored, %d refused", len(rc.Transactions), rc.Stored, rc.Refused)
	}
	if e := rc.Transactions[17].Error; e == nil || e.Code != intake.CodeWrongReceiver || e.Fields[0].Path != "header.receiverFips" {
		t.Fatalf("line 18: %+v", rc.Transactions[17])
	}
	if e := rc.Transactions[n].Error; e == nil || e.Code != intake.CodeMalformed || len(e.Fields) == 0 {
		t.Fatalf("last line: %+v", rc.Transactions[n])
	}
	if got := count(t, pool, `SELECT count(*) FROM messages WHERE partner = 'ca' AND direction = 'in'`); got != n-1 {
		t.Fatalf("%d messages stored, want %d", got, n-1)
	}
	// A stored transaction answers GET /v1/messages/{id} like any message.
	id := rc.Transactions[0].MessageID
	if id != "csenet-06-1" {
		t.Fatalf("first message ID %q", id)
	}

	again, err := client.PostFile(context.Background(), file.Bytes(), "text/plain", "CA-20261201-001")
	if err != nil || again.Status != http.StatusOK || !again.Repeat || again.ReceiptJWS != res.ReceiptJWS {
		t.Fatalf("re-post: %v status %d repeat %v same receipt %v", err, again.Status, again.Repeat, again.ReceiptJWS == res.ReceiptJWS)
	}
	if got := count(t, pool, `SELECT count(*) FROM messages WHERE partner = 'ca' AND direction = 'in'`); got != n-1 {
		t.Fatalf("%d messages after the re-post, want %d", got, n-1)
	}
}
