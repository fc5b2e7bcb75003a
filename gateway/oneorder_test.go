package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// withOrder is a transaction about obligor ncpSSN and child childSSN that
// carries one order of the given tribunal; everyone lives in livesIn.
func withOrder(sender canonical.FIPS, id, caseID string, fn canonical.FunctionCode, reason canonical.ReasonCode,
	ncpSSN, childSSN canonical.SSN, tribunal canonical.FIPS, docket string, issued canonical.Date, weekly canonical.Cents, livesIn string) canonical.Transaction {
	tx := canonical.Transaction{
		Header: canonical.Header{SenderFIPS: sender, ReceiverFIPS: "3600000", MessageID: id, Serial: 1, TransactionDate: today(),
			SenderCaseID: caseID, Function: fn, Action: canonical.ActRequest, Reason: reason},
		NCP: &canonical.NCPIdentification{Name: canonical.Name{First: "Alex", Last: "Order"}, SSN: ncpSSN,
			DateOfBirth: &canonical.Date{Year: 1980, Month: 2, Day: 3}},
		NCPLocate: &canonical.NCPLocate{Residential: &canonical.LocatedAddress{Address: canonical.Address{Line1: "5 Main St", City: "Town", State: livesIn, Zip: "07001"}}},
		Participants: []canonical.Participant{
			{Name: canonical.Name{First: "Sky", Last: "Order"}, Relationship: canonical.RelCustodialParty, ResidenceState: livesIn},
			{Name: canonical.Name{First: "Rowan", Last: "Order"}, SSN: childSSN, DateOfBirth: &canonical.Date{Year: 2017, Month: 8, Day: 1},
				Relationship: canonical.RelChild, ResidenceState: livesIn},
		},
	}
	if docket != "" {
		tx.Orders = []canonical.Order{{TribunalFIPS: tribunal, Docket: docket, DebtType: canonical.DebtChildSupport, IssueDate: issued,
			Amount: weekly, Frequency: canonical.FreqWeekly, Children: []int{1}}}
	}
	return tx
}

