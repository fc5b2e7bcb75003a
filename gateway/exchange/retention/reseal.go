package retention

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// ResealDatesOfBirth seals the dates of birth of messages stored before they
// were sealed at intake (schema version 7 lists them in dob_reseal_pending):
// each message's date of birth moves from messages.canonical to a sealed row,
// its person keys gain the date's matching key, and the message leaves the
// list, all in one transaction per batch. The database cannot do this in a
// migration because it does not hold the key. It returns how many messages
// it sealed; once the list is empty it costs one query.
func (s *Store) ResealDatesOfBirth(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.resealBatch(ctx, 200)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

func (s *Store) resealBatch(ctx context.Context, limit int) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT m.id, m.canonical FROM dob_reseal_pending p JOIN messages m ON m.id = p.message_id
			ORDER BY p.message_id LIMIT $1 FOR UPDATE OF p SKIP LOCKED`, limit)
		if err != nil {
			return fmt.Errorf("exchange: list dates of birth to seal: %w", err)
		}
		type pending struct {
			id    int64
			canon []byte
		}
		var todo []pending
		var p pending
		if _, err := pgx.ForEachRow(rows, []any{&p.id, &p.canon}, func() error {
			todo = append(todo, pending{id: p.id, canon: append([]byte(nil), p.canon...)})
			return nil
		}); err != nil {
			return fmt.Errorf("exchange: list dates of birth to seal: %w", err)
		}
		for _, p := range todo {
			var t canonical.Transaction
			if err := json.Unmarshal(p.canon, &t); err != nil {
				return fmt.Errorf("exchange: message %d canonical form: %w", p.id, err)
			}
			masked, _, dobs, err := maskTransaction(t)
			if err != nil {
				return err
			}
			canon, err := json.Marshal(masked)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE messages SET canonical = $2 WHERE id = $1`, p.id, canon); err != nil {
				return fmt.Errorf("exchange: reseal message %d: %w", p.id, err)
			}
			for _, f := range dobs {
				sealed, err := s.keys.Seal([]byte(f.DOB().String()), ssnAAD(p.id, f.Path()))
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO message_ssns (message_id, path, sealed) VALUES ($1, $2, $3)
					ON CONFLICT DO NOTHING`, p.id, f.Path(), sealed); err != nil {
					return fmt.Errorf("exchange: reseal message %d: %w", p.id, err)
				}
				idx := -1
				if f.Path() != ncpDOBPath {
					_, _ = fmt.Sscanf(f.Path(), "participants[%d].dateOfBirth", &idx)
				}
				if _, err := tx.Exec(ctx, `UPDATE person_keys SET dob_hmac = $3 WHERE message_id = $1 AND participant_index = $2`,
					p.id, idx, s.keys.HashDOB(f.DOB())); err != nil {
					return fmt.Errorf("exchange: reseal message %d: %w", p.id, err)
				}
			}
			if _, err := tx.Exec(ctx, `DELETE FROM dob_reseal_pending WHERE message_id = $1`, p.id); err != nil {
				return fmt.Errorf("exchange: reseal message %d: %w", p.id, err)
			}
			n++
		}
		return nil
	})
	return n, err
}
