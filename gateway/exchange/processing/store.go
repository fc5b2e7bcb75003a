// Package processing is the store side of the inbound worker: claiming
// received messages under a lease, completing them with the decision and the
// messages it sends in one transaction, releasing them for a retry.
package processing

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/base"
)

// Store is the processing store.
type Store struct {
	pool *pgxpool.Pool
	keys base.PIIKeys
	cfg  settings
}

type settings struct {
	processingLease time.Duration
}

// New returns the processing store on pool; a claimed message is another
// worker's to take after lease.
func New(pool *pgxpool.Pool, keys base.PIIKeys, lease time.Duration) *Store {
	return &Store{pool: pool, keys: keys, cfg: settings{processingLease: lease}}
}

func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
