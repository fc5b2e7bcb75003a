package casework

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/telemetry"
	"github.com/uifsagw/uifsagw/gateway/withholding"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// iwoAmounts is what decides whether a new request changes an IWO in force.
type iwoAmounts struct {
	Current   canonical.Amount          `json:"current"`
	PastDue   canonical.Amount          `json:"pastDue"`
	Over12    bool                      `json:"over12"`
	PerPeriod canonical.PerPeriodTotals `json:"perPeriod"`
	Limit     int                       `json:"limitPercent"`
	State     string                    `json:"limitState"`
}

// withhold turns an ENF request for income withholding into an e-IWO for the
// NCP's employer, under the law of the employer's state (the employee's
// principal place of employment).
func (p *Processor) withhold(ctx context.Context, q exchange.Querier, m exchange.Message, tx canonical.Transaction) (Decision, error) {
	order, ok := enforcedOrder(tx)
	if !ok {
		return p.needsReview(ctx, q, m, ReviewUnknownEmployer, "the withholding request carries no single support order to enforce", nil)
	}
	if tx.NCP == nil || tx.NCPLocate == nil || len(tx.NCPLocate.Employers) == 0 {
		return p.needsReview(ctx, q, m, ReviewUnknownEmployer, "the withholding request names no employer", nil)
	}
	emp := tx.NCPLocate.Employers[0]
	employer, known := p.dir().ByFEIN(emp.EIN)
	if !known {
		return p.unknownEmployer(ctx, q, m, tx, emp)
	}
	caseID := tx.Header.SenderFIPS.State() + ":" + tx.Header.SenderCaseID
	existing, err := exchange.IWOsFor(ctx, q, caseID, emp.EIN)
	if err != nil {
		return Decision{}, err
	}
	records := make([]withholding.IWORecord, len(existing))
	for i, r := range existing {
		records[i] = withholding.IWORecord{CaseID: r.CaseID, EmployerFEIN: r.EmployerFEIN, ControlNumber: r.ControlNumber,
			DocAction: r.DocAction, DocumentDate: canonical.DateOf(r.CreatedAt)}
	}
	action := withholding.NextDocAction(records, withholding.Change{CaseID: caseID, EmployerFEIN: emp.EIN, Kind: withholding.ChangeWithhold})
	control, tracking, err := exchange.NextIWONumbers(ctx, q, p.cfg.StateFIPS)
	if err != nil {
		return Decision{}, err
	}
	if action == canonical.IWOAmended {
		active, _ := withholding.ActiveIWO(records, caseID, emp.EIN)
		control = active.ControlNumber
	}
	var cp canonical.Name
	var children []canonical.IWOChild
	for _, pt := range tx.Participants {
		switch pt.Relationship {
		case canonical.RelCustodialParty:
			cp = pt.Name
		case canonical.RelChild:
			children = append(children, canonical.IWOChild{Name: pt.Name, DateOfBirth: pt.DateOfBirth})
		}
	}
	weeks := 0
	if order.Arrears > 0 && order.Amount > 0 {
		weekly, err := withholding.Convert(order.Amount, order.Frequency, canonical.FreqWeekly)
		if err == nil && weekly > 0 {
			weeks = int(order.Arrears / weekly)
		}
	}
	iwo, err := withholding.BuildIWO(withholding.BuildInput{
		DocAction: action, DocumentDate: canonical.DateOf(p.now()), TrackingNumber: tracking, ControlNumber: control,
		CaseID: tx.Header.SenderCaseID, OrderID: order.Docket, RemittanceID: tx.Header.SenderCaseID,
		IssuingState: order.TribunalFIPS.State(), Order: order, Arrears: order.Arrears, WeeksBehind: weeks,
		Employee: *tx.NCP, CustodialParty: cp, Children: children, Employer: emp, EmploymentState: employer.StateFIPS,
		Rules: p.rules, SDUPayee: firstNonEmpty(p.cfg.SDUPayee, "State Disbursement Unit"), SDUFIPS: firstFIPS(p.cfg.SDUFIPS, p.cfg.SelfFIPS),
		Contact: contactOf(tx),
	})
	if err != nil {
		return p.needsReview(ctx, q, m, ReviewUnknownEmployer, "the IWO could not be built: "+err.Error(), nil)
	}
	amounts := iwoAmounts{Current: iwo.CurrentChildSupport, PastDue: iwo.PastDueChildSupport, Over12: iwo.PastDueOver12Weeks,
		PerPeriod: iwo.PerPeriod, Limit: iwo.LimitPercent, State: iwo.LimitState}
	amountsJSON, _ := json.Marshal(amounts)
	if action == canonical.IWOAmended {
		var prev []byte
		if err := q.QueryRow(ctx, `SELECT amounts FROM iwos WHERE control_number = $1 ORDER BY id DESC LIMIT 1`, control).Scan(&prev); err != nil {
			return Decision{}, err
		}
		if jsonEqual(prev, amountsJSON) {
			return Decision{Status: exchange.StatusProcessed,
				Note: fmt.Sprintf("duplicate withholding request: IWO %s is already in force with the same amounts; no second original sent", control)}, nil
		}
	}
	body, ct, err := p.enc.EncodeIWO(employer, iwo)
	if err != nil {
		return Decision{}, fmt.Errorf("encode IWO for %s: %w", employer.ID, err)
	}
	docTx := canonical.Transaction{Header: canonical.Header{SenderFIPS: p.cfg.SelfFIPS, ReceiverFIPS: canonical.FIPS(employer.StateFIPS + "00000"),
		MessageID: tracking, Serial: 1, TransactionDate: canonical.DateOf(p.now()), SenderCaseID: tx.Header.SenderCaseID,
		InReplyTo: tx.Header.MessageID}}
	genIWODocument.header(&docTx.Header)
	docID, err := p.store.EnqueueOutbound(ctx, q, exchange.Outbound{Partner: employer.ID, MessageID: tracking, Format: employer.Format,
		ContentType: ct, Raw: body, Tx: docTx, Pull: employer.Delivery == partners.DeliverPull, OrderingKey: caseID, InReplyTo: tx.Header.MessageID,
		TraceID: telemetry.TraceIDOf(ctx)})
	if err != nil {
		return Decision{}, err
	}
	if _, err := exchange.InsertIWO(ctx, q, exchange.IWORow{CaseID: caseID, EmployerFEIN: emp.EIN, EmployerPartner: employer.ID,
		DocAction: action, ControlNumber: control, TrackingNumber: tracking, RequestMessage: m.ID, DocumentMessage: docID,
		InitiatingPartner: m.Partner, InitiatingMessageID: tx.Header.MessageID, ObligorKey: employeeKey(p, tx)}, amountsJSON); err != nil {
		if errors.Is(err, exchange.ErrDuplicateOriginal) {
			return Decision{Status: exchange.StatusProcessed, Note: "duplicate withholding request: an original IWO exists for this case and employer"}, nil
		}
		return Decision{}, err
	}
	return Decision{Status: exchange.StatusProcessed, Note: fmt.Sprintf("e-IWO %s (%s, control %s) sent to %s under %s law, limit %d%%",
		tracking, action, control, employer.ID, canonical.StatePostal[iwo.LimitState], iwo.LimitPercent)}, nil
}

