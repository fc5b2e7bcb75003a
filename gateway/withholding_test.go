package gateway_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
)

// enfIWO is an ENF request from Pennsylvania to New York for income
// withholding from an NCP who works for an employer in a third state.
func enfIWO(id, caseID string, ein string, weekly canonical.Cents) canonical.Transaction {
	dob := &canonical.Date{Year: 1985, Month: 1, Day: 2}
	return canonical.Transaction{
		Header: canonical.Header{SenderFIPS: "4200000", ReceiverFIPS: "3600000", MessageID: id, Serial: 3,
			TransactionDate: today(), SenderCaseID: caseID, Function: canonical.FuncEnforce, Action: canonical.ActRequest,
			Reason: canonical.ReasonIncomeWithholding},
		Case: &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen},
		NCP:  &canonical.NCPIdentification{Name: canonical.Name{First: "Drew", Last: "Sample"}, SSN: "321654987", DateOfBirth: dob},
		NCPLocate: &canonical.NCPLocate{Employers: []canonical.Employer{{EIN: ein, Name: "Employer " + ein,
			Address: &canonical.Address{Line1: "1 Harbor Way", City: "Newark", State: "NJ", Zip: "07102"}}}},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Pat", Last: "Sample"}, Relationship: canonical.RelCustodialParty, ResidenceState: "PA"},
			{Name: canonical.Name{First: "Kim", Last: "Sample"}, SSN: "432165798", DateOfBirth: &canonical.Date{Year: 2016, Month: 4, Day: 4},
				Relationship: canonical.RelChild, ResidenceState: "PA"},
		},
		Orders: []canonical.Order{{TribunalFIPS: "4210100", Docket: "PA-DR-2020-0042", DebtType: canonical.DebtChildSupport,
			IssueDate: canonical.Date{Year: 2020, Month: 6, Day: 1}, Amount: weekly, Frequency: canonical.FreqWeekly,
			ControllingFlag: canonical.ControllingPresumed, Children: []int{1}}},
	}
}

// employerEndpoint is an employer's own system: an mTLS server that takes
// e-IWOs signed by the gateway and answers with its own signed receipt.
type employerEndpoint struct {
	mu   sync.Mutex
	docs map[string]int // tracking number → times received
	url  string
}

func startEmployer(t *testing.T, l devenv.Layout, id string, gatewayKeys jwk.Set) *employerEndpoint {
	t.Helper()
	certFile, keyFile, jwkFile := l.Client(id)
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	caFile, _ := l.CA()
	roots, _ := pki.ReadCertPool(caFile)
	k, _ := signing.LoadPrivateKey(jwkFile)
	signer, _ := signing.NewSigner(k)
	e := &employerEndpoint{docs: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.url = "https://" + ln.Addr().String()
	srv := &http.Server{TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: roots,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			claims, err := signing.Verifier{Window: time.Minute}.VerifyDetached(r.Header.Get("JWS-Signature"), body, gatewayKeys, time.Now())
			if err != nil {
				http.Error(w, `{"error":{"code":"signature_invalid","message":"`+err.Error()+`"}}`, http.StatusUnauthorized)
				return
			}
			e.mu.Lock()
			e.docs[claims.JTI]++
			e.mu.Unlock()
			rc, _ := signer.SignReceipt(signing.Receipt{ID: "emp-" + claims.JTI, Partner: "ny", MessageID: claims.JTI,
				BodySHA256: signing.BodyDigest(body), ReceivedAt: time.Now().UTC(), Issuer: id}, time.Now())
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			_ = json.NewEncoder(w).Encode(map[string]string{"receipt": rc})
		})}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	return e
}

func (e *employerEndpoint) count(tracking string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.docs[tracking]
}

