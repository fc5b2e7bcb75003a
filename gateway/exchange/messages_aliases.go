// The names of package messages under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to messages that
// callers need through exchange is added here too.

package exchange

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uifsagw/uifsagw/gateway/exchange/messages"
)

const DefaultGroupCommitBatch = messages.DefaultGroupCommitBatch

const DefaultGroupCommitWait = messages.DefaultGroupCommitWait

// FileOutcome is what became of one item of an InboundFile.
type FileOutcome = messages.FileOutcome

// FileReceipt is the stored receipt of a file.
type FileReceipt = messages.FileReceipt

// FileSigner builds and signs the receipt of a file from the outcome of each
// item (in item order); it returns the document and its JWS.
type FileSigner = messages.FileSigner

// GroupCommitStats counts what intake group commit did since Open.
type GroupCommitStats = messages.GroupCommitStats

// InboundFile is a file of many transactions from one partner, every
// transaction already checked by intake.
type InboundFile = messages.InboundFile

// Option configures Open.
type Option = messages.Option

// SkipSchemaCheck opens the store without comparing the schema version; for
// `uifsagw migrate`, which is about to change it.
func SkipSchemaCheck() Option { return messages.SkipSchemaCheck() }

// WithGroupCommit bounds intake group commit: concurrent Receive calls share
// one transaction of at most maxBatch messages, and a batch that forms while
// another commit is in flight waits at most maxWait for company. An idle
// store commits a lone message at once, so group commit adds no latency at
// low load. maxBatch <= 1 turns group commit off (one transaction per
// message). Durability is the same either way: every caller is answered
// after the commit that holds its message.
func WithGroupCommit(maxBatch int, maxWait time.Duration) Option {
	return messages.WithGroupCommit(maxBatch, maxWait)
}

// WithPoolConfig adjusts the pgxpool configuration (sizes, tracers) before connecting.
func WithPoolConfig(f func(*pgxpool.Config)) Option { return messages.WithPoolConfig(f) }

// WithProcessingLease sets how long a worker may hold a claimed inbound
// message before RescueExpiredLeases hands it to another; default 5 minutes.
func WithProcessingLease(d time.Duration) Option { return messages.WithProcessingLease(d) }
