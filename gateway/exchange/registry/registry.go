package registry

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/uifsagw/uifsagw/gateway/orders"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// RegistryOrder is a row of the order registry.
type RegistryOrder struct {
	ID            int64
	TribunalState string
	TribunalFIPS  canonical.FIPS
	Docket        string
	// Type is the debt type (CS, SS, MS), column order_type.
	Type          canonical.DebtType
	IssueDate     canonical.Date
	Amount        canonical.Cents
	Frequency     canonical.Frequency
	Arrears       canonical.Cents
	ArrearsAsOf   *canonical.Date
	ObligorKey    []byte
	ChildKeys     [][]byte
	Registered    []string
	Active        bool
	Controlling   bool
	SourceMessage int64
}

// HexKey renders a person key for the orders package, which keys people by string.
func HexKey(k []byte) string { return hex.EncodeToString(k) }

const orderColumns = `id, tribunal_state, tribunal_fips, docket, order_type, issue_date, amount_cents, frequency,
	arrears_cents, arrears_as_of, obligor_key, child_keys, registered, active, controlling, coalesce(source_message, 0)`

func scanOrder(row pgx.Row) (RegistryOrder, error) {
	var o RegistryOrder
	var issue time.Time
	var asOf *time.Time
	var fips, typ, freq string
	var amount, arrears int64
	if err := row.Scan(&o.ID, &o.TribunalState, &fips, &o.Docket, &typ, &issue, &amount, &freq, &arrears, &asOf,
		&o.ObligorKey, &o.ChildKeys, &o.Registered, &o.Active, &o.Controlling, &o.SourceMessage); err != nil {
		return o, err
	}
	o.TribunalFIPS, o.Type, o.Frequency = canonical.FIPS(fips), canonical.DebtType(typ), canonical.Frequency(freq)
	o.Amount, o.Arrears = canonical.Cents(amount), canonical.Cents(arrears)
	o.IssueDate = canonical.DateOf(issue)
	if asOf != nil {
		d := canonical.DateOf(*asOf)
		o.ArrearsAsOf = &d
	}
	return o, nil
}

// OrdersFor returns every registry order for the obligor or any of the
// children (the rules decide what overlaps), oldest first, locking them so
// two processors cannot both decide there is no order yet.
func OrdersFor(ctx context.Context, q Querier, obligorKey []byte, childKeys [][]byte) ([]RegistryOrder, error) {
	out, err := ordersOf(ctx, q, obligorKey, childKeys, " FOR UPDATE")
	if err != nil {
		return nil, fmt.Errorf("orders for: %w", err)
	}
	return out, nil
}

