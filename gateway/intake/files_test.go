package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/intake"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

const csenetFormat = "csenet-2000"

// csenetLines encodes n copies of the sample, serial numbers from first on,
// as CSENet records.
func (r *rig) csenetLines(t testing.TB, first, n int) [][]byte {
	t.Helper()
	tx := r.sample(t)
	out := make([][]byte, n)
	for i := range out {
		tx.Header.Serial = int64(first + i)
		b, err := r.codec.Encode(tx)
		if err != nil {
			t.Fatalf("sample does not encode as %s: %v", r.codec.Format(), err)
		}
		out[i] = b
	}
	return out
}

// fileRequest joins lines into a file signed as a whole with jti = fileID.
func (r *rig) fileRequest(t testing.TB, fileID string, lines ...[]byte) intake.Request {
	t.Helper()
	var body bytes.Buffer
	for _, l := range lines {
		body.Write(l)
		body.WriteString("\r\n")
	}
	sig, err := r.sender.SignDetached(body.Bytes(), fileID, r.now)
	if err != nil {
		t.Fatal(err)
	}
	return intake.Request{Partner: r.partner, Body: body.Bytes(), ContentType: r.codec.ContentType(), Signature: sig, Remote: "test"}
}

// checkSigned verifies the receipt JWS and that it signs the document sent.
func checkSigned(t testing.TB, gw *signing.Signer, res intake.FileResult) {
	t.Helper()
	pub, err := gw.Public()
	if err != nil {
		t.Fatal(err)
	}
	set, err := signing.PublicSet(pub)
	if err != nil {
		t.Fatal(err)
	}
	payload, _, err := signing.VerifyCompact(res.JWS, set)
	if err != nil {
		t.Fatalf("file receipt does not verify: %v", err)
	}
	var claims intake.FileReceiptClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.DocumentSHA256 != signing.BodyDigest(res.Document) || claims.ReceiptID != res.Receipt.ReceiptID ||
		claims.Transactions != len(res.Receipt.Transactions) || claims.Stored != res.Receipt.Stored {
		t.Fatalf("the signature does not cover the receipt sent: %+v", claims)
	}
	var doc intake.FileReceipt
	if err := json.Unmarshal(res.Document, &doc); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(doc)
	b, _ := json.Marshal(res.Receipt)
	if !bytes.Equal(a, b) {
		t.Fatalf("the answer is not the document signed:\n%s\n%s", b, a)
	}
}

func TestReceiveFileStoresEachTransactionAndListsEveryOutcome(t *testing.T) {
	t.Parallel()
	r := newRigFor(t, 1<<20, csenetFormat)
	good := r.csenetLines(t, 1, 3)
	badTx := r.sample(t)
	badTx.Header.Serial, badTx.Header.Reason = 90, "ZZZZZ"
	invalid, err := r.codec.Encode(badTx)
	if err != nil {
		t.Fatal(err)
	}
	// A record whose header promises blocks it does not hold.
	short := good[0][:len(good[0])-40]
	req := r.fileRequest(t, "CA-FILE-1", good[0], invalid, good[1], short, good[2], good[1])

	res := r.svc.ReceiveFile(context.Background(), req)
	if res.Err != nil {
		t.Fatalf("file refused: %v", res.Err)
	}
	checkSigned(t, r.gateway, res)
	rc := res.Receipt
	if rc.FileID != "CA-FILE-1" || rc.Partner != "ca" || rc.Stored != 4 || rc.Refused != 2 || len(rc.Transactions) != 6 || res.Repeat {
		t.Fatalf("receipt %+v", rc)
	}
	want := []struct {
		outcome, code string
		repeat        bool
	}{
		{intake.OutcomeStored, "", false}, {intake.OutcomeRefused, intake.CodeInvalid, false},
		{intake.OutcomeStored, "", false}, {intake.OutcomeRefused, intake.CodeMalformed, false},
		{intake.OutcomeStored, "", false}, {intake.OutcomeStored, "", true},
	}
	for i, w := range want {
		got := rc.Transactions[i]
		if got.Line != i+1 || got.Outcome != w.outcome || got.Repeat != w.repeat {
			t.Errorf("line %d: %+v, want %s repeat=%v", i+1, got, w.outcome, w.repeat)
		}
		if w.code == "" {
			if got.ReceiptID == "" || got.Error != nil || !strings.HasPrefix(got.MessageID, "csenet-06-") {
				t.Errorf("line %d: stored without a receipt or message ID: %+v", i+1, got)
			}
			continue
		}
		if got.Error == nil || got.Error.Code != w.code || len(got.Error.Fields) == 0 {
			t.Errorf("line %d: error %+v, want %s with the fields at fault", i+1, got.Error, w.code)
		}
	}
	if f := rc.Transactions[1].Error.Fields[0]; f.Path != "header.reason" {
		t.Errorf("invalid line names %+v, want header.reason", f)
	}
	if f := rc.Transactions[3].Error.Fields[0]; f.Path == "" || f.PartnerPath == "" {
		t.Errorf("short record: %+v does not name the block and field", f)
	}
	if rc.Transactions[5].ReceiptID != rc.Transactions[2].ReceiptID {
		t.Errorf("a transaction twice in the file has two receipts")
	}
	if n := r.count(t); n != 3 {
		t.Fatalf("%d messages stored, want 3", n)
	}

	// Posting the file again (the answer was lost): the same receipt.
	again := r.svc.ReceiveFile(context.Background(), req)
	if again.Err != nil || !again.Repeat || again.JWS != res.JWS || again.Receipt.ReceiptID != rc.ReceiptID {
		t.Fatalf("re-post: %+v, want the first receipt", again)
	}
	// A new file holding a transaction already stored: a repeat, nothing new.
	next := r.svc.ReceiveFile(context.Background(), r.fileRequest(t, "CA-FILE-2", good[1], r.csenetLines(t, 4, 1)[0]))
	if next.Err != nil || !next.Receipt.Transactions[0].Repeat || next.Receipt.Transactions[0].ReceiptID != rc.Transactions[2].ReceiptID ||
		next.Receipt.Transactions[1].Outcome != intake.OutcomeStored {
		t.Fatalf("second file: %+v", next)
	}
	if n := r.count(t); n != 4 {
		t.Fatalf("%d messages stored, want 4", n)
	}
	// The first file's ID over other bytes is refused whole.
	if res := r.svc.ReceiveFile(context.Background(), r.fileRequest(t, "CA-FILE-1", good[0])); res.Err == nil || res.Err.Code != intake.CodeConflict {
		t.Fatalf("reused file ID: %+v, want %s", res.Err, intake.CodeConflict)
	}
}

