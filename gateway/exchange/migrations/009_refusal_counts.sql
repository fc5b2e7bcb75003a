-- A refusal record may stand for many refusals of one caller and code: beyond
-- a budget per caller the edge counts refusals and writes one record with the
-- count (issue 15, item 6), so a flood costs a bounded number of writes.
ALTER TABLE refusals ADD COLUMN count integer NOT NULL DEFAULT 1 CHECK (count >= 1);

---- create above / drop below ----

ALTER TABLE refusals DROP COLUMN count;
