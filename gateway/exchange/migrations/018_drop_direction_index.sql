-- Indexes of messages that no query uses, dropped because every message
-- written and every status change pays for each of them (issue 19; status
-- is indexed, so no update of a message is HOT and each rewrite touches
-- every index).
--
-- Found by pg_stat_user_indexes after a 3,000-message load run (idx_scan 0)
-- and checked against every statement on messages (grep of the SQL in
-- gateway/exchange) and the staff queue's plans at ten million messages
-- (docs/perf/queue-10m-plans-after.txt). The other indexes with no scan in
-- the load run serve the staff queue's filters, the retention job or the
-- lookups by case and reply, which a load run does not exercise.
--
-- messages_direction_created: direction has two values, so no plan uses it;
-- the queue's "direction in" filter walks messages_created (a page of 51 in
-- 0.03 ms at ten million) and its combinations use the partner, status or
-- function indexes.

DROP INDEX messages_direction_created;

---- create above / drop below ----

CREATE INDEX messages_direction_created ON messages (direction, created_at DESC, id DESC);
