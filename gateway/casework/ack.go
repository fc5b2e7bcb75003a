package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// ackDecider prepares the recording of an employer's acknowledgments (one document, or every
// ACK record of a federal acknowledgment file, in one transaction) on their
// IWOs and tells the state that asked for the withholding: ENF P ESWAG (wage
// withholding established) when the employer accepted, MSC P GSPUD (status
// update) with the employer's reasons in words when it rejected or reports
// the employee gone. Rejections, a same order from another state (M, the
// one-order review) and lump-sum notices go to a caseworker.
func (p *Processor) ackDecider(ctx context.Context, m exchange.Message, employer *partners.Partner) (func(q exchange.Querier) (exchange.Status, string, error), error) {
	raw, err := p.store.RawBody(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	acks, err := p.enc.DecodeAcks(employer, raw)
	if err != nil {
		return func(q exchange.Querier) (exchange.Status, string, error) {
			d, err := p.needsReview(ctx, q, m, ReviewIWORejected, "acknowledgment could not be read again: "+err.Error(), nil)
			return d.Status, d.Note, err
		}, nil
	}
	return func(q exchange.Querier) (exchange.Status, string, error) {
		status := exchange.StatusProcessed
		var notes []string
		for i, ack := range acks {
			d, err := p.applyAck(ctx, q, m, employer, ack, i)
			if err != nil {
				return "", "", err
			}
			if d.Status == exchange.StatusNeedsReview {
				status = exchange.StatusNeedsReview
			}
			notes = append(notes, d.Note)
		}
		return status, strings.Join(notes, " "), nil
	}, nil
}

// Review item kinds of employer acknowledgments besides ReviewIWORejected.
const (
	ReviewEmployerLumpSum = "employer_lump_sum"
)

// applyAck acts on one acknowledgment or notice; i numbers it within its
// message, so the answers of one file have distinct message IDs.
func (p *Processor) applyAck(ctx context.Context, q exchange.Querier, m exchange.Message, employer *partners.Partner,
	ack canonical.EmployerAck, i int) (Decision, error) {
	if ack.Notice != "" {
		return p.applyNotice(ctx, q, m, employer, ack, i)
	}
	iwo, err := exchange.IWOByTracking(ctx, q, ack.TrackingNumber)
	if err != nil {
		if !errors.Is(err, exchange.ErrNotFound) {
			return Decision{}, err
		}
		return p.needsReview(ctx, q, m, ReviewIWORejected,
			fmt.Sprintf("acknowledgment names IWO %s, which this gateway did not send", ack.TrackingNumber), nil)
	}
	if iwo.EmployerFEIN != employer.FEIN {
		return p.needsReview(ctx, q, m, ReviewIWORejected,
			fmt.Sprintf("acknowledgment of IWO %s came from another employer than the one it was sent to", ack.TrackingNumber), nil)
	}
	reasons := make([]string, len(ack.Reasons))
	for i, r := range ack.Reasons {
		reasons[i] = string(r)
	}
	if err := exchange.SetIWOAck(ctx, q, iwo.ID, string(ack.Status), reasons, ack.Note, ack.OtherState); err != nil {
		return Decision{}, err
	}
	summary := ackSummary(employer, ack)
	fn, reason := canonical.FuncEnforce, canonical.ReasonWithholdingEstablished
	if ack.Status == canonical.AckRejected {
		fn, reason = canonical.FuncManageCases, canonical.ReasonStatusUpdate
	}
	if err := p.tellInitiating(ctx, q, m, iwo, fn, reason, summary, i); err != nil {
		return Decision{}, err
	}
	if slices.Contains(ack.Reasons, canonical.AckOtherStateIWO) {
		// Two states withholding for one order breaks the one-order rule:
		// a person finds which order controls.
		state := canonical.StatePostal[ack.OtherState]
		if _, err := p.needsReview(ctx, q, m, ReviewControllingOrder,
			fmt.Sprintf("%s already withholds for the same order under an IWO from %s (IWO %s, case %s): find which order controls and which state enforces it.",
				employer.Name, stateName(state), ack.TrackingNumber, iwo.OurCaseID),
			map[string]string{"tracking": ack.TrackingNumber, "otherState": ack.OtherState}); err != nil {
			return Decision{}, err
		}
	}
	if ack.Status == canonical.AckRejected {
		return p.needsReview(ctx, q, m, ReviewIWORejected, summary, map[string]string{"tracking": ack.TrackingNumber,
			"control": iwo.ControlNumber})
	}
	return Decision{Status: exchange.StatusProcessed, Note: summary}, nil
}

// applyNotice acts on a notice the employer sent on its own: a termination
// tells the initiating state; a lump sum goes to a caseworker, who decides on
// a lump-sum IWO.
func (p *Processor) applyNotice(ctx context.Context, q exchange.Querier, m exchange.Message, employer *partners.Partner,
	ack canonical.EmployerAck, i int) (Decision, error) {
	var iwo exchange.IWORow
	var err error
	if ack.TrackingNumber != "" {
		iwo, err = exchange.IWOByTracking(ctx, q, ack.TrackingNumber)
	} else {
		iwo, err = exchange.IWOForEmployerCase(ctx, q, employer.FEIN, ack.CaseID)
	}
	if err != nil && !errors.Is(err, exchange.ErrNotFound) {
		return Decision{}, err
	}
	found := err == nil && iwo.EmployerFEIN == employer.FEIN
	who := "an employee"
	if ack.EmployeeName != nil {
		who = ack.EmployeeName.Text()
	}
	switch ack.Notice {
	case canonical.NoticeTermination:
		text := fmt.Sprintf("Employer %s reports that %s (case %s) no longer works there", employer.Name, who, ack.CaseID)
		if ack.TerminationDate != nil {
			text += fmt.Sprintf(" since %s", ack.TerminationDate)
		}
		if ack.FinalPaymentDate != nil {
			text += fmt.Sprintf("; last payment %s", ack.FinalPaymentDate)
			if ack.FinalPaymentAmount > 0 {
				text += " of $" + ack.FinalPaymentAmount.Dollars()
			}
		}
		text += "."
		if !found {
			return p.needsReview(ctx, q, m, ReviewIWORejected, text+" No IWO of ours matches it.", map[string]string{"case": ack.CaseID})
		}
		if err := exchange.SetIWOAck(ctx, q, iwo.ID, "terminated", []string{string(canonical.AckNoLongerEmployed)}, text, ""); err != nil {
			return Decision{}, err
		}
		if err := p.tellInitiating(ctx, q, m, iwo, canonical.FuncManageCases, canonical.ReasonStatusUpdate, text, i); err != nil {
			return Decision{}, err
		}
		return Decision{Status: exchange.StatusProcessed, Note: text}, nil
	case canonical.NoticeLumpSum:
		text := fmt.Sprintf("Employer %s will pay %s (case %s) a lump sum", employer.Name, who, ack.CaseID)
		if ack.LumpSumAmount > 0 {
			text += " of $" + ack.LumpSumAmount.Dollars()
		}
		if ack.LumpSumDate != nil {
			text += fmt.Sprintf(" on %s", ack.LumpSumDate)
		}
		text += ": decide whether to send a lump-sum IWO before it is paid."
		return p.needsReview(ctx, q, m, ReviewEmployerLumpSum, text, map[string]string{"case": ack.CaseID})
	}
	return p.needsReview(ctx, q, m, ReviewIWORejected, fmt.Sprintf("employer notice %q is not one this gateway knows", ack.Notice), nil)
}

// tellInitiating sends the initiating state news of its IWO, if a state
// asked for it.
func (p *Processor) tellInitiating(ctx context.Context, q exchange.Querier, m exchange.Message, iwo exchange.IWORow,
	fn canonical.FunctionCode, reason canonical.ReasonCode, text string, i int) error {
	initiating, ok := p.dir().Get(iwo.InitiatingPartner)
	if !ok || initiating.Kind != partners.KindState {
		return nil
	}
	ours, theirs, err := p.caseIDs(ctx, q, iwo.OurCaseID, initiating.ID)
	if err != nil {
		return err
	}
	if ours == "" {
		// An IWO sent before New York case IDs were kept: the
		// initiating state's case is all we know, and it is theirs.
		theirs = strings.TrimPrefix(iwo.CaseID, initiating.StateFIPS+":")
		if ours, err = p.caseForOld(ctx, q, initiating.ID, theirs); err != nil {
			return err
		}
	}
	suffix := string(reason)
	if i > 0 {
		suffix += fmt.Sprintf("-%d", i+1)
	}
	news := canonical.Transaction{Header: canonical.Header{SenderFIPS: p.cfg.SelfFIPS,
		ReceiverFIPS: canonical.FIPS(initiating.StateFIPS + "00000"), MessageID: p.responseID(m, suffix),
		Serial: 1, TransactionDate: canonical.DateOf(p.now()), SenderCaseID: ours, ReceiverCaseID: theirs,
		Function: fn, Action: canonical.ActProvide, Reason: reason, InReplyTo: iwo.InitiatingMessageID},
		Information: canonical.InformationText(text)}
	if iwo.RequestMessage != 0 {
		// The news is about the case the state's request described: it
		// carries that request's case, NCP and participant blocks, as the
		// federal edits of a status update (MSC P GSPUD) require.
		req, err := p.store.LoadTransaction(ctx, iwo.RequestMessage, true)
		if err != nil {
			return fmt.Errorf("the request of IWO %s: %w", iwo.TrackingNumber, err)
		}
		if rm, err := p.store.GetMessage(ctx, iwo.RequestMessage); err == nil {
			markFormat(rm, &req)
		}
		p.withCaseBlocks(&news, req)
		if reason == canonical.ReasonStatusUpdate {
			news.Information.StatusChange = canonical.CaseOpen
		}
	}
	if strings.HasSuffix(initiating.Format, "/1") {
		// A partner on a /1 format gets the news as /1 carries it, without
		// the federal blocks /1 has no place for (our case contact's
		// address, for one).
		canonical.MarkLegacy(&news)
	}
	_, err = p.send(ctx, q, initiating, news, m.ID)
	return err
}

func stateName(postal string) string {
	if postal == "" {
		return "another state"
	}
	return postal
}

func ackSummary(employer *partners.Partner, ack canonical.EmployerAck) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Employer %s %s income withholding order %s", employer.Name, strings.ReplaceAll(string(ack.Status), "_", " "), ack.TrackingNumber)
	for i, r := range ack.Reasons {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(r.Words())
		if r == canonical.AckOtherStateIWO && ack.OtherState != "" {
			fmt.Fprintf(&b, " (%s)", canonical.StatePostal[ack.OtherState])
		}
		if r == canonical.AckNoLongerEmployed && ack.TerminationDate != nil {
			fmt.Fprintf(&b, " since %s", ack.TerminationDate)
		}
		if r == canonical.AckCorrectedFEIN && ack.CorrectedFEIN != "" {
			fmt.Fprintf(&b, " (FEIN %s)", ack.CorrectedFEIN)
		}
	}
	if ack.Note != "" {
		b.WriteString(". Note: " + ack.Note)
	}
	b.WriteString(".")
	return b.String()
}

// caseForOld finds or opens our case for a partner's case ID.
func (p *Processor) caseForOld(ctx context.Context, q exchange.Querier, partner, partnerCaseID string) (string, error) {
	return exchange.ResolveCase(ctx, q, exchange.CaseInbound{Partner: partner, PartnerCaseID: partnerCaseID, NewID: p.newCaseID})
}
