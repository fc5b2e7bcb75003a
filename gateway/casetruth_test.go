package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/courier"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
)

// truthWorld is a New York gateway with New Jersey as a second gateway (push
// both ways), Pennsylvania as a pull partner and Acme (NJ) as a pull employer.
type truthWorld struct {
	ny, nj     *gatewaytest.Gateway
	nyDB, njDB *pgxpool.Pool
	pa, acme   *courier.Client
}

func newTruthWorld(t *testing.T) *truthWorld {
	t.Helper()
	nyURL, njURL := pgtest.NewDB(t), pgtest.NewDB(t)
	nyLay := gatewaytest.Prepare(t, gatewaytest.Options{}) // nj, pa and acme samples
	njLay := gatewaytest.Prepare(t, gatewaytest.Options{StateFIPS: "34", Partners: []devenv.SamplePartner{}})
	nyLis, njLis := gatewaytest.Listen(t), gatewaytest.Listen(t)
	// New Jersey is its own gateway: its entry in New York's directory is replaced by the peer's.
	gatewaytest.Peer(t, nyLay, "nj", njLay, "34", njLis.PartnerURL(), partners.DeliverPush)
	gatewaytest.Peer(t, njLay, "ny", nyLay, "36", nyLis.PartnerURL(), partners.DeliverPush)
	w := &truthWorld{nyDB: dbPool(t, nyURL), njDB: dbPool(t, njURL)}
	w.ny = gatewaytest.Start(t, nyLay, nyLis, gatewaytest.Options{DatabaseURL: nyURL})
	w.nj = gatewaytest.Start(t, njLay, njLis, gatewaytest.Options{StateFIPS: "34", DatabaseURL: njURL})
	w.pa, w.acme = w.ny.ClientAs("pa"), w.ny.ClientAs("acme")
	return w
}

// fromNJ sends tx from the New Jersey gateway and waits until New York has decided it.
func (w *truthWorld) fromNJ(t *testing.T, tx canonical.Transaction, status string) {
	t.Helper()
	if _, err := w.nj.Server.Send(context.Background(), "test", "ny", tx); err != nil {
		t.Fatal(err)
	}
	w.decided(t, "nj", tx.Header.MessageID, status)
}

// fromPA posts tx as Pennsylvania and waits until New York has decided it.
func (w *truthWorld) fromPA(t *testing.T, tx canonical.Transaction, status string) {
	t.Helper()
	r, err := w.pa.Post(context.Background(), encode(t, tx, "json-transaction/1"), "application/json", tx.Header.MessageID)
	if err != nil || r.Error != nil {
		t.Fatalf("post %s: %v %+v", tx.Header.MessageID, err, r.Error)
	}
	w.decided(t, "pa", tx.Header.MessageID, status)
}

