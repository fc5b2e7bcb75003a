// Package outbound is the audited send of one transaction to a partner: what
// staff "send" and "route" actions and the command line use. The transaction
// is checked against the federal edits, written in the partner's format and
// queued for delivery (push, or the partner's pull inbox) in one database
// transaction with an audit entry naming who sent it.
package outbound

import (
	"context"
	"fmt"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/partners"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Encoder writes a transaction in a partner's format.
type Encoder interface {
	EncodeTx(p *partners.Partner, tx canonical.Transaction) (body []byte, contentType string, err error)
}

// Store is what sending needs of the exchange store.
type Store interface {
	EnqueueAudited(ctx context.Context, out exchange.Outbound, e exchange.Entry) (int64, error)
}

// Deps are the sender's collaborators.
type Deps struct {
	// Directory gives the partner directory in force.
	Directory func() *partners.Directory
	// Validate applies the federal edits (and the operator's code table).
	Validate func(tx *canonical.Transaction) canonical.FieldErrors
	Encoder  Encoder
	Store    Store
}

// Sender sends single transactions on behalf of a named actor.
type Sender struct{ deps Deps }

// New returns a sender.
func New(d Deps) *Sender { return &Sender{deps: d} }

// Send encodes tx in the format of partner partnerID and queues it for
// delivery, with an audit entry naming actor; it returns the outbound
// message's id. An unknown partner is exchange.ErrInvalid; a transaction
// failing the federal edits is refused with its canonical.FieldErrors and
// nothing is queued.
func (s *Sender) Send(ctx context.Context, actor, partnerID string, tx canonical.Transaction) (int64, error) {
	p, ok := s.deps.Directory().Get(partnerID)
	if !ok {
		return 0, fmt.Errorf("%w: no partner %q", exchange.ErrInvalid, partnerID)
	}
	if errs := s.deps.Validate(&tx); len(errs) > 0 {
		return 0, errs
	}
	body, ct, err := s.deps.Encoder.EncodeTx(p, tx)
	if err != nil {
		return 0, err
	}
	return s.deps.Store.EnqueueAudited(ctx, exchange.Outbound{Partner: p.ID, MessageID: tx.Header.MessageID,
		Format: p.Format, ContentType: ct, Raw: body, Tx: tx, Pull: p.Delivery == partners.DeliverPull,
		OrderingKey: tx.Header.SenderCaseID},
		exchange.Entry{Actor: actor, Action: "send",
			Details: map[string]string{"partner": p.ID, "messageId": tx.Header.MessageID, "function": string(tx.Header.Function)}})
}
