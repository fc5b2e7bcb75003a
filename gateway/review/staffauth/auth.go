// Package staffauth says who a member of staff is and what they may do:
// sign-in through the agency's OpenID Connect provider, token checks, roles
// and their permissions, the session cookie and its CSRF token.
package staffauth

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/lestrrat-go/jwx/v3/jwk"
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

// Verifier checks staff tokens with github.com/coreos/go-oidc: signature
// against the provider's JWKS (cached, refetched for an unknown key id),
// algorithm (ES256, RS256, PS256, EdDSA only), issuer, audience, expiry (30 s
// of clock skew), then the presence of a known role.
type Verifier struct {
	Issuer    string
	Audience  string
	RoleClaim string
	JWKSURL   string
	HTTP      *http.Client
	// Keys, when set, is used instead of fetching JWKSURL (tests, embedded issuer).
	Keys func() jwk.Set

	mu     sync.Mutex
	remote *oidc.IDTokenVerifier
}

// Errors a token can end in.
var (
	ErrNoToken  = errors.New("no token")
	ErrBadToken = errors.New("token refused")
	ErrNoRole   = errors.New("token carries no staff role")
)

// staffAlgorithms are the signature algorithms staff tokens may use.
var staffAlgorithms = []string{oidc.ES256, oidc.RS256, oidc.PS256, oidc.EdDSA}

// tokenSkew is how long after its expiry a token is still accepted.
const tokenSkew = 30 * time.Second

func (v *Verifier) oidcConfig() *oidc.Config {
	return &oidc.Config{ClientID: v.Audience, SupportedSigningAlgs: staffAlgorithms,
		Now: func() time.Time { return time.Now().Add(-tokenSkew) }}
}

// idTokenVerifier returns go-oidc's verifier: over the keys of Keys as they
// are now, or over the provider's JWKS, whose cache lives as long as v.
func (v *Verifier) idTokenVerifier() (*oidc.IDTokenVerifier, error) {
	if v.Keys != nil {
		var pubs []crypto.PublicKey
		set := v.Keys()
		for i := 0; set != nil && i < set.Len(); i++ {
			k, _ := set.Key(i)
			var raw any
			if err := jwk.Export(k, &raw); err != nil {
				return nil, fmt.Errorf("staff key %d: %w", i, err)
			}
			pubs = append(pubs, raw)
		}
		return oidc.NewVerifier(v.Issuer, &oidc.StaticKeySet{PublicKeys: pubs}, v.oidcConfig()), nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.remote == nil {
		if v.JWKSURL == "" {
			return nil, errors.New("no JWKS URL for staff tokens")
		}
		client := v.HTTP
		if client == nil {
			client = &http.Client{Timeout: 10 * time.Second}
		}
		// The key set fetches with the context it was made with, for as
		// long as the verifier lives, not with one request's.
		ctx := oidc.ClientContext(context.Background(), client)
		v.remote = oidc.NewVerifier(v.Issuer, oidc.NewRemoteKeySet(ctx, v.JWKSURL), v.oidcConfig())
	}
	return v.remote, nil
}

// Verify checks a compact JWT and returns the person it names.
func (v *Verifier) Verify(ctx context.Context, token string) (Staff, error) {
	st, _, err := v.verify(ctx, token)
	return st, err
}

// verify is Verify that also returns the token's nonce (for the sign-in callback).
func (v *Verifier) verify(ctx context.Context, token string) (Staff, string, error) {
	if token == "" {
		return Staff{}, "", ErrNoToken
	}
	ver, err := v.idTokenVerifier()
	if err != nil {
		return Staff{}, "", fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	idt, err := ver.Verify(ctx, token)
	if err != nil {
		return Staff{}, "", fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Staff{}, "", fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	s := Staff{Subject: idt.Subject, Expires: idt.Expiry}
	s.Name, _ = claims["name"].(string)
	s.Email, _ = claims["email"].(string)
	var names []string
	switch r := claims[v.RoleClaim].(type) {
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
		return Staff{}, "", ErrNoRole
	}
	if s.Subject == "" {
		return Staff{}, "", fmt.Errorf("%w: no subject", ErrBadToken)
	}
	return s, idt.Nonce, nil
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
