package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/edge"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/transforms/csenet"
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
	// The sample partner ca sends CSENet 2000.
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url,
		Configure: func(c *gateway.Config) { c.Limits.HandlerTimeout = 5 * time.Minute }})
	pool := dbPool(t, url)
	client := g.ClientAs("ca")
	client.HTTP.Timeout = 5 * time.Minute

	const n = 10_000
	var file bytes.Buffer
	for i := range n {
		tx := devenv.SampleCAEstablish(i, int64(i+1), today())
		tx.Header.SenderCaseID = fmt.Sprintf("CA%08d", i)
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

// TestOutboundFilesInPullInbox: a partner marked for files finds what we
// send it in its pull inbox as signed CSENet files too, and acknowledging a
// file picks up every transaction in it.
func TestOutboundFilesInPullInbox(t *testing.T) {
	url := pgtest.NewDB(t)
	// A window of a nanosecond has always ended: each transaction is its own
	// file, so the test needs no clock. Grouping is exchange's test.
	ca := devenv.SamplePartner{ID: "ca", Kind: partners.KindState, Name: "California", StateFIPS: "06",
		Format: "csenet-2000", Delivery: partners.DeliverPull, FileWindow: time.Nanosecond}
	list := []devenv.SamplePartner{ca}
	for _, sp := range devenv.Samples {
		if sp.ID != ca.ID {
			list = append(list, sp)
		}
	}
	l := gatewaytest.Prepare(t, gatewaytest.Options{Partners: list})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url})
	pool := dbPool(t, url)
	ctx := context.Background()
	for i := range 2 {
		tx := devenv.SampleCAEstablish(i, int64(i+1), today())
		tx.Header.MessageID = fmt.Sprintf("NY-OUT-%d", i)
		tx.Header.SenderFIPS, tx.Header.ReceiverFIPS, tx.Header.SenderCaseID = "3600000", "0603700", fmt.Sprintf("NY%08d", i)
		if _, err := g.Server.Send(ctx, "test", "ca", tx); err != nil {
			t.Fatal(err)
		}
	}
	client := g.ClientAs("ca")
	get := func() edge.FileInboxPage {
		t.Helper()
		resp, err := client.HTTP.Get(g.PartnerURL() + "/v1/inbox/files")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var page edge.FileInboxPage
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("inbox files: %d %v", resp.StatusCode, err)
		}
		return page
	}
	page := get()
	if len(page.Files) != 2 {
		t.Fatalf("%d files, want one per transaction", len(page.Files))
	}
	codec := csenet.New()
	for _, f := range page.Files {
		if _, err := (signing.Verifier{Window: time.Minute}).VerifyDetached(f.Signature, []byte(f.Body), client.ServerKeys, time.Now()); err != nil {
			t.Fatalf("file %s: signature: %v", f.ID, err)
		}
		items := codec.DecodeFile([]byte(f.Body))
		if len(items) != 1 || len(items[0].Errors) > 0 || items[0].Transaction.Header.ReceiverFIPS != "0603700" || f.ContentType != "text/plain" {
			t.Fatalf("file %s: %+v", f.ID, items)
		}
	}
	b, _ := json.Marshal(map[string][]string{"ids": {page.Files[0].ID}})
	resp, err := client.HTTP.Post(g.PartnerURL()+"/v1/inbox/files/ack", "application/json", bytes.NewReader(b))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ack: %v", err)
	}
	resp.Body.Close()
	if n := count(t, pool, `SELECT count(*) FROM messages WHERE partner = 'ca' AND status = 'picked_up'`); n != 1 {
		t.Fatalf("%d picked up, want 1", n)
	}
	if left := get(); len(left.Files) != 1 || left.Files[0].ID != page.Files[1].ID {
		t.Fatalf("after the ack: %+v", left.Files)
	}
	// A partner that is not marked for files is told where its inbox is.
	resp, err = g.ClientAs("pa").HTTP.Get(g.PartnerURL() + "/v1/inbox/files")
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("pa: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}
