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
	perRow := false
	for len(live) > 0 {
		failed, err := s.attemptBatch(ctx, live, perRow)
		switch {
		case errors.Is(err, errPerRow):
			// A multi-row statement failed and cannot say whose row it was:
			// the same members again, one statement each, finds out.
			perRow = true
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

// errPerRow marks the failure of a multi-row statement of a batch: the
// batch is tried again with one statement per row, which names the member
// at fault.
var errPerRow = errors.New("exchange: multi-row statement failed")

// attemptBatch runs one shared transaction in four round trips whatever the
// batch size: all inserts, then (after signing the receipts of the stored
// ones) all their history, PII, receipt and notify rows, then the first
// receipts of the repeats, then the commit. Repeats are looked up last so
// that a repeat of a message stored earlier in the same batch finds it.
// failed is the index of the member a failure belongs to, or -1.
//
// Unless perRow, the messages go in one INSERT and each other table's rows
// in one more: PostgreSQL then plans, fires the statement triggers and
// computes per statement once per batch rather than once per row. A failure
// of such a statement is errPerRow.
func (s *Store) attemptBatch(ctx context.Context, live []*intakeMember, perRow bool) (failed int, err error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return -1, fmt.Errorf("exchange: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	for _, me := range live {
		me.id, me.inserted, me.r, me.err, me.ssnRows, me.dobRows = 0, false, Receipt{}, nil, nil, nil
	}
	if perRow {
		b := &pgx.Batch{}
		for _, me := range live {
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
	} else if err := insertBatchMessages(ctx, tx, live); err != nil {
		return -1, err
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

	b := &pgx.Batch{}
	var owner []int // owner[k] is the member of the k-th queued statement
	queue := func(i int, sql string, args ...any) {
		b.Queue(sql, args...)
		owner = append(owner, i)
	}
	if !perRow {
		if err := s.insertBatchRows(ctx, tx, live); err != nil {
			return -1, err
		}
	}
	for i, me := range live {
		if !me.inserted || !perRow {
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
		br := tx.SendBatch(ctx, b)
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
		br := tx.SendBatch(ctx, b)
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

// insertBatchMessages inserts the batch's messages in one statement and
// records each member's row id. Members are sorted by (partner, message ID),
// so a message ID twice in the batch is two neighbours: only the first is
// offered, and the later one is answered as a repeat of it.
func insertBatchMessages(ctx context.Context, tx pgx.Tx, live []*intakeMember) error {
	n := len(live)
	var (
		dir, partner, mid, format, ctype, fn, act, rsn, sf, rf, scid, rcid, status, canon, irt, trace, sig, keys []string
		raw, sum                                                                                                 [][]byte
		at                                                                                                       []time.Time
	)
	first := make(map[[2]string]*intakeMember, n)
	for i, me := range live {
		if i > 0 && live[i-1].m.partner == me.m.partner && live[i-1].m.msgID == me.m.msgID {
			continue
		}
		m, p, h := me.m, me.p, me.m.tx.Header
		first[[2]string{m.partner, m.msgID}] = me
		dir, partner, mid, format, ctype = append(dir, string(m.dir)), append(partner, m.partner), append(mid, m.msgID), append(format, m.format), append(ctype, m.contentType)
		fn, act, rsn = append(fn, string(h.Function)), append(act, string(h.Action)), append(rsn, string(h.Reason))
		sf, rf, scid, rcid = append(sf, string(h.SenderFIPS)), append(rf, string(h.ReceiverFIPS)), append(scid, h.SenderCaseID), append(rcid, h.ReceiverCaseID)
		status, raw, sum, canon = append(status, string(m.status)), append(raw, p.sealedRaw), append(sum, p.sum[:]), append(canon, string(p.canonical))
		irt, trace, sig, at = append(irt, m.inReplyTo), append(trace, m.traceID), append(sig, m.signature), append(at, m.createdAt)
		keys = append(keys, p.nameKeys)
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO messages (direction, partner, sender_message_id, format, content_type,
			function, action, reason, sender_fips, receiver_fips, sender_case_id, receiver_case_id,
			status, raw_sealed, body_sha256, canonical, in_reply_to, trace_id, signature, created_at, updated_at, name_keys)
		SELECT t.dir, t.partner, t.mid, t.format, t.ctype, t.fn, t.act, t.rsn, t.sf, t.rf, t.scid, t.rcid,
			t.status, t.raw, t.sum, t.canon::jsonb, t.irt, t.trace, t.sig, t.at, t.at, string_to_array(t.keys, ' ')
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bytea[], $15::bytea[], $16::text[],
			$17::text[], $18::text[], $19::text[], $20::timestamptz[], $21::text[])
			WITH ORDINALITY AS t(dir, partner, mid, format, ctype, fn, act, rsn, sf, rf, scid, rcid,
				status, raw, sum, canon, irt, trace, sig, at, keys, ord)
		ORDER BY t.ord
		ON CONFLICT ON CONSTRAINT messages_sender_key DO NOTHING
		RETURNING id, partner, sender_message_id`,
		dir, partner, mid, format, ctype, fn, act, rsn, sf, rf, scid, rcid, status, raw, sum, canon, irt, trace, sig, at, keys)
	if err != nil {
		return fmt.Errorf("%w: insert messages: %w", errPerRow, err)
	}
	var id int64
	var p, m string
	_, err = pgx.ForEachRow(rows, []any{&id, &p, &m}, func() error {
		me := first[[2]string{p, m}]
		if me == nil {
			return fmt.Errorf("inserted %s from %s, which is not in the batch", m, p)
		}
		me.id, me.inserted = id, true
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: insert messages: %w", errPerRow, err)
	}
	return nil
}

// insertBatchRows adds the history, sealed PII, matching-key and receipt
// rows of the members inserted, one statement per table, and one wake-up for
// the processors (they claim whatever is waiting), in one round trip.
func (s *Store) insertBatchRows(ctx context.Context, tx pgx.Tx, live []*intakeMember) error {
	var (
		msgIDs, sealMsg, keyMsg []int64
		rcptIDs, jws            []string
		sums, sealed            [][]byte
		keyHash, keyDOB         [][]byte
		at                      []time.Time
		sealPath, keyRole       []string
		keyIndex                []int16
	)
	for _, me := range live {
		if !me.inserted {
			continue
		}
		msgIDs, rcptIDs, jws, sums, at = append(msgIDs, me.id), append(rcptIDs, me.r.ID), append(jws, me.r.JWS), append(sums, me.p.sum[:]), append(at, me.m.createdAt)
		for k, f := range me.p.ssns {
			sealMsg, sealPath, sealed = append(sealMsg, me.id), append(sealPath, f.path), append(sealed, me.ssnRows[k][0].([]byte))
			if f.alias >= 0 {
				continue // an alias SSN is sealed but is no matching key
			}
			keyMsg, keyRole, keyIndex = append(keyMsg, me.id), append(keyRole, f.role), append(keyIndex, int16(f.index))
			keyHash, keyDOB = append(keyHash, me.ssnRows[k][1].([]byte)), append(keyDOB, s.keys.HashDOBOrNil(f.dob))
		}
		for k, f := range me.p.dobs {
			sealMsg, sealPath, sealed = append(sealMsg, me.id), append(sealPath, f.path), append(sealed, me.dobRows[k])
		}
	}
	if len(msgIDs) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO message_history (message_id, from_status, to_status, actor, note)
		SELECT id, '', $2, 'intake', '' FROM unnest($1::bigint[]) AS t(id)`, msgIDs, string(StatusReceived))
	if len(sealMsg) > 0 {
		b.Queue(`INSERT INTO message_ssns (message_id, path, sealed)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[])`, sealMsg, sealPath, sealed)
	}
	if len(keyMsg) > 0 {
		b.Queue(`INSERT INTO person_keys (message_id, role, participant_index, ssn_hmac, dob_hmac)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::bytea[], $5::bytea[])`, keyMsg, keyRole, keyIndex, keyHash, keyDOB)
	}
	b.Queue(`INSERT INTO receipts (receipt_id, message_id, kind, jws, body_sha256, received_at)
		SELECT t.rid, t.mid, 'issued', t.jws, t.sum, t.at
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bytea[], $5::timestamptz[]) AS t(rid, mid, jws, sum, at)`,
		rcptIDs, msgIDs, jws, sums, at)
	b.Queue(notifySQL, ChannelReceived, strconv.FormatInt(msgIDs[0], 10))
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("%w: store received messages: %w", errPerRow, err)
	}
	return nil
}
