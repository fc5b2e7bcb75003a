-- The staff review UI's needs: status counts that stay cheap at tens of
-- millions of messages, indexes for the queue's filters and free-text search
-- on metadata, and resumable bulk jobs.

-- message_status_deltas holds signed changes to the number of messages per
-- status, appended by statement-level triggers. Appending never contends (no
-- row is updated, so two writers never wait on each other or deadlock); the
-- review worker folds the rows into one per status now and then, and the
-- count of a status is the sum of its rows.
CREATE TABLE message_status_deltas (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status text NOT NULL,
    delta  bigint NOT NULL
);

INSERT INTO message_status_deltas (status, delta)
SELECT status, count(*) FROM messages GROUP BY status;

CREATE FUNCTION message_status_deltas_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_status_deltas (status, delta)
    SELECT status, count(*) FROM new_rows GROUP BY status;
    RETURN NULL;
END;
$$;

CREATE FUNCTION message_status_deltas_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_status_deltas (status, delta)
    SELECT status, sum(d) FROM (
        SELECT status, -1 AS d FROM old_rows
        UNION ALL
        SELECT status, 1 AS d FROM new_rows
    ) changes GROUP BY status HAVING sum(d) <> 0;
    RETURN NULL;
END;
$$;

CREATE FUNCTION message_status_deltas_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_status_deltas (status, delta)
    SELECT status, -count(*) FROM old_rows GROUP BY status;
    RETURN NULL;
END;
$$;

CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION message_status_deltas_insert();
CREATE TRIGGER messages_count_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION message_status_deltas_update();
CREATE TRIGGER messages_count_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION message_status_deltas_delete();

-- Free-text search on metadata: the sender's message id (exact or prefix)
-- and the function/action filter, both newest first.
CREATE INDEX messages_sender_message_id ON messages (sender_message_id text_pattern_ops);
CREATE INDEX messages_function_created ON messages (function, action, created_at DESC, id DESC);
CREATE INDEX messages_direction_created ON messages (direction, created_at DESC, id DESC);

-- review_jobs are bulk actions over a filtered set of messages. A worker
-- processes a job in chunks of ascending message id; the chunk's changes and
-- the job's progress (cursor, done) commit together, so a job resumes where
-- it stopped after a restart. max_id fixes the set when the job is created:
-- messages that arrive later are not swept in.
CREATE TABLE review_jobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('reprocess')),
    filter      jsonb NOT NULL DEFAULT '{}',
    note        text NOT NULL DEFAULT '',
    state       text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
    total       bigint NOT NULL DEFAULT 0,
    done        bigint NOT NULL DEFAULT 0,
    skipped     bigint NOT NULL DEFAULT 0,
    cursor_id   bigint NOT NULL DEFAULT 0,
    max_id      bigint NOT NULL,
    created_by  text NOT NULL,
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX review_jobs_running ON review_jobs (id) WHERE state = 'running';
CREATE INDEX review_items_kind_open ON review_items (kind, created_at DESC, id DESC) WHERE state <> 'resolved';

---- create above / drop below ----

DROP INDEX review_items_kind_open;
DROP TABLE review_jobs;
DROP INDEX messages_direction_created;
DROP INDEX messages_function_created;
DROP INDEX messages_sender_message_id;
DROP TRIGGER messages_count_delete ON messages;
DROP TRIGGER messages_count_update ON messages;
DROP TRIGGER messages_count_insert ON messages;
DROP FUNCTION message_status_deltas_delete();
DROP FUNCTION message_status_deltas_update();
DROP FUNCTION message_status_deltas_insert();
DROP TABLE message_status_deltas;
