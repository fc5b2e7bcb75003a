// Package exchange is the gateway's durable exchange store on PostgreSQL:
// messages in and out with their raw evidence and canonical form, the state
// history, signed receipts, the outbox and the pull inbox, matching keys,
// the audit chain and the review queue, and the schema migrations.
//
// It is a façade. The SQL lives in one store layer split by aggregate:
// base (Querier, transactions, types, PII keys, row scanners), messages
// (intake, files, sealing, enqueueing), lookup (reads and reveals),
// processing, outbox (delivery, pull inbox, pause, e-IWO batches), registry,
// iwos, reviewdb, jobs, audit, retention and admin (databases). Store embeds each aggregate's store, so its methods
// and the names here are those of before the split. Outside this tree no
// package is to import pgx.
//
// Every method is one transaction. Methods that take a Querier also run
// inside a caller's transaction (pgx.Tx), so a decision and the messages it
// sends commit together. Raw bodies and SSNs are sealed with PIIKeys before
// they reach the database; canonical JSON carries masked SSNs only.
//
// SQL is hand-written pgx, not sqlc (decided for issue 18). sqlc would check
// static queries against the schema at generation time, but: most of ours
// are not static (staff filters and keyset pages are built per request,
// intake batches rows into multi-row inserts and COPY, retention and audit
// take advisory locks), so a second, hand-written style would remain; its
// PostgreSQL parser (pg_query_go) is cgo around libpg_query, a C build in
// every developer's and CI's generator run; and generated code must then be
// pinned and re-checked in CI. Every statement here runs in the package
// tests against a real PostgreSQL (gateway/pgtest), which catches what
// sqlc's check would. Revisit if the static queries come to dominate.
package exchange
