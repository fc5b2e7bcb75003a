package messages

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Group commit defaults: a batch closes when it holds DefaultGroupCommitBatch
// messages or has waited DefaultGroupCommitWait behind a commit in flight.
const (
	DefaultGroupCommitBatch = 64
	DefaultGroupCommitWait  = 2 * time.Millisecond
)

// groupCommitTimeout bounds one shared transaction. The batch runs on a
// context detached from its first caller, so that caller going away does not
// fail the others; this keeps a stuck database from holding them forever.
const groupCommitTimeout = 30 * time.Second

// WithGroupCommit bounds intake group commit: concurrent Receive calls share
// one transaction of at most maxBatch messages, and a batch that forms while
// another commit is in flight waits at most maxWait for company. An idle
// store commits a lone message at once, so group commit adds no latency at
// low load. maxBatch <= 1 turns group commit off (one transaction per
// message). Durability is the same either way: every caller is answered
// after the commit that holds its message.
func WithGroupCommit(maxBatch int, maxWait time.Duration) Option {
	return func(c *config) { c.groupBatch, c.groupWait = maxBatch, maxWait }
}

// GroupCommitStats counts what intake group commit did since Open.
type GroupCommitStats struct {
	Batches  uint64 // shared transactions committed
	Messages uint64 // Receive calls answered from those transactions
	// Alone counts calls sent back to their own transaction because the
	// shared one failed as a whole (connection lost, deadlock, commit error).
	Alone uint64
}

// GroupCommitStats returns the counters; zero when group commit is off.
func (s *Store) GroupCommitStats() GroupCommitStats {
	if s.gc == nil {
		return GroupCommitStats{}
	}
	return GroupCommitStats{Batches: s.gc.batches.Load(), Messages: s.gc.messages.Load(), Alone: s.gc.alone.Load()}
}

// groupCommitter gathers Receive calls. It owns no goroutine: the first call
// of a batch (its leader) runs the batch's transaction and answers the others.
type groupCommitter struct {
	maxBatch int
	maxWait  time.Duration

	mu       sync.Mutex
	open     *intakeBatch // accepting members; nil when none is
	inflight int          // batches between closing and commit

	batches, messages, alone atomic.Uint64
}

func newGroupCommitter(maxBatch int, maxWait time.Duration) *groupCommitter {
	if maxBatch <= 1 {
		return nil
	}
	return &groupCommitter{maxBatch: maxBatch, maxWait: max(maxWait, 0)}
}

type intakeBatch struct {
	members []*intakeMember
	full    chan struct{} // closed when members reaches maxBatch
}

// intakeMember is one Receive call waiting in a batch.
type intakeMember struct {
	ctx  context.Context
	m    newMessage
	p    prepared
	sign func(Receipt) (string, error)
	done chan intakeAnswer // buffered: the leader never blocks on a caller that left

	// Outcome of the current attempt, reset when a batch is retried.
	id       int64
	inserted bool
	r        Receipt
	err      error // ErrConflict, an answer rather than a failure of the batch
	ssnRows  [][2]any
	dobRows  [][]byte
}

type intakeAnswer struct {
	r      Receipt
	repeat bool
	err    error
	alone  bool // the shared transaction failed: store this message on its own
}

