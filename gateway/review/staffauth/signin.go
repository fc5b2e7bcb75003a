package staffauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/uifsagw/uifsagw/gateway/httperr"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// The names the sign-in uses in cookies, headers and forms.
const (
	SessionCookie = "uifsagw_session"
	loginCookie   = "uifsagw_login"
	CSRFHeader    = "X-CSRF-Token"
	CSRFField     = "csrf"
)

// Session is the signed-in person of one request.
type Session struct {
	Staff Staff
	// Token is the verified token; CSRF is derived from it.
	Token string
	// Cookie says the credential came from the session cookie (ambient,
	// so state changes need the CSRF token) rather than a bearer header.
	Cookie bool
	CSRF   string
}

// Config is the sign-in's side of the staff UI's configuration.
type Config struct {
	IssuerURL, AuthorizationURL, TokenURL, JWKSURL string
	ClientID, ClientSecret, RedirectURL            string
	Scopes                                         []string
	// SessionKey keys the CSRF tokens and the sign-in cookie.
	SessionKey []byte
	Secure     bool
	HTTPClient *http.Client
}

// SignIn signs staff in through the agency's OpenID Connect provider (the
// authorization-code flow with PKCE) and recognises them on each request,
// by the session cookie or a bearer token.
type SignIn struct {
	cfg   Config
	ver   *Verifier
	verMu sync.Mutex
	oidc  *oidcClient
	log   *slog.Logger
}

// NewSignIn returns the sign-in of cfg, checking tokens with ver.
func NewSignIn(cfg Config, ver *Verifier, log *slog.Logger) *SignIn {
	return &SignIn{cfg: cfg, ver: ver, log: log, oidc: &oidcClient{issuer: strings.TrimRight(cfg.IssuerURL, "/"),
		auth: cfg.AuthorizationURL, token: cfg.TokenURL, jwks: cfg.JWKSURL, client: cfg.HTTPClient}}
}

// Issuer is the provider's issuer URL without a trailing slash.
func (h *SignIn) Issuer() string { return h.oidc.issuer }

// CSRFValid reports whether got is the form token of session s.
func (h *SignIn) CSRFValid(s *Session, got string) bool {
	return csrfValid(h.cfg.SessionKey, s.Token, got)
}

// Authenticate recognises the person of r: a bearer token, or the session cookie.
func (h *SignIn) Authenticate(r *http.Request) (*Session, error) {
	if err := h.ensureVerifier(r.Context()); err != nil {
		return nil, err
	}
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, tok, ok := strings.Cut(a, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, ErrNoToken
		}
		st, err := h.ver.Verify(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			return nil, err
		}
		return &Session{Staff: st, Token: tok}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, ErrNoToken
	}
	st, err := h.ver.Verify(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	return &Session{Staff: st, Token: c.Value, Cookie: true, CSRF: csrfToken(h.cfg.SessionKey, c.Value)}, nil
}

// oidcClient is the provider as go-oidc and golang.org/x/oauth2 see it:
// discovered once (the discovery document must name the configured issuer),
// or built from configured endpoints.
type oidcClient struct {
	issuer, auth, token, jwks string
	client                    *http.Client

	mu   sync.Mutex
	conf *oauth2.Config
}

