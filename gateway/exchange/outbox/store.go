// Package outbox is the store of what waits for partners beyond the outbox
// rows themselves: the pull inbox of messages and files, the delivery pause
// switch, and the e-IWO batch files built from held documents.
package outbox

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/audit"
	"github.com/uifsagw/uifsagw/gateway/exchange/base"
	"github.com/uifsagw/uifsagw/gateway/exchange/messages"
)

// Store is the outbox store. Pausing delivery is audited through the
// embedded audit store; batch files are enqueued through the message store.
type Store struct {
	*auditLog
	*messageStore

	pool *pgxpool.Pool
	keys base.PIIKeys
}

type (
	auditLog     = audit.Store
	messageStore = messages.Store
)

// New returns the outbox store on pool, sealing with keys.
func New(pool *pgxpool.Pool, keys base.PIIKeys, log *audit.Store, msgs *messages.Store) *Store {
	return &Store{auditLog: log, messageStore: msgs, pool: pool, keys: keys}
}

func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// rawAAD is package messages' binding of a sealed body, under its name from before the split.
var rawAAD = messages.RawAAD
