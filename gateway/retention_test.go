package gateway_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uifsagw/uifsagw/gateway/devenv"
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/gatewaytest"
)

func TestRetentionSingleton(t *testing.T) {
	g, pool := startNY(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 3; i++ {
		id := gatewaytest.MustMessageID("NJ-EST")
		if res, err := g.ClientAs("nj").Post(ctx, encode(t, devenv.SampleEST(id, today()), "xml-transaction/1"), "application/xml", id); err != nil || res.Error != nil {
			t.Fatalf("post: %v %+v", err, res.Error)
		}
		ids = append(ids, id)
	}
	waitFor(t, "processed", 10*time.Second, func() bool {
		return count(t, pool, `SELECT count(*) FROM messages WHERE status = 'processed'`) == 3
	})
	// One message is four years old (past raw_body_days 1095), one eight
	// (past message_days 2555), one new.
	if _, err := pool.Exec(ctx, `UPDATE messages SET created_at = now() - interval '4 years' WHERE sender_message_id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE messages SET created_at = now() - interval '8 years' WHERE sender_message_id = $1`, ids[1]); err != nil {
		t.Fatal(err)
	}

	// While another replica holds the job's lock, this one does nothing.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(x'7569667372657465'::bigint)`); err != nil {
		t.Fatal(err)
	}
	if res, ran, err := g.Server.RunRetention(ctx); err != nil || ran || res != (exchange.RetentionResult{}) {
		t.Fatalf("ran beside another replica: %v %v %+v", ran, err, res)
	}
	_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock(x'7569667372657465'::bigint)`)
	conn.Release()

	res, ran, err := g.Server.RunRetention(ctx)
	if err != nil || !ran {
		t.Fatalf("retention: %v %v", ran, err)
	}
	// The eight-year-old message's body goes first, then the message itself.
	if res.BodiesErased != 2 || res.MessagesDeleted != 1 {
		t.Fatalf("retention did %+v, want 2 bodies erased and 1 message deleted", res)
	}
	if n := count(t, pool, `SELECT count(*) FROM messages`); n != 2 {
		t.Fatalf("%d messages left", n)
	}
	var erased int64
	_ = pool.QueryRow(ctx, `SELECT id FROM messages WHERE sender_message_id = $1`, ids[0]).Scan(&erased)
	if _, err := g.Server.Store().RawBody(ctx, erased); !errors.Is(err, exchange.ErrErased) {
		t.Fatalf("erased body: %v", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM message_ssns WHERE message_id = $1`, erased); n != 0 {
		t.Fatalf("%d sealed SSNs kept past retention", n)
	}
	var kept int64
	_ = pool.QueryRow(ctx, `SELECT id FROM messages WHERE sender_message_id = $1`, ids[2]).Scan(&kept)
	if raw, err := g.Server.Store().RawBody(ctx, kept); err != nil || len(raw) == 0 {
		t.Fatalf("the new message's body: %v", err)
	}
	text := scrape(t, g)
	for _, want := range []string{`uifsagw_retention_purged_total{kind="raw_body_erased"} 2`, `uifsagw_retention_purged_total{kind="message_deleted"} 1`} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
