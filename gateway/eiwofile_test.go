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

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/partnercodecs"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/pki"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms/eiwofile"
)

// fileEmployer is a payroll system that takes federal e-IWO files at its
// own mTLS endpoint: it keeps every file the gateway signed.
type fileEmployer struct {
	mu    sync.Mutex
	files [][]byte
	url   string
}

func startFileEmployer(t *testing.T, l devenv.Layout, id string, gatewayKeys jwk.Set) *fileEmployer {
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
	e := &fileEmployer{}
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
				http.Error(w, `{"error":{"code":"signature_invalid"}}`, http.StatusUnauthorized)
				return
			}
			e.mu.Lock()
			e.files = append(e.files, body)
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

// iwos decodes every file received so far and returns its IWOs by tracking
// number; a file that does not decode fails the test.
func (e *fileEmployer) iwos(t *testing.T, l *eiwofile.Layouts) map[string]canonical.IWO {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]canonical.IWO{}
	for _, f := range e.files {
		if !strings.HasPrefix(string(f), "FHI") || !strings.Contains(string(f), "\nBHI") ||
			!strings.Contains(string(f), "\nDTL") || !strings.Contains(string(f), "\nBTI") || !strings.Contains(string(f), "\nFTI") {
			t.Fatalf("not an FHI/BHI/DTL/BTI/FTI file:\n%s", f)
		}
		_, batches, err := l.DecodeIWOFile(f)
		if err != nil {
			t.Fatalf("the gateway's e-IWO file does not decode: %v", err)
		}
		for _, b := range batches {
			if b.Header.EIN != "441234567" {
				t.Errorf("batch for EIN %q", b.Header.EIN)
			}
			for _, iwo := range b.IWOs {
				out[iwo.TrackingNumber] = iwo
			}
		}
	}
	return out
}

