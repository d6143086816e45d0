-- The admin console's sign-ins: a session is found by the SHA-256 of its cookie (the
-- cookie itself is not stored) and names the token it was opened with by that token's
-- hash (empty in protected mode), so that revoking the token ends its sessions.
CREATE TABLE console_sessions (
    id_hash    TEXT   PRIMARY KEY NOT NULL,
    token_hash TEXT   NOT NULL,
    -- The anti-forgery value every form of the session carries.
    csrf       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- The console's views of the log: a domain's transitions, and transitions per day.
CREATE INDEX transitions_by_domain ON transitions (domain, id);
CREATE INDEX transitions_by_time ON transitions (observed_at);
