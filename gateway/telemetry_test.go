package gateway_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func scrape(t *testing.T, g *gatewaytest.Gateway) string {
	t.Helper()
	resp, err := http.Get(g.StaffURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestMetricsAndTraces(t *testing.T) {
	url := pgtest.NewDB(t)
	spans := tracetest.NewInMemoryExporter()
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url, SpanExporters: []sdktrace.SpanExporter{spans},
		// Queue figures are read again at each scrape, so the wait below ends
		// as soon as they show the processed message.
		QueueGaugeTTL: time.Nanosecond})
	pool := dbPool(t, url)
	ctx := context.Background()

	id := gatewaytest.MustMessageID("NJ-EST")
	tx := devenv.SampleEST(id, today())
	body := encode(t, tx, "xml-transaction/1")
	if res, err := g.ClientAs("nj").Post(ctx, body, "application/xml", id); err != nil || res.Error != nil {
		t.Fatalf("post: %v %+v", err, res.Error)
	}
	// A refusal too: the same ID with another body.
	other := devenv.SampleEST(id, today())
	other.Header.SenderCaseID = "NJOTHER"
	_, _ = g.ClientAs("nj").Post(ctx, encode(t, other, "xml-transaction/1"), "application/xml", id)
	// An outbound message to nj, whose endpoint is down: delivery attempts fail.
	if _, err := g.Server.Send(ctx, "test", "nj", csiProvideTo("3400000", gatewaytest.MustMessageID("NY-CSI"))); err != nil {
		t.Fatal(err)
	}
	// A handshake without a client certificate.
	if c, err := tls.Dial("tcp", g.Server.PartnerAddr(), &tls.Config{InsecureSkipVerify: true}); err == nil {
		_, _ = c.Read(make([]byte, 1))
		c.Close()
	}
	waitFor(t, "a failed delivery attempt", 10*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM outbox WHERE last_error <> ''`) == 1
	})
	waitFor(t, "processed", 10*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = 'processed'`, id) == 1
	})
	var text string
	waitFor(t, "the queue gauges to show the processed message", 10*time.Second, func() bool {
		text = scrape(t, g)
		return strings.Contains(text, `uifsagw_queue_depth{status="processed"} 1`)
	})
	// Every metric the dashboard and alerts rely on is exported.
	f, err := os.Open("../deploy/metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name := strings.TrimSpace(sc.Text())
		if name == "" || strings.HasPrefix(name, "#") {
			continue
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `[{ ]`).MatchString(text) {
			t.Errorf("metric %s not exported", name)
		}
	}
	f.Close()
	for _, want := range []string{
		`uifsagw_messages_received_total{function="EST",outcome="new",partner="nj"} 1`,
		`uifsagw_messages_refused_total{code="conflict",partner="nj"} 1`,
		`uifsagw_queue_depth{status="processed"} 1`,
		`uifsagw_certificate_expiry_days{owner="gateway"}`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %s", want)
		}
	}
	// No PII in any label or value: the sample's SSNs and dates of birth.
	for _, pii := range []string{"123456789", "234567890", "345678901", "1988-03-14", "2015-05-20", "Jordan"} {
		if strings.Contains(text, pii) {
			t.Errorf("metrics contain %q", pii)
		}
	}

	// One message's spans form one trace: intake with verify, decode,
	// validate and store beneath it, and the processing that followed.
	if err := g.Server.FlushTraces(ctx); err != nil {
		t.Fatal(err)
	}
	var intakeTrace string
	_ = pool.QueryRow(ctx, `SELECT trace_id FROM messages WHERE sender_message_id = $1 AND direction = 'in'`, id).Scan(&intakeTrace)
	byTrace := map[string][]string{}
	for _, s := range spans.GetSpans() {
		tid := s.SpanContext.TraceID().String()
		byTrace[tid] = append(byTrace[tid], s.Name)
		for _, a := range s.Attributes {
			if strings.Contains(a.Value.String(), "123456789") {
				t.Errorf("span %s attribute %s carries an SSN", s.Name, a.Key)
			}
		}
	}
	got := strings.Join(byTrace[intakeTrace], ",")
	for _, want := range []string{"intake", "verify", "decode", "validate", "store", "process"} {
		if !strings.Contains(got, want) {
			t.Errorf("trace %s lacks span %q: %s", intakeTrace, want, got)
		}
	}
}

func csiProvideTo(to canonical.FIPS, id string) canonical.Transaction {
	tx := canonical.Transaction{Header: canonical.Header{SenderFIPS: "3600000", ReceiverFIPS: to, MessageID: id,
		Serial: 9, TransactionDate: today(), SenderCaseID: "NYCASE1", ReceiverCaseID: "NJCASE1",
		Function: canonical.FuncCaseStatus, Action: canonical.ActProvide, Reason: "FSINF"}}
	statusCase(&tx)
	return tx
}
