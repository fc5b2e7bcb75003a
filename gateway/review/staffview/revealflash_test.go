package staffview

import (
	"testing"
	"time"
)

func TestRevealFlash(t *testing.T) {
	f := NewRevealFlash()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	put := func() string {
		return f.Put(t0, PendingReveal{Subject: "casey", Message: 7, Field: "ncp.ssn", Value: "123-45-6789"})
	}
	for _, c := range []struct {
		name    string
		at      time.Time
		subject string
		message int64
		ok      bool
	}{
		{"same person, same message, in time", t0.Add(10 * time.Second), "casey", 7, true},
		{"another person", t0, "sam", 7, false},
		{"another message", t0, "casey", 8, false},
		{"too late", t0.Add(revealTTL + time.Second), "casey", 7, false},
	} {
		tok := put()
		p, ok := f.Take(c.at, tok, c.subject, c.message)
		if ok != c.ok || (ok && p.Value != "123-45-6789") {
			t.Errorf("%s: %v %+v", c.name, ok, p)
		}
		if _, again := f.Take(c.at, tok, "casey", 7); again {
			t.Errorf("%s: the value was given twice", c.name)
		}
	}
	if _, ok := f.Take(t0, "no-such-token", "casey", 7); ok {
		t.Error("an unknown token gave a value")
	}
	a, b := put(), put()
	if a == b || len(a) < 20 {
		t.Fatalf("tokens %q %q", a, b)
	}
}