// ordersOf reads the registry orders of the obligor or any of the children,
// oldest first; lock is "" or a locking clause.
func ordersOf(ctx context.Context, q Querier, obligorKey []byte, childKeys [][]byte, lock string) ([]RegistryOrder, error) {
	if len(obligorKey) == 0 && len(childKeys) == 0 {
		return nil, nil
	}
	if childKeys == nil {
		childKeys = [][]byte{}
	}
	rows, err := q.Query(ctx, `SELECT `+orderColumns+` FROM support_orders
		WHERE obligor_key = $1 OR child_keys && $2::bytea[] ORDER BY id`+lock, obligorKey, childKeys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RegistryOrder
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// LockPerson serialises decisions about one obligor across processors and
// replicas for the rest of the transaction (an advisory lock on the key).
func LockPerson(ctx context.Context, q Querier, key []byte) error {
	if len(key) < 8 {
		return nil
	}
	var n int64
	for _, b := range key[:8] {
		n = n<<8 | int64(b)
	}
	_, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, n)
	return err
}

// ErrOrderExists says an order with that tribunal and docket is registered.
var ErrOrderExists = errors.New("an order with that tribunal and docket is already registered")

// InsertOrder adds an order to the registry and links it to its source message.
func InsertOrder(ctx context.Context, q Querier, o RegistryOrder) (int64, error) {
	var asOf any
	if o.ArrearsAsOf != nil {
		asOf = o.ArrearsAsOf.Time()
	}
	if o.ChildKeys == nil {
		o.ChildKeys = [][]byte{}
	}
	if o.Registered == nil {
		o.Registered = []string{}
	}
	var src any
	if o.SourceMessage != 0 {
		src = o.SourceMessage
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO support_orders (tribunal_state, tribunal_fips, docket, docket_norm, order_type,
		issue_date, amount_cents, frequency, arrears_cents, arrears_as_of, obligor_key, child_keys, registered, active,
		source_message) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`,
		o.TribunalState, string(o.TribunalFIPS), o.Docket, orders.NormalizeDocket(o.Docket), string(o.Type), o.IssueDate.Time(),
		int64(o.Amount), string(o.Frequency), int64(o.Arrears), asOf, o.ObligorKey, o.ChildKeys, o.Registered, o.Active, src).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return 0, ErrOrderExists
	}
	if err != nil {
		return 0, fmt.Errorf("insert order: %w", err)
	}
	if o.SourceMessage != 0 {
		if err := LinkOrderSource(ctx, q, id, o.SourceMessage); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// LinkOrderSource records that a message mentioned an order (a merge).
func LinkOrderSource(ctx context.Context, q Querier, orderID, messageID int64) error {
	_, err := q.Exec(ctx, `INSERT INTO support_order_sources (order_id, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, orderID, messageID)
	return err
}

// RegisterOrderIn adds a state to the states an order is registered in.
func RegisterOrderIn(ctx context.Context, q Querier, orderID int64, state string) error {
	_, err := q.Exec(ctx, `UPDATE support_orders SET registered = array_append(registered, $2), updated_at = now()
		WHERE id = $1 AND NOT ($2 = ANY(registered))`, orderID, state)
	return err
}

// SetControlling marks one order of a group as controlling and the others as not.
func SetControlling(ctx context.Context, q Querier, controlling int64, group []int64) error {
	_, err := q.Exec(ctx, `UPDATE support_orders SET controlling = (id = $1), updated_at = now() WHERE id = ANY($2)`, controlling, group)
	return err
}

// OrderByID returns one registry order.
func OrderByID(ctx context.Context, q Querier, id int64) (RegistryOrder, error) {
	o, err := scanOrder(q.QueryRow(ctx, `SELECT `+orderColumns+` FROM support_orders WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return o, ErrNotFound
	}
	return o, err
}

// CaseInbound is what an inbound message says about its case.
type CaseInbound struct {
	// Partner is the sending partner's ID; PartnerCaseID its case ID (the
	// header's sender case ID) and OurCaseID the receiver case ID it names,
	// when it knows ours.
	Partner       string
	PartnerCaseID string
	OurCaseID     string
	// ObligorKey and ChildKeys are the HMACs of the NCP's and the children's
	// SSNs: one family is one case, whichever partner writes about it.
	ObligorKey []byte
	ChildKeys  [][]byte
	// ChangesID is true for a message whose purpose is to change the
	// partner's case ID (MSC P GSCAS): its case ID replaces the one on file.
	ChangesID bool
	Message   int64
	// NewID draws a new case ID of ours from a sequence number.
	NewID func(seq int64) string
}

// ResolveCase finds or opens New York's case for an inbound message and
// records the partner's case ID for it, in q's transaction. The case is the
// one the message names as ours, else the one the partner's case ID is on
// file for, else the case of the same obligor and children, else a new one.
func ResolveCase(ctx context.Context, q Querier, in CaseInbound) (string, error) {
	lock := in.Partner + "|" + in.PartnerCaseID
	if len(in.ObligorKey) > 0 {
		if err := LockPerson(ctx, q, in.ObligorKey); err != nil {
			return "", err
		}
	} else if _, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, lock); err != nil {
		return "", err
	}
	childKeys := in.ChildKeys
	if childKeys == nil {
		childKeys = [][]byte{}
	}
	var obligor any
	if len(in.ObligorKey) > 0 {
		obligor = in.ObligorKey
	}
	caseID := ""
	if in.OurCaseID != "" {
		err := q.QueryRow(ctx, `SELECT case_id FROM cases WHERE case_id = $1`, in.OurCaseID).Scan(&caseID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return "", fmt.Errorf("case by our ID: %w", err)
		}
	}
	if caseID == "" && in.PartnerCaseID != "" {
		err := q.QueryRow(ctx, `SELECT case_id FROM case_xref WHERE partner = $1 AND partner_case_id = $2`,
			in.Partner, in.PartnerCaseID).Scan(&caseID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return "", fmt.Errorf("case by partner ID: %w", err)
		}
	}
	if caseID == "" && obligor != nil {
		// The same obligor and an overlapping child (or no children known on
		// either side) is the same family.
		err := q.QueryRow(ctx, `SELECT case_id FROM cases WHERE obligor_key = $1
			AND (cardinality($2::bytea[]) = 0 OR cardinality(child_keys) = 0 OR child_keys && $2::bytea[])
			ORDER BY created_at, case_id LIMIT 1`, obligor, childKeys).Scan(&caseID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return "", fmt.Errorf("case by obligor: %w", err)
		}
	}
	if caseID == "" {
		var seq int64
		if err := q.QueryRow(ctx, `SELECT nextval('our_case_seq')`).Scan(&seq); err != nil {
			return "", err
		}
		caseID = in.NewID(seq)
		if _, err := q.Exec(ctx, `INSERT INTO cases (case_id, obligor_key, child_keys) VALUES ($1, $2, $3)`,
			caseID, obligor, childKeys); err != nil {
			return "", fmt.Errorf("open case: %w", err)
		}
	} else if _, err := q.Exec(ctx, `UPDATE cases SET obligor_key = coalesce(obligor_key, $2),
			child_keys = ARRAY(SELECT DISTINCT k FROM unnest(child_keys || $3::bytea[]) k), updated_at = now()
		WHERE case_id = $1`, caseID, obligor, childKeys); err != nil {
		return "", fmt.Errorf("update case: %w", err)
	}
	if in.PartnerCaseID == "" {
		return caseID, nil
	}
	return caseID, recordPartnerCaseID(ctx, q, caseID, in)
}

// recordPartnerCaseID files the partner's case ID for the case. The first ID
// a partner uses for a case becomes its current one; only a case ID change
// replaces it. Another ID the partner uses for the same family is kept as an
// alias, so its messages still find the case.
func recordPartnerCaseID(ctx context.Context, q Querier, caseID string, in CaseInbound) error {
	var onFile string
	var current bool
	err := q.QueryRow(ctx, `SELECT case_id, current FROM case_xref WHERE partner = $1 AND partner_case_id = $2`,
		in.Partner, in.PartnerCaseID).Scan(&onFile, &current)
	switch {
	case err == nil && onFile != caseID:
		// The partner's ID is on file for another of our cases: the message
		// named ours explicitly, which wins for this message only.
		return nil
	case err == nil && (current || !in.ChangesID):
		return nil
	case err != nil && !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("partner case ID: %w", err)
	}
	var hasCurrent bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_xref WHERE case_id = $1 AND partner = $2 AND current)`,
		caseID, in.Partner).Scan(&hasCurrent); err != nil {
		return err
	}
	makeCurrent := !hasCurrent || in.ChangesID
	if makeCurrent && hasCurrent {
		if _, err := q.Exec(ctx, `UPDATE case_xref SET current = false, updated_at = now() WHERE case_id = $1 AND partner = $2 AND current`,
			caseID, in.Partner); err != nil {
			return err
		}
	}
	var src any
	if in.Message != 0 {
		src = in.Message
	}
	_, err = q.Exec(ctx, `INSERT INTO case_xref (partner, partner_case_id, case_id, current, source_message) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (partner, partner_case_id) DO UPDATE SET current = EXCLUDED.current, source_message = EXCLUDED.source_message, updated_at = now()`,
		in.Partner, in.PartnerCaseID, caseID, makeCurrent, src)
	if err != nil {
		return fmt.Errorf("record partner case ID: %w", err)
	}
	return nil
}

// PartnerCaseID is the case ID partner uses now for our case caseID, or ""
// when no exchange has told us one.
func PartnerCaseID(ctx context.Context, q Querier, caseID, partner string) (string, error) {
	if caseID == "" {
		return "", nil
	}
	var id string
	err := q.QueryRow(ctx, `SELECT partner_case_id FROM case_xref WHERE case_id = $1 AND partner = $2 AND current`, caseID, partner).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// CaseOfPartnerID is our case for a partner's case ID, or "" when none is on file.
func CaseOfPartnerID(ctx context.Context, q Querier, partner, partnerCaseID string) (string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT case_id FROM case_xref WHERE partner = $1 AND partner_case_id = $2`, partner, partnerCaseID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// CaseOfObligor is the oldest case of an obligor, or "" when none.
func CaseOfObligor(ctx context.Context, q Querier, obligorKey []byte) (string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT case_id FROM cases WHERE obligor_key = $1 ORDER BY created_at, case_id LIMIT 1`, obligorKey).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// CaseXref is one partner's case ID for one of our cases.
type CaseXref struct {
	Partner       string
	PartnerCaseID string
	Current       bool
	UpdatedAt     time.Time
}

// OurCase is one of New York's cases with the partners' IDs for it.
type OurCase struct {
	CaseID     string
	ObligorKey []byte
	ChildKeys  [][]byte
	Partners   []CaseXref
}

// FindCase finds our case by our ID or by any partner's case ID (current or
// not). ErrNotFound when neither is on file; ErrInvalid when a partner's ID
// is on file for several of our cases (two partners using the same ID).
func (s *Store) FindCase(ctx context.Context, id string) (OurCase, error) {
	rows, err := s.pool.Query(ctx, `SELECT case_id FROM cases WHERE case_id = $1
		UNION SELECT case_id FROM case_xref WHERE partner_case_id = $1`, id)
	if err != nil {
		return OurCase{}, fmt.Errorf("exchange: find case: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return OurCase{}, fmt.Errorf("exchange: find case: %w", err)
	}
	switch {
	case len(ids) == 0:
		return OurCase{}, fmt.Errorf("%w: no case %q", ErrNotFound, id)
	case len(ids) > 1 && !containsString(ids, id):
		return OurCase{}, fmt.Errorf("%w: case ID %q is used by several partners for different cases (%s)", ErrInvalid, id, strings.Join(ids, ", "))
	}
	c := OurCase{CaseID: ids[0]}
	if containsString(ids, id) {
		c.CaseID = id
	}
	if err := s.pool.QueryRow(ctx, `SELECT obligor_key, child_keys FROM cases WHERE case_id = $1`, c.CaseID).
		Scan(&c.ObligorKey, &c.ChildKeys); err != nil {
		return c, fmt.Errorf("exchange: find case: %w", err)
	}
	rows, err = s.pool.Query(ctx, `SELECT partner, partner_case_id, current, updated_at FROM case_xref
		WHERE case_id = $1 ORDER BY partner, current DESC, updated_at DESC`, c.CaseID)
	if err != nil {
		return c, fmt.Errorf("exchange: case partners: %w", err)
	}
	c.Partners, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (CaseXref, error) {
		var x CaseXref
		err := row.Scan(&x.Partner, &x.PartnerCaseID, &x.Current, &x.UpdatedAt)
		return x, err
	})
	return c, err
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// CaseExchanges returns the messages of our case, oldest first: those that
// carry our case ID, and those of each partner that carry a case ID that
// partner uses for it.
func (s *Store) CaseExchanges(ctx context.Context, caseID string, limit int) ([]Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 500
	}
	// The candidates come from the case ID indexes (every ID of the case);
	// a partner's ID counts only on that partner's messages.
	rows, err := s.pool.Query(ctx, `WITH ids AS (
			SELECT $1::text AS id UNION SELECT partner_case_id FROM case_xref WHERE case_id = $1)
		SELECT * FROM (
			SELECT `+qualified("m", messageCols)+` FROM messages m
			WHERE ((m.sender_case_id <> '' AND m.sender_case_id IN (SELECT id FROM ids))
			    OR (m.receiver_case_id <> '' AND m.receiver_case_id IN (SELECT id FROM ids)))
			  AND (m.sender_case_id = $1 OR m.receiver_case_id = $1 OR EXISTS (
				SELECT 1 FROM case_xref x WHERE x.case_id = $1 AND x.partner = m.partner
				  AND (m.sender_case_id = x.partner_case_id OR m.receiver_case_id = x.partner_case_id)))
			ORDER BY m.created_at DESC, m.id DESC LIMIT $2) recent
		ORDER BY created_at, id`, caseID, limit)
	if err != nil {
		return nil, fmt.Errorf("exchange: case exchanges: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanMessage)
	if err != nil {
		return nil, fmt.Errorf("exchange: case exchanges: %w", err)
	}
	return out, nil
}

// CaseOrders returns the registry orders of an obligor and children, oldest
// first, without locking them (for reading).
func (s *Store) CaseOrders(ctx context.Context, obligorKey []byte, childKeys [][]byte) ([]RegistryOrder, error) {
	out, err := ordersOf(ctx, s.pool, obligorKey, childKeys, "")
	if err != nil {
		return nil, fmt.Errorf("exchange: case orders: %w", err)
	}
	return out, nil
}
