// Package base is what every aggregate store of gateway/exchange shares: the
// Querier and transaction helpers, the message and status types, PII keys
// and the sealing and masking of SSNs and dates of birth, the message row
// scanners and keyset paging, and the staff filter. It owns no table.
package base
