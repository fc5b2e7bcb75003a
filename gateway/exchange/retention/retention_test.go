package retention_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
)

// TestRunRetention erases the bodies, then deletes the messages, of finished
// messages past their time, in batches; it leaves recent and unfinished ones
// alone, and does nothing while another replica holds the job's lock.
func TestRunRetention(t *testing.T) {
	s, url := newStore(t)
	ctx := context.Background()
	c := connect(t, url)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ids := map[string]int64{}
	for i, msgID := range []string{"R-OLD-1", "R-OLD-2", "R-NEW", "R-OLD-OPEN"} {
		receive(t, s, "nj", msgID, "NJC1", at.Add(time.Duration(i)*time.Minute))
		m, err := s.GetBySenderID(ctx, "nj", exchange.DirIn, msgID)
		if err != nil {
			t.Fatal(err)
		}
		ids[msgID] = m.ID
		if msgID != "R-OLD-OPEN" {
			if err := s.SetStatus(ctx, s.Pool(), m.ID, exchange.StatusProcessed, "test", ""); err != nil {
				t.Fatal(err)
			}
		}
		if msgID != "R-NEW" {
			if _, err := c.Exec(ctx, `UPDATE messages SET created_at = now() - interval '400 days' WHERE id = $1`, m.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Another replica holds the job.
	other := connect(t, url)
	if _, err := other.Exec(ctx, `SELECT pg_advisory_lock(x'7569667372657465'::bigint)`); err != nil {
		t.Fatal(err)
	}
	if _, ran, err := s.RunRetention(ctx, exchange.Retention{RawBodies: 24 * time.Hour}); err != nil || ran {
		t.Fatalf("RunRetention under another's lock: ran %v, %v", ran, err)
	}
	if _, err := other.Exec(ctx, `SELECT pg_advisory_unlock(x'7569667372657465'::bigint)`); err != nil {
		t.Fatal(err)
	}

	res, ran, err := s.RunRetention(ctx, exchange.Retention{RawBodies: 30 * 24 * time.Hour, Batch: 1})
	if err != nil || !ran || res.BodiesErased != 2 || res.MessagesDeleted != 0 {
		t.Fatalf("RunRetention(bodies) = %+v, %v, %v; want 2 bodies erased", res, ran, err)
	}
	if _, err := s.RawBody(ctx, ids["R-OLD-1"]); !errors.Is(err, exchange.ErrErased) {
		t.Fatalf("RawBody of an erased message: %v", err)
	}
	for _, keep := range []string{"R-NEW", "R-OLD-OPEN"} {
		if _, err := s.RawBody(ctx, ids[keep]); err != nil {
			t.Fatalf("RawBody of %s: %v", keep, err)
		}
	}
	if n := count(t, c, `SELECT count(*) FROM message_ssns WHERE message_id = $1`, ids["R-OLD-2"]); n != 0 {
		t.Fatalf("sealed SSNs left with an erased body: %d", n)
	}

	res, ran, err = s.RunRetention(ctx, exchange.Retention{Messages: 30 * 24 * time.Hour})
	if err != nil || !ran || res.MessagesDeleted != 2 {
		t.Fatalf("RunRetention(messages) = %+v, %v, %v; want 2 messages deleted", res, ran, err)
	}
	if _, err := s.GetMessage(ctx, ids["R-OLD-1"]); !errors.Is(err, exchange.ErrNotFound) {
		t.Fatalf("GetMessage of a deleted message: %v", err)
	}
	if _, err := s.GetMessage(ctx, ids["R-OLD-OPEN"]); err != nil {
		t.Fatalf("an unfinished message was deleted: %v", err)
	}
	// Nothing is waiting to be resealed in a database migrated from scratch.
	if n, err := s.ResealDatesOfBirth(ctx); err != nil || n != 0 {
		t.Fatalf("ResealDatesOfBirth = %d, %v", n, err)
	}
}
