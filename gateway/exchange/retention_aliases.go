// The names of package retention under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to retention that
// callers need through exchange is added here too.

package exchange

import "github.com/uifsagw/uifsagw/gateway/exchange/retention"

// Retention is the policy: how long bodies (with their SSNs) and whole
// messages are kept. Zero keeps forever.
type Retention = retention.Retention

// RetentionResult counts what one run did.
type RetentionResult = retention.RetentionResult
