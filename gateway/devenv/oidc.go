package devenv

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/signing"
)

// DevUser is a sample staff member of the development issuer.
type DevUser struct {
	Subject string
	Name    string
	Email   string
	Roles   []string
}

// DevUsers are the people `uifsagw dev` lets you sign in as.
var DevUsers = []DevUser{
	{Subject: "viv", Name: "Viv Viewer", Email: "viv@ocss.example", Roles: []string{"viewer"}},
	{Subject: "casey", Name: "Casey Caseworker", Email: "casey@ocss.example", Roles: []string{"caseworker"}},
	{Subject: "sam", Name: "Sam Supervisor", Email: "sam@ocss.example", Roles: []string{"supervisor"}},
	{Subject: "ada", Name: "Ada Admin", Email: "ada@ocss.example", Roles: []string{"admin"}},
}

// Issuer is a small OpenID Connect provider for development and tests: the
// authorization-code flow with PKCE (S256 only), ES256 ID tokens, and a
// picker of sample users instead of passwords. It is never part of `serve`.
type Issuer struct {
	// URL is the issuer identifier, e.g. http://127.0.0.1:8080/dev/oidc.
	URL      string
	Audience string
	TTL      time.Duration

	key   jwk.Key
	mu    sync.Mutex
	codes map[string]pendingCode
	users map[string]DevUser
}

type pendingCode struct {
	user      DevUser
	challenge string
	redirect  string
	clientID  string
	nonce     string
	expires   time.Time
}

// NewIssuer makes an issuer with a fresh key.
func NewIssuer(issuerURL, audience string) (*Issuer, error) {
	k, err := signing.GenerateKey()
	if err != nil {
		return nil, err
	}
	is := &Issuer{URL: issuerURL, Audience: audience, TTL: 8 * time.Hour, key: k,
		codes: map[string]pendingCode{}, users: map[string]DevUser{}}
	for _, u := range DevUsers {
		is.users[u.Subject] = u
	}
	return is, nil
}

// Keys returns the issuer's public key set.
func (is *Issuer) Keys() jwk.Set {
	set, _ := signing.PublicSet(is.key)
	return set
}

// Mint returns a signed ID token for a sample user (tests and the dev
// banner use it for API calls). ttl <= 0 uses the issuer's TTL.
func (is *Issuer) Mint(subject string, ttl time.Duration) (string, error) {
	u, ok := is.users[subject]
	if !ok {
		return "", errUnknownUser
	}
	return is.mint(u, "", ttl)
}

type devErr string

func (e devErr) Error() string { return string(e) }

const errUnknownUser = devErr("no such sample user")

func (is *Issuer) mint(u DevUser, nonce string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		ttl = is.TTL
	}
	now := time.Now()
	b := jwt.NewBuilder().Issuer(is.URL).Subject(u.Subject).Audience([]string{is.Audience}).
		IssuedAt(now).Expiration(now.Add(ttl)).Claim("name", u.Name).Claim("email", u.Email).Claim("roles", u.Roles)
	if nonce != "" {
		b = b.Claim("nonce", nonce)
	}
	t, err := b.Build()
	if err != nil {
		return "", err
	}
	out, err := jwt.Sign(t, jwt.WithKey(jwa.ES256(), is.key))
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// Handler serves the provider; mount it at the path of URL.
func (is *Issuer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		providerJSON.Write(w, http.StatusOK, map[string]any{
			"issuer":                                is.URL,
			"authorization_endpoint":                is.URL + "/authorize",
			"token_endpoint":                        is.URL + "/token",
			"jwks_uri":                              is.URL + "/jwks",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"ES256"},
			"code_challenge_methods_supported":      []string{"S256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) { providerJSON.Write(w, http.StatusOK, is.Keys()) })
	mux.HandleFunc("GET /authorize", is.authorizePage)
	mux.HandleFunc("POST /authorize", is.authorize)
	mux.HandleFunc("POST /token", is.token)
	return mux
}

var pickerPage = template.Must(template.New("p").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Development sign-in</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto}button{display:block;width:100%;margin:.5rem 0;padding:.7rem;font-size:1rem;text-align:left}</style></head>
<body><h1>Development sign-in</h1><p>This local issuer exists only under <code>uifsagw dev</code>. Choose a sample user:</p>
<form method="post">{{range .Hidden}}<input type="hidden" name="{{.K}}" value="{{.V}}">{{end}}
{{range .Users}}<button name="user" value="{{.Subject}}" id="user-{{.Subject}}">{{.Name}} — {{range .Roles}}{{.}}{{end}}</button>{{end}}
</form></body></html>`))

func (is *Issuer) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("redirect_uri") == "" {
		http.Error(w, "authorization request needs response_type=code, redirect_uri and a PKCE S256 code_challenge", http.StatusBadRequest)
		return
	}
	type kv struct{ K, V string }
	var hidden []kv
	for _, k := range []string{"client_id", "redirect_uri", "state", "code_challenge", "nonce"} {
		hidden = append(hidden, kv{k, q.Get(k)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pickerPage.Execute(w, map[string]any{"Hidden": hidden, "Users": DevUsers})
}

func (is *Issuer) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	u, ok := is.users[r.PostForm.Get("user")]
	if !ok {
		http.Error(w, "unknown user", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(r.PostForm.Get("redirect_uri"))
	if err != nil || (redirect.Scheme != "http" && redirect.Scheme != "https") {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	code := randomToken()
	is.mu.Lock()
	is.codes[code] = pendingCode{user: u, challenge: r.PostForm.Get("code_challenge"), redirect: redirect.String(),
		clientID: r.PostForm.Get("client_id"), nonce: r.PostForm.Get("nonce"), expires: time.Now().Add(time.Minute)}
	is.mu.Unlock()
	q := redirect.Query()
	q.Set("code", code)
	q.Set("state", r.PostForm.Get("state"))
	redirect.RawQuery = q.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func (is *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "authorization_code" {
		providerJSON.Write(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	code := r.PostForm.Get("code")
	is.mu.Lock()
	p, ok := is.codes[code]
	delete(is.codes, code) // a code is good once, whatever happens next
	is.mu.Unlock()
	if !ok || time.Now().After(p.expires) || p.redirect != r.PostForm.Get("redirect_uri") || p.clientID != r.PostForm.Get("client_id") {
		providerJSON.Write(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != p.challenge {
		providerJSON.Write(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"})
		return
	}
	tok, err := is.mint(p.user, p.nonce, 0)
	if err != nil {
		providerJSON.Write(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	providerJSON.Write(w, http.StatusOK, map[string]any{"id_token": tok, "access_token": tok, "token_type": "Bearer",
		"expires_in": int(is.TTL.Seconds())})
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// providerJSON is how a provider answers: tokens and keys are never cached.
var providerJSON = httperr.JSON{ContentType: "application/json", NoStore: true}
