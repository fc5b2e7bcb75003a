package processing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/gateway/exchange/base"
	"github.com/uifsagw/uifsagw/gateway/exchange/messages"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Batch is a set of received messages decided in one transaction (issue 19):
// the messages are locked, not moved to processing, so each one's status is
// rewritten once (received to its final status) instead of twice, with one
// UPDATE and one history INSERT for the whole batch at Commit. Each message
// is decided in its own savepoint: a message whose decision fails has its
// effects rolled back alone and is parked in processing under the lease, as
// a failed message of ClaimReceived would be, so it is retried after the
// lease while the others commit. A crash before Commit leaves every message
// received, so nothing is processed twice and nothing is lost.
type Batch struct {
	s     *Store
	tx    pgx.Tx
	owner string
	// Messages are the locked messages' summaries. Their Tx is left empty:
	// Transaction reads the canonical form (with the SSNs) when a decision
	// needs it, and decoding it here too cost a second JSON parse per
	// message (about 4 % of the gateway's CPU under load).
	Messages []Message
	canon    map[int64][]byte
	sealed   map[int64][]sealedPII
	ids      []int64
	statuses []string
	notes    []string
	failed   []int64
	done     bool
}

// ClaimBatch locks up to limit received messages, oldest first, skipping
// those another claimer holds, in a transaction that stays open until the
// batch's Commit or Rollback. It returns nil when none is due.
func (s *Store) ClaimBatch(ctx context.Context, owner string, limit int) (*Batch, error) {
	if owner == "" || limit <= 0 {
		return nil, fmt.Errorf("%w: owner and a positive limit are required", ErrInvalid)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("exchange: claim batch: %w", err)
	}
	b := &Batch{s: s, tx: tx, owner: owner, canon: map[int64][]byte{}, sealed: map[int64][]sealedPII{}}
	n, err := b.load(ctx, limit)
	if err != nil || n == 0 {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		if err != nil {
			return nil, fmt.Errorf("exchange: claim batch: %w", err)
		}
		return nil, nil
	}
	return b, nil
}

type sealedPII struct {
	path   string
	sealed []byte
}

