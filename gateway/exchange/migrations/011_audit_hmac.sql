-- The audit chain is keyed (issue 15, item 3b): new records carry chain 2,
-- an HMAC-SHA256 under a key the database does not hold; records written
-- before stay chain 1 (plain SHA-256) and are accepted only before the first
-- keyed record. Adding a column fires no row trigger, so the append-only
-- triggers stay as they are.
ALTER TABLE audit_log ADD COLUMN chain smallint NOT NULL DEFAULT 1 CHECK (chain IN (1, 2));
ALTER TABLE audit_log ALTER COLUMN chain SET DEFAULT 2;

---- create above / drop below ----

ALTER TABLE audit_log DROP COLUMN chain;
