// Package retention is the store side of the retention policy: erasing
// bodies and whole messages past their time, and resealing dates of birth
// that older versions stored in the clear.
package retention

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/base"
	"github.com/uifsagw/uifsagw/gateway/exchange/messages"
)

// Store is the retention store.
type Store struct {
	pool *pgxpool.Pool
	keys base.PIIKeys
}

// New returns the retention store on pool, sealing with keys.
func New(pool *pgxpool.Pool, keys base.PIIKeys) *Store { return &Store{pool: pool, keys: keys} }

// The sealing helpers of package messages, under their names from before the split.
var (
	maskTransaction = messages.MaskTransaction
	ssnAAD          = messages.SSNAAD
)

const ncpDOBPath = messages.NCPDOBPath
