-- Control numbers of federal e-IWO files and batches (Appendix D chart D-1:
-- 22 characters, never reused). A sequence, not a table, because nextval is
-- never rolled back and is shared by every replica on the database: a number
-- drawn once is never drawn again, across restarts, crashes and replicas.
CREATE SEQUENCE eiwo_control_seq AS bigint MINVALUE 1 NO CYCLE;

-- eiwo_batch_items: documents for employers that take the federal file,
-- held until the employer's batch window closes and then sent together in
-- one file (file_message). Each document keeps its own message and IWO row.
CREATE TABLE eiwo_batch_items (
    message_id   bigint PRIMARY KEY REFERENCES messages (id),
    partner      text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    file_message bigint REFERENCES messages (id)
);
CREATE INDEX eiwo_batch_open ON eiwo_batch_items (partner, created_at) WHERE file_message IS NULL;
CREATE INDEX eiwo_batch_file ON eiwo_batch_items (file_message) WHERE file_message IS NOT NULL;

-- A document sent inside a file shares the file's fate: when the file is
-- delivered, picked up or dead-lettered, so is each document, with a history
-- entry naming the file. A trigger, so that every path that settles an
-- outbound message (courier, pull inbox, staff) carries its documents along.
CREATE FUNCTION eiwo_file_settled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH docs AS (
        UPDATE messages m SET status = NEW.status, updated_at = now()
        FROM eiwo_batch_items b
        WHERE b.file_message = NEW.id AND m.id = b.message_id AND m.status <> NEW.status
        RETURNING m.id, b.file_message
    )
    INSERT INTO message_history (message_id, from_status, to_status, actor, note)
    SELECT id, 'queued', NEW.status, 'eiwo-file', 'with its e-IWO file ' || NEW.sender_message_id || ' (message ' || NEW.id || ')'
    FROM docs;
    RETURN NULL;
END $$;
CREATE TRIGGER eiwo_file_settled AFTER UPDATE OF status ON messages
    FOR EACH ROW WHEN (NEW.status IN ('delivered', 'picked_up', 'dead_letter') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION eiwo_file_settled();

---- create above / drop below ----

DROP TRIGGER eiwo_file_settled ON messages;
DROP FUNCTION eiwo_file_settled();
DROP TABLE eiwo_batch_items;
DROP SEQUENCE eiwo_control_seq;
