-- Current status per registrable domain. Times are UTC Unix seconds.
CREATE TABLE domain_status (
    domain              TEXT   PRIMARY KEY,
    lifecycle           TEXT   NOT NULL,
    statuses            TEXT   NOT NULL, -- JSON array of normalised RDAP status values
    registered_at       BIGINT,
    first_registered_at BIGINT,
    expires_at          BIGINT,
    last_changed_at     BIGINT,
    transferred_at      BIGINT,
    last_lapse_at       BIGINT,
    checked_at          BIGINT NOT NULL
);

-- Append-only history: one row per lookup that reached an RDAP server.
CREATE TABLE observations (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain          TEXT   NOT NULL,
    observed_at     BIGINT NOT NULL,
    outcome         TEXT   NOT NULL, -- registered | unregistered | failed
    lifecycle       TEXT,
    http_status     INTEGER,
    error           TEXT,
    statuses        TEXT,
    registered_at   BIGINT,
    expires_at      BIGINT,
    last_changed_at BIGINT,
    transferred_at  BIGINT
);

CREATE INDEX observations_domain_observed_at ON observations (domain, observed_at);
