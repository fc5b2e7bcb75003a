-- Retention: raw bodies and sealed SSNs are erased after a configured time;
-- the message's metadata, history and receipts stay until a longer one.
ALTER TABLE messages ADD COLUMN raw_erased_at timestamptz;
CREATE INDEX messages_raw_kept ON messages (created_at, id) WHERE raw_erased_at IS NULL;

---- create above / drop below ----

DROP INDEX messages_raw_kept;
ALTER TABLE messages DROP COLUMN raw_erased_at;
