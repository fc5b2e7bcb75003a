-- The processor looks up every received order's obligor and children in the
-- registry (support_orders: obligor_key = $1 OR child_keys && $2) and the
-- case by its children (cases.child_keys). Both GIN indexes had fastupdate
-- on, PostgreSQL's default: new keys wait in a pending list that every
-- search reads from end to end until VACUUM merges it. Under a steady stream
-- of new orders the list is always long, so each lookup read thousands of
-- entries (pg_stat_statements after 3,000 messages: 2.6 ms per order lookup,
-- two thirds of the database's time; EXPLAIN: 1.2 ms in the GIN scan alone)
-- and the planner, costing that, often chose a sequential scan that grows
-- with the registry. Without the pending list the same lookup is 0.1 ms
-- through a BitmapOr of the two indexes (issue 19, docs/PERFORMANCE.md).
-- messages_name_keys keeps fastupdate: it is written on every message and
-- read only by staff name searches.

ALTER INDEX support_orders_children SET (fastupdate = off);
ALTER INDEX cases_children SET (fastupdate = off);
-- Merge what already waits, so the change helps at once, not after VACUUM.
SELECT gin_clean_pending_list('support_orders_children'::regclass);
SELECT gin_clean_pending_list('cases_children'::regclass);

---- create above / drop below ----

ALTER INDEX support_orders_children RESET (fastupdate);
ALTER INDEX cases_children RESET (fastupdate);
