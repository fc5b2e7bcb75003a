// Package lookup is the read side of messages: one message, its history and
// receipts, keyset pages and counts, matches on SSN keys, and the
// authorised reveal of a sealed SSN, date of birth or raw body.
package lookup

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/base"
	"github.com/uifsagw/uifsagw/gateway/exchange/messages"
)

// Store is the message lookup store.
type Store struct {
	pool *pgxpool.Pool
	keys base.PIIKeys
}

// New returns the lookup store on pool, opening sealed values with keys.
func New(pool *pgxpool.Pool, keys base.PIIKeys) *Store { return &Store{pool: pool, keys: keys} }

// How package messages seals, under the names from before the split.
var (
	rawAAD = messages.RawAAD
	ssnAAD = messages.SSNAAD
	setPII = messages.SetPII
)

func (s *Store) pageMessages(ctx context.Context, where []string, args []any, p Page, what string) ([]Message, string, error) {
	return base.PageMessages(ctx, s.pool, where, args, p, what)
}
