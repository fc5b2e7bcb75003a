package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Determination is what NotifyDetermination announces.
type Determination struct {
	// ReviewItem is the review item the supervisor decided; it names the
	// notices' message IDs.
	ReviewItem int64
	// Message is the message that raised the review, 0 when none did; an
	// establishment request is answered EST P, anything else ENF P.
	Message int64
	// Controlling is the order the supervisor found controlling, 0 when
	// none does (then there is nothing to announce).
	Controlling int64
	// Group is every order of the determination.
	Group []int64
}

// NotifyDetermination sends the controlling-order determination a supervisor
// confirmed (or overrode) to every state whose tribunal issued one of the
// orders or where one is registered (UIFSA §207(g)), as a new controlling
// order (GSCOE: EST P when the determination answered an establishment
// request, ENF P otherwise) with the controlling order in an order block
// flagged D, in the caller's transaction. It returns the states notified.
// The determination's basis, note and override stay in the review item and
// the audit log: GSCOE carries no information block.
func (p *Processor) NotifyDetermination(ctx context.Context, q exchange.Querier, d Determination) ([]string, error) {
	reviewItem, messageID, controlling, group := d.ReviewItem, d.Message, d.Controlling, d.Group
	var orders []exchange.RegistryOrder
	for _, id := range group {
		o, err := exchange.OrderByID(ctx, q, id)
		if err != nil {
			return nil, err
		}
		orders = append(orders, o)
	}
	states := map[string]bool{}
	for _, o := range orders {
		states[o.TribunalState] = true
		for _, r := range o.Registered {
			states[r] = true
		}
	}
	delete(states, p.cfg.StateFIPS)
	var list []string
	for s := range states {
		list = append(list, s)
	}
	sort.Strings(list)

	var m exchange.Message
	var about canonical.Transaction
	if messageID != 0 {
		var err error
		if m, err = p.store.GetMessage(ctx, messageID); err != nil && !errors.Is(err, exchange.ErrNotFound) {
			return nil, fmt.Errorf("message of the determination: %w", err)
		}
		// The parties of the case the determination was made in.
		about, _ = p.store.LoadTransaction(ctx, messageID, true)
		markFormat(m, &about)
	}
	ourCase, err := p.caseOfDetermination(ctx, q, m, orders)
	if err != nil {
		return nil, err
	}
	g := genControllingEnforcement
	if m.Function == string(canonical.FuncEstablish) {
		g = genControllingEstablishment
	}
	var block []canonical.Order
	for _, o := range orders {
		if o.ID == controlling {
			co := canonical.Order{TribunalFIPS: o.TribunalFIPS, Docket: o.Docket, IssueDate: o.IssueDate,
				DebtType: o.Type, Frequency: o.Frequency, Amount: o.Amount, Arrears: o.Arrears, ArrearsAsOf: o.ArrearsAsOf,
				ControllingFlag: canonical.ControllingDetermined}
			// The registry keeps no effective date or medical flag; the
			// transaction that brought the order may.
			for _, ao := range about.Orders {
				if ao.TribunalFIPS.State() == o.TribunalFIPS.State() && ao.Docket == o.Docket {
					co.Type, co.EffectiveDate, co.MedicalOrdered = ao.Type, ao.EffectiveDate, ao.MedicalOrdered
				}
			}
			block = append(block, co)
		}
	}
	if len(block) == 0 {
		// No order controls: there is no new controlling order to announce,
		// and GSCOE needs the order block.
		return nil, nil
	}
	for _, st := range list {
		partner, ok := p.dir().ByState(st)
		if !ok {
			// A state we have no partner entry for cannot be sent to; the
			// review item shows who must still be told.
			p.log.Warn("no partner for a state that must receive the determination", "state", st)
			continue
		}
		ours, theirs, err := p.caseIDs(ctx, q, ourCase, partner.ID)
		if err != nil {
			return nil, err
		}
		tx := canonical.Transaction{Header: canonical.Header{SenderFIPS: p.cfg.SelfFIPS,
			ReceiverFIPS: canonical.FIPS(st + "00000"), MessageID: fmt.Sprintf("%s-COD-%d-%s", canonical.StatePostal[p.cfg.StateFIPS], reviewItem, st),
			Serial: 1, TransactionDate: canonical.DateOf(p.now()), SenderCaseID: ours, ReceiverCaseID: theirs,
			InReplyTo: m.MessageID},
			Orders: block}
		g.header(&tx.Header)
		// GSCOE carries no information block (requirements.csv): the basis,
		// note and override stay in the review item and the audit log.
		p.withCaseBlocks(&tx, about)
		if m.Partner != partner.ID {
			tx.Header.InReplyTo = ""
		}
		if _, err := p.send(ctx, q, partner, tx, messageID); err != nil {
			return nil, fmt.Errorf("notice to %s: %w", partner.ID, err)
		}
	}
	return list, nil
}

