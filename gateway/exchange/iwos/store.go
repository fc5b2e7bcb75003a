// Package iwos is the store of the e-IWO documents sent to employers, their control and tracking numbers and the employers' acknowledgments.
package iwos

import (
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the store of the e-IWO documents sent to employers, their control and tracking numbers and the employers' acknowledgments.
type Store struct {
	pool *pgxpool.Pool
}

// New returns the store on pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }
