#!/bin/bash
# Issue 19, item 5: EXPLAIN (ANALYZE, BUFFERS) of each staff queue filter over the scratch
# database queue-10m-generate.sh fills; each query runs twice and the second plan is kept.
# Usage: queue-10m-explain.sh queue-10m-queries.txt > plans.txt
# explain.sh: EXPLAIN (ANALYZE, BUFFERS) of each staff queue filter, run twice (the second is reported).
S='postgres:///scratch10m?host=%2Ftmp%2Fh19%2Fvar%2Fpg&port=45432&sslmode=disable&user=postgres'
COLS="id, direction, partner, sender_message_id, format, content_type, function, action, reason, sender_fips, receiver_fips, sender_case_id, receiver_case_id, status, body_sha256, in_reply_to, trace_id, signature, inbox_seq, created_at, updated_at"
while IFS='|' read -r name where; do
  q="SELECT $COLS FROM messages WHERE $where ORDER BY created_at DESC, id DESC LIMIT 51"
  psql -X "$S" -qAt -c "$q" >/dev/null
  echo "### $name"
  echo "WHERE $where"
  psql -X "$S" -qAt -c "EXPLAIN (ANALYZE, BUFFERS) $q"
done < ${1:-queries.txt}
# sorted by status (offset page), count, oldest waiting

for q in "SELECT $COLS FROM messages WHERE partner IN ('p07', lower('p07'), upper('p07')) ORDER BY status DESC, created_at ASC, id ASC LIMIT 50 OFFSET 10000" \
         "SELECT $COLS FROM messages ORDER BY function ASC, action ASC, created_at DESC, id DESC LIMIT 50 OFFSET 5000" \
         "SELECT count(*) FROM (SELECT 1 FROM messages WHERE status = ANY('{processed}') LIMIT 10001) AS m" \
         "SELECT count(*) FROM (SELECT 1 FROM messages WHERE status = ANY('{needs_review}') LIMIT 10001) AS m" \
         "SELECT st, m.id FROM unnest('{received,processing,needs_review,queued,dead_letter}'::text[]) WITH ORDINALITY AS u(st, n), LATERAL (SELECT id, created_at, updated_at FROM messages WHERE status = u.st ORDER BY created_at, id LIMIT 1) AS m ORDER BY u.n" \
         "SELECT status, count(*) FROM messages GROUP BY status"; do
  psql -X "$S" -qAt -c "$q" >/dev/null
  echo "### $q"
  psql -X "$S" -qAt -c "EXPLAIN (ANALYZE, BUFFERS) $q"
done
