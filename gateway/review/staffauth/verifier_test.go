package staffauth_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/review/staffauth"
)

// The verifier accepts the provider's tokens for this audience and turns
// their roles into permissions; anything else is refused with its reason.
func TestVerifier(t *testing.T) {
	is, err := devenv.NewIssuer("https://login.example/oidc", "uifsagw")
	if err != nil {
		t.Fatal(err)
	}
	v := &staffauth.Verifier{Issuer: is.URL, Audience: "uifsagw", RoleClaim: "roles", Keys: is.Keys}
	ctx := context.Background()
	tok, err := is.Mint("sam", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	st, err := v.Verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if st.Subject != "sam" || st.Name != "Sam Supervisor" || !slices.Equal(st.Roles, []staffauth.Role{staffauth.RoleSupervisor}) {
		t.Fatalf("%+v", st)
	}
	for p, want := range map[staffauth.Permission]bool{staffauth.PermRead: true, staffauth.PermDetermine: true,
		staffauth.PermAudit: true, staffauth.PermAdmin: false} {
		if st.Can(p) != want {
			t.Errorf("supervisor can %s: %v, want %v", p, !want, want)
		}
	}

	other := &staffauth.Verifier{Issuer: is.URL, Audience: "another-client", RoleClaim: "roles", Keys: is.Keys}
	if _, err := other.Verify(ctx, tok); !errors.Is(err, staffauth.ErrBadToken) {
		t.Errorf("token for another audience: %v", err)
	}
	stranger, err := devenv.NewIssuer(is.URL, "uifsagw")
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := stranger.Mint("ada", time.Minute)
	if _, err := v.Verify(ctx, forged); !errors.Is(err, staffauth.ErrBadToken) {
		t.Errorf("token signed by another key: %v", err)
	}
	if _, err := v.Verify(ctx, ""); !errors.Is(err, staffauth.ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	noRoles := &staffauth.Verifier{Issuer: is.URL, Audience: "uifsagw", RoleClaim: "groups", Keys: is.Keys}
	if _, err := noRoles.Verify(ctx, tok); !errors.Is(err, staffauth.ErrNoRole) {
		t.Errorf("no role in the configured claim: %v", err)
	}
}
