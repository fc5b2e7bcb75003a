package review_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/pgtest"
	"github.com/uifsagw/uifsagw/gateway/review"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
)

// discoveredEnv is a handler configured as in production: only the issuer
// URL, so go-oidc discovers the endpoints and fetches the JWKS itself.
func discoveredEnv(t *testing.T, issuerPath string, discovery http.Handler) (*httptest.Server, *devenv.Issuer) {
	t.Helper()
	store, err := exchange.Open(context.Background(), pgtest.NewDB(t), testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	var h atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	iss, err := devenv.NewIssuer(srv.URL+"/dev/oidc", audience)
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	handler, err := review.NewHandler(review.Config{IssuerURL: srv.URL + issuerPath, ClientID: "uifsagw-ui",
		RedirectURL: srv.URL + "/callback", Audience: audience, SessionKey: []byte(strings.Repeat("k", 32))},
		review.Deps{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/dev/oidc/", http.StripPrefix("/dev/oidc", iss.Handler()))
	if discovery != nil {
		mux.Handle(issuerPath+"/.well-known/openid-configuration", discovery)
	}
	mux.Handle("/", handler)
	h.Store(http.Handler(mux))
	return srv, iss
}

func get(t *testing.T, c *http.Client, u, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestSignInThroughDiscovery is issue 15 item 9: staff sign-in runs on
// github.com/coreos/go-oidc and golang.org/x/oauth2 against a provider known
// only by its issuer URL: discovery, the code flow with PKCE and nonce, the
// remote JWKS. Forged tokens (alg none, HMAC keyed with the public key) are
// refused.
func TestSignInThroughDiscovery(t *testing.T) {
	t.Parallel()
	srv, iss := discoveredEnv(t, "/dev/oidc", nil)
	good, err := iss.Mint("casey", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if st, body := get(t, http.DefaultClient, srv.URL+"/api/me", "Bearer "+good); st != 200 {
		t.Fatalf("a token of the discovered provider: %d %s", st, body)
	}
	parts := strings.Split(good, ".")
	b64 := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	none := b64(map[string]string{"alg": "none", "typ": "JWT"}) + "." + parts[1] + "."
	pub, _ := json.Marshal(iss.Keys())
	hs := b64(map[string]string{"alg": "HS256", "typ": "JWT"}) + "." + parts[1]
	mac := hmacSHA256(pub, []byte(hs))
	for name, tok := range map[string]string{"alg none": none, "HS256 keyed with the public JWKS": hs + "." + mac} {
		if st, _ := get(t, http.DefaultClient, srv.URL+"/api/me", "Bearer "+tok); st != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, st)
		}
	}

	// The browser flow: /login → the provider's page → /callback → session.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	authz := resp.Request.URL
	if !strings.HasSuffix(authz.Path, "/dev/oidc/authorize") || authz.Query().Get("code_challenge_method") != "S256" ||
		authz.Query().Get("nonce") == "" {
		t.Fatalf("login went to %s", authz)
	}
	form := url.Values{"user": {"casey"}}
	for _, k := range []string{"client_id", "redirect_uri", "state", "code_challenge", "nonce"} {
		form.Set(k, authz.Query().Get(k))
	}
	resp, err = c.PostForm(srv.URL+"/dev/oidc/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		t.Fatalf("sign-in ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	if st, body := get(t, c, srv.URL+"/api/me", ""); st != 200 || !strings.Contains(body, "casey") {
		t.Fatalf("session after sign-in: %d %s", st, body)
	}
}

// A discovery document that names another issuer is not the provider's own
// (OpenID Connect Discovery §4.3): sign-in does not start.
func TestDiscoveryOfAnotherIssuerRefused(t *testing.T) {
	t.Parallel()
	fake := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"https://evil.example","authorization_endpoint":"https://evil.example/a",` +
			`"token_endpoint":"https://evil.example/t","jwks_uri":"https://evil.example/k"}`))
	})
	srv, _ := discoveredEnv(t, "/fake", fake)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if st, _ := get(t, c, srv.URL+"/login", ""); st != http.StatusBadGateway {
		t.Fatalf("login with a foreign discovery document: %d, want 502", st)
	}
}

func hmacSHA256(key, msg []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
