// Package review is the staff side of the gateway: the exchange queue,
// message detail with masked PII, actions, the audit trail, and the staff
// JSON API, over HTTP. Who staff are is staffauth's; what they read is
// stafftext's; the views of cases and messages are built by staffview.
package review

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/review/staffauth"
	"github.com/uifsagw/uifsagw/gateway/review/staffview"
	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Config is the staff UI's sign-in configuration.
type Config struct {
	// IssuerURL is the OpenID Connect issuer. When AuthorizationURL or
	// TokenURL is empty they are read from its discovery document.
	IssuerURL        string
	AuthorizationURL string
	TokenURL         string
	// JWKSURL is used only when Deps.Verifier is nil (default: discovery).
	JWKSURL string
	// ClientID identifies the UI to the provider; default DefaultClientID.
	ClientID string
	// ClientSecret is sent to the token endpoint when set (confidential
	// clients); PKCE protects the code either way.
	ClientSecret string
	// RedirectURL is this service's /callback as the provider knows it.
	RedirectURL string
	// Audience and RoleClaim configure the Verifier built when Deps.Verifier is nil.
	Audience  string
	RoleClaim string
	// Scopes requested; default openid, profile, email.
	Scopes []string
	// SessionKey keys the CSRF tokens and the sign-in cookie (32 bytes or more).
	SessionKey []byte
	// Secure marks cookies Secure (HTTPS only). Set it everywhere but a
	// plain-HTTP development run.
	Secure bool
	// HTTPClient talks to the provider; default a client with a 10 s timeout.
	HTTPClient *http.Client
}

// DefaultClientID is the OAuth client ID used when Config.ClientID is empty.
const DefaultClientID = "uifsagw"

// SendFunc sends a transaction to a partner as a new outbound message and
// returns the new message's id.
type SendFunc func(ctx context.Context, partnerID string, tx canonical.Transaction) (int64, error)

// Deps are the services the staff UI uses.
type Deps struct {
	Store    *exchange.Store
	Verifier *Verifier
	Logger   *slog.Logger
	Metrics  *telemetry.Metrics
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Send backs the "route to another partner" action; nil disables it.
	Send SendFunc
	// OnDecision runs inside the transaction that records a supervisor's
	// confirmation or override of a controlling-order determination, to send
	// the notice to every state that issued or registered one of the orders.
	OnDecision DecisionFunc
	// Worksheet computes IWO allocation worksheets; nil disables them.
	Worksheet WorksheetFunc
}

// Decision is a supervisor's ruling on a controlling-order determination.
type Decision struct {
	ReviewItem  int64
	Message     int64
	Controlling int64   // 0: no controlling order (a new order must be issued, or facts are missing)
	Group       []int64 // the registry orders considered
	Basis       string
	Override    bool
	Reason      string
	Actor       string
}

// DecisionFunc acts on a decision within its transaction.
type DecisionFunc func(ctx context.Context, q exchange.Querier, d Decision) error

// Verifier checks staff tokens; see staffauth.Verifier.
type Verifier = staffauth.Verifier

// session is the signed-in person of one request.
type session = staffauth.Session

// Handler is the staff web UI and JSON API.
type Handler struct {
	store     *exchange.Store
	ver       *Verifier
	log       *slog.Logger
	met       *telemetry.Metrics
	now       func() time.Time
	send      SendFunc
	onDec     DecisionFunc
	worksheet WorksheetFunc
	mux       *http.ServeMux
	auth      *staffauth.SignIn
	pages     *pages
	flash     *staffview.RevealFlash
	pics      staffview.PictureCache
	// jobRounds counts RunJobs' attempts at a chunk (see JobRounds).
	jobRounds service.Counter
}

// JobRounds counts the bulk job worker's rounds (one chunk tried, whether
// or not a job was due). Tests wait on it instead of sleeping.
func (h *Handler) JobRounds() *service.Counter { return &h.jobRounds }

