package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

const settingDeliveryPaused = "delivery_paused"

// SetDeliveryPaused turns the global delivery pause on or off for every
// replica, with an audit entry naming who did it, in one transaction.
func (s *Store) SetDeliveryPaused(ctx context.Context, paused bool, actor, reason string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO gateway_settings (key, value, updated_by) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = $2, updated_by = $3, updated_at = now()`,
			settingDeliveryPaused, fmt.Sprint(paused), actor); err != nil {
			return fmt.Errorf("exchange: delivery pause: %w", err)
		}
		action := "delivery_resume"
		if paused {
			action = "delivery_pause"
		}
		_, err := s.AppendAudit(ctx, tx, Entry{Actor: actor, Action: action, Target: "delivery", Details: map[string]string{"reason": reason}})
		return err
	})
}

// DeliveryPaused reports whether outbound delivery is paused for every partner.
func (s *Store) DeliveryPaused(ctx context.Context) (bool, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM gateway_settings WHERE key = $1`, settingDeliveryPaused).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("exchange: delivery pause: %w", err)
	}
	return v == "true", nil
}
