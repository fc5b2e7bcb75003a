// The names of package audit under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to audit that
// callers need through exchange is added here too.

package exchange

import "github.com/uifsagw/uifsagw/gateway/exchange/audit"

// AuditHead is where the audit chain ends: its newest record and how many
// records lead to it. A signed checkpoint carries it out of the database.
type AuditHead = audit.AuditHead

// ErrAuditCheckpoint says the audit log no longer holds what a signed
// checkpoint saw: records were deleted, truncated or rewritten.
var ErrAuditCheckpoint = audit.ErrAuditCheckpoint

// ErrAuditTampered says the audit chain does not verify.
var ErrAuditTampered = audit.ErrAuditTampered
