-- The employee an IWO is for (HMAC of the SSN), so every IWO one employee has
-- at one employer can be allocated together.
ALTER TABLE iwos ADD COLUMN obligor_key bytea CHECK (obligor_key IS NULL OR octet_length(obligor_key) = 32);
CREATE INDEX iwos_employee ON iwos (employer_fein, obligor_key) WHERE obligor_key IS NOT NULL;

---- create above / drop below ----

DROP INDEX iwos_employee;
ALTER TABLE iwos DROP COLUMN obligor_key;
