// Package registry is the store of the order registry and our cases: support orders, the cases they belong to and the partners' case IDs for them.
package registry

import (
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the store of the order registry and our cases: support orders, the cases they belong to and the partners' case IDs for them.
type Store struct {
	pool *pgxpool.Pool
}

// New returns the store on pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }
