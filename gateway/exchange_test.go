package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// pair is a New York and a New Jersey gateway, each with its own CA, keys,
// directory and database, registered with each other.
type pair struct {
	ny, nj       *gatewaytest.Gateway
	nyDB, njDB   *pgxpool.Pool
	nyLay, njLay devenv.Layout
	nyLis, njLis gatewaytest.Listeners
	nyURL, njURL string
}

// newPair prepares both installations; nyGetsFromNJ says how NJ's messages
// reach NY and vice versa.
func newPair(t *testing.T, njToNY, nyToNJ partners.Delivery) *pair {
	t.Helper()
	p := &pair{nyURL: pgtest.NewDB(t), njURL: pgtest.NewDB(t)}
	p.nyLay = gatewaytest.Prepare(t, gatewaytest.Options{StateFIPS: "36", Partners: []devenv.SamplePartner{}})
	p.njLay = gatewaytest.Prepare(t, gatewaytest.Options{StateFIPS: "34", Partners: []devenv.SamplePartner{}})
	p.nyLis, p.njLis = gatewaytest.Listen(t), gatewaytest.Listen(t)
	// In NY's directory: nj, reached at NJ's listener (push) or holding our
	// messages for pickup (pull).
	gatewaytest.Peer(t, p.nyLay, "nj", p.njLay, "34", p.njLis.PartnerURL(), nyToNJ)
	gatewaytest.Peer(t, p.njLay, "ny", p.nyLay, "36", p.nyLis.PartnerURL(), njToNY)
	if nyToNJ == partners.DeliverPull {
		// NJ fetches what NY holds for it.
		setFetch(t, p.njLay, "ny")
	}
	if njToNY == partners.DeliverPull {
		setFetch(t, p.nyLay, "nj")
	}
	var err error
	if p.nyDB, err = pgxpool.New(context.Background(), p.nyURL); err != nil {
		t.Fatal(err)
	}
	if p.njDB, err = pgxpool.New(context.Background(), p.njURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.nyDB.Close(); p.njDB.Close() })
	return p
}

func setFetch(t *testing.T, l devenv.Layout, id string) {
	t.Helper()
	d, err := partners.Load(l.PartnersDir())
	if err != nil {
		t.Fatal(err)
	}
	pt, _ := d.Get(id)
	pt.FetchInbox = true
	b, err := partners.Marshal(pt)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, l.PartnersDir()+"/"+id+".yaml", b)
}

func (p *pair) startNY(t *testing.T) {
	p.ny = gatewaytest.Start(t, p.nyLay, p.nyLis, gatewaytest.Options{DatabaseURL: p.nyURL})
}
func (p *pair) startNJ(t *testing.T) {
	p.nj = gatewaytest.Start(t, p.njLay, p.njLis, gatewaytest.Options{StateFIPS: "34", DatabaseURL: p.njURL})
}

func csiRequest(id, caseID string) canonical.Transaction {
	return canonical.Transaction{Header: canonical.Header{SenderFIPS: "3400000", ReceiverFIPS: "3600000", MessageID: id,
		Serial: 7, TransactionDate: today(), SenderCaseID: caseID, ReceiverCaseID: "NY" + caseID, Function: canonical.FuncCaseStatus,
		Action: canonical.ActRequest, Reason: "FRINF"}}
}

// statusCase is the case block and party a CSI P FSINF answer carries under
// the federal edits (requirements.csv: case block with our contact, participants).
func statusCase(tx *canonical.Transaction) {
	tx.Case = &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen,
		Contact: &canonical.Contact{Name: &canonical.Name{First: "Casey", Last: "Worker"}, Phone: "2125550100",
			Address: &canonical.Address{Line1: "150 Greenwich St", City: "New York", State: "NY", Zip: "10007"}}}
	tx.Participants = []canonical.Participant{{Name: canonical.Name{First: "Sky", Last: "Sample"},
		Relationship: canonical.RelCustodialParty, Status: canonical.ParticipantOpen}}
}

func csiProvide(id, replyTo, caseID string) canonical.Transaction {
	tx := canonical.Transaction{Header: canonical.Header{SenderFIPS: "3600000", ReceiverFIPS: "3400000", MessageID: id,
		Serial: 8, TransactionDate: today(), SenderCaseID: "NY" + caseID, ReceiverCaseID: caseID,
		Function: canonical.FuncCaseStatus, Action: canonical.ActProvide, Reason: "FSINF", InReplyTo: replyTo}}
	statusCase(&tx)
	return tx
}

