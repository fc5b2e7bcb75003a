// The names of package reviewdb under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to reviewdb that
// callers need through exchange is added here too.

package exchange

import (
	"context"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange/reviewdb"
)

// AddReviewItem opens a review item in q (usually the transaction of the
// decision that needs a person) and returns its id.
func AddReviewItem(ctx context.Context, q Querier, it ReviewItem) (int64, error) {
	return reviewdb.AddReviewItem(ctx, q, it)
}

// AuditFilter selects audit records for staff.
type AuditFilter = reviewdb.AuditFilter

// Claim says who is working a message.
type Claim = reviewdb.Claim

// ClaimMessage records that subject works message id. A claim by someone
// else stands (ErrClaimed, with theirs returned) unless takeOver is set; a
// repeat by the same person keeps the first time.
func ClaimMessage(ctx context.Context, q Querier, id int64, subject, name string, at time.Time, takeOver bool) (Claim, error) {
	return reviewdb.ClaimMessage(ctx, q, id, subject, name, at, takeOver)
}

// DayCount is how many messages, and refusals, one partner had on one day (UTC).
type DayCount = reviewdb.DayCount

// ErrClaimed says someone else is working the message.
var ErrClaimed = reviewdb.ErrClaimed

// GetReviewItem returns one review item, locked FOR UPDATE when q is a transaction.
func GetReviewItem(ctx context.Context, q Querier, id int64) (ReviewItem, error) {
	return reviewdb.GetReviewItem(ctx, q, id)
}

// LockMessage returns message id's direction and status, locking its row
// for the rest of q's transaction.
func LockMessage(ctx context.Context, q Querier, id int64) (Direction, Status, error) {
	return reviewdb.LockMessage(ctx, q, id)
}

// RefusalCount is how many refusals of one code one partner had (records
// standing for several count for as many).
type RefusalCount = reviewdb.RefusalCount

// RefusalFilter selects refusals for staff.
type RefusalFilter = reviewdb.RefusalFilter

// ReleaseMessage removes subject's claim on id (anyone's when anyone is
// set) and reports whether there was one.
func ReleaseMessage(ctx context.Context, q Querier, id int64, subject string, anyone bool) (bool, error) {
	return reviewdb.ReleaseMessage(ctx, q, id, subject, anyone)
}

// Reprocess sends message id round again, in q: an inbound message goes back
// to received for the processors (who are woken), an outbound one gets a new
// outbox attempt (Requeue). It returns the new status, or ErrState when the
// message is in flight or already waiting.
func Reprocess(ctx context.Context, q Querier, id int64, actor, note string) (Status, error) {
	return reviewdb.Reprocess(ctx, q, id, actor, note)
}

// Requeue gives outbound message id a new delivery attempt, in q: a fresh
// outbox attempt for a push partner (attempts start again from zero), back
// into the inbox for a pull partner. It returns the new status.
func Requeue(ctx context.Context, q Querier, id int64, actor, note string) (Status, error) {
	return reviewdb.Requeue(ctx, q, id, actor, note)
}

// ResolveOpenReviewItems resolves every unresolved review item of message id
// and reports how many it closed.
func ResolveOpenReviewItems(ctx context.Context, q Querier, messageID int64, actor, resolution string) (int64, error) {
	return reviewdb.ResolveOpenReviewItems(ctx, q, messageID, actor, resolution)
}

// ResolveReviewItem closes a review item with a resolution; resolving one
// that is already resolved is ErrState.
func ResolveReviewItem(ctx context.Context, q Querier, id int64, actor, resolution string) error {
	return reviewdb.ResolveReviewItem(ctx, q, id, actor, resolution)
}

// Sort orders a staff search by one of SortColumns, then by id.
type Sort = reviewdb.Sort

// SortColumns are the columns the staff queue sorts by, as SQL.
var SortColumns = reviewdb.SortColumns

// Waiting is the oldest message in one status.
type Waiting = reviewdb.Waiting
