-- Current status per registrable domain. Times are UTC Unix seconds.
CREATE TABLE domain_status (
    domain              TEXT    PRIMARY KEY NOT NULL,
    lifecycle           TEXT    NOT NULL,
    statuses            TEXT    NOT NULL, -- JSON array of normalised RDAP status values
    registered_at       INTEGER,
    first_registered_at INTEGER,
    expires_at          INTEGER,
    last_changed_at     INTEGER,
    transferred_at      INTEGER,
    last_lapse_at       INTEGER,
    checked_at          INTEGER NOT NULL
);

-- Append-only history: one row per lookup that reached an RDAP server.
CREATE TABLE observations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    domain          TEXT    NOT NULL,
    observed_at     INTEGER NOT NULL,
    outcome         TEXT    NOT NULL, -- registered | unregistered | failed
    lifecycle       TEXT,
    http_status     INTEGER,
    error           TEXT,
    statuses        TEXT,
    registered_at   INTEGER,
    expires_at      INTEGER,
    last_changed_at INTEGER,
    transferred_at  INTEGER
);

CREATE INDEX observations_domain_observed_at ON observations (domain, observed_at);
