-- The exchange store: messages in and out, their history, receipts, the
-- outbox, matching keys, encrypted SSNs, the audit chain and the review queue.
--
-- No column holds an SSN in clear: raw bodies and SSNs are AES-256-GCM
-- ciphertext (sealed by the application), canonical JSON carries the masked
-- form, and matching uses an HMAC.

CREATE TABLE messages (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    direction         text NOT NULL CHECK (direction IN ('in', 'out')),
    -- partner is the directory id of the state or employer on the other side.
    partner           text NOT NULL CHECK (partner <> ''),
    sender_message_id text NOT NULL CHECK (sender_message_id <> ''),
    format            text NOT NULL,
    content_type      text NOT NULL,
    function          text NOT NULL DEFAULT '',
    action            text NOT NULL DEFAULT '',
    reason            text NOT NULL DEFAULT '',
    sender_fips       text NOT NULL DEFAULT '',
    receiver_fips     text NOT NULL DEFAULT '',
    sender_case_id    text NOT NULL DEFAULT '',
    receiver_case_id  text NOT NULL DEFAULT '',
    status            text NOT NULL CHECK (status IN (
                          'received', 'processing', 'processed', 'needs_review', 'queued', 'sending',
                          'delivered', 'awaiting_pickup', 'picked_up', 'dead_letter', 'cancelled',
                          'resolved', 'refused')),
    raw_sealed        bytea NOT NULL,
    body_sha256       bytea NOT NULL CHECK (octet_length(body_sha256) = 32),
    canonical         jsonb NOT NULL,
    in_reply_to       text NOT NULL DEFAULT '',
    trace_id          text NOT NULL DEFAULT '',
    -- signature is the sender's detached JWS, kept as evidence.
    signature         text NOT NULL DEFAULT '',
    -- inbox_seq orders a pull partner's inbox; it is stamped when the partner
    -- lists, under a per-partner lock, so the cursor only ever moves forward
    -- over committed rows.
    inbox_seq         bigint UNIQUE,
    -- lease of a worker processing an inbound message.
    lease_owner       text,
    lease_expires_at  timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_sender_key UNIQUE (partner, direction, sender_message_id)
);

CREATE SEQUENCE inbox_seq AS bigint;

-- Keyset pagination, newest first, overall and by the common filters.
CREATE INDEX messages_created ON messages (created_at DESC, id DESC);
CREATE INDEX messages_status_created ON messages (status, created_at DESC, id DESC);
CREATE INDEX messages_partner_created ON messages (partner, created_at DESC, id DESC);
CREATE INDEX messages_sender_case ON messages (sender_case_id) WHERE sender_case_id <> '';
CREATE INDEX messages_receiver_case ON messages (receiver_case_id) WHERE receiver_case_id <> '';
CREATE INDEX messages_in_reply_to ON messages (in_reply_to) WHERE in_reply_to <> '';
-- Work queues stay small however large the table grows.
CREATE INDEX messages_to_process ON messages (id) WHERE status = 'received';
CREATE INDEX messages_processing_lease ON messages (lease_expires_at) WHERE status = 'processing';
CREATE INDEX messages_inbox_unstamped ON messages (partner, id)
    WHERE status = 'awaiting_pickup' AND inbox_seq IS NULL;
CREATE INDEX messages_inbox ON messages (partner, inbox_seq)
    WHERE status = 'awaiting_pickup' AND inbox_seq IS NOT NULL;

CREATE TABLE message_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  bigint NOT NULL REFERENCES messages (id),
    from_status text NOT NULL DEFAULT '',
    to_status   text NOT NULL,
    actor       text NOT NULL,
    note        text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_history_message ON message_history (message_id, id);

-- receipts: kind 'issued' is the receipt we signed for an inbound message;
-- 'received' is the partner's receipt for one of ours.
CREATE TABLE receipts (
    receipt_id  text PRIMARY KEY,
    message_id  bigint NOT NULL REFERENCES messages (id),
    kind        text NOT NULL CHECK (kind IN ('issued', 'received')),
    jws         text NOT NULL,
    body_sha256 bytea NOT NULL CHECK (octet_length(body_sha256) = 32),
    received_at timestamptz NOT NULL,
    CONSTRAINT receipts_one_per_kind UNIQUE (message_id, kind)
);

CREATE TABLE outbox (
    message_id       bigint PRIMARY KEY REFERENCES messages (id),
    partner          text NOT NULL,
    -- ordering_key groups the messages that must leave in order (one case).
    ordering_key     text NOT NULL,
    state            text NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'leased', 'delivered', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text NOT NULL DEFAULT '',
    lease_owner      text,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, message_id) WHERE state = 'pending';
CREATE INDEX outbox_open_by_case ON outbox (partner, ordering_key, message_id)
    WHERE state IN ('pending', 'leased');
CREATE INDEX outbox_lease ON outbox (lease_expires_at) WHERE state = 'leased';

-- person_keys: keyed hashes of SSNs for matching people across messages.
-- participant_index is -1 for the NCP, else the index in participants.
CREATE TABLE person_keys (
    message_id        bigint NOT NULL REFERENCES messages (id),
    role              text NOT NULL,
    participant_index smallint NOT NULL,
    ssn_hmac          bytea NOT NULL CHECK (octet_length(ssn_hmac) = 32),
    PRIMARY KEY (message_id, participant_index)
);
CREATE INDEX person_keys_ssn ON person_keys (ssn_hmac, message_id);

-- message_ssns: sealed SSNs by their canonical path, so the full transaction
-- can be rebuilt for authorised use.
CREATE TABLE message_ssns (
    message_id bigint NOT NULL REFERENCES messages (id),
    path       text NOT NULL,
    sealed     bytea NOT NULL,
    PRIMARY KEY (message_id, path)
);

-- refusals: requests refused at the edge. No body is stored.
CREATE TABLE refusals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    partner     text NOT NULL DEFAULT '',
    remote_addr text NOT NULL DEFAULT '',
    code        text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    message_id  text NOT NULL DEFAULT '',
    body_sha256 bytea CHECK (body_sha256 IS NULL OR octet_length(body_sha256) = 32)
);
CREATE INDEX refusals_at ON refusals (at DESC, id DESC);
CREATE INDEX refusals_partner_at ON refusals (partner, at DESC, id DESC);

-- audit_log is append-only: each row's hash covers its content and the
-- previous row's hash, so an edit or a deletion breaks the chain.
CREATE TABLE audit_log (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    target    text NOT NULL DEFAULT '',
    details   jsonb NOT NULL DEFAULT '{}',
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_log_target ON audit_log (target, id) WHERE target <> '';

CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE review_items (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  bigint REFERENCES messages (id),
    kind        text NOT NULL,
    state       text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'assigned', 'resolved')),
    evidence    jsonb NOT NULL DEFAULT '{}',
    assigned_to text NOT NULL DEFAULT '',
    resolution  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE INDEX review_items_open ON review_items (created_at DESC, id DESC) WHERE state <> 'resolved';
CREATE INDEX review_items_message ON review_items (message_id);

---- create above / drop below ----

DROP TABLE review_items;
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE refusals;
DROP TABLE message_ssns;
DROP TABLE person_keys;
DROP TABLE outbox;
DROP TABLE receipts;
DROP TABLE message_history;
DROP SEQUENCE inbox_seq;
DROP TABLE messages;