// New returns the staff UI and API handler; see NewHandler.
func New(cfg Config, deps Deps) (http.Handler, error) {
	h, err := NewHandler(cfg, deps)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// NewHandler builds the handler. Its RunJobs method runs the bulk job worker.
func NewHandler(cfg Config, deps Deps) (*Handler, error) {
	if deps.Store == nil {
		return nil, errors.New("review: a store is required")
	}
	if len(cfg.SessionKey) < 32 {
		return nil, errors.New("review: the session key must be at least 32 bytes")
	}
	if cfg.RedirectURL == "" || cfg.IssuerURL == "" {
		return nil, errors.New("review: issuer URL and redirect URL are required")
	}
	if cfg.ClientID == "" {
		// The gateway's default audience; a real provider that knows the
		// client by another name refuses the sign-in with a clear error.
		cfg.ClientID = DefaultClientID
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"openid", "profile", "email"}
	}
	h := &Handler{store: deps.Store, ver: deps.Verifier, log: deps.Logger, met: deps.Metrics,
		now: deps.Now, send: deps.Send, onDec: deps.OnDecision, worksheet: deps.Worksheet}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.ver == nil {
		if cfg.Audience == "" {
			return nil, errors.New("review: an audience is required when no Verifier is given")
		}
		rc := cfg.RoleClaim
		if rc == "" {
			rc = "roles"
		}
		h.ver = &Verifier{Issuer: cfg.IssuerURL, Audience: cfg.Audience, RoleClaim: rc, HTTP: cfg.HTTPClient}
		if cfg.JWKSURL != "" {
			h.ver.JWKSURL = cfg.JWKSURL
		}
	}
	h.auth = staffauth.NewSignIn(staffauth.Config{IssuerURL: cfg.IssuerURL, AuthorizationURL: cfg.AuthorizationURL,
		TokenURL: cfg.TokenURL, JWKSURL: cfg.JWKSURL, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes, SessionKey: cfg.SessionKey, Secure: cfg.Secure,
		HTTPClient: cfg.HTTPClient}, h.ver, h.log)
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	h.pages = p
	h.flash = staffview.NewRevealFlash()
	h.routes()
	return h, nil
}

// ServeHTTP serves the UI and the API with security headers on every answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"frame-ancestors 'none'; form-action 'self' "+h.formActionOrigin()+"; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	// Pages and answers carry personal data: no cache may keep them.
	hd.Set("Cache-Control", "no-store")
	h.mux.ServeHTTP(w, r)
}

// formActionOrigin lets the sign-out and sign-in redirects reach the provider.
func (h *Handler) formActionOrigin() string {
	u := h.auth.Issuer()
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			return u[:i+3+j]
		}
	}
	return u
}

func (h *Handler) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /login", h.login)
	m.HandleFunc("GET /callback", h.callback)
	m.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))

	page := func(pattern string, perm staffauth.Permission, fn func(http.ResponseWriter, *http.Request, *session)) {
		m.Handle(pattern, h.authed(false, perm, fn))
	}
	api := func(pattern string, perm staffauth.Permission, fn func(http.ResponseWriter, *http.Request, *session)) {
		m.Handle(pattern, h.authed(true, perm, fn))
	}
	page("POST /logout", staffauth.PermRead, h.logout)
	page("GET /{$}", staffauth.PermRead, h.queuePage)
	page("GET /queue.csv", staffauth.PermRead, h.queueCSV)
	page("GET /refusals", staffauth.PermRead, h.refusalsPage)
	page("GET /audit.csv", staffauth.PermAudit, h.auditCSV)
	page("GET /messages/{id}", staffauth.PermRead, h.detailPage)
	page("POST /messages/{id}/reveal", staffauth.PermReveal, h.revealPage)
	page("POST /messages/{id}/work/{op}", staffauth.PermAct, h.claimPage)
	page("POST /messages/{id}/actions/{action}", staffauth.PermAct, h.actionPage)
	page("POST /review-items/{id}/{decision}", staffauth.PermDetermine, h.decisionPage)
	page("GET /cases/{caseId}", staffauth.PermRead, h.casePage)
	page("GET /audit", staffauth.PermAudit, h.auditPage)
	page("GET /worksheets/allocation", staffauth.PermRead, h.worksheetPage)
	page("GET /jobs", staffauth.PermRead, h.jobsPage)
	page("POST /jobs", staffauth.PermAdmin, h.createJobPage)
	page("POST /jobs/{id}/cancel", staffauth.PermAdmin, h.cancelJobPage)

	api("GET /api/me", staffauth.PermRead, h.apiMe)
	api("GET /api/messages", staffauth.PermRead, h.apiMessages)
	api("GET /api/messages/newer", staffauth.PermRead, h.apiNewer)
	api("GET /api/messages/{id}", staffauth.PermRead, h.apiMessage)
	api("POST /api/messages/{id}/reveal", staffauth.PermReveal, h.apiReveal)
	api("POST /api/messages/{id}/{action}", staffauth.PermAct, h.apiAction)
	api("GET /api/review-items", staffauth.PermRead, h.apiReviewItems)
	api("POST /api/review-items/{id}/{decision}", staffauth.PermDetermine, h.apiDecision)
	api("GET /api/cases/{caseId}", staffauth.PermRead, h.apiCase)
	api("GET /api/audit", staffauth.PermAudit, h.apiAudit)
	api("GET /api/worksheets/allocation", staffauth.PermRead, h.apiWorksheet)
	api("GET /api/delivery", staffauth.PermRead, h.apiDelivery)
	api("POST /api/delivery", staffauth.PermAdmin, h.apiSetDelivery)
	api("GET /api/jobs", staffauth.PermRead, h.apiJobs)
	api("POST /api/jobs", staffauth.PermAdmin, h.apiCreateJob)
	api("GET /api/jobs/{id}", staffauth.PermRead, h.apiJob)
	api("POST /api/jobs/{id}/cancel", staffauth.PermAdmin, h.apiCancelJob)
	m.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		staffJSON.Error(w, httperr.New(http.StatusNotFound, "not_found", "no such API endpoint"))
	}))
	h.mux = m
}

