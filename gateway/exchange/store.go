// Package exchange is the gateway's durable exchange store on PostgreSQL:
// messages in and out with their raw evidence and canonical form, the state
// history, signed receipts, the outbox and the pull inbox, matching keys,
// the audit chain and the review queue, and the schema migrations.
//
// Every method is one transaction. Methods that take a Querier also run
// inside a caller's transaction (pgx.Tx), so a decision and the messages it
// sends commit together. Raw bodies and SSNs are sealed with PIIKeys before
// they reach the database; canonical JSON carries masked SSNs only.
package exchange

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uifsagw/uifsagw/gateway/exchange/audit"
	"github.com/uifsagw/uifsagw/gateway/exchange/iwos"
	"github.com/uifsagw/uifsagw/gateway/exchange/jobs"
	"github.com/uifsagw/uifsagw/gateway/exchange/registry"
	"github.com/uifsagw/uifsagw/gateway/exchange/reviewdb"
)

// Store is the exchange store. It is safe for concurrent use. The stores of
// the aggregates are embedded, so their methods are Store's.
type Store struct {
	*auditStore
	*registryStore
	*iwoStore
	*reviewStore
	*jobStore

	pool   *pgxpool.Pool
	keys   PIIKeys
	cfg    config
	closed chan struct{}
	// gc gathers concurrent Receive calls into shared transactions; nil
	// when group commit is off.
	gc *groupCommitter
}

// The aggregate stores, embedded under names of their own (each package
// calls its type Store).
type (
	auditStore    = audit.Store
	registryStore = registry.Store
	iwoStore      = iwos.Store
	reviewStore   = reviewdb.Store
	jobStore      = jobs.Store
)

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

// Open connects to the database at url. Unless SkipSchemaCheck is given it
// fails with a *SchemaVersionError when the schema does not match this build.
func Open(ctx context.Context, url string, keys PIIKeys, opts ...Option) (*Store, error) {
	if !keys.Valid() {
		return nil, fmt.Errorf("%w: PII keys not configured", ErrInvalid)
	}
	cfg := config{processingLease: 5 * time.Minute, groupBatch: DefaultGroupCommitBatch, groupWait: DefaultGroupCommitWait}
	for _, o := range opts {
		o(&cfg)
	}
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("exchange: database URL: %w", err)
	}
	if cfg.poolConfig != nil {
		cfg.poolConfig(pc)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("exchange: connect: %w", err)
	}
	s := &Store{auditStore: audit.New(pool, keys), registryStore: registry.New(pool), iwoStore: iwos.New(pool), pool: pool, keys: keys, cfg: cfg, closed: make(chan struct{}), gc: newGroupCommitter(cfg.groupBatch, cfg.groupWait)}
	s.reviewStore = reviewdb.New(pool, s.auditStore)
	s.jobStore = jobs.New(pool, s.auditStore)
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if !cfg.skipSchemaCheck {
		if err := CheckSchema(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close stops listeners and closes the pool.
func (s *Store) Close() {
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.pool.Close()
}

// Pool is the underlying pool, for callers that open their own transactions.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Keys are the PII keys the store seals with.
func (s *Store) Keys() PIIKeys { return s.keys }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("exchange: ping: %w", err)
	}
	return nil
}

func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
