package iwos

import (
	"context"
	"fmt"
)

// ControlNumbers draws n e-IWO control numbers for the state whose 5-digit
// FIPS code is stateFIPS: the FIPS code, then the database sequence's value
// zero-filled to 22 characters (the federal recommended form). The sequence
// is never rolled back, so a number drawn in a transaction that fails is
// skipped, never handed out twice.
func (s *Store) ControlNumbers(ctx context.Context, q Querier, stateFIPS string, n int) ([]string, error) {
	if len(stateFIPS) != 5 || n < 1 {
		return nil, fmt.Errorf("%w: a 5-digit state FIPS and a positive count are required", ErrInvalid)
	}
	if q == nil {
		q = s.pool
	}
	rows, err := q.Query(ctx, `SELECT nextval('eiwo_control_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, fmt.Errorf("exchange: control numbers: %w", err)
	}
	defer rows.Close()
	const width = 22 - 5
	out := make([]string, 0, n)
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("exchange: control numbers: %w", err)
		}
		out = append(out, fmt.Sprintf("%s%0*d", stateFIPS, width, v))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("exchange: control numbers: %w", err)
	}
	return out, nil
}
