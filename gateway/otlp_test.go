package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

// With telemetry.otlp_endpoint set, one message's spans reach an OTLP/HTTP
// collector, tagged with the gateway's service name.
func TestOTLPExport(t *testing.T) {
	var mu sync.Mutex
	names := map[string]bool{}
	service := ""
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "unexpected", http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.Key == "service.name" {
					service = a.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names[s.Name] = true
				}
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	defer collector.Close()

	url := pgtest.NewDB(t)
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: url,
		Configure: func(c *gateway.Config) { c.Telemetry.OTLPEndpoint = collector.URL }})
	ctx := context.Background()
	id := gatewaytest.MustMessageID("NJ-EST")
	if res, err := g.ClientAs("nj").Post(ctx, encode(t, devenv.SampleEST(id, today()), "xml-transaction/1"), "application/xml", id); err != nil || res.Error != nil {
		t.Fatalf("post: %v %+v", err, res.Error)
	}
	pool := dbPool(t, url)
	waitFor(t, "processed", 10*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM messages WHERE sender_message_id = $1 AND status = 'processed'`, id) == 1
	})
	if err := g.Server.FlushTraces(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"intake", "verify", "decode", "validate", "store", "process"} {
		if !names[want] {
			t.Errorf("collector got no %q span (got %v)", want, names)
		}
	}
	if service != g.Config.Name {
		t.Errorf("service.name %q, want %q", service, g.Config.Name)
	}
}
