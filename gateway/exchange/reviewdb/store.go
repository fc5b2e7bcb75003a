// Package reviewdb is the store of the review queue and the staff UI's read models: review items, staff search and counts, claims, reprocess and requeue, refusal and audit views.
package reviewdb

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/audit"
	"github.com/uifsagw/uifsagw/gateway/exchange/base"
)

// Store is the store of the review queue and the staff UI's read models: review items, staff search and counts, claims, reprocess and requeue, refusal and audit views. Staff actions append to the audit
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

// The audit columns and scanner, under their names from before the split.
const auditCols = audit.Cols

var scanAudit = audit.Scan

func (s *Store) pageMessages(ctx context.Context, where []string, args []any, p Page, what string) ([]Message, string, error) {
	return base.PageMessages(ctx, s.pool, where, args, p, what)
}
