package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
)

// TestStaffListenerGuards is issue 15 item 10: /metrics can require a bearer
// token, and the staff listener refuses state-changing requests that a
// browser marks as coming from another site (net/http's
// CrossOriginProtection), in front of the CSRF tokens.
func TestStaffListenerGuards(t *testing.T) {
	ctx := context.Background()
	l := gatewaytest.Prepare(t, gatewaytest.Options{})
	g := gatewaytest.Start(t, l, gatewaytest.Listen(t), gatewaytest.Options{DatabaseURL: pgtest.NewDB(t),
		Configure: func(c *gateway.Config) { c.Telemetry.MetricsToken = "scrape-token-123" }})
	do := func(method, path, body string, hdr map[string]string) int {
		t.Helper()
		req, _ := http.NewRequest(method, g.StaffURL()+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {"scrape-token-123", 401}, {"Bearer scrape-token-123", 200}} {
		if got := do("GET", "/metrics", "", map[string]string{"Authorization": c.auth}); got != c.want {
			t.Errorf("/metrics with %q: %d, want %d", c.auth, got, c.want)
		}
	}

	id := gatewaytest.MustMessageID("XORIGIN")
	if res, err := g.ClientAs("nj").Post(ctx, est(t, id, nil), "application/xml", id); err != nil || res.Status != http.StatusAccepted {
		t.Fatalf("post: %v %v", res, err)
	}
	var row int64
	if err := g.Server.Store().Pool().QueryRow(ctx, `SELECT id FROM messages WHERE sender_message_id = $1`, id).Scan(&row); err != nil {
		t.Fatal(err)
	}
	tok, err := g.Issuer.Mint("casey", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/messages/%d/reveal", row)
	body := `{"field":"ncp.ssn","reason":"locate"}`
	base := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
	with := func(k, v string) map[string]string {
		h := map[string]string{k: v}
		for a, b := range base {
			h[a] = b
		}
		return h
	}
	for _, c := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"cross-site by Sec-Fetch-Site", with("Sec-Fetch-Site", "cross-site"), 403},
		{"another origin", with("Origin", "https://evil.example"), 403},
		{"same origin", with("Sec-Fetch-Site", "same-origin"), 200},
		{"an API client without browser headers", base, 200},
	} {
		if got := do("POST", path, body, c.hdr); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	// Reading stays possible across sites (links into the UI).
	if got := do("GET", fmt.Sprintf("/api/messages/%d", row), "", with("Sec-Fetch-Site", "cross-site")); got != 200 {
		t.Errorf("cross-site GET: %d", got)
	}
}
