package base

import "github.com/uifsagw/uifsagw/schemas/canonical"

// The aggregate stores hash and key through these; the unexported originals
// keep the body of pii.go as it was in package exchange.

// HashDOBOrNil is HashDOB for an optional date, nil (SQL NULL) without one.
func (k PIIKeys) HashDOBOrNil(d *canonical.Date) []byte { return k.hashDOBOrNil(d) }

// AuditKey keys the audit chain. It is derived from the HMAC key, so it is
// configured wherever the gateway runs and never stored in the database.
func (k PIIKeys) AuditKey() []byte { return k.auditKey() }
