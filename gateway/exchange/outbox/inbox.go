package outbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// inboxLockClass is the first key of the per-partner advisory lock that
// serialises inbox stamping; the second is a hash of the partner id.
const inboxLockClass = 0x1f5a

// InboxList returns up to limit messages waiting in partner's pull inbox
// after cursor position after, with their raw bodies, and the cursor to pass
// next time. Messages stay listed until acknowledged, so a partner that
// starts again from 0 sees everything it has not acked.
//
// Positions are assigned here, under a per-partner lock, to messages whose
// transactions have committed: a position is never handed out behind a
// cursor a partner already holds, which a sequence drawn at insert time (by
// transactions that commit out of order) could not promise.
func (s *Store) InboxList(ctx context.Context, partner string, after int64, limit int) ([]Message, int64, error) {
	if partner == "" {
		return nil, after, fmt.Errorf("%w: partner is required", ErrInvalid)
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var msgs []Message
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, inboxLockClass, partner); err != nil {
			return fmt.Errorf("exchange: inbox lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE messages m SET inbox_seq = s.seq
			FROM (SELECT id, nextval('inbox_seq') AS seq FROM (
				SELECT id FROM messages
				WHERE partner = $1 AND status = 'awaiting_pickup' AND inbox_seq IS NULL ORDER BY id) u) s
			WHERE m.id = s.id`, partner); err != nil {
			return fmt.Errorf("exchange: inbox stamp: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT `+messageCols+`, raw_sealed FROM messages
			WHERE partner = $1 AND status = 'awaiting_pickup' AND inbox_seq > $2
			ORDER BY inbox_seq LIMIT $3`, partner, after, limit)
		if err != nil {
			return fmt.Errorf("exchange: inbox list: %w", err)
		}
		msgs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) {
			return s.scanWithRaw(row)
		})
		if err != nil {
			return fmt.Errorf("exchange: inbox list: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, after, err
	}
	next := after
	if len(msgs) > 0 {
		next = msgs[len(msgs)-1].InboxSeq
	}
	return msgs, next, nil
}

// scanWithRaw scans messageCols followed by raw_sealed and decrypts the body.
func (s *Store) scanWithRaw(row pgx.CollectableRow) (Message, error) {
	var sealed []byte
	m, err := scanInto(row, true, &sealed)
	if err != nil {
		return Message{}, err
	}
	raw, err := s.keys.Open(sealed, rawAAD(m.Partner, m.Direction, m.MessageID))
	if err != nil {
		return Message{}, fmt.Errorf("message %d: %w", m.ID, err)
	}
	m.Raw = raw
	return m, nil
}

// InboxAck marks the given messages (our message ids, as listed) picked up.
// Ids that are not in this partner's inbox are ignored, so one partner can
// never acknowledge another's messages; acked reports how many changed.
func (s *Store) InboxAck(ctx context.Context, partner string, ids []string) (acked int, err error) {
	if partner == "" {
		return 0, fmt.Errorf("%w: partner is required", ErrInvalid)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE messages SET status = 'picked_up', updated_at = now()
			WHERE partner = $1 AND direction = 'out' AND status = 'awaiting_pickup' AND sender_message_id = ANY($2)
			RETURNING id`, partner, ids)
		if err != nil {
			return fmt.Errorf("exchange: inbox ack: %w", err)
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("exchange: inbox ack: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO message_history (message_id, from_status, to_status, actor, note)
			SELECT unnest($1::bigint[]), 'awaiting_pickup', 'picked_up', $2, 'acknowledged by partner'`, done, partner); err != nil {
			return fmt.Errorf("exchange: history: %w", err)
		}
		acked = len(done)
		return nil
	})
	return acked, err
}
