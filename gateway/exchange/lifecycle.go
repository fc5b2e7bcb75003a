package exchange

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// What the gateway's wiring needs of the database when it starts, serves its
// health and metrics pages and queues a staff send: kept here so the root
// package holds no SQL and no pgx.

// CheckSchema compares the database's schema version with this build's.
func (s *Store) CheckSchema(ctx context.Context) error { return CheckSchema(ctx, s.pool) }

// Privilege reports the privileges of the role the store connects as.
func (s *Store) Privilege(ctx context.Context) (Privilege, error) {
	return ConnectedPrivilege(ctx, s.pool)
}

// PoolStats are the connection pool's figures at one instant.
type PoolStats struct {
	Idle, InUse, Total, Max int64
}

// PoolStats reports the connection pool's figures now.
func (s *Store) PoolStats() PoolStats {
	st := s.pool.Stat()
	return PoolStats{Idle: int64(st.IdleConns()), InUse: int64(st.AcquiredConns()), Total: int64(st.TotalConns()),
		Max: int64(st.MaxConns())}
}

// OldestAges returns, for each status that has messages, the age in seconds
// of its oldest message (database-wide). One index probe per status.
func (s *Store) OldestAges(ctx context.Context, statuses []string) (map[string]float64, error) {
	rows, err := s.pool.Query(ctx, `SELECT s, extract(epoch FROM now() - (SELECT created_at FROM messages
		WHERE status = s ORDER BY created_at ASC LIMIT 1))::float8 FROM unnest($1::text[]) AS s`, statuses)
	if err != nil {
		return nil, fmt.Errorf("exchange: oldest ages: %w", err)
	}
	age := map[string]float64{}
	var st string
	var a *float64
	if _, err := pgx.ForEachRow(rows, []any{&st, &a}, func() error {
		if a != nil {
			age[st] = *a
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("exchange: oldest ages: %w", err)
	}
	return age, nil
}

// EnqueueAudited queues out for delivery and appends e to the audit log in
// one transaction, so a message never leaves without the record of who sent
// it, nor is recorded as sent without being queued. e.Target is filled in
// with the new message's ID when empty.
func (s *Store) EnqueueAudited(ctx context.Context, out Outbound, e Entry) (int64, error) {
	var id int64
	err := s.tx(ctx, func(q pgx.Tx) error {
		var err error
		if id, err = s.EnqueueOutbound(ctx, q, out); err != nil {
			return err
		}
		if e.Target == "" {
			e.Target = fmt.Sprintf("message:%d", id)
		}
		_, err = s.AppendAudit(ctx, q, e)
		return err
	})
	return id, err
}
