-- Staff search and views (gateway/review):
-- * name_keys: the normalised words of the participants' names of each
--   message (NCP, participants, aliases), so staff find a case by a person's
--   name. Only names: no SSN, date of birth or address enters it. It is
--   computed from the canonical JSON by the database, so every writer fills
--   it and existing rows are indexed by this migration. NameKeys in Go
--   normalises a search the same way.
-- * the partner filter ignores letter case;
-- * refusals keep the field errors the partner was told (paths and reasons,
--   never the body);
-- * staff claim the messages they work.

CREATE FUNCTION uifsagw_name_words(n text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(w), '{}')
    FROM regexp_split_to_table(
        lower(regexp_replace(regexp_replace(coalesce(n, ''), '[-[:space:]]+', ' ', 'g'), '[^a-zA-Z ]', '', 'g')),
        ' ') AS w
    WHERE w <> ''
$$;

CREATE FUNCTION uifsagw_json_array(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(j) = 'array' THEN j ELSE '[]'::jsonb END
$$;

CREATE FUNCTION uifsagw_name_keys(c jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}')
    FROM (
        SELECT (c #>> '{ncp,name,first}') || ' ' || coalesce(c #>> '{ncp,name,middle}', '') || ' ' || (c #>> '{ncp,name,last}') AS n
        UNION ALL
        SELECT (p #>> '{name,first}') || ' ' || coalesce(p #>> '{name,middle}', '') || ' ' || (p #>> '{name,last}')
            FROM jsonb_array_elements(uifsagw_json_array(c -> 'participants')) AS p
        UNION ALL
        SELECT (a ->> 'first') || ' ' || coalesce(a ->> 'middle', '') || ' ' || (a ->> 'last')
            FROM jsonb_array_elements(uifsagw_json_array(c #> '{ncpLocate,aliases}')) AS a
    ) AS names, unnest(uifsagw_name_words(n)) AS w
$$;

ALTER TABLE messages ADD COLUMN name_keys text[] GENERATED ALWAYS AS (uifsagw_name_keys(canonical)) STORED;
CREATE INDEX messages_name_keys ON messages USING gin (name_keys);
CREATE INDEX messages_partner_fold ON messages (lower(partner), created_at DESC, id DESC);

ALTER TABLE refusals ADD COLUMN fields jsonb NOT NULL DEFAULT '[]';

-- message_claims: who is working a message, so two caseworkers do not work
-- it at once. A claim is advice shown to staff, not a lock on the gateway.
CREATE TABLE message_claims (
    message_id bigint PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    subject    text NOT NULL CHECK (subject <> ''),
    name       text NOT NULL DEFAULT '',
    claimed_at timestamptz NOT NULL DEFAULT now()
);

---- create above / drop below ----

DROP TABLE message_claims;
ALTER TABLE refusals DROP COLUMN fields;
DROP INDEX messages_partner_fold;
DROP INDEX messages_name_keys;
ALTER TABLE messages DROP COLUMN name_keys;
DROP FUNCTION uifsagw_name_keys(jsonb);
DROP FUNCTION uifsagw_json_array(jsonb);
DROP FUNCTION uifsagw_name_words(text);
