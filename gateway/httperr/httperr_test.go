package httperr

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Each API's shape, byte for byte: the clients of each were given it.
func TestShapes(t *testing.T) {
	p := New(http.StatusConflict, "wrong_state", "message 3 is sent")
	for _, c := range []struct {
		name     string
		j        JSON
		write    func(JSON, http.ResponseWriter)
		status   int
		ctype    string
		cache    string
		wantBody string
	}{
		{"partner error", JSON{ContentType: "application/json; charset=utf-8"}, func(j JSON, w http.ResponseWriter) { j.Error(w, p) },
			409, "application/json; charset=utf-8", "",
			`{"error":{"code":"wrong_state","message":"message 3 is sent"}}` + "\n"},
		{"staff error", JSON{ContentType: "application/json", Indent: "  "}, func(j JSON, w http.ResponseWriter) { j.Error(w, p) },
			409, "application/json", "",
			"{\n  \"error\": {\n    \"code\": \"wrong_state\",\n    \"message\": \"message 3 is sent\"\n  }\n}\n"},
		{"provider value", JSON{ContentType: "application/json", NoStore: true},
			func(j JSON, w http.ResponseWriter) { j.Write(w, 400, map[string]string{"error": "invalid_grant"}) },
			400, "application/json", "no-store", `{"error":"invalid_grant"}` + "\n"},
		{"fields", JSON{ContentType: "application/json"}, func(j JSON, w http.ResponseWriter) {
			j.Error(w, &Problem{Status: 422, Code: "invalid", Message: "m", Fields: []canonical.FieldError{{Path: "ncp.ssn", Reason: "9 digits"}}})
		}, 422, "application/json", "",
			`{"error":{"code":"invalid","message":"m","fields":[{"path":"ncp.ssn","reason":"9 digits"}]}}` + "\n"},
	} {
		rec := httptest.NewRecorder()
		c.write(c.j, rec)
		if rec.Code != c.status || rec.Header().Get("Content-Type") != c.ctype || rec.Header().Get("Cache-Control") != c.cache {
			t.Errorf("%s: %d %q %q", c.name, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
		}
		if rec.Body.String() != c.wantBody {
			t.Errorf("%s: body %q, want %q", c.name, rec.Body.String(), c.wantBody)
		}
	}
}

func TestNegotiated(t *testing.T) {
	j := JSON{ContentType: "application/json; charset=utf-8"}
	p := New(http.StatusNotFound, "not_found", "no such endpoint")
	for _, c := range []struct {
		accept, ctype, want string
	}{
		{"", "", "application/json; charset=utf-8"},
		{"application/xml", "", "application/xml; charset=utf-8"},
		{"", "application/xml", "application/xml; charset=utf-8"},
		{"application/json", "application/xml", "application/json; charset=utf-8"},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Accept", c.accept)
		r.Header.Set("Content-Type", c.ctype)
		rec := httptest.NewRecorder()
		j.Negotiated(rec, r, p)
		if got := rec.Header().Get("Content-Type"); got != c.want || rec.Code != 404 {
			t.Errorf("Accept %q Content-Type %q: %d %q, want %q", c.accept, c.ctype, rec.Code, got, c.want)
		}
	}
	r := httptest.NewRequest("POST", "/", nil)
	r.Header.Set("Accept", "application/xml")
	rec := httptest.NewRecorder()
	j.Negotiated(rec, r, p)
	// encoding/xml writes the empty fields element despite omitempty (a
	// parent>child path); partners have always had it.
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Error xmlns="urn:uifsagw:error:1"><error><code>not_found</code><message>no such endpoint</message><fields></fields></error></Error>`
	if rec.Body.String() != want {
		t.Errorf("XML body %q, want %q", rec.Body.String(), want)
	}
}

func TestProblemIsAnError(t *testing.T) {
	var err error = New(400, "invalid", "a note is required")
	if err.Error() != "invalid: a note is required" {
		t.Errorf("Error() = %q", err.Error())
	}
}
