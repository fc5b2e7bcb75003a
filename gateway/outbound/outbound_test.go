package outbound_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/outbound"
	"github.com/uifsagw/uifsagw/gateway/partnercodecs"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
	"github.com/uifsagw/uifsagw/transforms/jsontx"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, pgtest.WithTemplate(exchange.MigrateURL))
}

// directory is one pull partner (New Jersey) and one push partner (Pennsylvania).
func directory(t *testing.T) *partners.Directory {
	t.Helper()
	dir := t.TempDir()
	key, err := signing.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := signing.PublicSet(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := signing.WriteJSON(filepath.Join(dir, "k.json"), pub, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"nj.yaml": "id: nj\nkind: state\nstate_fips: \"34\"\nformat: " + jsontx.Format + "\ndelivery: pull\n" +
			"tls: {pins: [\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"]}\njwks_file: k.json\n",
		"pa.yaml": "id: pa\nkind: state\nstate_fips: \"42\"\nformat: " + jsontx.Format + "\ndelivery: push\n" +
			"endpoint: https://pa.example/v1/messages\ntls: {pins: [\"uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=\"]}\njwks_file: k.json\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := partners.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newSender(t *testing.T) (*outbound.Sender, *exchange.Store) {
	t.Helper()
	store := gatewaytest.Store(t)
	d := directory(t)
	combos := validate.DefaultCombos()
	return outbound.New(outbound.Deps{Directory: func() *partners.Directory { return d }, Encoder: partnercodecs.New(),
		Store: store, Validate: func(tx *canonical.Transaction) canonical.FieldErrors { return validate.With(tx, combos) }}), store
}

// statusRequest is a case status request (CSI R FRINF) from New York.
func statusRequest(to, id string) canonical.Transaction {
	return canonical.Transaction{Header: canonical.Header{SenderFIPS: "3600000", ReceiverFIPS: canonical.FIPS(to + "00000"),
		MessageID: id, Serial: 1, TransactionDate: canonical.DateOf(time.Now()), SenderCaseID: "NYCASE001",
		ReceiverCaseID: "XCASE001", Function: canonical.FuncCaseStatus, Action: canonical.ActRequest, Reason: "FRINF"}}
}

func TestSend(t *testing.T) {
	ctx := context.Background()
	s, store := newSender(t)
	for _, tt := range []struct {
		partner string
		want    exchange.Status
	}{{"nj", exchange.StatusAwaitingPickup}, {"pa", exchange.StatusQueued}} {
		id, err := s.Send(ctx, "casey", tt.partner, statusRequest(map[string]string{"nj": "34", "pa": "42"}[tt.partner], "NY-OUT-"+tt.partner))
		if err != nil {
			t.Fatalf("%s: %v", tt.partner, err)
		}
		m, err := store.GetMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Partner != tt.partner || m.Status != tt.want || m.Format != jsontx.Format || m.Direction != exchange.DirOut {
			t.Errorf("%s: queued %+v", tt.partner, m)
		}
	}
	audit, err := store.AuditEntries(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 || audit[0].Actor != "casey" || audit[0].Action != "send" {
		t.Fatalf("audit %+v", audit)
	}
	var details map[string]string
	if err := json.Unmarshal(audit[0].Details, &details); err != nil ||
		details["partner"] != "pa" || details["messageId"] != "NY-OUT-pa" || details["function"] != "CSI" {
		t.Errorf("audit details %s (%v)", audit[0].Details, err)
	}
}

func TestSendRefusals(t *testing.T) {
	ctx := context.Background()
	s, store := newSender(t)
	if _, err := s.Send(ctx, "casey", "zz", statusRequest("34", "NY-OUT-ZZ")); !errors.Is(err, exchange.ErrInvalid) {
		t.Errorf("unknown partner: %v, want ErrInvalid", err)
	}
	bad := statusRequest("34", "NY-OUT-BAD")
	bad.Header.Reason = "NOSUCH"
	_, err := s.Send(ctx, "casey", "nj", bad)
	var fes canonical.FieldErrors
	if !errors.As(err, &fes) || len(fes) == 0 {
		t.Errorf("a transaction failing the federal edits: %v, want field errors", err)
	}
	counts, err := store.CountByStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for st, n := range counts {
		if n != 0 {
			t.Errorf("%d %s messages after refusals, want none queued", n, st)
		}
	}
	if audit, err := store.AuditEntries(ctx, 0, 10); err != nil || len(audit) != 0 {
		t.Errorf("refusals audited as sends: %+v, %v", audit, err)
	}
}
