// Package audit is the store of the audit log: a hash chain, keyed with a
// key the database does not hold, that staff actions and deliveries append
// to, with its verification against the chain and against checkpoints.
package audit

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/base"
)

// Store is the audit log's store.
type Store struct {
	pool *pgxpool.Pool
	keys base.PIIKeys
}

// New returns the audit store on pool; keys give the chain key.
func New(pool *pgxpool.Pool, keys base.PIIKeys) *Store { return &Store{pool: pool, keys: keys} }

// Cols are the audit_log columns Scan reads.
const Cols = auditCols

// Scan scans a row of Cols.
func Scan(row pgx.CollectableRow) (base.AuditRecord, error) { return scanAudit(row) }

// Append appends e to the chain under key, in q's transaction.
func Append(ctx context.Context, q base.Querier, key []byte, e base.Entry) (int64, error) {
	return appendAudit(ctx, q, key, e)
}