// oauth returns the OAuth 2.0 configuration of the code flow, discovering
// the provider on first use, and fills in the verifier's JWKS URL.
func (h *SignIn) oauth(ctx context.Context) (*oauth2.Config, error) {
	o := h.oidc
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.conf != nil {
		return o.conf, nil
	}
	ctx = oidc.ClientContext(ctx, o.client)
	ep := oauth2.Endpoint{AuthURL: o.auth, TokenURL: o.token}
	jwks := o.jwks
	if ep.AuthURL == "" || ep.TokenURL == "" || (jwks == "" && h.ver.Keys == nil && h.ver.JWKSURL == "") {
		p, err := oidc.NewProvider(ctx, o.issuer)
		if err != nil {
			return nil, fmt.Errorf("staff sign-in: OIDC discovery: %w", err)
		}
		var doc struct {
			JWKS string `json:"jwks_uri"`
		}
		if err := p.Claims(&doc); err != nil {
			return nil, fmt.Errorf("staff sign-in: OIDC discovery: %w", err)
		}
		d := p.Endpoint()
		if ep.AuthURL == "" {
			ep.AuthURL = d.AuthURL
		}
		if ep.TokenURL == "" {
			ep.TokenURL = d.TokenURL
		}
		if jwks == "" {
			jwks = doc.JWKS
		}
	}
	// A public client (no secret) names itself in the form; a confidential
	// one authenticates as the provider prefers.
	if h.cfg.ClientSecret == "" {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	h.verMu.Lock()
	if h.ver.Keys == nil && h.ver.JWKSURL == "" {
		h.ver.JWKSURL = jwks
	}
	h.verMu.Unlock()
	o.conf = &oauth2.Config{ClientID: h.cfg.ClientID, ClientSecret: h.cfg.ClientSecret, Endpoint: ep,
		RedirectURL: h.cfg.RedirectURL, Scopes: h.cfg.Scopes}
	return o.conf, nil
}

// ensureVerifier fills in the JWKS URL of a verifier built from Config from
// discovery, once.
func (h *SignIn) ensureVerifier(ctx context.Context) error {
	if h.ver.Keys != nil {
		return nil
	}
	h.verMu.Lock()
	known := h.ver.JWKSURL != ""
	h.verMu.Unlock()
	if known {
		return nil
	}
	if _, err := h.oauth(ctx); err != nil {
		return err
	}
	h.verMu.Lock()
	defer h.verMu.Unlock()
	if h.ver.JWKSURL == "" {
		return errors.New("staff sign-in: the provider publishes no jwks_uri")
	}
	return nil
}

// pendingLogin is what the sign-in cookie remembers between /login and /callback.
type pendingLogin struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"r"`
	Expires  int64  `json:"e"`
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (h *SignIn) sealLogin(p pendingLogin) string {
	b, _ := json.Marshal(p)
	payload := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, h.cfg.SessionKey)
	m.Write([]byte("login:" + payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *SignIn) openLogin(v string) (pendingLogin, bool) {
	payload, sig, ok := strings.Cut(v, ".")
	if !ok {
		return pendingLogin{}, false
	}
	m := hmac.New(sha256.New, h.cfg.SessionKey)
	m.Write([]byte("login:" + payload))
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return pendingLogin{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return pendingLogin{}, false
	}
	var p pendingLogin
	if json.Unmarshal(b, &p) != nil || time.Now().Unix() > p.Expires {
		return pendingLogin{}, false
	}
	return p, true
}

// localPath keeps a post-sign-in destination on this site: an absolute path,
// never "//host" or a scheme.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// Login starts the authorization-code flow with PKCE (S256), state and
// nonce. It fails, answering nothing, when the provider cannot be reached.
func (h *SignIn) Login(w http.ResponseWriter, r *http.Request) error {
	conf, err := h.oauth(r.Context())
	if err != nil {
		return err
	}
	p := pendingLogin{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(),
		Next: localPath(r.URL.Query().Get("next")), Expires: time.Now().Add(10 * time.Minute).Unix()}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: h.sealLogin(p), Path: "/callback", HttpOnly: true,
		Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, conf.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), http.StatusSeeOther)
	return nil
}

// callback finishes the flow: state check, code exchange with the PKCE
// verifier, ID token verification (signature, issuer, audience, expiry,
// role) and nonce check, then the session cookie. It returns the person and
// where to take them, or the refusal to show (nothing else was answered).
func (h *SignIn) Callback(w http.ResponseWriter, r *http.Request) (Staff, string, *httperr.Problem) {
	c, err := r.Cookie(loginCookie)
	var p pendingLogin
	ok := err == nil
	if ok {
		p, ok = h.openLogin(c.Value)
	}
	q := r.URL.Query()
	if !ok || q.Get("state") == "" || !hmac.Equal([]byte(q.Get("state")), []byte(p.State)) {
		return Staff{}, "", refusal(http.StatusBadRequest, "The sign-in attempt expired or did not start here. Sign in again.")
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/callback", MaxAge: -1, HttpOnly: true,
		Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode})
	if e := q.Get("error"); e != "" {
		return Staff{}, "", refusal(http.StatusUnauthorized, "The sign-in provider refused: "+e)
	}
	idToken, err := h.exchangeCode(r.Context(), q.Get("code"), p.Verifier)
	if err != nil {
		h.log.WarnContext(r.Context(), "staff sign-in: code exchange failed", "err", err)
		return Staff{}, "", refusal(http.StatusBadGateway, "Sign-in failed at the provider. Try again.")
	}
	if err := h.ensureVerifier(r.Context()); err != nil {
		return Staff{}, "", refusal(http.StatusBadGateway, "Sign-in failed at the provider. Try again.")
	}
	st, n, err := h.ver.verify(r.Context(), idToken)
	if err != nil {
		h.log.WarnContext(r.Context(), "staff sign-in: token refused", "err", err)
		return Staff{}, "", refusal(http.StatusUnauthorized, "Your account has no access to this service.")
	}
	if n == "" || !hmac.Equal([]byte(n), []byte(p.Nonce)) {
		return Staff{}, "", refusal(http.StatusUnauthorized, "The sign-in answer did not match this attempt. Sign in again.")
	}
	maxAge := int(time.Until(st.Expires).Seconds())
	if maxAge <= 0 {
		maxAge = 60
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: idToken, Path: "/", HttpOnly: true, Secure: h.cfg.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge})
	return st, localPath(p.Next), nil
}

// refusal is a sign-in that did not happen, in words for the person.
func refusal(status int, msg string) *httperr.Problem { return httperr.New(status, "sign_in", msg) }

// SignOut ends the session in the browser.
func (h *SignIn) SignOut(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode})
}

// exchangeCode trades the code and the PKCE verifier for the ID token.
func (h *SignIn) exchangeCode(ctx context.Context, code, verifier string) (string, error) {
	if code == "" {
		return "", errors.New("no code")
	}
	conf, err := h.oauth(ctx)
	if err != nil {
		return "", err
	}
	tok, err := conf.Exchange(oidc.ClientContext(ctx, h.cfg.HTTPClient), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return "", fmt.Errorf("token endpoint: %w", err)
	}
	idToken, _ := tok.Extra("id_token").(string)
	if idToken == "" {
		return "", errors.New("token endpoint: no id_token in the answer")
	}
	return idToken, nil
}
