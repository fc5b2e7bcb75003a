// Package staffview builds what caseworkers read from the store's data:
// the queue and its pictures, a message with its people masked, a case
// with its orders, payments and withholding orders, review items in
// sentences, e-IWO documents in words, the audit log and the refusals. It
// knows nothing of HTTP; the staff UI renders these views as pages and
// answers.
package staffview

import (
	"context"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// Store is what the views read (*exchange.Store).
type Store interface {
	AuditSearch(ctx context.Context, f exchange.AuditFilter, beforeID int64, limit int) ([]exchange.AuditRecord, error)
	AuditTrail(ctx context.Context, target string, limit int) ([]exchange.AuditRecord, error)
	CaseExchanges(ctx context.Context, caseID string, limit int) ([]exchange.Message, error)
	CaseIWOs(ctx context.Context, caseID string) ([]exchange.CaseIWO, error)
	CaseMessages(ctx context.Context, caseID string, limit int) ([]exchange.Message, error)
	CaseOrders(ctx context.Context, obligorKey []byte, childKeys [][]byte) ([]exchange.RegistryOrder, error)
	Claims(ctx context.Context, ids []int64) (map[int64]exchange.Claim, error)
	CountMessages(ctx context.Context, f exchange.StaffFilter, limit int) (int64, error)
	DailyVolume(ctx context.Context, since time.Time) ([]exchange.DayCount, error)
	FindCase(ctx context.Context, id string) (exchange.OurCase, error)
	GetMessage(ctx context.Context, id int64) (exchange.Message, error)
	History(ctx context.Context, id int64) ([]exchange.HistoryEntry, error)
	IWOsForCase(ctx context.Context, caseID string) ([]exchange.CaseIWO, error)
	LoadTransaction(ctx context.Context, id int64, withPII bool) (canonical.Transaction, error)
	OldestWaiting(ctx context.Context, statuses []exchange.Status) ([]exchange.Waiting, error)
	RawBody(ctx context.Context, id int64) ([]byte, error)
	Reveal(ctx context.Context, id int64, path string) (canonical.SSN, error)
	Receipts(ctx context.Context, id int64) ([]exchange.Receipt, error)
	RefusalCounts(ctx context.Context, f exchange.RefusalFilter) ([]exchange.RefusalCount, error)
	RefusalsPage(ctx context.Context, f exchange.RefusalFilter, beforeID int64, limit int) ([]exchange.Refusal, error)
	ReviewItems(ctx context.Context, messageID int64) ([]exchange.ReviewItem, error)
	ReviewItemsFor(ctx context.Context, ids []int64) ([]exchange.ReviewItem, error)
	SearchMessages(ctx context.Context, f exchange.StaffFilter, p exchange.Page) ([]exchange.Message, string, error)
	SearchMessagesSorted(ctx context.Context, f exchange.StaffFilter, so exchange.Sort, limit, offset int) ([]exchange.Message, error)
	StatusCounts(ctx context.Context) (map[exchange.Status]int64, error)
	VerifyAudit(ctx context.Context) (n int, firstBad int64, err error)
}

var _ Store = (*exchange.Store)(nil)
