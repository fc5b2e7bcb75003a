-- name_keys becomes an ordinary column that the gateway writes with each
-- message (gateway/exchange/messages: nameKeys, normalised by the same
-- base.NameKeys the staff search applies to what a caseworker types).
-- Computed by PostgreSQL as a generated column (015, 016), it cost about
-- 190 µs of database CPU per message written, the largest single cost of a
-- messages row: 3,000 rows with every index took 520-810 ms to insert, 205
-- ms without the expression (issue 19, docs/PERFORMANCE.md). Stored values
-- are kept; uifsagw_name_keys stays for the way back and for the test that
-- checks the two agree.

ALTER TABLE messages ALTER COLUMN name_keys DROP EXPRESSION;
ALTER TABLE messages ALTER COLUMN name_keys SET DEFAULT '{}';
ALTER TABLE messages ALTER COLUMN name_keys SET NOT NULL;

---- create above / drop below ----

DROP INDEX messages_name_keys;
ALTER TABLE messages DROP COLUMN name_keys;
ALTER TABLE messages ADD COLUMN name_keys text[] GENERATED ALWAYS AS (uifsagw_name_keys(canonical)) STORED;
CREATE INDEX messages_name_keys ON messages USING gin (name_keys);
