package iwos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// IWORow is one e-IWO document the gateway sent.
type IWORow struct {
	ID int64
	// CaseID is the initiating request's "state:case" key, which the
	// one-original rule is about; OurCaseID is New York's case ID.
	CaseID              string
	OurCaseID           string
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
		initiating_partner, initiating_message_id, created_at, our_case_id FROM iwos WHERE tracking_number = $1 FOR UPDATE`, tracking).
		Scan(&r.ID, &r.CaseID, &r.EmployerFEIN, &r.EmployerPartner, &act, &r.ControlNumber, &r.TrackingNumber,
			&r.Status, &r.OrderID, &r.RequestMessage, &r.DocumentMessage, &r.InitiatingPartner, &r.InitiatingMessageID, &r.CreatedAt, &r.OurCaseID)
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
		tracking_number, order_id, request_message, document_message, initiating_partner, initiating_message_id, amounts, obligor_key,
		our_case_id)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id`,
		r.CaseID, r.EmployerFEIN, r.EmployerPartner, string(r.DocAction), r.ControlNumber, r.TrackingNumber,
		nz(r.OrderID), nz(r.RequestMessage), nz(r.DocumentMessage), r.InitiatingPartner, r.InitiatingMessageID, amounts, r.ObligorKey,
		r.OurCaseID).Scan(&id)
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

// EmployeeIWOs returns, for the employee and employer of the IWO whose
// tracking or control number is number (staff have either at hand: the
// employer's answer names the tracking number, the IWO's lifecycle the
// control number), the latest document of every IWO still in force there
// (not terminated, not rejected by the employer): the set a paycheck is split
// among. An unknown number is ErrNotFound.
func (s *Store) EmployeeIWOs(ctx context.Context, number string) ([]IWORow, error) {
	rows, err := s.pool.Query(ctx, `
		WITH me AS (SELECT employer_fein, obligor_key FROM iwos WHERE tracking_number = $1 OR control_number = $1
			ORDER BY id DESC LIMIT 1),
		latest AS (
			SELECT DISTINCT ON (i.control_number) i.*
			FROM iwos i, me WHERE i.employer_fein = me.employer_fein AND i.obligor_key = me.obligor_key
			  AND i.doc_action <> 'LUM'
			ORDER BY i.control_number, i.id DESC)
		SELECT id, case_id, employer_fein, employer_partner, doc_action, control_number, tracking_number, status,
			initiating_partner, amounts, created_at, our_case_id
		FROM latest WHERE doc_action <> 'TRM' AND status NOT IN ('rejected', 'terminated') ORDER BY id`, number)
	if err != nil {
		return nil, fmt.Errorf("exchange: employee IWOs: %w", err)
	}
	defer rows.Close()
	var out []IWORow
	for rows.Next() {
		var r IWORow
		var act string
		if err := rows.Scan(&r.ID, &r.CaseID, &r.EmployerFEIN, &r.EmployerPartner, &act, &r.ControlNumber, &r.TrackingNumber,
			&r.Status, &r.InitiatingPartner, &r.Amounts, &r.CreatedAt, &r.OurCaseID); err != nil {
			return nil, err
		}
		r.DocAction = canonical.IWODocAction(act)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no IWO in force with tracking or control number %q", ErrNotFound, number)
	}
	return out, nil
}

// CaseIWO is an e-IWO document of a case with the employer's answer.
type CaseIWO struct {
	IWORow
	AckReasons    []string
	AckNote       string
	AckOtherState string
	UpdatedAt     time.Time
}

// IWOsForCase lists the e-IWO documents of a case, oldest first.
func (s *Store) IWOsForCase(ctx context.Context, caseID string) ([]CaseIWO, error) {
	return s.caseIWOs(ctx, "case_id", caseID)
}

// CaseIWOs lists the e-IWO documents of our case, oldest first.
func (s *Store) CaseIWOs(ctx context.Context, caseID string) ([]CaseIWO, error) {
	return s.caseIWOs(ctx, "our_case_id", caseID)
}

// caseIWOs reads the IWOs whose column (case_id: the case the IWO was made
// for, as the request named it; our_case_id: our own case) equals caseID.
// column is one of the two constants above, never input.
func (s *Store) caseIWOs(ctx context.Context, column, caseID string) ([]CaseIWO, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, case_id, employer_fein, employer_partner, doc_action, control_number,
		tracking_number, status, coalesce(order_id,0), coalesce(request_message,0), coalesce(document_message,0),
		initiating_partner, initiating_message_id, created_at, ack_reasons, ack_note, ack_other_state, updated_at, our_case_id
		FROM iwos WHERE `+column+` = $1 ORDER BY id LIMIT 500`, caseID)
	if err != nil {
		return nil, fmt.Errorf("exchange: case IWOs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CaseIWO, error) {
		var r CaseIWO
		err := row.Scan(&r.ID, &r.CaseID, &r.EmployerFEIN, &r.EmployerPartner, &r.DocAction, &r.ControlNumber,
			&r.TrackingNumber, &r.Status, &r.OrderID, &r.RequestMessage, &r.DocumentMessage, &r.InitiatingPartner,
			&r.InitiatingMessageID, &r.CreatedAt, &r.AckReasons, &r.AckNote, &r.AckOtherState, &r.UpdatedAt, &r.OurCaseID)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("exchange: case IWOs: %w", err)
	}
	return out, nil
}

// IWOForEmployerCase returns the newest IWO sent to the employer for our
// case: what an employer's own notice, which names no tracking number, is
// about.
func IWOForEmployerCase(ctx context.Context, q Querier, fein, ourCaseID string) (IWORow, error) {
	var tracking string
	err := q.QueryRow(ctx, `SELECT tracking_number FROM iwos WHERE employer_fein = $1 AND our_case_id = $2
		ORDER BY id DESC LIMIT 1`, fein, ourCaseID).Scan(&tracking)
	if errors.Is(err, pgx.ErrNoRows) || ourCaseID == "" {
		return IWORow{}, ErrNotFound
	}
	if err != nil {
		return IWORow{}, err
	}
	return IWOByTracking(ctx, q, tracking)
}
