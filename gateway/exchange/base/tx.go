package base

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is what the store needs to run statements: satisfied by
// *pgxpool.Pool, *pgx.Conn and pgx.Tx.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Within runs fn in a transaction begun from q: a real transaction on a pool
// or connection, a savepoint inside a caller's transaction. Either way the
// statements of one store operation apply together or not at all.
func Within(ctx context.Context, q Querier, fn func(tx pgx.Tx) error) error {
	b, ok := q.(beginner)
	if !ok {
		return fmt.Errorf("%w: querier %T cannot begin a transaction", ErrInvalid, q)
	}
	return pgx.BeginFunc(ctx, b, fn)
}

// NewID returns a random identifier with a readable prefix.
func NewID(prefix string) string { return prefix + "_" + rand.Text() }

// AddHistory records a status change of message id.
func AddHistory(ctx context.Context, q Querier, id int64, from, to Status, actor, note string) error {
	_, err := q.Exec(ctx, `INSERT INTO message_history (message_id, from_status, to_status, actor, note)
		VALUES ($1, $2, $3, $4, $5)`, id, string(from), string(to), actor, Truncate(note, 2000))
	if err != nil {
		return fmt.Errorf("exchange: history: %w", err)
	}
	return nil
}

// Truncate cuts s to at most n bytes on a rune boundary.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary so the text stays valid UTF-8 for PostgreSQL.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
