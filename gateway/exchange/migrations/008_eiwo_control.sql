-- Control numbers of federal e-IWO files and batches (Appendix D chart D-1:
-- 22 characters, never reused). A sequence, not a table, because nextval is
-- never rolled back and is shared by every replica on the database: a number
-- drawn once is never drawn again, across restarts, crashes and replicas.
CREATE SEQUENCE eiwo_control_seq AS bigint MINVALUE 1 NO CYCLE;

---- create above / drop below ----

DROP SEQUENCE eiwo_control_seq;
