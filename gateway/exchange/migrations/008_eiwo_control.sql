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

---- create above / drop below ----

DROP TABLE eiwo_batch_items;
DROP SEQUENCE eiwo_control_seq;
