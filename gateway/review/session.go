package review

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const (
	sessionCookie = "uifsagw_session"
	loginCookie   = "uifsagw_login"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
)

// session is the signed-in person of one request.
type session struct {
	staff Staff
	// token is the verified token; csrf is derived from it.
	token string
	// cookie says the credential came from the session cookie (ambient,
	// so state changes need the CSRF token) rather than a bearer header.
	cookie bool
	csrf   string
}

// authed wraps fn with authentication, the permission check and, for state
// changes made with the session cookie, the CSRF check.
func (h *Handler) authed(apiCall bool, perm Permission, fn func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := h.authenticate(r)
		if err != nil {
			if apiCall {
				w.Header().Set("WWW-Authenticate", `Bearer realm="uifsagw staff"`)
				staffJSON.Error(w, httperr.New(http.StatusUnauthorized, "unauthenticated", "sign in: a valid session or bearer token is required"))
				return
			}
			if r.Method == http.MethodGet {
				next := r.URL.RequestURI()
				http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
				return
			}
			h.renderError(w, r, nil, http.StatusUnauthorized, "Your session has ended. Sign in again.")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && s.cookie {
			got := r.Header.Get(csrfHeader)
			if got == "" && !apiCall {
				// Forms: read the token without consuming a large body.
				r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
				got = r.PostFormValue(csrfField)
			}
			if !csrfValid(h.cfg.SessionKey, s.token, got) {
				if apiCall {
					staffJSON.Error(w, httperr.New(http.StatusForbidden, "csrf", "missing or wrong "+csrfHeader+" header"))
				} else {
					h.renderError(w, r, s, http.StatusForbidden, "The form was stale or did not come from this site. Reload the page and try again.")
				}
				return
			}
		}
		if !s.staff.Can(perm) {
			msg := fmt.Sprintf("your role does not allow this (%s)", perm)
			if apiCall {
				staffJSON.Error(w, httperr.New(http.StatusForbidden, "forbidden", msg))
			} else {
				h.renderError(w, r, s, http.StatusForbidden, "Your role does not allow this.")
			}
			return
		}
		fn(w, r, s)
	})
}

func (h *Handler) authenticate(r *http.Request) (*session, error) {
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
		return &session{staff: st, token: tok}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, ErrNoToken
	}
	st, err := h.ver.Verify(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	return &session{staff: st, token: c.Value, cookie: true, csrf: csrfToken(h.cfg.SessionKey, c.Value)}, nil
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
func (h *Handler) oauth(ctx context.Context) (*oauth2.Config, error) {
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
			return nil, fmt.Errorf("review: OIDC discovery: %w", err)
		}
		var doc struct {
			JWKS string `json:"jwks_uri"`
		}
		if err := p.Claims(&doc); err != nil {
			return nil, fmt.Errorf("review: OIDC discovery: %w", err)
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
func (h *Handler) ensureVerifier(ctx context.Context) error {
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
		return errors.New("review: the provider publishes no jwks_uri")
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

func (h *Handler) sealLogin(p pendingLogin) string {
	b, _ := json.Marshal(p)
	payload := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, h.cfg.SessionKey)
	m.Write([]byte("login:" + payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (h *Handler) openLogin(v string) (pendingLogin, bool) {
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

// login starts the authorization-code flow with PKCE (S256), state and nonce.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	conf, err := h.oauth(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "staff sign-in unavailable", "err", err)
		h.renderError(w, r, nil, http.StatusBadGateway, "The sign-in provider cannot be reached. Try again in a minute.")
		return
	}
	p := pendingLogin{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(),
		Next: localPath(r.URL.Query().Get("next")), Expires: time.Now().Add(10 * time.Minute).Unix()}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: h.sealLogin(p), Path: "/callback", HttpOnly: true,
		Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, conf.AuthCodeURL(p.State, oidc.Nonce(p.Nonce), oauth2.S256ChallengeOption(p.Verifier)), http.StatusSeeOther)
}

// callback finishes the flow: state check, code exchange with the PKCE
// verifier, ID token verification (signature, issuer, audience, expiry,
// role) and nonce check, then the session cookie.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(loginCookie)
	var p pendingLogin
	ok := err == nil
	if ok {
		p, ok = h.openLogin(c.Value)
	}
	q := r.URL.Query()
	if !ok || q.Get("state") == "" || !hmac.Equal([]byte(q.Get("state")), []byte(p.State)) {
		h.renderError(w, r, nil, http.StatusBadRequest, "The sign-in attempt expired or did not start here. Sign in again.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/callback", MaxAge: -1, HttpOnly: true,
		Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode})
	if e := q.Get("error"); e != "" {
		h.renderError(w, r, nil, http.StatusUnauthorized, "The sign-in provider refused: "+e)
		return
	}
	idToken, err := h.exchangeCode(r.Context(), q.Get("code"), p.Verifier)
	if err != nil {
		h.log.WarnContext(r.Context(), "staff sign-in: code exchange failed", "err", err)
		h.renderError(w, r, nil, http.StatusBadGateway, "Sign-in failed at the provider. Try again.")
		return
	}
	if err := h.ensureVerifier(r.Context()); err != nil {
		h.renderError(w, r, nil, http.StatusBadGateway, "Sign-in failed at the provider. Try again.")
		return
	}
	st, n, err := h.ver.verify(r.Context(), idToken)
	if err != nil {
		h.log.WarnContext(r.Context(), "staff sign-in: token refused", "err", err)
		h.renderError(w, r, nil, http.StatusUnauthorized, "Your account has no access to this service.")
		return
	}
	if n == "" || !hmac.Equal([]byte(n), []byte(p.Nonce)) {
		h.renderError(w, r, nil, http.StatusUnauthorized, "The sign-in answer did not match this attempt. Sign in again.")
		return
	}
	maxAge := int(time.Until(st.Expires).Seconds())
	if maxAge <= 0 {
		maxAge = 60
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: idToken, Path: "/", HttpOnly: true, Secure: h.cfg.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge})
	h.log.InfoContext(r.Context(), "staff signed in", "subject", st.Subject)
	http.Redirect(w, r, localPath(p.Next), http.StatusSeeOther)
}

// exchangeCode trades the code and the PKCE verifier for the ID token.
func (h *Handler) exchangeCode(ctx context.Context, code, verifier string) (string, error) {
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

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, s *session) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.cfg.Secure, SameSite: http.SameSiteLaxMode})
	h.log.InfoContext(r.Context(), "staff signed out", "subject", s.staff.Subject)
	h.render(w, r, nil, http.StatusOK, "signedout", map[string]any{})
}
