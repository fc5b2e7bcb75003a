package gatewaytest_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/signing"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, pgtest.WithTemplate(exchange.MigrateURL))
}

// A started gateway answers a sample partner over mTLS with a receipt signed
// by the installation's gateway key, and Stop really stops it.
func TestStartExchangesOneMessageOverMTLS(t *testing.T) {
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: pgtest.NewDB(t)})
	ctx := context.Background()

	id := gatewaytest.MustMessageID("NJ-EST")
	body, err := transforms.Encode(devenv.SampleEST(id, canonical.DateOf(time.Now())), "xml-transaction/1")
	if err != nil {
		t.Fatal(err)
	}
	nj := g.ClientAs("nj")
	res, err := nj.Post(ctx, body, "application/xml", id)
	if err != nil || res.Status != http.StatusAccepted {
		t.Fatalf("post: status %d err %v body %s", res.Status, err, res.Body)
	}
	// The client checked the receipt against the installation's JWKS; check
	// it names this partner and these exact bytes.
	if res.Receipt.Partner != "nj" || res.Receipt.MessageID != id || res.Receipt.BodySHA256 != signing.BodyDigest(body) {
		t.Fatalf("receipt: %+v", res.Receipt)
	}

	g.Stop()
	g.Stop() // a second Stop (the test's cleanup) must not block or fail
	if _, err := nj.Post(ctx, body, "application/xml", id); err == nil {
		t.Fatal("a stopped gateway still answered")
	}
}

// Peer writes an entry the partner directory loads, pinned to the peer's
// gateway certificate.
func TestPeerEntryLoadsPinnedToThePeer(t *testing.T) {
	ny := gatewaytest.Prepare(t, gatewaytest.Options{StateFIPS: "36"})
	ma := gatewaytest.Prepare(t, gatewaytest.Options{StateFIPS: "25"})
	gatewaytest.Peer(t, ny, "ma-gw", ma, "25", "https://127.0.0.1:1", partners.DeliverPush)

	d, err := partners.Load(ny.PartnersDir())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := d.Get("ma-gw")
	if !ok {
		t.Fatal("the peer entry was not loaded")
	}
	certFile, _ := ma.GatewayCert()
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		t.Fatal("the peer's gateway certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasPin(partners.PinOf(cert)) {
		t.Fatalf("the entry is not pinned to the peer's certificate: %v", p.Pins())
	}
	if p.Delivery != partners.DeliverPush || p.Endpoint != "https://127.0.0.1:1" || p.StateFIPS != "25" {
		t.Fatalf("entry: delivery %q endpoint %q state %q", p.Delivery, p.Endpoint, p.StateFIPS)
	}
}
