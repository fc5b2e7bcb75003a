// Package jobs is the store of bulk jobs: staff actions over a filtered set of messages, run a chunk at a time.
package jobs

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/audit"
)

// Store is the store of bulk jobs: staff actions over a filtered set of messages, run a chunk at a time. Staff actions append to the audit
// chain through the embedded audit store.
type Store struct {
	*audit.Store

	pool *pgxpool.Pool
}

// New returns the store on pool; staff actions are audited in log.
func New(pool *pgxpool.Pool, log *audit.Store) *Store { return &Store{Store: log, pool: pool} }

func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
