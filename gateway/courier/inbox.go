package courier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/uifsagw/uifsagw/gateway/service"
	"github.com/uifsagw/uifsagw/gateway/wire"
	"github.com/uifsagw/uifsagw/partners"
)

// InboxItem and InboxPage are the pull inbox's wire documents, shared with
// the edge that serves them.
type (
	InboxItem = wire.InboxItem
	InboxPage = wire.InboxPage
)

// Inbox lists messages waiting for us after cursor.
func (c *Client) Inbox(ctx context.Context, after int64, limit int) (InboxPage, error) {
	u := fmt.Sprintf("%s/v1/inbox?after=%d&limit=%d", strings.TrimRight(c.BaseURL, "/"), after, limit)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return InboxPage{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return InboxPage{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return InboxPage{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return InboxPage{}, fmt.Errorf("inbox: HTTP %d: %s", resp.StatusCode, truncate(string(b), 200))
	}
	var page InboxPage
	if err := json.Unmarshal(b, &page); err != nil {
		return InboxPage{}, fmt.Errorf("inbox: %w", err)
	}
	return page, nil
}

// Ack marks inbox items as delivered.
func (c *Client) Ack(ctx context.Context, ids []string) (int, error) {
	b, _ := json.Marshal(map[string][]string{"ids": ids})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+"/v1/inbox/ack", bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("ack: HTTP %d: %s", resp.StatusCode, truncate(string(rb), 200))
	}
	var out struct {
		Acked int `json:"acked"`
	}
	if err := json.Unmarshal(rb, &out); err != nil {
		return 0, err
	}
	return out.Acked, nil
}

// IngestFunc offers one fetched message to our own intake pipeline (the same
// checks as a posted message). It reports whether the message is now stored
// (new or repeat); a refusal is final for that message.
type IngestFunc func(ctx context.Context, p *partners.Partner, body []byte, contentType, signature string) (stored bool, reason string)

// Fetcher pulls messages from partners that hold them for us (fetch_inbox),
// runs each through intake, and acknowledges it only once it is stored or
// refused for good — so a crash between the two at worst fetches a message
// again, which intake recognises as a repeat.
type Fetcher struct {
	Sender   *Sender
	Ingest   IngestFunc
	Interval time.Duration
	Log      *slog.Logger

	mu      sync.Mutex // one fetch at a time: the cursors are shared
	cursors map[string]int64
	base    service.Base
}

// Start fetches in the background until Stop.
func (f *Fetcher) Start(ctx context.Context) error {
	if _, err := f.base.Begin(ctx); err != nil {
		return err
	}
	f.base.Go(f.Run)
	return nil
}

// Stop ends fetching and waits for a fetch under way to return.
func (f *Fetcher) Stop() { f.base.Stop() }

// Run fetches until ctx ends.
func (f *Fetcher) Run(ctx context.Context) {
	if f.Interval <= 0 {
		f.Interval = 5 * time.Second
	}
	f.fetchAll(ctx)
	service.Every(ctx, f.Interval, f.fetchAll)
}

// fetchAll fetches every fetch_inbox partner's inbox once.
func (f *Fetcher) fetchAll(ctx context.Context) {
	for _, p := range f.Sender.directory().All() {
		if p.FetchInbox && !p.Paused {
			if err := f.fetch(ctx, p); err != nil && ctx.Err() == nil {
				f.Log.Warn("fetch inbox failed", "partner", p.ID, "err", err)
			}
		}
	}
}

// FetchNow fetches from one partner until its inbox is empty.
func (f *Fetcher) FetchNow(ctx context.Context, p *partners.Partner) error { return f.fetch(ctx, p) }

func (f *Fetcher) fetch(ctx context.Context, p *partners.Partner) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cursors == nil {
		f.cursors = map[string]int64{}
	}
	hc, done := f.Sender.client(p)
	defer done()
	cl := &Client{HTTP: hc, BaseURL: p.Endpoint}
	for {
		page, err := cl.Inbox(ctx, f.cursors[p.ID], 100)
		if err != nil {
			return err
		}
		var done []string
		for _, it := range page.Messages {
			stored, reason := f.Ingest(ctx, p, []byte(it.Body), it.ContentType, it.Signature)
			if !stored {
				f.Log.Warn("fetched message refused; acknowledged so it is not fetched forever", "partner", p.ID,
					"message", it.MessageID, "reason", reason)
			}
			done = append(done, it.ID)
		}
		if len(done) > 0 {
			if _, err := cl.Ack(ctx, done); err != nil {
				return err
			}
		}
		if len(page.Messages) == 0 || page.Next <= f.cursors[p.ID] {
			return nil
		}
		f.cursors[p.ID] = page.Next
	}
}