func (g *groupCommitter) receive(ctx context.Context, s *Store, m newMessage, p prepared, sign func(Receipt) (string, error)) (Receipt, bool, error) {
	me := &intakeMember{ctx: ctx, m: m, p: p, sign: sign, done: make(chan intakeAnswer, 1)}
	g.mu.Lock()
	b := g.open
	leader := b == nil
	if leader {
		b = &intakeBatch{full: make(chan struct{})}
		g.open = b
	}
	b.members = append(b.members, me)
	if len(b.members) >= g.maxBatch {
		g.open = nil
		close(b.full)
	}
	busy := g.inflight > 0
	g.mu.Unlock()

	if leader {
		// While another commit is being flushed to disk, arrivals would only
		// queue for the pool; gathering them here turns their many commits
		// (and fsyncs) into one.
		if busy && g.maxWait > 0 {
			t := time.NewTimer(g.maxWait)
			select {
			case <-b.full:
			case <-t.C:
			}
			t.Stop()
		}
		g.mu.Lock()
		if g.open == b {
			g.open = nil
		}
		members := b.members
		g.inflight++
		g.mu.Unlock()
		s.commitBatch(ctx, members)
		g.mu.Lock()
		g.inflight--
		g.mu.Unlock()
	}

	var a intakeAnswer
	select {
	case a = <-me.done:
	case <-ctx.Done():
		// The message may still commit with its batch; like a client that
		// hangs up after the commit, the caller repeats and gets the receipt.
		return Receipt{}, false, fmt.Errorf("exchange: receive: %w", ctx.Err())
	}
	if a.alone {
		g.alone.Add(1)
		return s.receiveOne(ctx, m, p, sign)
	}
	return a.r, a.repeat, a.err
}

// commitBatch stores members in one transaction and answers each. A failure
// that belongs to one member (its insert, its signature, its lookup) takes
// that member out with the error and the rest are tried again in a fresh
// transaction; a failure of the transaction itself sends every member back
// to store its message alone, so a batch never fails a call that would have
// succeeded on its own.
func (s *Store) commitBatch(leaderCtx context.Context, members []*intakeMember) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(leaderCtx), groupCommitTimeout)
	defer cancel()

	live := members[:0:0]
	for _, me := range members {
		if err := me.ctx.Err(); err != nil {
			me.done <- intakeAnswer{err: fmt.Errorf("exchange: receive: %w", err)}
			continue
		}
		live = append(live, me)
	}
	// A fixed order of unique-key locks across concurrent batches rules out
	// deadlocks between two batches that hold the same two message ids.
	slices.SortStableFunc(live, func(a, b *intakeMember) int {
		return cmp.Or(cmp.Compare(a.m.partner, b.m.partner), cmp.Compare(a.m.msgID, b.m.msgID))
	})
	for len(live) > 0 {
		failed, err := s.attemptBatch(ctx, live)
		switch {
		case err == nil:
			s.gc.batches.Add(1)
			s.gc.messages.Add(uint64(len(live)))
			for _, me := range live {
				me.done <- intakeAnswer{r: me.r, repeat: !me.inserted && me.err == nil, err: me.err}
			}
			return
		case failed >= 0:
			live[failed].done <- intakeAnswer{err: err}
			live = slices.Delete(live, failed, failed+1)
		default:
			for _, me := range live {
				me.done <- intakeAnswer{alone: true}
			}
			return
		}
	}
}

