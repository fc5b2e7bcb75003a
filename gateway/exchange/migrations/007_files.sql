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

---- create above / drop below ----

DROP TABLE file_receipts;
