// Package messages is the store of messages in and out: intake (one
// message, group commit, 10,000-transaction files) with its receipts and
// refusals, sealed bodies, SSNs and dates of birth, the outbox, and the
// reads of a message, its history and its PII.
package messages

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/base"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Store is the store of messages. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	keys piiKeys
	cfg  config
	// gc gathers concurrent Receive calls into shared transactions; nil
	// when group commit is off.
	gc *groupCommitter
}

type config struct {
	processingLease time.Duration
	skipSchemaCheck bool
	poolConfig      func(*pgxpool.Config)
	// groupBatch and groupWait bound intake group commit (see WithGroupCommit).
	groupBatch int
	groupWait  time.Duration
}

// Option configures Open.
type Option func(*config)

// WithProcessingLease sets how long a worker may hold a claimed inbound
// message before RescueExpiredLeases hands it to another; default 5 minutes.
func WithProcessingLease(d time.Duration) Option {
	return func(c *config) { c.processingLease = d }
}

// SkipSchemaCheck opens the store without comparing the schema version; for
// `uifsagw migrate`, which is about to change it.
func SkipSchemaCheck() Option { return func(c *config) { c.skipSchemaCheck = true } }

// WithPoolConfig adjusts the pgxpool configuration (sizes, tracers) before connecting.
func WithPoolConfig(f func(*pgxpool.Config)) Option { return func(c *config) { c.poolConfig = f } }

// Settings are what the options ask of the store's opener.
type Settings struct {
	ProcessingLease time.Duration
	SkipSchemaCheck bool
	PoolConfig      func(*pgxpool.Config)
}

func configure(opts []Option) config {
	cfg := config{processingLease: 5 * time.Minute, groupBatch: DefaultGroupCommitBatch, groupWait: DefaultGroupCommitWait}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// Configure applies opts to the defaults.
func Configure(opts ...Option) Settings {
	cfg := configure(opts)
	return Settings{ProcessingLease: cfg.processingLease, SkipSchemaCheck: cfg.skipSchemaCheck, PoolConfig: cfg.poolConfig}
}

// New returns the message store on pool, sealing with keys.
func New(pool *pgxpool.Pool, keys base.PIIKeys, opts ...Option) *Store {
	cfg := configure(opts)
	return &Store{pool: pool, keys: piiKeys{keys}, cfg: cfg, gc: newGroupCommitter(cfg.groupBatch, cfg.groupWait)}
}

// piiKeys are the store's keys, with the helper that intake calls by its
// name from before the split.
type piiKeys struct{ base.PIIKeys }

func (k piiKeys) hashDOBOrNil(d *canonical.Date) []byte { return k.HashDOBOrNil(d) }

func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// Exported for the stores that read sealed bodies and PII of messages.

// RawAAD binds a sealed raw body to its partner, direction and message id.
func RawAAD(partner string, dir base.Direction, msgID string) []byte {
	return rawAAD(partner, dir, msgID)
}

// SSNAAD binds a sealed SSN or date of birth to its message and path.
func SSNAAD(messageID int64, path string) []byte { return ssnAAD(messageID, path) }

// MaskTransaction returns tx with SSNs and dates of birth masked, and the
// values it took out.
func MaskTransaction(tx canonical.Transaction) (canonical.Transaction, []SSNField, []DOBField, error) {
	return maskTransaction(tx)
}

// SSNField is an SSN MaskTransaction took out of a transaction.
type SSNField = ssnField

// DOBField is a date of birth MaskTransaction took out of a transaction.
type DOBField = dobField

// Path is where in the transaction the date of birth was.
func (f dobField) Path() string { return f.path }

// DOB is the date of birth.
func (f dobField) DOB() canonical.Date { return f.dob }

// SetPII puts a revealed SSN or date of birth back at path of tx.
func SetPII(tx *canonical.Transaction, path string, value []byte) error {
	return setPII(tx, path, value)
}

// NCPDOBPath is where the NCP's date of birth is sealed.
const NCPDOBPath = ncpDOBPath
