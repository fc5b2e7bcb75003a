package review_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// seedMessages inserts n messages in one INSERT … SELECT: 50 partners,
// both directions, two years of arrival times, and a realistic status mix
// (mostly finished, about 1% needing review, 0.3% dead letters).
func seedMessages(b *testing.B, e *env, n int) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	_, err := e.store.Pool().Exec(ctx, `
		INSERT INTO messages (direction, partner, sender_message_id, format, content_type, function, action, reason,
			sender_fips, receiver_fips, sender_case_id, receiver_case_id, status, raw_sealed, body_sha256, canonical,
			created_at, updated_at)
		SELECT CASE WHEN i % 3 = 0 THEN 'out' ELSE 'in' END,
			'P' || lpad((i % 50)::text, 2, '0'),
			'MSG-' || i,
			'json-transaction/1', 'application/json',
			(ARRAY['ENF','EST','CSI','PAT','MSC','COL'])[1 + i % 6],
			(ARRAY['R','P','A','U'])[1 + i % 4],
			'GSADD',
			'3400000', '3600000',
			'C' || (i % 200000), CASE WHEN i % 2 = 0 THEN 'R' || (i % 150000) ELSE '' END,
			CASE WHEN i % 100 = 7 THEN 'needs_review'
			     WHEN i % 333 = 5 THEN 'dead_letter'
			     WHEN i % 3 = 0 THEN 'delivered'
			     ELSE 'processed' END,
			'\x00'::bytea, sha256(i::text::bytea), '{"header":{}}'::jsonb,
			ts, ts
		FROM generate_series(1, $1) AS i,
			LATERAL (SELECT timestamptz '2025-01-01' + make_interval(secs => i * (63072000.0 / $1))) AS t(ts)`, n)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.store.Pool().Exec(ctx, `VACUUM ANALYZE messages`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d messages in %s", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkQueuePage times the queue page, rendered to HTML, over a million
// messages: the first page under one filter, as staff open it.
func BenchmarkQueuePage(b *testing.B) {
	e := newEnv(b)
	seedMessages(b, e, 1_000_000)
	token := e.token("viv")
	for _, bc := range []struct{ name, query string }{
		{"status", "status=needs_review"},
		{"dead_letter", "status=dead_letter"},
		{"partner", "partner=P07"},
		{"function", "function=CSI&action=R"},
		{"case", "case=C4242"},
		{"search", "q=MSG-777777"},
		{"search_partner", "q=P07"},
		{"search_case", "q=C4242"},
		{"direction", "direction=out"},
		{"unfiltered", ""},
		{"partner_any_case", "partner=p07"},
		{"sorted_by_partner", "sort=partner&order=asc"},
		{"sorted_by_status_page_5", "sort=status&page=5"},
		{"name", "name=pat%20doe"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rows := 0
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/?"+bc.query, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				e.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
				}
				rows = strings.Count(rec.Body.String(), `<tr>`) - 1
			}
			if rows < 1 {
				b.Fatalf("no rows for %q", bc.query)
			}
		})
	}
}
