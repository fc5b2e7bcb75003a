-- One docket rule, and New York's own case IDs with the partners' IDs for them.
--
-- 1. Dockets. docket_norm was written by a rule (drop space - . / _, fold
--    case) that differed from the one the one-order rules matched by (keep
--    A-Z and 0-9 only), so "FA#12" and "FA12" were two dockets to the store
--    and one to the rules. Stored rows are re-normalised with the one rule,
--    orders.NormalizeDocket: ASCII letters folded to upper case, digits kept,
--    everything else dropped. Two rows that become the same docket of the
--    same tribunal are not merged here (merging orders is a decision about
--    people); the later keeps a marked docket_norm ("FA12~<id>") so the
--    constraint holds, and the one-order rules, which compare dockets, treat
--    both as the same order from now on.
ALTER TABLE support_orders DROP CONSTRAINT support_orders_one_per_docket;
WITH renorm AS (
    SELECT id, regexp_replace(translate(docket, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
                              '[^A-Z0-9]', '', 'g') AS norm, tribunal_fips
    FROM support_orders),
ranked AS (
    SELECT id, norm, row_number() OVER (PARTITION BY tribunal_fips, norm ORDER BY id) AS n FROM renorm)
UPDATE support_orders o SET docket_norm = CASE WHEN r.n = 1 THEN r.norm ELSE r.norm || '~' || o.id END
FROM ranked r WHERE r.id = o.id AND o.docket_norm IS DISTINCT FROM
    (CASE WHEN r.n = 1 THEN r.norm ELSE r.norm || '~' || o.id END);
ALTER TABLE support_orders ADD CONSTRAINT support_orders_one_per_docket UNIQUE (tribunal_fips, docket_norm);

-- 2. Cases. Every family New York exchanges about has one New York case ID
--    (cases.case_id, "NY" and a number from our_case_seq). case_xref maps
--    each partner's case ID to it; "current" marks the ID a partner uses now
--    for the case (one per partner and case), which every outbound message to
--    that partner carries as the receiver's case ID. Old IDs stay as
--    non-current rows so messages naming them still find the case. There is
--    no foreign key to messages: retention deletes old messages, never cases.
CREATE SEQUENCE our_case_seq AS bigint;
CREATE TABLE cases (
    case_id     text PRIMARY KEY,
    obligor_key bytea CHECK (obligor_key IS NULL OR octet_length(obligor_key) = 32),
    child_keys  bytea[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_obligor ON cases (obligor_key) WHERE obligor_key IS NOT NULL;
CREATE INDEX cases_children ON cases USING gin (child_keys);

CREATE TABLE case_xref (
    partner         text NOT NULL,
    partner_case_id text NOT NULL,
    case_id         text NOT NULL REFERENCES cases (case_id),
    current         boolean NOT NULL DEFAULT true,
    source_message  bigint,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner, partner_case_id)
);
CREATE UNIQUE INDEX case_xref_current ON case_xref (case_id, partner) WHERE current;

-- The New York case an IWO belongs to (iwos.case_id stays the initiating
-- request's "state:case" key the one-original rule is about).
ALTER TABLE iwos ADD COLUMN our_case_id text NOT NULL DEFAULT '';
CREATE INDEX iwos_our_case ON iwos (our_case_id, id) WHERE our_case_id <> '';

---- create above / drop below ----

DROP INDEX iwos_our_case;
ALTER TABLE iwos DROP COLUMN our_case_id;
DROP TABLE case_xref;
DROP TABLE cases;
DROP SEQUENCE our_case_seq;
