package review

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/uifsagw/uifsagw/gateway/httperr"
	"github.com/uifsagw/uifsagw/gateway/review/staffauth"
)

// authed wraps fn with authentication, the permission check and, for state
// changes made with the session cookie, the CSRF check.
func (h *Handler) authed(apiCall bool, perm staffauth.Permission, fn func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := h.auth.Authenticate(r)
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
		if r.Method != http.MethodGet && r.Method != http.MethodHead && s.Cookie {
			got := r.Header.Get(staffauth.CSRFHeader)
			if got == "" && !apiCall {
				// Forms: read the token without consuming a large body.
				r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
				got = r.PostFormValue(staffauth.CSRFField)
			}
			if !h.auth.CSRFValid(s, got) {
				if apiCall {
					staffJSON.Error(w, httperr.New(http.StatusForbidden, "csrf", "missing or wrong "+staffauth.CSRFHeader+" header"))
				} else {
					h.renderError(w, r, s, http.StatusForbidden, "The form was stale or did not come from this site. Reload the page and try again.")
				}
				return
			}
		}
		if !s.Staff.Can(perm) {
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

// login starts the sign-in at the provider.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if err := h.auth.Login(w, r); err != nil {
		h.log.ErrorContext(r.Context(), "staff sign-in unavailable", "err", err)
		h.renderError(w, r, nil, http.StatusBadGateway, "The sign-in provider cannot be reached. Try again in a minute.")
	}
}

// callback finishes the sign-in and takes the person where they were going.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	st, next, refused := h.auth.Callback(w, r)
	if refused != nil {
		h.renderError(w, r, nil, refused.Status, refused.Message)
		return
	}
	h.log.InfoContext(r.Context(), "staff signed in", "subject", st.Subject)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, s *session) {
	h.auth.SignOut(w)
	h.log.InfoContext(r.Context(), "staff signed out", "subject", s.Staff.Subject)
	h.render(w, r, nil, http.StatusOK, "signedout", map[string]any{})
}