func TestIncomeWithholdingAcrossStates(t *testing.T) {
	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	gwKeys, err := signing.LoadKeySet(l.GatewayJWKS())
	if err != nil {
		t.Fatal(err)
	}
	// Globex (NJ) takes IWOs by push to its own mTLS endpoint; Acme (NJ) is pull-only.
	globex := addPushEmployer(t, l, gwKeys)
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url})
	pool := dbPool(t, url)
	ctx := context.Background()
	pa := g.ClientAs("pa")

	post := func(tx canonical.Transaction) {
		t.Helper()
		res, err := pa.Post(ctx, encode(t, tx, "json-transaction/1"), "application/json", tx.Header.MessageID)
		if err != nil || res.Error != nil {
			t.Fatalf("post %s: %v %+v", tx.Header.MessageID, err, res.Error)
		}
	}

	// 1. Push employer: the e-IWO reaches Globex over mTLS, under NJ law.
	req1 := enfIWO(gatewaytest.MustMessageID("PA-ENF"), "PACASE77", "331234567", 20000)
	post(req1)
	var tracking, control, limitState string
	waitFor(t, "IWO to Globex", 15*time.Second, func() bool {
		err := pool.QueryRow(ctx, `SELECT tracking_number, control_number, amounts->>'limitState' FROM iwos
			WHERE employer_fein = '331234567' AND doc_action = 'ORG'`).Scan(&tracking, &control, &limitState)
		return err == nil && globex.count(tracking) == 1
	})
	if limitState != "34" {
		t.Fatalf("IWO limit state %q, want the employment state 34", limitState)
	}
	waitFor(t, "delivery recorded", 10*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = 'delivered'`, tracking) == 1
	})

	// 2. The same request again (a new message ID, same order): no second ORG, nothing sent.
	dup := enfIWO(gatewaytest.MustMessageID("PA-ENF"), "PACASE77", "331234567", 20000)
	post(dup)
	waitFor(t, "duplicate processed", 10*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = 'processed'`, dup.Header.MessageID) == 1
	})
	if n := count(t, pool, `SELECT count(*) FROM iwos WHERE employer_fein = '331234567'`); n != 1 {
		t.Fatalf("%d IWO documents after a duplicate request", n)
	}

	// 3. The order changes: an AMD under the same control number.
	amd := enfIWO(gatewaytest.MustMessageID("PA-ENF"), "PACASE77", "331234567", 25000)
	post(amd)
	waitFor(t, "AMD sent", 15*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM iwos WHERE control_number = $1 AND doc_action = 'AMD'`, control) == 1
	})
	// A second ORG is impossible in the database itself.
	if _, err := pool.Exec(ctx, `INSERT INTO iwos (case_id, employer_fein, doc_action, control_number, tracking_number)
		VALUES ('42:PACASE77', '331234567', 'ORG', 'X', 'Y')`); err == nil || !strings.Contains(err.Error(), "iwos_one_original") {
		t.Fatalf("a second ORG was accepted: %v", err)
	}

	// A second IWO for the same employee at Globex (another case), then the
	// worksheet that splits one $300 weekly paycheck between the two.
	req3 := enfIWO(gatewaytest.MustMessageID("PA-ENF"), "PACASE99", "331234567", 10000)
	post(req3)
	waitFor(t, "second ORG at Globex", 15*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM iwos WHERE employer_fein = '331234567' AND doc_action = 'ORG'`) == 2
	})
	tok, _ := g.Issuer.Mint("viv", time.Hour)
	req, _ := http.NewRequest(http.MethodGet, g.StaffURL()+"/api/worksheets/allocation?tracking="+tracking+"&disposable=300.00&frequency=W", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ws struct {
		State      string
		Allocation struct {
			CapPercent int
			Limit      canonical.Cents
			Ordered    canonical.Cents
			Available  canonical.Cents
			Shares     []struct {
				ID    string
				Total canonical.Cents
			}
		}
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &ws) != nil {
		t.Fatalf("worksheet: %d %s", resp.StatusCode, body)
	}
	a := ws.Allocation
	if ws.State != "34" || a.CapPercent != 60 || a.Limit != 18000 || a.Ordered != 35000 || a.Available != 18000 || len(a.Shares) != 2 ||
		a.Shares[0].Total != 12857 || a.Shares[1].Total != 5143 {
		t.Fatalf("worksheet: %s", body)
	}

	// 4. Pull employer: Acme picks its e-IWO up, then rejects it.
	req2 := enfIWO(gatewaytest.MustMessageID("PA-ENF"), "PACASE88", "221234567", 11500)
	post(req2)
	acme := g.ClientAs("acme")
	var item courier.InboxItem
	waitFor(t, "IWO in Acme's inbox", 15*time.Second, func() bool {
		page, err := acme.Inbox(ctx, 0, 10)
		if err != nil || len(page.Messages) == 0 {
			return false
		}
		item = page.Messages[0]
		return true
	})
	if _, err := (signing.Verifier{Window: time.Minute}).VerifyDetached(item.Signature, []byte(item.Body), gwKeys, time.Now()); err != nil {
		t.Fatalf("inbox item signature: %v", err)
	}
	codec, _ := transforms.LookupIWO("eiwo-xml/1")
	iwo, errs := codec.DecodeIWO([]byte(item.Body))
	if len(errs) > 0 {
		t.Fatalf("e-IWO does not decode: %v", errs)
	}
	if iwo.DocAction != canonical.IWOOriginal || iwo.LimitState != "34" || iwo.CurrentChildSupport.Cents != 11500 {
		t.Fatalf("e-IWO: %+v", iwo)
	}
	if n, err := acme.Ack(ctx, []string{item.ID}); err != nil || n != 1 {
		t.Fatalf("ack: %d %v", n, err)
	}
	ack := canonical.EmployerAck{TrackingNumber: iwo.TrackingNumber, ControlNumber: iwo.ControlNumber, EmployerFEIN: "221234567",
		Status: canonical.AckRejected, Reasons: []canonical.AckReason{canonical.AckNoLongerEmployed},
		TerminationDate: &canonical.Date{Year: 2026, Month: 10, Day: 31}, AckDate: today()}
	ackBody, err := codec.EncodeAck(ack)
	if err != nil {
		t.Fatal(err)
	}
	res, err := acme.Post(ctx, ackBody, codec.ContentType(), "ACK-"+iwo.TrackingNumber)
	if err != nil || res.Error != nil {
		t.Fatalf("ack post: %v %+v", err, res.Error)
	}
	// 5. Pennsylvania hears of it: MSC P GSPUD (a status update; it was ENF P
	// EIREJ) in its (pull) inbox, linked to its request.
	var news courier.InboxItem
	waitFor(t, "news for Pennsylvania", 15*time.Second, func() bool {
		page, err := pa.Inbox(ctx, 0, 50)
		if err != nil {
			return false
		}
		for _, m := range page.Messages {
			if strings.Contains(m.Body, `"reason":"GSPUD"`) && strings.Contains(m.Body, req2.Header.MessageID) {
				news = m
				return true
			}
		}
		return false
	})
	if !strings.Contains(news.Body, "no longer employed") {
		t.Fatalf("news does not say why: %s", news.Body)
	}
	if n := count(t, pool, `SELECT count(*) FROM iwos WHERE tracking_number = $1 AND status = 'rejected'
		AND 'no_longer_employed' = ANY(ack_reasons)`, iwo.TrackingNumber); n != 1 {
		t.Fatal("IWO not marked rejected")
	}
	if n := count(t, pool, `SELECT count(*) FROM review_items WHERE kind = 'iwo_rejected'`); n != 1 {
		t.Fatalf("%d review items for the rejection", n)
	}
}

// addPushEmployer adds Globex (NJ, FEIN 331234567), which takes e-IWOs at its
// own mTLS endpoint, to the installation and starts that endpoint.
func addPushEmployer(t *testing.T, l devenv.Layout, gwKeys jwk.Set) *employerEndpoint {
	t.Helper()
	if err := devenv.AddPartner(l, devenv.SamplePartner{ID: "globex", Kind: partners.KindEmployer, Name: "Globex Corp.",
		StateFIPS: "34", FEIN: "331234567", Format: "eiwo-xml/1", Delivery: partners.DeliverPush, Endpoint: "https://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	emp := startEmployer(t, l, "globex", gwKeys)
	d, err := partners.Load(l.PartnersDir())
	if err != nil {
		t.Fatal(err)
	}
	gp, _ := d.Get("globex")
	gp.Endpoint = emp.url
	b, err := partners.Marshal(gp)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, l.PartnersDir()+"/globex.yaml", b)
	return emp
}