func TestOneOrderRules(t *testing.T) {
	g, pool := startNY(t)
	ctx := context.Background()
	nj, pa := g.ClientAs("nj"), g.ClientAs("pa")
	post := func(tx canonical.Transaction, wantStatus string) {
		t.Helper()
		format, ct, cl := "json-transaction/1", "application/json", pa
		if tx.Header.SenderFIPS.State() == "34" {
			format, ct, cl = "xml-transaction/1", "application/xml", nj
		}
		r, err := cl.Post(ctx, encode(t, tx, format), ct, tx.Header.MessageID)
		if err != nil || r.Error != nil {
			t.Fatalf("post %s: %v %+v", tx.Header.MessageID, err, r.Error)
		}
		waitFor(t, tx.Header.MessageID+" "+wantStatus, 15*time.Second, func() bool {
			return count(t, pool, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = $2`, tx.Header.MessageID, wantStatus) == 1
		})
	}
	njOrder := canonical.FIPS("3402100")
	issuedA := canonical.Date{Year: 2019, Month: 3, Day: 1}

	// A New Jersey order for obligor 1 and child 1 is registered in New York.
	a := withOrder("3400000", gatewaytest.MustMessageID("NJ-REG"), "NJCASE500", canonical.FuncEnforce, canonical.ReasonRegistration,
		"111223333", "222334444", njOrder, "FD-02-1234-19", issuedA, 15000, "NJ")
	post(a, "processed")
	if n := count(t, pool, `SELECT count(*) FROM support_orders`); n != 1 {
		t.Fatalf("%d orders registered", n)
	}

	// The same order arrives again (docket written differently): merged.
	again := withOrder("3400000", gatewaytest.MustMessageID("NJ-REG"), "NJCASE500", canonical.FuncEnforce, canonical.ReasonRegistration,
		"111223333", "222334444", njOrder, "fd 02 1234 19", issuedA, 15000, "NJ")
	post(again, "processed")
	if n := count(t, pool, `SELECT count(*) FROM support_orders`); n != 1 {
		t.Fatalf("a repeated order was duplicated: %d orders", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM support_order_sources`); n != 2 {
		t.Fatalf("the repeat was not linked to the order: %d sources", n)
	}

	// Pennsylvania asks New York to establish an order for the same pair:
	// no second order; a review item with the evidence; PA is told.
	est := withOrder("4200000", gatewaytest.MustMessageID("PA-EST"), "PACASE500", canonical.FuncEstablish, "SRORD",
		"111223333", "222334444", "", "", canonical.Date{}, 0, "PA")
	post(est, "needs_review")
	if n := count(t, pool, `SELECT count(*) FROM support_orders`); n != 1 {
		t.Fatalf("an EST request created an order: %d orders", n)
	}
	var evidence []byte
	if err := pool.QueryRow(ctx, `SELECT r.evidence FROM review_items r JOIN messages m ON m.id = r.message_id
		WHERE m.sender_message_id = $1 AND r.kind = 'existing_order'`, est.Header.MessageID).Scan(&evidence); err != nil {
		t.Fatalf("no existing-order review item: %v", err)
	}
	if !strings.Contains(string(evidence), "FD-02-1234-19") {
		t.Fatalf("evidence does not show the existing order: %s", evidence)
	}
	var answer []byte
	waitFor(t, "answer to Pennsylvania", 10*time.Second, func() bool {
		page, err := pa.Inbox(ctx, 0, 50)
		if err != nil {
			return false
		}
		for _, m := range page.Messages {
			if strings.Contains(m.Body, est.Header.MessageID) && strings.Contains(m.Body, `"reason":"ERXOR"`) {
				answer = []byte(m.Body)
				return true
			}
		}
		return false
	})
	if !strings.Contains(string(answer), "FD-02-1234-19") {
		t.Fatalf("the answer does not name the existing order: %s", answer)
	}

	// Pennsylvania then sends its own, later order for the same pair while
	// everyone lives in New Jersey: a controlling-order determination, and
	// New Jersey's order controls (the only tribunal with CEJ, §207(b)(1)).
	b := withOrder("4200000", gatewaytest.MustMessageID("PA-ORD"), "PACASE500", canonical.FuncEnforce, canonical.ReasonRegistration,
		"111223333", "222334444", "4210100", "PA-DR-2022-0777", canonical.Date{Year: 2022, Month: 9, Day: 9}, 18000, "NJ")
	post(b, "needs_review")
	var det struct {
		Determination struct {
			Kind        string
			Rule        string
			Controlling struct{ Docket string }
			Basis       string
		} `json:"determination"`
	}
	if err := pool.QueryRow(ctx, `SELECT r.evidence FROM review_items r JOIN messages m ON m.id = r.message_id
		WHERE m.sender_message_id = $1 AND r.kind = 'controlling_order'`, b.Header.MessageID).Scan(&evidence); err != nil {
		t.Fatalf("no controlling-order review item: %v", err)
	}
	if err := json.Unmarshal(evidence, &det); err != nil {
		t.Fatal(err)
	}
	if det.Determination.Kind != "controlling_order" || det.Determination.Rule != "sole_cej" ||
		det.Determination.Controlling.Docket != "FD-02-1234-19" {
		t.Fatalf("determination: %+v\n%s", det.Determination, evidence)
	}
	if n := count(t, pool, `SELECT count(*) FROM review_items WHERE kind = 'controlling_order'`); n != 1 {
		t.Fatalf("%d controlling-order reviews", n)
	}

	// A caseworker may not confirm it; a supervisor does, through the staff
	// API, and both issuing states are sent the determination.
	var itemID int64
	_ = pool.QueryRow(ctx, `SELECT id FROM review_items WHERE kind = 'controlling_order'`).Scan(&itemID)
	confirm := func(user string) int {
		tok, err := g.Issuer.Mint(user, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/review-items/%d/confirm", g.StaffURL(), itemID),
			strings.NewReader(`{"reason":"facts checked with both states"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := confirm("casey"); code != http.StatusForbidden {
		t.Fatalf("a caseworker confirmed a determination: %d", code)
	}
	if code := confirm("sam"); code != http.StatusOK {
		t.Fatalf("supervisor confirm: %d", code)
	}
	if n := count(t, pool, `SELECT count(*) FROM support_orders WHERE controlling AND docket = 'FD-02-1234-19'`); n != 1 {
		t.Fatal("the registry does not mark New Jersey's order controlling")
	}
	for _, partner := range []string{"nj", "pa"} {
		// The federal notice of a new controlling order (it was MSC P GSCOD).
		if n := count(t, pool, `SELECT count(*) FROM messages WHERE direction = 'out' AND partner = $1 AND function IN ('ENF', 'EST')
			AND action = 'P' AND reason = 'GSCOE' AND canonical #>> '{orders,0,controllingFlag}' = 'D'`, partner); n != 1 {
			t.Fatalf("%d determination notices to %s", n, partner)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE action = 'determination_confirm'`); n != 1 {
		t.Fatalf("%d audit entries for the confirmation", n)
	}
}
