#!/bin/bash
# Issue 19, item 5: ten million messages in a scratch database of a `uifsagw dev` PostgreSQL, to
# measure the staff queue filters (docs/PERFORMANCE.md). The URLs name the dev install used
# (uifsagw dev --dir /tmp/h19/var --pg-port 45432); change them to yours. About 7 GB of disk;
# drop it afterwards: DROP DATABASE scratch10m.
set -e
B='postgres:///?host=%2Ftmp%2Fh19%2Fvar%2Fpg&port=45432&sslmode=disable&user=postgres'
U='postgres:///uifsagw?host=%2Ftmp%2Fh19%2Fvar%2Fpg&port=45432&sslmode=disable&user=postgres'
S='postgres:///scratch10m?host=%2Ftmp%2Fh19%2Fvar%2Fpg&port=45432&sslmode=disable&user=postgres'
psql "$B" -c "drop database if exists scratch10m" -c "create database scratch10m"
pg_dump -s --section=pre-data "$U" | grep -v "set_config(.search_path" > pre.sql
pg_dump -s --section=post-data "$U" | grep -v "set_config(.search_path" > post.sql
psql -q "$S" -v ON_ERROR_STOP=1 -f pre.sql >/dev/null
date -u
# 10M rows: 40 partners, 2 directions, statuses weighted like a live gateway
# (almost all settled, a small working set in needs_review/received/queued),
# created over two years, names for every tenth row.
psql "$S" -v ON_ERROR_STOP=1 <<'SQL'
\timing on
SET synchronous_commit = off;
-- The generated column's function is not what is measured here; filling the
-- column directly makes 10M rows take minutes instead of an hour.
ALTER TABLE messages ALTER COLUMN name_keys DROP EXPRESSION;
INSERT INTO messages (direction, partner, sender_message_id, format, content_type, function, action, reason,
  sender_fips, receiver_fips, sender_case_id, receiver_case_id, status, raw_sealed, body_sha256, canonical,
  in_reply_to, created_at, updated_at, name_keys)
SELECT CASE WHEN g % 3 = 0 THEN 'out' ELSE 'in' END,
  'p' || lpad((g % 40)::text, 2, '0'),
  'msg-' || g,
  'json-transaction/1', 'application/json',
  (ARRAY['ENF','EST','PAT','COL','MSC','CSI','LO1'])[1 + g % 7],
  (ARRAY['R','A','P','U','M'])[1 + (g / 7) % 5],
  '',
  '3400000', '3600000',
  'SC' || (g % 2000000), 'RC' || ((g * 7) % 2000000),
  CASE WHEN g % 1000 = 1 THEN 'needs_review' WHEN g % 5000 = 2 THEN 'received' WHEN g % 3000 = 3 THEN 'queued'
       WHEN g % 10000 = 4 THEN 'dead_letter' WHEN g % 3 = 0 THEN 'delivered' ELSE 'processed' END,
  '\x00'::bytea, decode(md5(g::text) || md5(g::text), 'hex'),
  CASE WHEN g % 10 = 0 THEN jsonb_build_object('ncp', jsonb_build_object('name', jsonb_build_object('first', 'First' || (g % 5000), 'last', 'Last' || (g % 100000))))
       ELSE '{}'::jsonb END,
  CASE WHEN g % 4 = 0 THEN 'msg-' || (g - 1) ELSE '' END,
  timestamptz '2024-12-01' + (g * interval '6.3 seconds'), timestamptz '2024-12-01' + (g * interval '6.3 seconds'),
  CASE WHEN g % 10 = 0 THEN ARRAY['first' || (g % 5000), 'last' || (g % 100000)] ELSE '{}'::text[] END
FROM generate_series(1, 10000000) g;
SQL
date -u
psql -q "$S" -f post.sql >/dev/null 2>post.err || true
psql "$S" -c "vacuum analyze messages"
date -u
psql "$S" -c "select pg_size_pretty(pg_database_size('scratch10m'))"
