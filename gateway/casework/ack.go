package casework

import (
	"context"
	"fmt"
	"strings"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// processAck records an employer's acknowledgment of an e-IWO on the IWO and
// tells the state that asked for the withholding: ENF P ESWAG (wage
// withholding established) when the employer accepted, MSC P GSPUD (status
// update) with the employer's reasons when it rejected.
func (p *Processor) processAck(ctx context.Context, m exchange.Message, employer *partners.Partner) error {
	raw, err := p.store.RawBody(ctx, m.ID)
	if err != nil {
		return err
	}
	ack, err := p.enc.DecodeAck(employer, raw)
	if err != nil {
		return p.store.CompleteWith(ctx, m.ID, func(q exchange.Querier) (exchange.Status, string, error) {
			d, err := p.needsReview(ctx, q, m, ReviewIWORejected, "acknowledgment could not be read again: "+err.Error(), nil)
			return d.Status, d.Note, err
		})
	}
	return p.store.CompleteWith(ctx, m.ID, func(q exchange.Querier) (exchange.Status, string, error) {
		iwo, err := exchange.IWOByTracking(ctx, q, ack.TrackingNumber)
		if err != nil {
			d, err := p.needsReview(ctx, q, m, ReviewIWORejected,
				fmt.Sprintf("acknowledgment names IWO %s, which this gateway did not send", ack.TrackingNumber), nil)
			return d.Status, d.Note, err
		}
		if iwo.EmployerFEIN != employer.FEIN {
			d, err := p.needsReview(ctx, q, m, ReviewIWORejected,
				fmt.Sprintf("acknowledgment of IWO %s came from another employer than the one it was sent to", ack.TrackingNumber), nil)
			return d.Status, d.Note, err
		}
		reasons := make([]string, len(ack.Reasons))
		for i, r := range ack.Reasons {
			reasons[i] = string(r)
		}
		if err := exchange.SetIWOAck(ctx, q, iwo.ID, string(ack.Status), reasons, ack.Note, ack.OtherState); err != nil {
			return "", "", err
		}
		summary := ackSummary(employer, ack)
		// Tell the initiating state, if the IWO answered one of its requests.
		if initiating, ok := p.dir().Get(iwo.InitiatingPartner); ok && initiating.Kind == partners.KindState {
			g := genWithholdingEstablished
			if ack.Status == canonical.AckRejected {
				g = genWithholdingRejected
			}
			caseID := strings.TrimPrefix(iwo.CaseID, initiating.StateFIPS+":")
			news := canonical.Transaction{Header: canonical.Header{SenderFIPS: p.cfg.SelfFIPS,
				ReceiverFIPS: canonical.FIPS(initiating.StateFIPS + "00000"), MessageID: p.responseID(m, string(g.Reason)),
				Serial: 1, TransactionDate: canonical.DateOf(p.now()), SenderCaseID: caseID, ReceiverCaseID: caseID,
				InReplyTo: iwo.InitiatingMessageID},
				Information: canonical.InformationText(summary)}
			g.header(&news.Header)
			if ack.Status == canonical.AckRejected {
				// A status update names the case's parties (requirements.csv).
				request, _ := p.store.LoadTransaction(ctx, iwo.RequestMessage, true)
				if rm, err := p.store.GetMessage(ctx, iwo.RequestMessage); err == nil {
					markFormat(rm, &request)
				}
				p.withCaseBlocks(&news, request)
			}
			if _, err := p.send(ctx, q, initiating, news, m.ID); err != nil {
				return "", "", err
			}
		}
		if ack.Status == canonical.AckRejected {
			d, err := p.needsReview(ctx, q, m, ReviewIWORejected, summary, map[string]string{"tracking": ack.TrackingNumber,
				"control": iwo.ControlNumber})
			return d.Status, d.Note, err
		}
		return exchange.StatusProcessed, summary, nil
	})
}

func ackSummary(employer *partners.Partner, ack canonical.EmployerAck) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Employer %s %s income withholding order %s", employer.Name, strings.ReplaceAll(string(ack.Status), "_", " "), ack.TrackingNumber)
	words := map[canonical.AckReason]string{
		canonical.AckNameMismatch: "name mismatch", canonical.AckSuspense: "suspense status",
		canonical.AckCorrectedFEIN: "corrected FEIN", canonical.AckDuplicate: "duplicate IWO",
		canonical.AckOtherStateIWO:    "the same order was already received from another state",
		canonical.AckNoLongerEmployed: "the employee is no longer employed there",
	}
	for i, r := range ack.Reasons {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		if w, ok := words[r]; ok {
			b.WriteString(w)
		} else {
			b.WriteString(string(r))
		}
		if r == canonical.AckOtherStateIWO && ack.OtherState != "" {
			fmt.Fprintf(&b, " (%s)", canonical.StatePostal[ack.OtherState])
		}
		if r == canonical.AckNoLongerEmployed && ack.TerminationDate != nil {
			fmt.Fprintf(&b, " since %s", ack.TerminationDate)
		}
	}
	if ack.Note != "" {
		b.WriteString(". Note: " + ack.Note)
	}
	b.WriteString(".")
	return b.String()
}