// caseOfDetermination is our case for a determination: the case of the
// message it was made on, else the case of the orders' obligor, else a new
// case for that obligor and those children.
func (p *Processor) caseOfDetermination(ctx context.Context, q exchange.Querier, m exchange.Message, orders []exchange.RegistryOrder) (string, error) {
	if m.ID != 0 && m.Direction == exchange.DirIn && m.SenderCaseID != "" {
		id, err := exchange.CaseOfPartnerID(ctx, q, m.Partner, m.SenderCaseID)
		if err != nil || id != "" {
			return id, err
		}
	}
	in := exchange.CaseInbound{NewID: p.newCaseID}
	for _, o := range orders {
		if in.ObligorKey == nil {
			in.ObligorKey = o.ObligorKey
		}
		in.ChildKeys = append(in.ChildKeys, o.ChildKeys...)
	}
	return exchange.ResolveCase(ctx, q, in)
}

// tribunalName names a tribunal for people: its state and its FIPS code
// ("NJ tribunal 3402100"), the only name the CSENet order block gives.
func tribunalName(f canonical.FIPS) string {
	st := canonical.StatePostal[f.State()]
	if st == "" {
		return "tribunal " + string(f)
	}
	return st + " tribunal " + string(f)
}

// ResolveTwins applies a supervisor's decision on review item decided to
// every other open controlling-order review about the same orders: the same
// obligor and children, often a second message of the same states about the
// same two orders. Each is resolved with the decision's resolution, audited,
// and its message leaves needs_review when nothing else is open on it, so
// no view can still offer Confirm/Override on a question already decided.
// It runs in the decision's transaction and returns the items resolved.
func (p *Processor) ResolveTwins(ctx context.Context, q exchange.Querier, decided int64, group []int64, actor string) ([]int64, error) {
	it, err := exchange.GetReviewItem(ctx, q, decided)
	if err != nil {
		return nil, err
	}
	inGroup := map[string]bool{}
	for _, id := range group {
		inGroup[fmt.Sprint(id)] = true
	}
	rows, err := q.Query(ctx, `SELECT id, message_id, evidence FROM review_items
		WHERE kind = $1 AND state <> 'resolved' AND id <> $2 ORDER BY id FOR UPDATE`, ReviewControllingOrder, decided)
	if err != nil {
		return nil, fmt.Errorf("open determinations: %w", err)
	}
	type twin struct{ id, message int64 }
	var twins []twin
	for rows.Next() {
		var t twin
		var msg *int64
		var raw []byte
		if err := rows.Scan(&t.id, &msg, &raw); err != nil {
			rows.Close()
			return nil, err
		}
		// Only the orders matter here; the rest of the evidence is for people.
		var ev struct {
			Orders []struct {
				ID string `json:"id"`
			} `json:"orders"`
		}
		if json.Unmarshal(raw, &ev) != nil || len(ev.Orders) == 0 {
			continue
		}
		covered := true
		for _, o := range ev.Orders {
			covered = covered && inGroup[o.ID]
		}
		if covered {
			if msg != nil {
				t.message = *msg
			}
			twins = append(twins, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var done []int64
	for _, t := range twins {
		resolution := fmt.Sprintf("%s (decided on review item %d)", it.Resolution, decided)
		if err := exchange.ResolveReviewItem(ctx, q, t.id, actor, resolution); err != nil {
			return nil, err
		}
		if t.message != 0 {
			var open int
			if err := q.QueryRow(ctx, `SELECT count(*) FROM review_items WHERE message_id = $1 AND state <> 'resolved'`, t.message).Scan(&open); err != nil {
				return nil, err
			}
			_, cur, err := exchange.LockMessage(ctx, q, t.message)
			if err != nil {
				return nil, err
			}
			if open == 0 && cur == exchange.StatusNeedsReview {
				if err := p.store.SetStatus(ctx, q, t.message, exchange.StatusProcessed, actor, resolution); err != nil {
					return nil, err
				}
			}
		}
		if _, err := p.store.AppendAudit(ctx, q, exchange.Entry{At: p.now(), Actor: actor, Action: "determination_applied",
			Target: fmt.Sprintf("review_item:%d", t.id), Details: map[string]any{"decidedOn": decided, "message": t.message}}); err != nil {
			return nil, err
		}
		done = append(done, t.id)
	}
	return done, nil
}
