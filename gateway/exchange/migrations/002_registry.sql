-- The order registry (UIFSA one-order rules) and income withholding orders.
-- People are keyed by the HMAC of their SSN (person_keys.ssn_hmac); no SSN is
-- stored here.

CREATE TABLE support_orders (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tribunal_state  text NOT NULL CHECK (tribunal_state ~ '^[0-9]{2}$'),
    tribunal_fips   text NOT NULL CHECK (tribunal_fips ~ '^[0-9]{7}$'),
    docket          text NOT NULL,
    -- docket_norm is the docket without spaces, dashes and case, so the same
    -- order written two ways is one row.
    docket_norm     text NOT NULL,
    order_type      text NOT NULL,
    issue_date      date NOT NULL,
    amount_cents    bigint NOT NULL CHECK (amount_cents >= 0),
    frequency       text NOT NULL,
    arrears_cents   bigint NOT NULL DEFAULT 0 CHECK (arrears_cents >= 0),
    arrears_as_of   date,
    obligor_key     bytea NOT NULL CHECK (octet_length(obligor_key) = 32),
    child_keys      bytea[] NOT NULL,
    registered      text[] NOT NULL DEFAULT '{}',
    active          boolean NOT NULL DEFAULT true,
    -- controlling is set when a determination (confirmed by a supervisor) names this order.
    controlling     boolean NOT NULL DEFAULT false,
    source_message  bigint REFERENCES messages (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT support_orders_one_per_docket UNIQUE (tribunal_fips, docket_norm)
);
CREATE INDEX support_orders_obligor ON support_orders (obligor_key);
CREATE INDEX support_orders_children ON support_orders USING gin (child_keys);

-- Which messages mentioned which order (merges of the same order arriving again).
CREATE TABLE support_order_sources (
    order_id   bigint NOT NULL REFERENCES support_orders (id),
    message_id bigint NOT NULL REFERENCES messages (id),
    PRIMARY KEY (order_id, message_id)
);

CREATE SEQUENCE iwo_control_seq AS bigint;
CREATE SEQUENCE iwo_tracking_seq AS bigint;

-- iwos: one row per e-IWO document sent. control_number ties ORG, AMD and TRM
-- documents of one IWO together; neither number is ever reused.
CREATE TABLE iwos (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id         text NOT NULL,
    employer_fein   text NOT NULL CHECK (employer_fein ~ '^[0-9]{9}$'),
    employer_partner text NOT NULL DEFAULT '',
    doc_action      text NOT NULL CHECK (doc_action IN ('ORG', 'AMD', 'TRM', 'LUM')),
    control_number  text NOT NULL,
    tracking_number text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'sent'
                        CHECK (status IN ('sent', 'accepted', 'accepted_with_note', 'rejected', 'terminated')),
    ack_reasons     text[] NOT NULL DEFAULT '{}',
    ack_note        text NOT NULL DEFAULT '',
    ack_other_state text NOT NULL DEFAULT '',
    order_id        bigint REFERENCES support_orders (id),
    -- request_message is the inbound ENF request that caused the document;
    -- document_message is the outbound e-IWO.
    request_message  bigint REFERENCES messages (id),
    document_message bigint REFERENCES messages (id),
    -- the initiating state's partner id, told of the employer's answer.
    initiating_partner text NOT NULL DEFAULT '',
    initiating_message_id text NOT NULL DEFAULT '',
    amounts         jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- A second original IWO for the same case and employer is impossible: any
-- later change must be an amendment of the first.
CREATE UNIQUE INDEX iwos_one_original ON iwos (case_id, employer_fein) WHERE doc_action = 'ORG';
CREATE INDEX iwos_control ON iwos (control_number, id);
CREATE INDEX iwos_case ON iwos (case_id, employer_fein, id);

---- create above / drop below ----

DROP TABLE iwos;
DROP SEQUENCE iwo_tracking_seq;
DROP SEQUENCE iwo_control_seq;
DROP TABLE support_order_sources;
DROP TABLE support_orders;
