package casework

import (
	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
	"github.com/uifsagw/uifsagw/schemas/canonical/validate"
	"github.com/uifsagw/uifsagw/transforms"
)

// markFormat marks tx legacy when m came in a format that does not carry the
// whole federal dictionary, as its decoder did before it was stored.
func markFormat(m exchange.Message, tx *canonical.Transaction) {
	if !transforms.FederalDictionary(m.Format) {
		canonical.MarkLegacy(tx)
	}
}

// withCaseBlocks completes an answer about tx with the blocks the federal
// per-transaction edits require of most answers (schemas/csenet/
// requirements.csv): the case block naming our interstate contact, the NCP's
// identification and the participants, all taken from the transaction the
// answer is about. Nothing is invented: what tx does not say stays empty, and
// the edits then say what is missing.
func (p *Processor) withCaseBlocks(resp *canonical.Transaction, tx canonical.Transaction) {
	cs := &canonical.Case{Type: canonical.CaseNonAssistance, Status: canonical.CaseOpen, Contact: p.cfg.Contact}
	if tx.Case != nil && tx.Case.Type != "" {
		cs.Type = tx.Case.Type
	}
	resp.Case = cs
	if tx.Legacy() {
		// An answer can only carry what the transaction it answers said.
		canonical.MarkLegacy(resp)
	}
	if tx.NCP != nil {
		ncp := *tx.NCP
		resp.NCP = &ncp
	}
	resp.Participants = nil
	for _, pt := range tx.Participants {
		if pt.Relationship == canonical.RelNCP {
			continue
		}
		if pt.Status == "" {
			pt.Status = canonical.ParticipantOpen
		}
		resp.Participants = append(resp.Participants, pt)
		if len(resp.Participants) == canonical.MaxBlocks {
			break
		}
	}
	if resp.Information != nil && resp.Information.StatusChange == "" {
		resp.Information.StatusChange = canonical.CaseOpen
	}
}

// validateOutbound checks an answer before it is sent: with the federal
// edits when our contact is configured (they require it), else with the
// model's rules only, so that a gateway not yet configured still answers.
func (p *Processor) validateOutbound(tx *canonical.Transaction) canonical.FieldErrors {
	if p.cfg.Contact == nil {
		return validate.Model(tx)
	}
	return validate.Transaction(tx)
}

// Generated names a combination one of the gateway's generators sends.
type Generated struct {
	Generator string
	Function  canonical.FunctionCode
	Action    canonical.ActionCode
	Reason    canonical.ReasonCode
}

// The combinations the generators of this package send. The generators use
// these variables, so a test of the list is a test of what is sent.
var (
	genOrderNotEstablished = Generated{"answer to an EST request that meets an existing order",
		canonical.FuncEstablish, canonical.ActProvide, canonical.ReasonOrderNotEstablished}
	genControllingEnforcement = Generated{"controlling-order notice",
		canonical.FuncEnforce, canonical.ActProvide, canonical.ReasonNewControllingOrder}
	genControllingEstablishment = Generated{"controlling-order notice in answer to an EST request",
		canonical.FuncEstablish, canonical.ActProvide, canonical.ReasonNewControllingOrder}
	genWithholdingEstablished = Generated{"employer accepted the IWO",
		canonical.FuncEnforce, canonical.ActProvide, canonical.ReasonWithholdingEstablished}
	genWithholdingRejected = Generated{"employer rejected the IWO",
		canonical.FuncManageCases, canonical.ActProvide, canonical.ReasonStatusUpdate}
	genIWODocument = Generated{"e-IWO sent to an employer (its record)",
		canonical.FuncEnforce, canonical.ActRequest, canonical.ReasonIncomeWithholding}
)

// Generators lists every combination this package's generators send.
func Generators() []Generated {
	return []Generated{genOrderNotEstablished, genControllingEnforcement, genControllingEstablishment,
		genWithholdingEstablished, genWithholdingRejected, genIWODocument}
}

// header sets the combination of g on h.
func (g Generated) header(h *canonical.Header) {
	h.Function, h.Action, h.Reason = g.Function, g.Action, g.Reason
}
