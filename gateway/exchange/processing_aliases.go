// The names of package processing under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to processing that
// callers need through exchange is added here too.

package exchange

import "github.com/uifsagw/uifsagw/gateway/exchange/processing"

// Batch is a set of received messages decided in one transaction.
type Batch = processing.Batch
