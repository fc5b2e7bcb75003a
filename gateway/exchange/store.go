package exchange

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/audit"
	"github.com/uifsagw/uifsagw/gateway/exchange/iwos"
	"github.com/uifsagw/uifsagw/gateway/exchange/jobs"
	"github.com/uifsagw/uifsagw/gateway/exchange/lookup"
	"github.com/uifsagw/uifsagw/gateway/exchange/messages"
	"github.com/uifsagw/uifsagw/gateway/exchange/outbox"
	"github.com/uifsagw/uifsagw/gateway/exchange/processing"
	"github.com/uifsagw/uifsagw/gateway/exchange/registry"
	"github.com/uifsagw/uifsagw/gateway/exchange/retention"
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
	*messageStore
	*processingStore
	*retentionStore
	*outboxStore
	*lookupStore

	pool   *pgxpool.Pool
	keys   PIIKeys
	closed chan struct{}
}

// The aggregate stores, embedded under names of their own (each package
// calls its type Store).
type (
	auditStore      = audit.Store
	registryStore   = registry.Store
	iwoStore        = iwos.Store
	reviewStore     = reviewdb.Store
	jobStore        = jobs.Store
	messageStore    = messages.Store
	processingStore = processing.Store
	retentionStore  = retention.Store
	outboxStore     = outbox.Store
	lookupStore     = lookup.Store
)

// Open connects to the database at url. Unless SkipSchemaCheck is given it
// fails with a *SchemaVersionError when the schema does not match this build.
func Open(ctx context.Context, url string, keys PIIKeys, opts ...Option) (*Store, error) {
	if !keys.Valid() {
		return nil, fmt.Errorf("%w: PII keys not configured", ErrInvalid)
	}
	cfg := messages.Configure(opts...)
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("exchange: database URL: %w", err)
	}
	if cfg.PoolConfig != nil {
		cfg.PoolConfig(pc)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("exchange: connect: %w", err)
	}
	s := &Store{auditStore: audit.New(pool, keys), registryStore: registry.New(pool), iwoStore: iwos.New(pool), messageStore: messages.New(pool, keys, opts...),
		pool: pool, keys: keys, closed: make(chan struct{})}
	s.reviewStore = reviewdb.New(pool, s.auditStore)
	s.jobStore = jobs.New(pool, s.auditStore)
	s.processingStore = processing.New(pool, keys, cfg.ProcessingLease)
	s.retentionStore = retention.New(pool, keys)
	s.lookupStore = lookup.New(pool, keys)
	s.outboxStore = outbox.New(pool, keys, s.auditStore, s.messageStore)
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if !cfg.SkipSchemaCheck {
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

// Pool is the underlying pool. No production code outside the store layer
// calls it (issue 18: SQL lives in the aggregate stores); tests use it to
// check the database directly and to pass a Querier to functions that also
// run inside a caller's transaction.
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

// tx is kept for the files other branches add to this package meanwhile.
//
//lint:ignore U1000 see above
func (s *Store) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}
