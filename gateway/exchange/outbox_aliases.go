// The names of package outbox under package exchange, so that callers keep
// their spelling after the split of issue 18. A name added to outbox that
// callers need through exchange is added here too.

package exchange

import "github.com/uifsagw/uifsagw/gateway/exchange/outbox"

// FileBuilder frames an employer's held documents into one file, in q (the
// transaction that marks them sent in it): it draws the control numbers and
// returns the file to enqueue.
type FileBuilder = outbox.FileBuilder

// HeldDocument is an e-IWO document waiting for its employer's file.
type HeldDocument = outbox.HeldDocument

// OutboundFile is one file of transactions waiting in a pull inbox: the
// messages of one batch window, their raw bodies one a line.
type OutboundFile = outbox.OutboundFile
