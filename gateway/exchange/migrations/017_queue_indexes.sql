-- The staff queue at ten million messages (issue 19; plans and times in
-- docs/PERFORMANCE.md). A status the queue filters on is a small set among
-- millions of settled messages; combined with a partner or a transaction
-- type, the only index on status made PostgreSQL fetch every message in that
-- status and filter, or AND a bitmap of a partner's whole history with it
-- (345 ms for one partner's needs_review messages). With the status first
-- and the other filter second, such a page reads only the rows it shows.
--
-- messages_partner_fold (015) served no query on messages (the partner
-- filter matches the ID as typed, lower- and upper-cased, on
-- messages_partner_created), and every message written paid for it.

CREATE INDEX messages_status_partner_created ON messages (status, partner, created_at DESC, id DESC);
CREATE INDEX messages_status_function_created ON messages (status, function, action, created_at DESC, id DESC);
DROP INDEX messages_partner_fold;

---- create above / drop below ----

CREATE INDEX messages_partner_fold ON messages (lower(partner), created_at DESC, id DESC);
DROP INDEX messages_status_function_created;
DROP INDEX messages_status_partner_created;
