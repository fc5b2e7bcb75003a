// The names of package registry under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to registry that
// callers need through exchange is added here too.

package exchange

import (
	"context"

	"github.com/uifsagw/uifsagw/gateway/exchange/registry"
)

// CaseInbound is what an inbound message says about its case.
type CaseInbound = registry.CaseInbound

// CaseOfObligor is the oldest case of an obligor, or "" when none.
func CaseOfObligor(ctx context.Context, q Querier, obligorKey []byte) (string, error) {
	return registry.CaseOfObligor(ctx, q, obligorKey)
}

// CaseOfPartnerID is our case for a partner's case ID, or "" when none is on file.
func CaseOfPartnerID(ctx context.Context, q Querier, partner, partnerCaseID string) (string, error) {
	return registry.CaseOfPartnerID(ctx, q, partner, partnerCaseID)
}

// CaseXref is one partner's case ID for one of our cases.
type CaseXref = registry.CaseXref

// ErrOrderExists says an order with that tribunal and docket is registered.
var ErrOrderExists = registry.ErrOrderExists

// HexKey renders a person key for the orders package, which keys people by string.
func HexKey(k []byte) string { return registry.HexKey(k) }

// InsertOrder adds an order to the registry and links it to its source message.
func InsertOrder(ctx context.Context, q Querier, o RegistryOrder) (int64, error) {
	return registry.InsertOrder(ctx, q, o)
}

// LinkOrderSource records that a message mentioned an order (a merge).
func LinkOrderSource(ctx context.Context, q Querier, orderID, messageID int64) error {
	return registry.LinkOrderSource(ctx, q, orderID, messageID)
}

// LockPerson serialises decisions about one obligor across processors and
// replicas for the rest of the transaction (an advisory lock on the key).
func LockPerson(ctx context.Context, q Querier, key []byte) error {
	return registry.LockPerson(ctx, q, key)
}

// OrderByID returns one registry order.
func OrderByID(ctx context.Context, q Querier, id int64) (RegistryOrder, error) {
	return registry.OrderByID(ctx, q, id)
}

// OrdersFor returns every registry order for the obligor or any of the
// children (the rules decide what overlaps), oldest first, locking them so
// two processors cannot both decide there is no order yet.
func OrdersFor(ctx context.Context, q Querier, obligorKey []byte, childKeys [][]byte) ([]RegistryOrder, error) {
	return registry.OrdersFor(ctx, q, obligorKey, childKeys)
}

// OurCase is one of New York's cases with the partners' IDs for it.
type OurCase = registry.OurCase

// PartnerCaseID is the case ID partner uses now for our case caseID, or ""
// when no exchange has told us one.
func PartnerCaseID(ctx context.Context, q Querier, caseID, partner string) (string, error) {
	return registry.PartnerCaseID(ctx, q, caseID, partner)
}

// RegisterOrderIn adds a state to the states an order is registered in.
func RegisterOrderIn(ctx context.Context, q Querier, orderID int64, state string) error {
	return registry.RegisterOrderIn(ctx, q, orderID, state)
}

// RegistryOrder is a row of the order registry.
type RegistryOrder = registry.RegistryOrder

// ResolveCase finds or opens New York's case for an inbound message and
// records the partner's case ID for it, in q's transaction. The case is the
// one the message names as ours, else the one the partner's case ID is on
// file for, else the case of the same obligor and children, else a new one.
func ResolveCase(ctx context.Context, q Querier, in CaseInbound) (string, error) {
	return registry.ResolveCase(ctx, q, in)
}

// SetControlling marks one order of a group as controlling and the others as not.
func SetControlling(ctx context.Context, q Querier, controlling int64, group []int64) error {
	return registry.SetControlling(ctx, q, controlling, group)
}