// attemptBatch runs one shared transaction in four round trips whatever the
// batch size: all inserts, then (after signing the receipts of the stored
// ones) all their history, PII, receipt and notify rows, then the first
// receipts of the repeats, then the commit. Repeats are looked up last so
// that a repeat of a message stored earlier in the same batch finds it.
// failed is the index of the member a failure belongs to, or -1.
func (s *Store) attemptBatch(ctx context.Context, live []*intakeMember) (failed int, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return -1, fmt.Errorf("exchange: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	b := &pgx.Batch{}
	for _, me := range live {
		me.id, me.inserted, me.r, me.err, me.ssnRows, me.dobRows = 0, false, Receipt{}, nil, nil, nil
		b.Queue(insertMessageSQL, insertMessageArgs(me.m, me.p)...)
	}
	br := tx.SendBatch(ctx, b)
	for i, me := range live {
		if me.id, me.inserted, err = scanInsertedID(br.QueryRow()); err != nil {
			_ = br.Close()
			return i, err
		}
	}
	if err := br.Close(); err != nil {
		return -1, fmt.Errorf("exchange: insert messages: %w", err)
	}

	// Signing and sealing are CPU work; spread them over the cores while
	// this transaction holds its connection.
	errs := make([]error, len(live))
	var wg sync.WaitGroup
	for i, me := range live {
		if !me.inserted {
			continue
		}
		wg.Go(func() { errs[i] = s.prepareStored(me) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return i, err
		}
	}

	b = &pgx.Batch{}
	var owner []int // owner[k] is the member of the k-th queued statement
	queue := func(i int, sql string, args ...any) {
		b.Queue(sql, args...)
		owner = append(owner, i)
	}
	for i, me := range live {
		if !me.inserted {
			continue
		}
		queue(i, `INSERT INTO message_history (message_id, from_status, to_status, actor, note)
			VALUES ($1, $2, $3, $4, $5)`, me.id, "", string(StatusReceived), "intake", "")
		for k, f := range me.p.ssns {
			queue(i, `INSERT INTO message_ssns (message_id, path, sealed) VALUES ($1, $2, $3)`, me.id, f.path, me.ssnRows[k][0])
			if f.alias >= 0 {
				continue // an alias SSN is sealed but is no matching key
			}
			queue(i, insertPersonKeySQL, me.id, f.role, f.index, me.ssnRows[k][1], s.keys.hashDOBOrNil(f.dob))
		}
		for k, f := range me.p.dobs {
			queue(i, `INSERT INTO message_ssns (message_id, path, sealed) VALUES ($1, $2, $3)`, me.id, f.path, me.dobRows[k])
		}
		queue(i, insertReceiptSQL, me.r.ID, me.id, me.r.JWS, me.p.sum[:], me.m.createdAt)
		queue(i, notifySQL, ChannelReceived, strconv.FormatInt(me.id, 10))
	}
	if len(owner) > 0 {
		br = tx.SendBatch(ctx, b)
		for _, i := range owner {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return i, fmt.Errorf("exchange: store received message: %w", err)
			}
		}
		if err := br.Close(); err != nil {
			return -1, fmt.Errorf("exchange: store received messages: %w", err)
		}
	}

	b = &pgx.Batch{}
	owner = owner[:0]
	for i, me := range live {
		if !me.inserted {
			queue(i, firstReceiptSQL, me.m.partner, me.m.msgID)
		}
	}
	if len(owner) > 0 {
		br = tx.SendBatch(ctx, b)
		for _, i := range owner {
			me := live[i]
			me.r, err = scanFirstReceipt(br.QueryRow(), me.m.partner, me.m.msgID, me.p.sum[:])
			switch {
			case errors.Is(err, ErrConflict):
				me.err = err
			case err != nil:
				_ = br.Close()
				return i, err
			}
		}
		if err := br.Close(); err != nil {
			return -1, fmt.Errorf("exchange: first receipts: %w", err)
		}
	}

	if err := tx.Commit(ctx); err != nil {
		return -1, fmt.Errorf("exchange: commit: %w", err)
	}
	return -1, nil
}

// prepareStored signs the receipt of a member just inserted and seals its
// SSNs, whose associated data names the new row id.
func (s *Store) prepareStored(me *intakeMember) error {
	r := newReceipt(me.m, me.p)
	jws, err := me.sign(r)
	if err != nil {
		return fmt.Errorf("exchange: sign receipt: %w", err)
	}
	r.JWS = jws
	me.r = r
	for _, f := range me.p.ssns {
		sealed, err := s.keys.Seal([]byte(f.ssn.Digits()), ssnAAD(me.id, f.path))
		if err != nil {
			return err
		}
		me.ssnRows = append(me.ssnRows, [2]any{sealed, s.keys.HashSSN(f.ssn)})
	}
	for _, f := range me.p.dobs {
		sealed, err := s.keys.Seal([]byte(f.dob.String()), ssnAAD(me.id, f.path))
		if err != nil {
			return err
		}
		me.dobRows = append(me.dobRows, sealed)
	}
	return nil
}
