package staffview

// Post-redirect-get for reveals: the POST that reveals a value keeps it in
// memory under a random one-time token and redirects to the message page,
// which takes it out and shows it. A reload of that page shows the value
// masked again (it was shown once), and never re-posts the reveal. The value
// is never put in a URL, a cookie or the database. When a load balancer
// sends the GET to another replica, that replica has no value and the page
// says to reveal again.

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// revealTTL is how long a revealed value waits for its page.
const revealTTL = time.Minute

// maxPendingReveals bounds the memory held; past it the oldest are dropped.
const maxPendingReveals = 10000

// PendingReveal is a revealed value on its way to the page that shows it.
type PendingReveal struct {
	Subject string
	Message int64
	Field   string
	Value   string
	expires time.Time
}

// RevealFlash keeps revealed values between the reveal and its page.
type RevealFlash struct {
	mu      sync.Mutex
	pending map[string]PendingReveal
}

// NewRevealFlash holds no values yet.
func NewRevealFlash() *RevealFlash { return &RevealFlash{pending: map[string]PendingReveal{}} }

// Put keeps a revealed value and returns its token.
func (f *RevealFlash) Put(now time.Time, p PendingReveal) string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	p.expires = now.Add(revealTTL)
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range f.pending {
		if now.After(v.expires) || len(f.pending) >= maxPendingReveals {
			delete(f.pending, k)
		}
	}
	f.pending[tok] = p
	return tok
}

// Take returns and forgets the value of tok, if it is the same person's, for
// the same message, and not expired.
func (f *RevealFlash) Take(now time.Time, tok, subject string, message int64) (PendingReveal, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.pending[tok]
	if !ok {
		return p, false
	}
	delete(f.pending, tok)
	if p.Subject != subject || p.Message != message || now.After(p.expires) {
		return PendingReveal{}, false
	}
	return p, true
}