// unknownEmployer forwards the request to the agency of the employer's state
// (which can serve the employer) and asks a person to add the employer.
func (p *Processor) unknownEmployer(ctx context.Context, q exchange.Querier, m exchange.Message, tx canonical.Transaction, emp canonical.Employer) (Decision, error) {
	note := fmt.Sprintf("employer %s is not in the directory", emp.Name)
	if emp.Address != nil {
		if agency, ok := p.dir().ByState(canonical.PostalState[emp.Address.State]); ok {
			fwd := tx
			fwd.Header.SenderFIPS = p.cfg.SelfFIPS
			fwd.Header.ReceiverFIPS = canonical.FIPS(agency.StateFIPS + "00000")
			fwd.Header.MessageID = p.responseID(m, "FWDIWO")
			fwd.Header.InReplyTo = tx.Header.MessageID
			fwd.Header.ReceiverCaseID = ""
			fwd.Header.TransactionDate = canonical.DateOf(p.now())
			if _, err := p.send(ctx, q, agency, fwd, m.ID); err != nil {
				return Decision{}, err
			}
			note += fmt.Sprintf("; the request was sent to %s's agency (%s) as an ENF request", emp.Address.State, agency.ID)
		}
	}
	return p.needsReview(ctx, q, m, ReviewUnknownEmployer, note, map[string]string{"employer": emp.Name, "ein": emp.EIN})
}

func (p *Processor) needsReview(ctx context.Context, q exchange.Querier, m exchange.Message, kind, note string, extra map[string]string) (Decision, error) {
	ev := map[string]any{"note": note, "extra": extra}
	if err := p.review(ctx, q, m, kind, ev); err != nil {
		return Decision{}, err
	}
	return Decision{Status: exchange.StatusNeedsReview, Note: note}, nil
}

// enforcedOrder is the order a withholding request enforces: the one the
// sender marks controlling, else its only child support order.
func enforcedOrder(tx canonical.Transaction) (canonical.Order, bool) {
	var cs []canonical.Order
	for _, o := range tx.Orders {
		if o.Controlling() {
			return o, true
		}
		if o.DebtType == canonical.DebtChildSupport {
			cs = append(cs, o)
		}
	}
	if len(cs) == 1 {
		return cs[0], true
	}
	return canonical.Order{}, false
}

func contactOf(tx canonical.Transaction) *canonical.Contact {
	if tx.Case != nil {
		return tx.Case.Contact
	}
	return nil
}

func firstFIPS(a, b canonical.FIPS) canonical.FIPS {
	if a != "" {
		return a
	}
	return b
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func employeeKey(p *Processor, tx canonical.Transaction) []byte {
	if tx.NCP == nil || tx.NCP.SSN == "" {
		return nil
	}
	return p.store.HashSSN(tx.NCP.SSN)
}
