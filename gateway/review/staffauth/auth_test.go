package staffauth

import (
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "/",
		"/":                     "/",
		"/messages/4?notice=x":  "/messages/4?notice=x",
		"//evil.example/x":      "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"messages/4":            "/",
		"javascript:alert(1)":   "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSRFToken(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	tok := csrfToken(key, "session-a")
	cases := []struct {
		session, got string
		want         bool
	}{
		{"session-a", tok, true},
		{"session-b", tok, false},
		{"session-a", "", false},
		{"session-a", tok + "x", false},
	}
	for _, c := range cases {
		if csrfValid(key, c.session, c.got) != c.want {
			t.Errorf("csrfValid(%q, %q) != %v", c.session, c.got, c.want)
		}
	}
}