func TestReceiveFileRefusesTheWholeFile(t *testing.T) {
	t.Parallel()
	r := newRigFor(t, 1<<20, csenetFormat)
	lines := r.csenetLines(t, 1, 2)
	cases := []struct {
		name string
		req  func() intake.Request
		code string
	}{
		{"signature over other bytes", func() intake.Request {
			q := r.fileRequest(t, "F-1", lines...)
			q.Body = append(q.Body, lines[0]...)
			return q
		}, intake.CodeSigInvalid},
		{"media type", func() intake.Request {
			q := r.fileRequest(t, "F-1", lines...)
			q.ContentType = "application/json"
			return q
		}, intake.CodeMediaType},
		{"empty file", func() intake.Request { return r.fileRequest(t, "F-1") }, intake.CodeMalformed},
		{"file ID too long", func() intake.Request {
			return r.fileRequest(t, strings.Repeat("F", canonical.MaxMessageIDLen+1), lines...)
		}, intake.CodeMalformed},
	}
	for _, c := range cases {
		res := r.svc.ReceiveFile(context.Background(), c.req())
		if res.Err == nil || res.Err.Code != c.code {
			t.Errorf("%s: %+v, want %s", c.name, res.Err, c.code)
		}
	}
	if n := r.count(t); n != 0 {
		t.Fatalf("%d messages stored from refused files", n)
	}
}

// TestReceiveFileTenThousandTransactions takes a 10,000-transaction CSENet
// file through the whole intake (verify, decode, validate, authorise, store,
// sign) and logs the rate. The figure is for the record, not an assertion.
func TestReceiveFileTenThousandTransactions(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 10,000 messages")
	}
	t.Parallel()
	r := newRigFor(t, 1<<20, csenetFormat)
	const n = 10_000
	req := r.fileRequest(t, "CA-BULK", r.csenetLines(t, 1, n)...)
	start := time.Now()
	res := r.svc.ReceiveFile(context.Background(), req)
	took := time.Since(start)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	t.Logf("%d-transaction file (%d bytes) taken in %v: %.0f transactions/s", n, len(req.Body), took.Round(time.Millisecond), n/took.Seconds())
	if res.Receipt.Stored != n || len(res.Receipt.Transactions) != n || r.count(t) != n {
		t.Fatalf("stored %d of %d (%d rows)", res.Receipt.Stored, n, r.count(t))
	}
	again := r.svc.ReceiveFile(context.Background(), req)
	if !again.Repeat || again.JWS != res.JWS || len(again.Receipt.Transactions) != n {
		t.Fatal("re-posting the 10,000-transaction file did not return its receipt")
	}
	if fmt.Sprint(again.Receipt.Transactions[n-1]) != fmt.Sprint(res.Receipt.Transactions[n-1]) {
		t.Fatal("the repeated receipt differs")
	}
}