// load locks the batch's messages and reads, in two statements for the
// whole batch, what Transaction needs (LoadTransaction would take two per
// message).
func (b *Batch) load(ctx context.Context, limit int) (int, error) {
	rows, err := b.tx.Query(ctx, `SELECT `+base.SummaryCols+`, canonical FROM messages WHERE status = 'received'
		ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
	if err != nil {
		return 0, err
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) {
		var canon []byte
		m, err := base.ScanInto(row, false, &canon)
		if err != nil {
			return m, err
		}
		b.canon[m.ID] = canon
		return m, nil
	})
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	b.Messages = msgs
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	rows, err = b.tx.Query(ctx, `SELECT message_id, path, sealed FROM message_ssns WHERE message_id = ANY($1)`, ids)
	if err != nil {
		return 0, err
	}
	var id int64
	var f sealedPII
	if _, err := pgx.ForEachRow(rows, []any{&id, &f.path, &f.sealed}, func() error {
		b.sealed[id] = append(b.sealed[id], f)
		return nil
	}); err != nil {
		return 0, err
	}
	return len(msgs), nil
}

// Transaction returns message m of the batch with its SSNs and dates of
// birth revealed, as LoadTransaction(ctx, m.ID, true) would.
func (b *Batch) Transaction(m Message) (canonical.Transaction, error) {
	canon, ok := b.canon[m.ID]
	if !ok {
		return canonical.Transaction{}, fmt.Errorf("%w: message %d is not in the batch", ErrNotFound, m.ID)
	}
	var tx canonical.Transaction
	if err := json.Unmarshal(canon, &tx); err != nil {
		return canonical.Transaction{}, fmt.Errorf("exchange: message %d canonical form: %w", m.ID, err)
	}
	for _, f := range b.sealed[m.ID] {
		pt, err := b.s.keys.Open(f.sealed, messages.SSNAAD(m.ID, f.path))
		if err != nil {
			return canonical.Transaction{}, fmt.Errorf("exchange: load SSNs of message %d: %s: %w", m.ID, f.path, err)
		}
		if err := messages.SetPII(&tx, f.path, pt); err != nil {
			return canonical.Transaction{}, fmt.Errorf("exchange: load SSNs of message %d: %w", m.ID, err)
		}
	}
	return tx, nil
}

// Decide runs fn for m inside its own savepoint of the batch's transaction;
// fn returns the status processing ends in and the history note. When fn
// (or the status) fails, m's effects are rolled back and m will be parked
// for a retry at Commit; the error is returned for the log.
func (b *Batch) Decide(ctx context.Context, m Message, fn func(q Querier) (Status, string, error)) error {
	if b.done {
		return fmt.Errorf("%w: batch already ended", ErrState)
	}
	sp, err := b.tx.Begin(ctx)
	if err != nil {
		return b.fail(ctx, m.ID, fmt.Errorf("exchange: savepoint for message %d: %w", m.ID, err))
	}
	status, note, err := fn(sp)
	if err == nil && !completionStatuses[status] {
		err = fmt.Errorf("%w: processing cannot end in status %q", ErrInvalid, status)
	}
	if err == nil && status == StatusReceived {
		// Given back for another attempt: nothing to write.
		err = sp.Commit(ctx)
		if err != nil {
			return b.fail(ctx, m.ID, err)
		}
		return nil
	}
	if err != nil {
		if rerr := sp.Rollback(ctx); rerr != nil {
			return errors.Join(err, fmt.Errorf("exchange: roll back message %d: %w", m.ID, rerr))
		}
		return b.fail(ctx, m.ID, err)
	}
	if err := sp.Commit(ctx); err != nil {
		return b.fail(ctx, m.ID, fmt.Errorf("exchange: release savepoint of message %d: %w", m.ID, err))
	}
	b.ids = append(b.ids, m.ID)
	b.statuses = append(b.statuses, string(status))
	b.notes = append(b.notes, truncate(note, 2000))
	return nil
}

func (b *Batch) fail(_ context.Context, id int64, err error) error {
	b.failed = append(b.failed, id)
	return err
}

// Commit writes every decided message's final status and history in one
// statement each, parks the failed ones in processing under the lease, and
// commits. If it fails, nothing of the batch is kept.
func (b *Batch) Commit(ctx context.Context) error {
	if b.done {
		return fmt.Errorf("%w: batch already ended", ErrState)
	}
	b.done = true
	err := b.commit(ctx)
	if err != nil {
		_ = b.tx.Rollback(context.WithoutCancel(ctx))
	}
	return err
}

func (b *Batch) commit(ctx context.Context) error {
	if len(b.ids) > 0 {
		if _, err := b.tx.Exec(ctx, `WITH d AS (SELECT unnest($1::bigint[]) AS id, unnest($2::text[]) AS status)
			UPDATE messages m SET status = d.status, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
			FROM d WHERE m.id = d.id`, b.ids, b.statuses); err != nil {
			return fmt.Errorf("exchange: complete batch: %w", err)
		}
		if _, err := b.tx.Exec(ctx, `INSERT INTO message_history (message_id, from_status, to_status, actor, note)
			SELECT unnest($1::bigint[]), 'received', unnest($2::text[]), $3, unnest($4::text[])`,
			b.ids, b.statuses, b.owner, b.notes); err != nil {
			return fmt.Errorf("exchange: batch history: %w", err)
		}
	}
	if len(b.failed) > 0 {
		if _, err := b.tx.Exec(ctx, `UPDATE messages SET status = 'processing', lease_owner = $2,
			lease_expires_at = now() + make_interval(secs => $3), updated_at = now() WHERE id = ANY($1)`,
			b.failed, b.owner, b.s.cfg.processingLease.Seconds()); err != nil {
			return fmt.Errorf("exchange: park failed messages: %w", err)
		}
		if _, err := b.tx.Exec(ctx, `INSERT INTO message_history (message_id, from_status, to_status, actor, note)
			SELECT unnest($1::bigint[]), 'received', 'processing', $2, ''`, b.failed, b.owner); err != nil {
			return fmt.Errorf("exchange: history: %w", err)
		}
	}
	if err := b.tx.Commit(ctx); err != nil {
		return fmt.Errorf("exchange: commit batch: %w", err)
	}
	return nil
}

// Rollback abandons the batch: every message stays received.
func (b *Batch) Rollback(ctx context.Context) {
	if b.done {
		return
	}
	b.done = true
	// Also when ctx has ended: the locks must go back now.
	_ = b.tx.Rollback(context.WithoutCancel(ctx))
}