// TestEIWOFileEmployer: IWOs to an employer that takes the federal file
// travel inside FHI/BHI/DTL/BTI/FTI; the employer's FHA/BHA/ACK/BTA/FTA file
// with one acceptance and one rejection (no longer employed) updates both
// IWOs, sends the initiating state its news, and puts the rejection in
// review; the same file again changes nothing.
func TestEIWOFileEmployer(t *testing.T) {
	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	gwKeys, err := signing.LoadKeySet(l.GatewayJWKS())
	if err != nil {
		t.Fatal(err)
	}
	if err := devenv.AddPartner(l, devenv.SamplePartner{ID: "initech", Kind: partners.KindEmployer, Name: "Initech Payroll",
		StateFIPS: "34", FEIN: "441234567", Format: eiwofile.Format, Delivery: partners.DeliverPush, Endpoint: "https://127.0.0.1:1"}); err != nil {
		t.Fatal(err)
	}
	emp := startFileEmployer(t, l, "initech", gwKeys)
	d, err := partners.Load(l.PartnersDir())
	if err != nil {
		t.Fatal(err)
	}
	ip, _ := d.Get("initech")
	ip.Endpoint = emp.url
	b, err := partners.Marshal(ip)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, l.PartnersDir()+"/initech.yaml", b)

	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url, Configure: func(c *gateway.Config) {
		c.Casework.EIWOBatchWindow = 0
		c.Workers.PollInterval = 200 * time.Millisecond
	}})
	pool := dbPool(t, url)
	ctx := context.Background()
	pa := g.ClientAs("pa")
	layouts, err := eiwofile.Default()
	if err != nil {
		t.Fatal(err)
	}

	reqs := []canonical.Transaction{
		enfIWO(gatewaytest.MustMessageID("PA-ENF"), "PAFILE1", "441234567", 20000),
		enfIWO(gatewaytest.MustMessageID("PA-ENF"), "PAFILE2", "441234567", 15000),
	}
	for _, tx := range reqs {
		res, err := pa.Post(ctx, encode(t, tx, "json-transaction/1"), "application/json", tx.Header.MessageID)
		if err != nil || res.Error != nil {
			t.Fatalf("post %s: %v %+v", tx.Header.MessageID, err, res.Error)
		}
	}
	var received map[string]canonical.IWO
	waitFor(t, "both IWOs inside e-IWO files", 30*time.Second, func() bool {
		received = emp.iwos(t, layouts)
		return len(received) == 2
	})
	var accepted, rejected canonical.IWO
	for _, iwo := range received {
		if iwo.CurrentChildSupport.Cents == 20000 {
			accepted = iwo
		} else {
			rejected = iwo
		}
	}
	if accepted.DocAction != canonical.IWOOriginal || accepted.LimitState != "34" || accepted.CurrentChildSupport.Frequency != "W" ||
		rejected.CurrentChildSupport.Cents != 15000 || accepted.Employer.EIN != "441234567" {
		t.Fatalf("IWOs received: %+v / %+v", accepted, rejected)
	}
	if n := count(t, pool, `SELECT count(*) FROM eiwo_batch_items WHERE partner = 'initech' AND file_message IS NOT NULL`); n != 2 {
		t.Fatalf("%d documents marked sent in a file", n)
	}
	// Each IWO's own message is delivered with the file that carried it.
	waitFor(t, "documents delivered with their files", 15*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM messages m JOIN eiwo_batch_items b ON b.message_id = m.id
			WHERE b.partner = 'initech' AND m.status = 'delivered'`) == 2
	})

	// The employer answers with one acknowledgment file: one A, one R/N.
	created := time.Now().UTC()
	term := canonical.Date{Year: 2026, Month: 10, Day: 31}
	ackFile, err := layouts.EncodeAckFile(
		eiwofile.Header{Control: "3400000000000000000901", StateFIPS: "36000", EIN: "441234567", Created: created},
		[]eiwofile.AckBatch{{Header: eiwofile.Header{Control: "3400000000000000000902", StateFIPS: "36000", EIN: "441234567", Created: created},
			Acks: []canonical.EmployerAck{
				{TrackingNumber: accepted.TrackingNumber, CaseID: accepted.CaseID, EmployerFEIN: "441234567", Status: canonical.AckAccepted,
					DocAction: canonical.IWOOriginal},
				{TrackingNumber: rejected.TrackingNumber, CaseID: rejected.CaseID, EmployerFEIN: "441234567", Status: canonical.AckRejected,
					DocAction: canonical.IWOOriginal, Reasons: []canonical.AckReason{canonical.AckNoLongerEmployed}, TerminationDate: &term},
			}}})
	if err != nil {
		t.Fatal(err)
	}
	initech := g.ClientAs("initech")
	res, err := initech.Post(ctx, ackFile, "text/plain; charset=us-ascii", partnercodecs.AckFileMessageID("3400000000000000000901"))
	if err != nil || res.Error != nil {
		t.Fatalf("ack file: %v %+v", err, res.Error)
	}
	waitFor(t, "both IWOs updated", 20*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM iwos WHERE tracking_number = $1 AND status = 'accepted'`, accepted.TrackingNumber) == 1 &&
			count(t, pool, `SELECT count(*) FROM iwos WHERE tracking_number = $1 AND status = 'rejected' AND 'N' = ANY(ack_reasons)`, rejected.TrackingNumber) == 1
	})
	var gspud, eswag bool
	waitFor(t, "news for Pennsylvania", 20*time.Second, func() bool {
		page, err := pa.Inbox(ctx, 0, 100)
		if err != nil {
			return false
		}
		for _, m := range page.Messages {
			if strings.Contains(m.Body, "GSPUD") && strings.Contains(m.Body, rejected.TrackingNumber) {
				gspud = strings.Contains(m.Body, "no longer employed")
			}
			if strings.Contains(m.Body, "ESWAG") && strings.Contains(m.Body, accepted.TrackingNumber) {
				eswag = true
			}
		}
		return gspud && eswag
	})
	if n := count(t, pool, `SELECT count(*) FROM review_items WHERE kind = 'iwo_rejected' AND evidence->>'note' LIKE '%no longer employed%'`); n != 1 {
		t.Fatalf("%d review items for the rejection, in words", n)
	}

	// A second file: the employer rejects the accepted IWO after all because
	// New Jersey sent it the same order (M), reports on its own that the
	// employee of the rejected one left (termination notice), and announces
	// a lump sum for the first (lump-sum notice).
	later := created.Add(time.Minute)
	second, err := layouts.EncodeAckFile(
		eiwofile.Header{Control: "3400000000000000000903", StateFIPS: "36000", EIN: "441234567", Created: later},
		[]eiwofile.AckBatch{{Header: eiwofile.Header{Control: "3400000000000000000904", StateFIPS: "36000", EIN: "441234567", Created: later},
			Acks: []canonical.EmployerAck{
				{TrackingNumber: accepted.TrackingNumber, CaseID: accepted.CaseID, EmployerFEIN: "441234567", Status: canonical.AckRejected,
					DocAction: canonical.IWOOriginal, Reasons: []canonical.AckReason{canonical.AckOtherStateIWO}, OtherState: "34"},
				{Notice: canonical.NoticeTermination, CaseID: rejected.CaseID, EmployerFEIN: "441234567", TerminationDate: &term},
				{Notice: canonical.NoticeLumpSum, CaseID: accepted.CaseID, EmployerFEIN: "441234567", LumpSumAmount: 150000,
					LumpSumDate: &canonical.Date{Year: 2026, Month: 12, Day: 15}},
			}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err = initech.Post(ctx, second, "text/plain; charset=us-ascii", partnercodecs.AckFileMessageID("3400000000000000000903"))
	if err != nil || res.Error != nil {
		t.Fatalf("second ack file: %v %+v", err, res.Error)
	}
	waitFor(t, "the second file acted on", 20*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM review_items WHERE kind = 'controlling_order' AND evidence->>'note' LIKE '%same order under an IWO from NJ%'`) == 1 &&
			count(t, pool, `SELECT count(*) FROM review_items WHERE kind = 'employer_lump_sum' AND evidence->>'note' LIKE '%lump sum of $1500.00 on 2026-12-15%'`) == 1 &&
			count(t, pool, `SELECT count(*) FROM iwos WHERE tracking_number = $1 AND status = 'terminated'`, rejected.TrackingNumber) == 1
	})
	waitFor(t, "termination news for Pennsylvania", 20*time.Second, func() bool {
		page, err := pa.Inbox(ctx, 0, 100)
		if err != nil {
			return false
		}
		for _, m := range page.Messages {
			// The information text is wrapped in lines, as CSENet carries it.
			if strings.Contains(m.Body, "GSPUD") && strings.Contains(m.Body, "reports that an employee") && strings.Contains(m.Body, "since 2026-10-31") {
				return true
			}
		}
		return false
	})

	// A file whose trailer count disagrees is refused whole, naming the count.
	lines := strings.Split(string(ackFile), "\n")
	for i, ln := range lines {
		if strings.HasPrefix(ln, "BTA") {
			lines[i] = ln[:30] + "00003" + ln[35:] // Record Count, columns 31-35
		}
	}
	bad := strings.Join(lines, "\n")
	res, err = initech.Post(ctx, []byte(bad), "text/plain; charset=us-ascii", partnercodecs.AckFileMessageID("3400000000000000000911"))
	if err != nil || res.Error == nil || !strings.Contains(res.Error.Error(), "Record Count") {
		t.Fatalf("miscounted file: %v %+v", err, res.Error)
	}
}
