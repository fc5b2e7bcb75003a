package partnerclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/cmd/uifsagw/internal/exitcode"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/transforms"
)

func TestMain(m *testing.M) {
	pgtest.Main(m, pgtest.WithTemplate(exchange.MigrateURL))
}

func TestFreshIDStaysWithinTheLimit(t *testing.T) {
	t.Parallel()
	short, err := FreshID("NJ-EST-1")
	if err != nil || len(short) != len("NJ-EST-1")+9 || !strings.HasPrefix(short, "NJ-EST-1-") {
		t.Fatalf("got %q, %v", short, err)
	}
	// Shortened from the left: the end of an ID, which tells messages
	// apart, stays.
	long, err := FreshID(strings.Repeat("x", canonical.MaxMessageIDLen) + "-END")
	if err != nil || len(long) != canonical.MaxMessageIDLen || long[len(long)-13:len(long)-9] != "-END" {
		t.Fatalf("got %q, %v", long, err)
	}
	if again, _ := FreshID("NJ-EST-1"); again == short {
		t.Fatalf("two fresh IDs are both %s", short)
	}
}

func TestFileIDFollowsTheBytes(t *testing.T) {
	t.Parallel()
	a := FileID("/tmp/batch.csenet", []byte("one"))
	if a != FileID("elsewhere/batch.csenet", []byte("one")) || !strings.HasPrefix(a, "batch-") {
		t.Fatalf("the same file must keep its ID: %s", a)
	}
	if a == FileID("/tmp/batch.csenet", []byte("two")) {
		t.Fatal("a changed file must get a new ID")
	}
	if long := FileID(strings.Repeat("n", 60)+".csenet", nil); len(long) != canonical.MaxMessageIDLen {
		t.Fatalf("%s is %d characters", long, len(long))
	}
}

func TestIdentifyRewritesOnlyTheID(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"header": {"messageId": "NJ-1", "senderCaseId": "NJ-1"}}`,
		"<Header><MessageID>NJ-1</MessageID><SenderCaseID>NJ-1</SenderCaseID></Header>",
	} {
		same, id, err := identify([]byte(body), false)
		if err != nil || id != "NJ-1" || string(same) != body {
			t.Fatalf("%s: id %q err %v", body, id, err)
		}
		fresh, id, err := identify([]byte(body), true)
		if err != nil || !strings.HasPrefix(id, "NJ-1-") {
			t.Fatalf("%s: id %q err %v", body, id, err)
		}
		if want := strings.Replace(body, "NJ-1", id, 1); string(fresh) != want {
			t.Fatalf("got %s, want %s", fresh, want)
		}
	}
	if _, _, err := identify([]byte(`{"header": {}}`), false); err == nil {
		t.Fatal("a message without an ID must be refused before sending")
	}
}

// Send signs and posts over mTLS to a real gateway, as the partner named by
// explicit files, and prints the verified receipt; a second send is a repeat.
func TestSendToAGateway(t *testing.T) {
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: pgtest.NewDB(t)})
	cert, key, jwk := l.Client("nj")
	ca, _ := l.CA()
	id := Identity{Addr: g.PartnerURL(), Cert: cert, Key: key, JWK: jwk, CA: ca, ServerJWKS: l.GatewayJWKS()}
	msgID := gatewaytest.MustMessageID("NJ-EST")
	body, err := transforms.Encode(devenv.SampleEST(msgID, canonical.DateOf(time.Now())), "xml-transaction/1")
	if err != nil {
		t.Fatal(err)
	}
	m := Message{Path: "est.xml", Body: body}
	ctx := context.Background()

	var out, errw bytes.Buffer
	if err := Send(ctx, &out, &errw, m, id.Client); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var got struct {
		Status   int  `json:"status"`
		Repeat   bool `json:"repeat"`
		Verified bool `json:"verified"`
		Receipt  struct {
			MessageID string `json:"messageId"`
		} `json:"receipt"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if got.Status != 202 || got.Repeat || !got.Verified || got.Receipt.MessageID != msgID {
		t.Fatalf("first send: %s", out.String())
	}

	out.Reset()
	if err := Send(ctx, &out, &errw, m, id.Client); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"repeat": true`) || !strings.Contains(errw.String(), "message "+msgID+" was sent before") {
		t.Fatalf("second send: %s / %s", out.String(), errw.String())
	}

	// A message the gateway refuses is printed and ends with status 1.
	other := devenv.SampleEST(msgID, canonical.DateOf(time.Now()))
	other.Header.SenderCaseID = "NJ0000099999"
	conflict, _ := transforms.Encode(other, "xml-transaction/1")
	out.Reset()
	err = Send(ctx, &out, &errw, Message{Path: "est.xml", Body: conflict}, id.Client)
	var e *exitcode.Error
	if !errors.As(err, &e) || e.Code != 1 || !strings.Contains(out.String(), `"code": "conflict"`) {
		t.Fatalf("conflict: err %v, output %s", err, out.String())
	}
}

// Without an identity nothing is sent: the error says how to name one.
func TestIdentityNeedsAPartner(t *testing.T) {
	t.Parallel()
	_, err := Identity{Dir: t.TempDir(), Addr: "https://127.0.0.1:1"}.Client(context.Background())
	if err == nil || !strings.Contains(err.Error(), "--as ID") {
		t.Fatalf("got %v", err)
	}
}