// waitFor polls until cond holds or the deadline passes. It polls because
// its conditions are message states written by either gateway's courier,
// fetcher or partner API, for which the store sends no notification; where
// a worker's own count says enough (the courier's rounds), tests use settle.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// settle waits until g's courier has completed rounds more poll rounds and
// finished every delivery attempt it had claimed by then; the timeout only
// bounds a broken courier.
func settle(t *testing.T, what string, g *gatewaytest.Gateway, rounds uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := g.Server.CourierProgress().Settle(ctx, rounds); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestTwoGatewaysPushBothWays(t *testing.T) {
	p := newPair(t, partners.DeliverPush, partners.DeliverPush)
	p.startNY(t)
	p.startNJ(t)
	ctx := context.Background()

	reqID := gatewaytest.MustMessageID("NJ-CSI")
	if _, err := p.nj.Server.Send(ctx, "test", "ny", csiRequest(reqID, "NJCASE001")); err != nil {
		t.Fatal(err)
	}
	// NJ's courier pushes it; NY stores it; NJ records NY's receipt.
	waitFor(t, "NJ's request delivered to NY", 15*time.Second, func() bool {
		return count(t, p.njDB, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = 'delivered'`, reqID) == 1
	})
	if n := count(t, p.nyDB, `SELECT count(*) FROM messages WHERE partner = 'nj' AND direction = 'in' AND sender_message_id = $1`, reqID); n != 1 {
		t.Fatalf("NY holds %d copies of the request", n)
	}
	// The receipt NJ kept verifies with NY's published keys.
	var rcpt string
	if err := p.njDB.QueryRow(ctx, `SELECT r.jws FROM receipts r JOIN messages m ON m.id = r.message_id
		WHERE m.sender_message_id = $1 AND r.kind = 'received'`, reqID).Scan(&rcpt); err != nil {
		t.Fatal(err)
	}
	nyKeys, err := signing.LoadKeySet(p.nyLay.GatewayJWKS())
	if err != nil {
		t.Fatal(err)
	}
	if r, err := signing.VerifyReceipt(rcpt, nyKeys); err != nil || r.MessageID != reqID || r.Partner != "nj" {
		t.Fatalf("receipt: %+v, %v", r, err)
	}

	// NY answers; NJ receives the answer, linked to its request.
	respID := gatewaytest.MustMessageID("NY-CSI")
	if _, err := p.ny.Server.Send(ctx, "test", "nj", csiProvide(respID, reqID, "NJCASE001")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "NY's answer stored at NJ", 15*time.Second, func() bool {
		return count(t, p.njDB, `SELECT count(*) FROM messages WHERE partner = 'ny' AND direction = 'in'
			AND sender_message_id = $1 AND in_reply_to = $2`, respID, reqID) == 1
	})
	waitFor(t, "NY's answer marked delivered", 15*time.Second, func() bool {
		return count(t, p.nyDB, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = 'delivered'`, respID) == 1
	})
}

func TestTwoGatewaysPull(t *testing.T) {
	// NY holds its messages for NJ; NJ fetches them. NJ pushes to NY.
	p := newPair(t, partners.DeliverPush, partners.DeliverPull)
	p.startNY(t)
	p.startNJ(t)
	ctx := context.Background()
	reqID := gatewaytest.MustMessageID("NJ-CSI")
	if _, err := p.nj.Server.Send(ctx, "test", "ny", csiRequest(reqID, "NJCASE002")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "request at NY", 15*time.Second, func() bool {
		return count(t, p.nyDB, `SELECT count(*) FROM messages WHERE sender_message_id = $1`, reqID) == 1
	})
	respID := gatewaytest.MustMessageID("NY-CSI")
	if _, err := p.ny.Server.Send(ctx, "test", "nj", csiProvide(respID, reqID, "NJCASE002")); err != nil {
		t.Fatal(err)
	}
	if n := count(t, p.nyDB, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = 'awaiting_pickup'`, respID); n != 1 {
		t.Fatalf("answer not waiting for pickup (%d)", n)
	}
	if err := p.nj.Server.FetchNow(ctx, "ny"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, p.njDB, `SELECT count(*) FROM messages WHERE partner = 'ny' AND sender_message_id = $1 AND in_reply_to = $2`, respID, reqID); n != 1 {
		t.Fatalf("NJ stored %d copies of the fetched answer", n)
	}
	waitFor(t, "pickup acknowledged at NY", 5*time.Second, func() bool {
		return count(t, p.nyDB, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = 'picked_up'`, respID) == 1
	})
	// Fetching again finds nothing new and doubles nothing.
	if err := p.nj.Server.FetchNow(ctx, "ny"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, p.njDB, `SELECT count(*) FROM messages WHERE sender_message_id = $1`, respID); n != 1 {
		t.Fatalf("after a second fetch NJ holds %d copies", n)
	}
}

