-- name_keys (015) is computed by PostgreSQL for every message written. The
-- first version ran the two regular expressions and the split once per name
-- (NCP, each participant, each alias) through nested SQL functions, which
-- PostgreSQL plans again for every statement: about a quarter of a
-- millisecond of database CPU per message at intake (issue 19). This one
-- joins the names first and normalises the joined text once, in PL/pgSQL,
-- whose plans live as long as the session.
--
-- The result is the same for every document: words never cross names,
-- because names are joined with a space and the space is a separator both
-- before and after; a name missing its first or last name contributes no
-- word, as before (NULL || text is NULL, and string_agg and concat_ws skip
-- NULLs). Stored values are therefore not recomputed.

CREATE OR REPLACE FUNCTION uifsagw_name_keys(c jsonb) RETURNS text[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (
        SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}')
        FROM unnest(string_to_array(lower(regexp_replace(regexp_replace(
            concat_ws(' ',
                (c #>> '{ncp,name,first}') || ' ' || coalesce(c #>> '{ncp,name,middle}', '') || ' ' || (c #>> '{ncp,name,last}'),
                (SELECT string_agg((p #>> '{name,first}') || ' ' || coalesce(p #>> '{name,middle}', '') || ' ' || (p #>> '{name,last}'), ' ')
                    FROM jsonb_array_elements(uifsagw_json_array(c -> 'participants')) AS p),
                (SELECT string_agg((a ->> 'first') || ' ' || coalesce(a ->> 'middle', '') || ' ' || (a ->> 'last'), ' ')
                    FROM jsonb_array_elements(uifsagw_json_array(c #> '{ncpLocate,aliases}')) AS a)),
            '[-[:space:]]+', ' ', 'g'), '[^a-zA-Z ]', '', 'g')), ' ')) AS w
        WHERE w <> '');
END
$$;

---- create above / drop below ----

CREATE OR REPLACE FUNCTION uifsagw_name_keys(c jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
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
