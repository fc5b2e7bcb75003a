-- Least privilege (issue 15, item 3a). The schema belongs to the role that
-- runs migrations (the owner); the serving gateway connects as a login role
-- that is a member of uifsagw_app, which may read and write rows but change
-- no schema, disable no trigger, and neither change nor delete nor truncate
-- the audit log. docs/SECURITY.md lists the roles and grants.
--
-- uifsagw_app is created here when the owner may create roles; otherwise a
-- database administrator creates it first (CREATE ROLE uifsagw_app NOLOGIN).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'uifsagw_app') THEN
        BEGIN
            CREATE ROLE uifsagw_app NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created meanwhile by a migration of another database
        END;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO uifsagw_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO uifsagw_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO uifsagw_app;
-- The audit log takes rows and gives them back, nothing else.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM uifsagw_app;
-- The schema version is read at start, written only by migrations.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON uifsagw_schema_version FROM uifsagw_app;
-- Tables later migrations create get the same row rights; a later table that
-- must be append-only revokes as audit_log does above.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO uifsagw_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO uifsagw_app;

---- create above / drop below ----

ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM uifsagw_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM uifsagw_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM uifsagw_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM uifsagw_app;
REVOKE USAGE ON SCHEMA public FROM uifsagw_app;
GRANT USAGE ON SCHEMA public TO PUBLIC;
