package exchange

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

// NormalizeDocket drops spaces, dashes, dots and slashes and folds case, so
// "FA-12-345" and "fa 12345" are the same docket.
func NormalizeDocket(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '.', '/', '_':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
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
	if len(obligorKey) == 0 && len(childKeys) == 0 {
		return nil, nil
	}
	if childKeys == nil {
		childKeys = [][]byte{}
	}
	rows, err := q.Query(ctx, `SELECT `+orderColumns+` FROM support_orders
		WHERE obligor_key = $1 OR child_keys && $2::bytea[] ORDER BY id FOR UPDATE`, obligorKey, childKeys)
	if err != nil {
		return nil, fmt.Errorf("orders for: %w", err)
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
		o.TribunalState, string(o.TribunalFIPS), o.Docket, NormalizeDocket(o.Docket), string(o.Type), o.IssueDate.Time(),
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

// IWORow is one e-IWO document the gateway sent.
type IWORow struct {
	ID                  int64
	CaseID              string
	EmployerFEIN        string
	EmployerPartner     string
	DocAction           canonical.IWODocAction
	ControlNumber       string
	TrackingNumber      string
	Status              string
	OrderID             int64
	RequestMessage      int64
	DocumentMessage     int64
	InitiatingPartner   string
	InitiatingMessageID string
	CreatedAt           time.Time
	// ObligorKey is the HMAC of the employee's SSN (nil when unknown).
	ObligorKey []byte
	// Amounts is the JSON of the document's amounts (as casework stored them).
	Amounts []byte
}

// IWOsFor lists the documents for a case and employer, oldest first.
func IWOsFor(ctx context.Context, q Querier, caseID, fein string) ([]IWORow, error) {
	rows, err := q.Query(ctx, `SELECT id, case_id, employer_fein, employer_partner, doc_action, control_number,
		tracking_number, status, coalesce(order_id,0), coalesce(request_message,0), coalesce(document_message,0),
		initiating_partner, initiating_message_id, created_at
		FROM iwos WHERE case_id = $1 AND employer_fein = $2 ORDER BY id FOR UPDATE`, caseID, fein)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []IWORow
	for rows.Next() {
		var r IWORow
		var act string
		if err := rows.Scan(&r.ID, &r.CaseID, &r.EmployerFEIN, &r.EmployerPartner, &act, &r.ControlNumber, &r.TrackingNumber,
			&r.Status, &r.OrderID, &r.RequestMessage, &r.DocumentMessage, &r.InitiatingPartner, &r.InitiatingMessageID, &r.CreatedAt); err != nil {
			return nil, err
		}
		r.DocAction = canonical.IWODocAction(act)
		out = append(out, r)
	}
	return out, rows.Err()
}

// IWOByTracking finds a document by its tracking number (employer acks name it).
func IWOByTracking(ctx context.Context, q Querier, tracking string) (IWORow, error) {
	var r IWORow
	var act string
	err := q.QueryRow(ctx, `SELECT id, case_id, employer_fein, employer_partner, doc_action, control_number,
		tracking_number, status, coalesce(order_id,0), coalesce(request_message,0), coalesce(document_message,0),
		initiating_partner, initiating_message_id, created_at FROM iwos WHERE tracking_number = $1 FOR UPDATE`, tracking).
		Scan(&r.ID, &r.CaseID, &r.EmployerFEIN, &r.EmployerPartner, &act, &r.ControlNumber, &r.TrackingNumber,
			&r.Status, &r.OrderID, &r.RequestMessage, &r.DocumentMessage, &r.InitiatingPartner, &r.InitiatingMessageID, &r.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	r.DocAction = canonical.IWODocAction(act)
	return r, err
}

// NextIWONumbers draws a fresh control number (for an ORG) and tracking
// number from sequences, so neither is ever reused, even after a rollback.
func NextIWONumbers(ctx context.Context, q Querier, state string) (control, tracking string, err error) {
	var c, t int64
	if err := q.QueryRow(ctx, `SELECT nextval('iwo_control_seq'), nextval('iwo_tracking_seq')`).Scan(&c, &t); err != nil {
		return "", "", err
	}
	return fmt.Sprintf("%sC%010d", state, c), fmt.Sprintf("%sT%010d", state, t), nil
}

// ErrDuplicateOriginal says the case and employer already have an original IWO.
var ErrDuplicateOriginal = errors.New("an original IWO for this case and employer exists; send an amendment")

// InsertIWO records a document.
func InsertIWO(ctx context.Context, q Querier, r IWORow, amounts any) (int64, error) {
	nz := func(v int64) any {
		if v == 0 {
			return nil
		}
		return v
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO iwos (case_id, employer_fein, employer_partner, doc_action, control_number,
		tracking_number, order_id, request_message, document_message, initiating_partner, initiating_message_id, amounts, obligor_key)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id`,
		r.CaseID, r.EmployerFEIN, r.EmployerPartner, string(r.DocAction), r.ControlNumber, r.TrackingNumber,
		nz(r.OrderID), nz(r.RequestMessage), nz(r.DocumentMessage), r.InitiatingPartner, r.InitiatingMessageID, amounts, r.ObligorKey).Scan(&id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "iwos_one_original" {
		return 0, ErrDuplicateOriginal
	}
	return id, err
}

// SetIWOAck records an employer's answer.
func SetIWOAck(ctx context.Context, q Querier, id int64, status string, reasons []string, note, otherState string) error {
	if reasons == nil {
		reasons = []string{}
	}
	_, err := q.Exec(ctx, `UPDATE iwos SET status = $2, ack_reasons = $3, ack_note = $4, ack_other_state = $5, updated_at = now()
		WHERE id = $1`, id, status, reasons, note, otherState)
	return err
}

// EmployeeIWOs returns, for the employee and employer of the IWO with tracking
// number tracking, the latest document of every IWO still in force there (not
// terminated, not rejected by the employer): the set a paycheck is split among.
func (s *Store) EmployeeIWOs(ctx context.Context, tracking string) ([]IWORow, error) {
	rows, err := s.pool.Query(ctx, `
		WITH me AS (SELECT employer_fein, obligor_key FROM iwos WHERE tracking_number = $1),
		latest AS (
			SELECT DISTINCT ON (i.control_number) i.*
			FROM iwos i, me WHERE i.employer_fein = me.employer_fein AND i.obligor_key = me.obligor_key
			  AND i.doc_action <> 'LUM'
			ORDER BY i.control_number, i.id DESC)
		SELECT id, case_id, employer_fein, employer_partner, doc_action, control_number, tracking_number, status,
			initiating_partner, amounts, created_at
		FROM latest WHERE doc_action <> 'TRM' AND status NOT IN ('rejected', 'terminated') ORDER BY id`, tracking)
	if err != nil {
		return nil, fmt.Errorf("exchange: employee IWOs: %w", err)
	}
	defer rows.Close()
	var out []IWORow
	for rows.Next() {
		var r IWORow
		var act string
		if err := rows.Scan(&r.ID, &r.CaseID, &r.EmployerFEIN, &r.EmployerPartner, &act, &r.ControlNumber, &r.TrackingNumber,
			&r.Status, &r.InitiatingPartner, &r.Amounts, &r.CreatedAt); err != nil {
			return nil, err
		}
		r.DocAction = canonical.IWODocAction(act)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no IWO in force with tracking number %q", ErrNotFound, tracking)
	}
	return out, nil
}