// staffJSON is the staff API's shape: indented for the people who read it.
var staffJSON = httperr.JSON{ContentType: "application/json", Indent: "  "}

// errStatus maps a store or handler error to an HTTP status, a code and a
// message fit to show staff (no internals).
func errStatus(err error) (int, string, string) {
	var p *httperr.Problem
	var in staffview.InputError
	var amb staffview.AmbiguousCaseError
	switch {
	case errors.As(err, &p):
		return p.Status, p.Code, p.Message
	case errors.As(err, &in):
		return http.StatusBadRequest, "invalid", string(in)
	case errors.As(err, &amb):
		return http.StatusConflict, "ambiguous_case", amb.Error()
	case errors.Is(err, exchange.ErrNotFound):
		return http.StatusNotFound, "not_found", "not found"
	case errors.Is(err, exchange.ErrState):
		return http.StatusConflict, "wrong_state", stateMessage(err)
	case errors.Is(err, exchange.ErrInvalid):
		return http.StatusBadRequest, "invalid", "invalid request"
	case errors.Is(err, context.Canceled):
		return 499, "cancelled", "request cancelled"
	}
	return http.StatusInternalServerError, "internal", "something went wrong; the error has been logged"
}

// stateMessage keeps the store's explanation of a state conflict (it names
// only ids and statuses) without its package prefix.
func stateMessage(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, exchange.ErrState.Error()+": "); i >= 0 {
		return s[i+len(exchange.ErrState.Error())+2:]
	}
	return "the message is not in a state that allows this"
}

// badRequest is a refusal of bad input, its message meant for the person.
func badRequest(msg string) error { return httperr.New(http.StatusBadRequest, "invalid", msg) }

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, s *session, apiCall bool, err error) {
	status, code, msg := errStatus(err)
	if status >= 500 {
		h.log.ErrorContext(r.Context(), "staff request failed", "path", r.URL.Path, "err", err)
	}
	if apiCall {
		staffJSON.Error(w, httperr.New(status, code, msg))
		return
	}
	h.renderError(w, r, s, status, msg)
}

// audit records a read or a reveal in the audit chain, in a transaction of
// its own that commits before the answer goes out: no record, no answer.
func (h *Handler) audit(ctx context.Context, s *session, action, target string, details any) error {
	_, err := h.store.AppendAudit(ctx, nil, exchange.Entry{At: h.now(), Actor: s.Staff.Subject, Action: action,
		Target: target, Details: details})
	return err
}

func fmtTarget(kind string, id int64) string { return fmt.Sprintf("%s:%d", kind, id) }
