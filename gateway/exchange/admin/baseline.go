package admin

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// baselineTable is created for the commit baseline and dropped after it. It
// is a logged table: an unlogged or temporary one would skip the WAL flush
// that a commit costs, which is the point of the measurement.
const baselineTable = "uifsagw_load_baseline"

// CommitTable is a scratch table the load generator inserts into, one row
// per transaction, to measure what a bare durable commit costs on a server.
type CommitTable struct {
	pool *pgxpool.Pool
}

// OpenCommitTable connects conns connections (all opened now, so that
// connection set-up is not measured) to url with synchronous_commit on,
// and creates the scratch table.
func OpenCommitTable(ctx context.Context, url string, conns int) (*CommitTable, error) {
	conns = max(conns, 1)
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("admin: database URL: %w", err)
	}
	pc.MaxConns, pc.MinConns = int32(conns), int32(conns)
	// The gateway commits with synchronous_commit on; so must the baseline,
	// whatever the server default says.
	pc.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("admin: connect: %w", err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+baselineTable+` (
		id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, message_id text NOT NULL, body bytea NOT NULL,
		created_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		pool.Close()
		return nil, fmt.Errorf("admin: baseline table: %w", err)
	}
	t := &CommitTable{pool: pool}
	held := make([]*pgxpool.Conn, 0, conns)
	var aerr error
	for range conns {
		c, err := pool.Acquire(ctx)
		if err != nil {
			aerr = err
			break
		}
		held = append(held, c)
	}
	for _, c := range held {
		c.Release()
	}
	if aerr != nil {
		t.Close(ctx)
		return nil, fmt.Errorf("admin: connect: %w", aerr)
	}
	return t, nil
}

// Insert commits one row: one statement outside a transaction block is one
// transaction, INSERT then COMMIT.
func (t *CommitTable) Insert(ctx context.Context, messageID string, body []byte) error {
	_, err := t.pool.Exec(ctx, `INSERT INTO `+baselineTable+` (message_id, body) VALUES ($1, $2)`, messageID, body)
	return err
}

// Close drops the table and closes the connections.
func (t *CommitTable) Close(ctx context.Context) {
	_, _ = t.pool.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+baselineTable)
	t.pool.Close()
}

// Durability reports the server's synchronous_commit and fsync settings, so
// a report can say whether commits were durable.
func Durability(ctx context.Context, url string) (syncCommit, fsync string, err error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", "", fmt.Errorf("admin: connect: %w", err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	if err := c.QueryRow(ctx, `SELECT current_setting('synchronous_commit'), current_setting('fsync')`).Scan(&syncCommit, &fsync); err != nil {
		return "", "", fmt.Errorf("admin: settings: %w", err)
	}
	return syncCommit, fsync, nil
}
