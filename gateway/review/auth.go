// Package review is the staff side of the gateway: sign-in through the
// agency's OpenID Connect provider, the exchange queue, message detail with
// masked PII, actions, the audit trail, and the staff JSON API.
package review

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Role is a staff role, from the token's role claim.
type Role string

// Roles, in increasing power.
const (
	RoleViewer     Role = "viewer"
	RoleCaseworker Role = "caseworker"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Permission is one thing staff may do.
type Permission string

// Permissions.
const (
	PermRead      Permission = "read"
	PermAct       Permission = "act"        // reprocess, resend, cancel, resolve, route
	PermReveal    Permission = "reveal"     // unmask an SSN or date of birth, with a reason
	PermDetermine Permission = "determine"  // confirm or override a controlling-order determination
	PermAdmin     Permission = "administer" // bulk jobs, partner pause
	PermAudit     Permission = "audit"      // read the audit log and its verification
)

var grants = map[Role][]Permission{
	RoleViewer:     {PermRead},
	RoleCaseworker: {PermRead, PermAct, PermReveal},
	RoleSupervisor: {PermRead, PermAct, PermReveal, PermDetermine, PermAudit},
	RoleAdmin:      {PermRead, PermAct, PermReveal, PermDetermine, PermAdmin, PermAudit},
}

// Staff is a signed-in person.
type Staff struct {
	Subject string
	Name    string
	Email   string
	Roles   []Role
	Expires time.Time
}

// Can reports whether any of the person's roles grants p.
func (s Staff) Can(p Permission) bool {
	for _, r := range s.Roles {
		if slices.Contains(grants[r], p) {
			return true
		}
	}
	return false
}

// Verifier checks staff tokens: signature against the provider's JWKS,
// issuer, audience, expiry, and presence of a known role.
type Verifier struct {
	Issuer    string
	Audience  string
	RoleClaim string
	JWKSURL   string
	HTTP      *http.Client
	// Keys, when set, is used instead of fetching JWKSURL (tests, embedded issuer).
	Keys func() jwk.Set

	mu      sync.Mutex
	cached  jwk.Set
	fetched time.Time
}

// Errors a token can end in.
var (
	ErrNoToken  = errors.New("no token")
	ErrBadToken = errors.New("token refused")
	ErrNoRole   = errors.New("token carries no staff role")
)

func (v *Verifier) keySet(ctx context.Context, refresh bool) (jwk.Set, error) {
	if v.Keys != nil {
		return v.Keys(), nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	// Refetch at most every 30 s even when asked, so a flood of bad kids
	// cannot turn into a flood of requests to the provider.
	if v.cached != nil && (!refresh || time.Since(v.fetched) < 30*time.Second) && time.Since(v.fetched) < time.Hour {
		return v.cached, nil
	}
	client := v.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.JWKSURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		if v.cached != nil {
			return v.cached, nil
		}
		return nil, fmt.Errorf("fetch staff JWKS: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		if v.cached != nil {
			return v.cached, nil
		}
		return nil, fmt.Errorf("fetch staff JWKS: HTTP %d", resp.StatusCode)
	}
	set, err := jwk.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("staff JWKS: %w", err)
	}
	v.cached, v.fetched = set, time.Now()
	return set, nil
}

// Verify checks a compact JWT and returns the person it names.
func (v *Verifier) Verify(ctx context.Context, token string) (Staff, error) {
	if token == "" {
		return Staff{}, ErrNoToken
	}
	set, err := v.keySet(ctx, false)
	if err != nil {
		return Staff{}, err
	}
	t, err := v.parse(token, set)
	if err != nil && errors.Is(err, errUnknownKid) {
		if set, err = v.keySet(ctx, true); err == nil {
			t, err = v.parse(token, set)
		}
	}
	if err != nil {
		return Staff{}, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	var s Staff
	s.Subject, _ = t.Subject()
	s.Expires, _ = t.Expiration()
	_ = t.Get("name", &s.Name)
	_ = t.Get("email", &s.Email)
	var raw any
	_ = t.Get(v.RoleClaim, &raw)
	var names []string
	switch r := raw.(type) {
	case []any:
		for _, x := range r {
			if str, ok := x.(string); ok {
				names = append(names, str)
			}
		}
	case string:
		names = []string{r}
	}
	for _, n := range names {
		if _, ok := grants[Role(n)]; ok {
			s.Roles = append(s.Roles, Role(n))
		}
	}
	if len(s.Roles) == 0 {
		return Staff{}, ErrNoRole
	}
	if s.Subject == "" {
		return Staff{}, fmt.Errorf("%w: no subject", ErrBadToken)
	}
	return s, nil
}

var errUnknownKid = errors.New("unknown kid")

func (v *Verifier) parse(token string, set jwk.Set) (jwt.Token, error) {
	msg, err := jws.ParseString(token)
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, errors.New("not a compact JWS")
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	alg, _ := h.Algorithm()
	switch alg.String() {
	case "ES256", "RS256", "PS256", "EdDSA":
	default:
		return nil, fmt.Errorf("algorithm %q not accepted", alg)
	}
	kid, _ := h.KeyID()
	key, ok := set.LookupKeyID(kid)
	if !ok {
		return nil, errUnknownKid
	}
	return jwt.ParseString(token,
		jwt.WithKey(alg, key),
		jwt.WithValidate(true),
		jwt.WithIssuer(v.Issuer),
		jwt.WithAudience(v.Audience),
		jwt.WithRequiredClaim("exp"),
		jwt.WithAcceptableSkew(30*time.Second))
}

// csrfToken derives the form token from the session token, so it needs no
// storage and works across replicas: HMAC(key, session).
func csrfToken(key []byte, session string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("csrf:" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func csrfValid(key []byte, session, got string) bool {
	want := csrfToken(key, session)
	return got != "" && hmac.Equal([]byte(want), []byte(got))
}
