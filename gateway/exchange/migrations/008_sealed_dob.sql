-- Dates of birth are sealed like SSNs (issue 15, item 2): message_ssns holds
-- every sealed personal identifier of a message by its canonical path
-- ("ncp.ssn", "participants[1].dateOfBirth"), and person_keys gains the keyed
-- hash of the person's date of birth for matching.
ALTER TABLE person_keys ADD COLUMN dob_hmac bytea CHECK (dob_hmac IS NULL OR octet_length(dob_hmac) = 32);
COMMENT ON TABLE message_ssns IS 'sealed SSNs and dates of birth by canonical path (AES-256-GCM; the key is not in the database)';

-- Messages stored before this version carry dates of birth in clear in
-- messages.canonical. The database cannot seal them (it does not hold the
-- key), so they are listed here and the gateway seals them at start
-- (exchange.Store.ResealDatesOfBirth), removing each id as it goes.
CREATE TABLE dob_reseal_pending (
    message_id bigint PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE
);
INSERT INTO dob_reseal_pending (message_id)
    SELECT id FROM messages WHERE canonical::text LIKE '%"dateOfBirth"%';

---- create above / drop below ----

DROP TABLE dob_reseal_pending;
ALTER TABLE person_keys DROP COLUMN dob_hmac;
COMMENT ON TABLE message_ssns IS NULL;
