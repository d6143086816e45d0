-- API tokens: only the SHA-256 of each token is kept (hex). Scopes are comma-separated.
CREATE TABLE api_tokens (
    name         TEXT   PRIMARY KEY NOT NULL,
    token_hash   TEXT   NOT NULL UNIQUE,
    scopes       TEXT   NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

-- An agent's decision for one domain. `seen_*` pin what the agent saw when setting an
-- allow; `lapsed_at` is set when a new lapse begins after it was set.
CREATE TABLE overrides (
    domain             TEXT   PRIMARY KEY NOT NULL,
    decision           TEXT   NOT NULL,
    note               TEXT   NOT NULL,
    expires_at         INTEGER,
    set_at             INTEGER NOT NULL,
    set_by             TEXT   NOT NULL,
    seen_registered_at INTEGER,
    seen_lifecycle     TEXT   NOT NULL,
    lapsed_at          INTEGER
);

-- Append-only record of every change made through the API or the CLI.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT   NOT NULL,
    action  TEXT   NOT NULL,
    target  TEXT   NOT NULL,
    details TEXT   NOT NULL
);

-- A counter per kind of setting that replicas hold in memory (tokens, overrides): each
-- change bumps it in the same transaction, and replicas reload when it moves.
CREATE TABLE revisions (
    name     TEXT   PRIMARY KEY NOT NULL,
    revision INTEGER NOT NULL
);
INSERT INTO revisions (name, revision) VALUES ('tokens', 0), ('overrides', 0);

-- Dashboard queries: each watched domain's lifecycle (its status's, `unknown` without
-- one) kept beside it, so that one index serves every lifecycle filter and the counts by
-- lifecycle need no join (SQLite compares text bytewise already).
ALTER TABLE watched_domains ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'unknown';
UPDATE watched_domains SET lifecycle = s.lifecycle
    FROM domain_status s WHERE s.domain = watched_domains.domain;
CREATE INDEX watched_domains_lifecycle ON watched_domains (lifecycle, domain);
CREATE INDEX domain_status_checked_at ON domain_status (checked_at);
CREATE INDEX watched_domains_failing ON watched_domains (failures) WHERE failures > 0;
