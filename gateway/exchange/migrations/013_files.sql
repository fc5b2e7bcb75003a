-- file_receipts: the one signed receipt for a file of many transactions
-- (POST /v1/files), kept so that posting the same file again is answered
-- with the same receipt. Each transaction of the file is its own row in
-- messages; document is the receipt's JSON payload exactly as signed, jws
-- the compact JWS over it.
CREATE TABLE file_receipts (
    receipt_id   text PRIMARY KEY,
    partner      text NOT NULL,
    file_id      text NOT NULL,
    body_sha256  bytea NOT NULL CHECK (octet_length(body_sha256) = 32),
    transactions integer NOT NULL,
    document     bytea NOT NULL,
    jws          text NOT NULL,
    received_at  timestamptz NOT NULL,
    CONSTRAINT file_receipts_file_key UNIQUE (partner, file_id)
);

-- outbound_files: for a partner that takes files (partners: file_window), the
-- transactions waiting in its pull inbox are grouped into one file per
-- batch window once the window has ended; acknowledging the file picks up
-- its messages.
CREATE TABLE outbound_files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner      text NOT NULL,
    file_id      text NOT NULL DEFAULT '',
    window_start timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    acked_at     timestamptz
);
CREATE INDEX outbound_files_open ON outbound_files (partner, id) WHERE acked_at IS NULL;
CREATE INDEX outbound_files_file_id ON outbound_files (partner, file_id);
ALTER TABLE messages ADD COLUMN outbound_file bigint REFERENCES outbound_files (id);
CREATE INDEX messages_outbound_file ON messages (outbound_file) WHERE outbound_file IS NOT NULL;

---- create above / drop below ----

ALTER TABLE messages DROP COLUMN outbound_file;
DROP TABLE outbound_files;
DROP TABLE file_receipts;