// decided polls New York's database until the message has its final
// status: the decision is written by the casework processor, which sends
// no notification of it (and whose package this helper does not reach into).
func (w *truthWorld) decided(t *testing.T, partner, id, status string) {
	t.Helper()
	var got, note string
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := w.nyDB.QueryRow(context.Background(), `SELECT m.status, coalesce((SELECT h.note FROM message_history h
			WHERE h.message_id = m.id ORDER BY h.id DESC LIMIT 1), '') FROM messages m
			WHERE m.partner = $1 AND m.direction = 'in' AND m.sender_message_id = $2`, partner, id).Scan(&got, &note)
		if err == nil && got == status {
			return
		}
		if err == nil && got != "received" && got != "processing" {
			t.Fatalf("%s %s: %s (%s), want %s", partner, id, got, note, status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s %s %s (now %s %v)", partner, id, status, got, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// staff calls New York's staff API as user and decodes the JSON answer into out.
func (w *truthWorld) staff(t *testing.T, user, method, path, body string, out any) int {
	t.Helper()
	tok, err := w.ny.Issuer.Mint(user, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, w.ny.StaffURL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if s, ok := out.(*string); ok {
			*s = string(b)
		} else if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

// paInbox waits for a message in Pennsylvania's inbox that satisfies match and returns it decoded.
func (w *truthWorld) paInbox(t *testing.T, what string, match func(canonical.Transaction) bool) canonical.Transaction {
	t.Helper()
	var got canonical.Transaction
	waitFor(t, what, 20*time.Second, func() bool {
		page, err := w.pa.Inbox(context.Background(), 0, 100)
		if err != nil {
			return false
		}
		for _, m := range page.Messages {
			tx, errs := transforms.Decode("json-transaction/1", []byte(m.Body))
			if len(errs) == 0 && match(tx) {
				got = tx
				return true
			}
		}
		return false
	})
	return got
}

const (
	truthNCP   canonical.SSN = "111223333"
	truthChild canonical.SSN = "222334444"
)

// One family, two states' orders, a determination, a case ID change, an IWO
// and an employer's answer: the notices, the IWO, the worksheet and the case
// page must say the same thing, and each partner must get its own case ID.
func TestCaseFlowsTellTheTruth(t *testing.T) {
	w := newTruthWorld(t)
	ctx := context.Background()
	njOrder := canonical.FIPS("3402100")

	// 1. New Jersey registers its order (docket written with a '#').
	reg := withOrder("3400000", gatewaytest.MustMessageID("NJ-REG"), "NJCASE500", canonical.FuncEnforce, canonical.ReasonRegistration,
		truthNCP, truthChild, njOrder, "FD#02-1234-19", canonical.Date{Year: 2019, Month: 3, Day: 1}, 15000, "NJ")
	w.fromNJ(t, reg, "processed")
	var ours string
	if err := w.nyDB.QueryRow(ctx, `SELECT case_id FROM case_xref WHERE partner = 'nj' AND partner_case_id = 'NJCASE500'`).Scan(&ours); err != nil {
		t.Fatalf("no New York case for New Jersey's case: %v", err)
	}
	if !strings.HasPrefix(ours, "NY") || len(ours) > canonical.MaxCaseIDLen {
		t.Fatalf("our case ID %q", ours)
	}

	// 2. New Jersey changes its case ID (MSC P GSCAS naming our case; the new
	// ID in the information block, as the CSENet layout has it, and in the
	// header, where the /1 format New Jersey speaks here carries it).
	chg := canonical.Transaction{Header: canonical.Header{SenderFIPS: "3400000", ReceiverFIPS: "3600000",
		MessageID: gatewaytest.MustMessageID("NJ-CAS"), Serial: 2, TransactionDate: today(), SenderCaseID: "NJNEW600",
		ReceiverCaseID: ours, Function: canonical.FuncManageCases, Action: canonical.ActProvide, Reason: canonical.ReasonChangeCaseID},
		Case: &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen,
			Contact: &canonical.Contact{Name: &canonical.Name{First: "Casey", Last: "Worker"}, Phone: "6095550100",
				Address: &canonical.Address{Line1: "1 Agency Plaza", City: "Trenton", State: "NJ", Zip: "08608"}}},
		NCP: &canonical.NCPIdentification{Name: canonical.Name{First: "Alex", Last: "Order"}, SSN: truthNCP,
			DateOfBirth: &canonical.Date{Year: 1980, Month: 2, Day: 3}},
		Information: &canonical.Information{NewCaseID: "NJNEW600", Text: "Our case NJCASE500 is now NJNEW600."}}
	w.fromNJ(t, chg, "processed")

	// 3. Pennsylvania registers its own, later order for the same family (one
	// case for us, whatever its case ID); everyone lives in New Jersey.
	paReg := withOrder("4200000", gatewaytest.MustMessageID("PA-ORD"), "PACASE500", canonical.FuncEnforce, canonical.ReasonRegistration,
		truthNCP, truthChild, "4210100", "PA-DR-2022-0777", canonical.Date{Year: 2022, Month: 9, Day: 9}, 18000, "NJ")
	w.fromPA(t, paReg, "needs_review")

	// 4. New Jersey writes about the same two orders (its docket spelt "FD 02
	// 1234 19" now): a second controlling-order review of the same question.
	both := withOrder("3400000", gatewaytest.MustMessageID("NJ-REG"), "NJNEW600", canonical.FuncEnforce, canonical.ReasonRegistration,
		truthNCP, truthChild, njOrder, "FD 02 1234 19", canonical.Date{Year: 2019, Month: 3, Day: 1}, 15000, "NJ")
	both.Orders = append(both.Orders, canonical.Order{TribunalFIPS: "4210100", Docket: "PA-DR-2022-0777", Type: canonical.OrderJudicial, DebtType: canonical.DebtChildSupport,
		IssueDate: canonical.Date{Year: 2022, Month: 9, Day: 9}, EffectiveDate: &canonical.Date{Year: 2022, Month: 9, Day: 9}, MedicalOrdered: canonical.No, Amount: 18000, Frequency: canonical.FreqWeekly, Children: []int{1}})
	w.fromNJ(t, both, "needs_review")
	if n := count(t, w.nyDB, `SELECT count(*) FROM support_orders`); n != 2 {
		t.Fatalf("%d registry orders; one docket spelt three ways is one order", n)
	}
	if n := count(t, w.nyDB, `SELECT count(*) FROM review_items WHERE kind = 'controlling_order' AND state <> 'resolved'`); n != 2 {
		t.Fatalf("%d open controlling-order reviews, want the two twins", n)
	}
	if n := count(t, w.nyDB, `SELECT count(DISTINCT case_id) FROM case_xref`); n != 1 {
		t.Fatalf("one family is split over %d cases", n)
	}

	// 5. A supervisor confirms the first review: both are resolved, both
	// messages move on, and every view shows the same state.
	var first int64
	if err := w.nyDB.QueryRow(ctx, `SELECT min(id) FROM review_items WHERE kind = 'controlling_order'`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	if code := w.staff(t, "sam", http.MethodPost, fmt.Sprintf("/api/review-items/%d/confirm", first), `{"reason":"facts checked"}`, nil); code != http.StatusOK {
		t.Fatalf("confirm: %d", code)
	}
	if n := count(t, w.nyDB, `SELECT count(*) FROM review_items WHERE kind = 'controlling_order' AND state <> 'resolved'`); n != 0 {
		t.Fatalf("%d controlling-order reviews still open after the decision", n)
	}
	if n := count(t, w.nyDB, `SELECT count(*) FROM messages WHERE direction = 'in' AND sender_message_id = ANY($1) AND status = 'processed'`,
		[]string{paReg.Header.MessageID, both.Header.MessageID}); n != 2 {
		t.Fatalf("%d of the two messages left needs_review", n)
	}
	var resolutions []string
	rows, _ := w.nyDB.Query(ctx, `SELECT resolution FROM review_items WHERE kind = 'controlling_order' ORDER BY id`)
	for rows.Next() {
		var r string
		_ = rows.Scan(&r)
		resolutions = append(resolutions, r)
	}
	rows.Close()
	if len(resolutions) != 2 || !strings.HasPrefix(resolutions[1], resolutions[0]) || !strings.Contains(resolutions[0], "docket FD#02-1234-19") {
		t.Fatalf("resolutions %q", resolutions)
	}

	// 6. The notices: each state gets New York's case ID as the sender's and
	// its own (New Jersey's new one) as the receiver's, and no internal IDs.
	var njNotice struct{ sender, receiver, canon string }
	waitFor(t, "notice at New Jersey", 20*time.Second, func() bool {
		return w.njDB.QueryRow(ctx, `SELECT sender_case_id, receiver_case_id, canonical::text FROM messages
			WHERE partner = 'ny' AND direction = 'in' AND function IN ('ENF', 'EST') AND reason = $1`, string(canonical.ReasonNewControllingOrder)).
			Scan(&njNotice.sender, &njNotice.receiver, &njNotice.canon) == nil
	})
	if njNotice.sender != ours || njNotice.receiver != "NJNEW600" {
		t.Fatalf("notice to New Jersey carries case IDs %q / %q, want %q / NJNEW600", njNotice.sender, njNotice.receiver, ours)
	}
	paNotice := w.paInbox(t, "notice to Pennsylvania", func(tx canonical.Transaction) bool {
		return tx.Header.Reason == canonical.ReasonNewControllingOrder
	})
	if paNotice.Header.SenderCaseID != ours || paNotice.Header.ReceiverCaseID != "PACASE500" {
		t.Fatalf("notice to Pennsylvania carries case IDs %q / %q", paNotice.Header.SenderCaseID, paNotice.Header.ReceiverCaseID)
	}
	// GSCOE names the controlling order in its order block (flag D), by
	// tribunal and docket; it carries no information block, and nothing in
	// it is a registry row ID.
	noticeJSON, err := json.Marshal(paNotice)
	if err != nil {
		t.Fatal(err)
	}
	var orderIDs []int64
	rows, _ = w.nyDB.Query(ctx, `SELECT id FROM support_orders`)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		orderIDs = append(orderIDs, id)
	}
	rows.Close()
	for _, id := range orderIDs {
		if strings.Contains(string(noticeJSON), fmt.Sprintf("order %d", id)) {
			t.Fatalf("notice names registry row %d: %s", id, noticeJSON)
		}
	}
	// GSCOE flags the order D; the /1 format Pennsylvania reads here has only
	// "controlling", which reads back as flagged.
	if len(paNotice.Orders) != 1 || paNotice.Orders[0].ControllingFlag == "" ||
		paNotice.Orders[0].TribunalFIPS != njOrder || orders.NormalizeDocket(paNotice.Orders[0].Docket) != orders.NormalizeDocket("FD#02-1234-19") {
		t.Fatalf("notice does not name the controlling order by tribunal and docket: %+v", paNotice.Orders)
	}

	// 7. Pennsylvania asks for income withholding under New Jersey's
	// controlling order from Acme (New Jersey): the IWO is New York's, for our case.
	enf := enfIWO(gatewaytest.MustMessageID("PA-ENF"), "PACASE500", "221234567", 20000)
	enf.NCP.SSN, enf.Participants[1].SSN = truthNCP, truthChild
	enf.Orders = []canonical.Order{{TribunalFIPS: njOrder, Docket: "FD-02-1234-19", Type: canonical.OrderJudicial, DebtType: canonical.DebtChildSupport,
		IssueDate: canonical.Date{Year: 2019, Month: 3, Day: 1}, Amount: 20000, Frequency: canonical.FreqWeekly, ControllingFlag: canonical.ControllingPresumed, Children: []int{1}}}
	w.fromPA(t, enf, "processed")
	var item courier.InboxItem
	waitFor(t, "IWO in Acme's inbox", 20*time.Second, func() bool {
		page, err := w.acme.Inbox(ctx, 0, 10)
		if err != nil || len(page.Messages) == 0 {
			return false
		}
		item = page.Messages[0]
		return true
	})
	iwo, errs := transforms.DecodeIWO("eiwo-xml/1", []byte(item.Body))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if iwo.CaseID != ours || iwo.RemittanceID != ours || iwo.LimitState != "34" {
		t.Fatalf("IWO case %q remittance %q limit state %q", iwo.CaseID, iwo.RemittanceID, iwo.LimitState)
	}
	if n := count(t, w.nyDB, `SELECT count(*) FROM messages WHERE direction = 'out' AND partner = 'acme' AND sender_message_id = $1
		AND sender_case_id = $2 AND receiver_case_id = ''`, iwo.TrackingNumber, ours); n != 1 {
		t.Fatal("the IWO document does not carry New York's case as the sender's")
	}

	// 8. The worksheet, asked by control number, applies the same law and
	// limit as the IWO (second family not known: the lower limit).
	var ws struct {
		Tracking     string
		Law          string
		LimitPercent int
		Allocation   struct {
			CapPercent int
			Available  canonical.Cents
		}
		IWOs []struct {
			CaseID       string
			LimitPercent int
		}
	}
	q := url.Values{"tracking": {iwo.ControlNumber}, "disposable": {"300.00"}, "frequency": {"W"}}
	if code := w.staff(t, "viv", http.MethodGet, "/api/worksheets/allocation?"+q.Encode(), "", &ws); code != http.StatusOK {
		t.Fatalf("worksheet by control number: %d", code)
	}
	if ws.Tracking != iwo.TrackingNumber || ws.LimitPercent != iwo.LimitPercent || ws.Allocation.CapPercent != iwo.LimitPercent ||
		len(ws.IWOs) != 1 || ws.IWOs[0].CaseID != ours || ws.IWOs[0].LimitPercent != iwo.LimitPercent || !strings.HasPrefix(ws.Law, "NJ law") {
		t.Fatalf("worksheet %+v disagrees with the IWO (limit %d%%, case %s)", ws, iwo.LimitPercent, iwo.CaseID)
	}
	if ws.Allocation.Available != 15000 { // 50% of $300
		t.Fatalf("worksheet withholds %d", ws.Allocation.Available)
	}
	var sheet string
	w.staff(t, "viv", http.MethodGet, "/worksheets/allocation?"+q.Encode(), "", &sheet)
	for _, want := range []string{"NJ law", iwo.TrackingNumber, iwo.ControlNumber, ours, fmt.Sprintf("%d%%", iwo.LimitPercent), "Not known (lower limit, as on the IWO)"} {
		if !strings.Contains(sheet, want) {
			t.Fatalf("worksheet page lacks %q", want)
		}
	}
	var notFound struct {
		Error struct{ Code, Message string }
	}
	q.Set("tracking", "NYC9999999999")
	if code := w.staff(t, "viv", http.MethodGet, "/api/worksheets/allocation?"+q.Encode(), "", &notFound); code != http.StatusNotFound ||
		!strings.Contains(notFound.Error.Message, `tracking or control number "NYC9999999999"`) {
		t.Fatalf("unknown number: %d %+v", code, notFound)
	}
	var page string
	w.staff(t, "viv", http.MethodGet, "/worksheets/allocation?"+q.Encode(), "", &page)
	if !strings.Contains(page, "No income withholding order in force has tracking or control number") || strings.Contains(page, "exchange:") {
		t.Fatalf("worksheet page for an unknown number:\n%s", page)
	}

	// 9. Acme accepts; Pennsylvania hears of it under its own case ID.
	if _, err := w.acme.Ack(ctx, []string{item.ID}); err != nil {
		t.Fatal(err)
	}
	ack := canonical.EmployerAck{TrackingNumber: iwo.TrackingNumber, ControlNumber: iwo.ControlNumber, EmployerFEIN: "221234567",
		Status: canonical.AckAccepted, AckDate: today()}
	ackBody, err := transforms.EncodeAck(ack, "eiwo-xml/1")
	if err != nil {
		t.Fatal(err)
	}
	codec, _ := transforms.LookupIWO("eiwo-xml/1")
	if r, err := w.acme.Post(ctx, ackBody, codec.ContentType(), "ACK-"+iwo.TrackingNumber); err != nil || r.Error != nil {
		t.Fatalf("ack: %v %+v", err, r.Error)
	}
	news := w.paInbox(t, "employer's answer for Pennsylvania", func(tx canonical.Transaction) bool {
		return tx.Header.Reason == canonical.ReasonWithholdingEstablished
	})
	if news.Header.SenderCaseID != ours || news.Header.ReceiverCaseID != "PACASE500" {
		t.Fatalf("news to Pennsylvania carries case IDs %q / %q", news.Header.SenderCaseID, news.Header.ReceiverCaseID)
	}

	// 10. The case page, opened by Pennsylvania's case ID, is our case.
	var cv struct {
		CaseID         string
		PartnerCaseIDs []struct {
			Partner, CaseID string
			Current         bool
		}
		Participants []struct {
			Role, SSN, DateOfBirth string
		}
		Messages []struct {
			Partner, MessageID string
		}
		Orders []struct {
			Docket, Controlling string
		}
		IWOs []struct{ TrackingNumber, ControlNumber string }
	}
	if code := w.staff(t, "viv", http.MethodGet, "/api/cases/PACASE500", "", &cv); code != http.StatusOK {
		t.Fatalf("case page: %d", code)
	}
	if cv.CaseID != ours {
		t.Fatalf("case %q, want %q", cv.CaseID, ours)
	}
	ids := map[string]bool{}
	for _, x := range cv.PartnerCaseIDs {
		ids[fmt.Sprintf("%s %s %v", x.Partner, x.CaseID, x.Current)] = true
	}
	for _, want := range []string{"nj NJNEW600 true", "nj NJCASE500 false", "pa PACASE500 true"} {
		if !ids[want] {
			t.Errorf("partners' case IDs %v lack %q", ids, want)
		}
	}
	masked := false
	for _, p := range cv.Participants {
		if strings.Contains(p.SSN, "111223333") || strings.Contains(p.SSN, "222334444") || (p.DateOfBirth != "" && p.DateOfBirth != "****-**-**") {
			t.Fatalf("participant not masked: %+v", p)
		}
		masked = masked || p.SSN == "***-**-3333"
	}
	if len(cv.Participants) < 3 || !masked {
		t.Fatalf("participants %+v", cv.Participants)
	}
	controls := map[string]string{}
	for _, o := range cv.Orders {
		controls[o.Docket] = o.Controlling
	}
	if len(controls) != 2 || controls["FD#02-1234-19"] != "confirmed" || controls["PA-DR-2022-0777"] != "" {
		t.Fatalf("orders on the case page %+v", cv.Orders)
	}
	// Every IWO document among the exchanges is in the IWO list, and back.
	listed := map[string]bool{}
	for _, d := range cv.IWOs {
		listed[d.TrackingNumber] = true
	}
	docs := 0
	for _, m := range cv.Messages {
		if m.Partner == "acme" {
			docs++
			if !listed[m.MessageID] && !strings.HasPrefix(m.MessageID, "ACK-") {
				t.Errorf("exchange %s with Acme is not among the case's IWOs %v", m.MessageID, listed)
			}
		}
	}
	if len(cv.IWOs) != 1 || !listed[iwo.TrackingNumber] || docs == 0 {
		t.Fatalf("IWOs %+v, %d Acme exchanges", cv.IWOs, docs)
	}
	var html string
	w.staff(t, "viv", http.MethodGet, "/cases/"+ours, "", &html)
	for _, bad := range []string{"No IWOs sent", "111223333", "111-22-3333", "222334444"} {
		if strings.Contains(html, bad) {
			t.Fatalf("case page shows %q", bad)
		}
	}
	for _, want := range []string{"NJNEW600", "PACASE500", iwo.TrackingNumber, "***-**-3333", "FD#02-1234-19"} {
		if !strings.Contains(html, want) {
			t.Fatalf("case page lacks %q", want)
		}
	}

	// 11. The queue's partner filter ignores case.
	var upper, lower struct{ Items []struct{ Partner string } }
	w.staff(t, "viv", http.MethodGet, "/api/messages?partner=NJ", "", &upper)
	w.staff(t, "viv", http.MethodGet, "/api/messages?partner=nj", "", &lower)
	if len(upper.Items) == 0 || len(upper.Items) != len(lower.Items) {
		t.Fatalf("partner NJ finds %d messages, nj %d", len(upper.Items), len(lower.Items))
	}
}