func TestOutageQueuesAndDeliversOnceInOrder(t *testing.T) {
	p := newPair(t, partners.DeliverPush, partners.DeliverPush)
	p.startNJ(t) // NY is down
	ctx := context.Background()
	const cases, perCase = 3, 5
	var ids []string
	for i := 0; i < perCase; i++ {
		for c := 0; c < cases; c++ {
			id := fmt.Sprintf("NJ-OUT-%d-%d-%d", time.Now().UnixNano(), c, i)
			if _, err := p.nj.Server.Send(ctx, "test", "ny", csiRequest(id, fmt.Sprintf("NJCASE1%02d", c))); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
	}
	// Attempts fail while NY is down; nothing is lost or dead-lettered.
	waitFor(t, "failed attempts while NY is down", 15*time.Second, func() bool {
		return count(t, p.njDB, `SELECT count(*) FROM outbox WHERE attempts > 0 OR last_error <> ''`) > 0
	})
	// The courier keeps trying (retries are 100 ms apart here) until its
	// circuit opens; none of those failures may dead-letter a message.
	settle(t, "NJ's courier retrying while NY is down", p.nj, 3)
	if n := count(t, p.njDB, `SELECT count(*) FROM messages WHERE status = 'dead_letter'`); n != 0 {
		t.Fatalf("%d dead letters during a short outage", n)
	}
	p.startNY(t)
	waitFor(t, "all delivered after NY returns", 60*time.Second, func() bool {
		return count(t, p.njDB, `SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'delivered'`) == len(ids)
	})
	if n := count(t, p.nyDB, `SELECT count(*) FROM messages WHERE direction = 'in'`); n != len(ids) {
		t.Fatalf("NY holds %d messages, want %d (exactly once)", n, len(ids))
	}
	// Per case, NY received them in the order NJ sent them.
	for c := 0; c < cases; c++ {
		rows, err := p.nyDB.Query(ctx, `SELECT sender_message_id FROM messages WHERE sender_case_id = $1 ORDER BY id`, fmt.Sprintf("NJCASE1%02d", c))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			got = append(got, s)
		}
		rows.Close()
		for i := 0; i < perCase; i++ {
			want := ids[i*cases+c]
			if i >= len(got) || got[i] != want {
				t.Fatalf("case %d arrived out of order: %v", c, got)
			}
		}
	}
}

func TestGlobalDeliveryPause(t *testing.T) {
	p := newPair(t, partners.DeliverPush, partners.DeliverPush)
	p.startNY(t)
	p.startNJ(t)
	ctx := context.Background()
	call := func(user, method, body string) (int, string) {
		tok, _ := p.nj.Issuer.Mint(user, time.Hour)
		req, _ := http.NewRequest(method, p.nj.StaffURL()+"/api/delivery", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := call("casey", http.MethodPost, `{"paused": true, "reason": "partner maintenance"}`); code != http.StatusForbidden {
		t.Fatalf("a caseworker paused delivery: %d", code)
	}
	if code, body := call("ada", http.MethodPost, `{"paused": true, "reason": "NY maintenance window"}`); code != http.StatusOK {
		t.Fatalf("pause: %d %s", code, body)
	}
	// A round under way when the pause was committed may not have seen it;
	// the second round from now began after it did.
	settle(t, "NJ's courier noticing the pause", p.nj, 2)
	id := gatewaytest.MustMessageID("NJ-CSI")
	if _, err := p.nj.Server.Send(ctx, "test", "ny", csiRequest(id, "NJCASE900")); err != nil {
		t.Fatal(err)
	}
	// The courier looked at least twice with the message in the outbox.
	settle(t, "NJ's courier looking at the paused outbox", p.nj, 2)
	if n := count(t, p.njDB, `SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_id
		WHERE m.sender_message_id = $1 AND o.state = 'pending' AND o.attempts = 0`, id); n != 1 {
		t.Fatal("a message left (or was tried) while delivery was paused")
	}
	if code, body := call("viv", http.MethodGet, ""); code != http.StatusOK || !strings.Contains(strings.Join(strings.Fields(body), ""), `"paused":true`) {
		t.Fatalf("status: %d %s", code, body)
	}
	if code, _ := call("ada", http.MethodPost, `{"paused": false, "reason": "window over"}`); code != http.StatusOK {
		t.Fatal("resume failed")
	}
	waitFor(t, "delivered after resume", 15*time.Second, func() bool {
		return count(t, p.nyDB, `SELECT count(*) FROM messages WHERE sender_message_id = $1`, id) == 1
	})
	if n := count(t, p.njDB, `SELECT count(*) FROM audit_log WHERE action IN ('delivery_pause', 'delivery_resume') AND actor = 'ada'`); n != 2 {
		t.Fatalf("%d audit entries for pause and resume", n)
	}
}
