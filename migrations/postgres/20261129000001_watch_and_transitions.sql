-- What the transitions log last said about each domain, and a stage-skipping change
-- awaiting its confirming lookup.
ALTER TABLE domain_status ADD COLUMN published_lifecycle TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE domain_status ADD COLUMN published_registered_at BIGINT;
ALTER TABLE domain_status ADD COLUMN pending_lifecycle TEXT;
ALTER TABLE domain_status ADD COLUMN pending_since BIGINT;

-- The watch list and its schedule. Times are UTC Unix seconds.
CREATE TABLE watched_domains (
    domain        TEXT    PRIMARY KEY NOT NULL,
    added_at      BIGINT NOT NULL,
    next_check_at BIGINT NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX watched_domains_next_check_at ON watched_domains (next_check_at);

-- Append-only log of published lifecycle changes; ids only grow.
CREATE TABLE transitions (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain         TEXT    NOT NULL,
    from_lifecycle TEXT    NOT NULL,
    to_lifecycle   TEXT    NOT NULL,
    registered_at  BIGINT,
    expires_at     BIGINT,
    observed_at    BIGINT NOT NULL
);

-- Webhook deliveries still owed (and done), one per transition.
CREATE TABLE webhook_outbox (
    transition_id   BIGINT PRIMARY KEY REFERENCES transitions (id),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at    BIGINT,
    last_error      TEXT
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL;

-- Named leases: one replica at a time holds 'scheduler'.
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY NOT NULL,
    holder     TEXT    NOT NULL,
    expires_at BIGINT NOT NULL
);
