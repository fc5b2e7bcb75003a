-- Gateway-wide switches shared by every replica (e.g. the global delivery pause).
CREATE TABLE gateway_settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_by text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

---- create above / drop below ----

DROP TABLE gateway_settings;
