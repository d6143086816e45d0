-- Hosts paused after a 429, shared by the replicas: one replica's 429 pauses the host for
-- all of them. Rows whose pause ended are dropped as replicas poll.
CREATE TABLE host_pauses (
    host         TEXT    PRIMARY KEY NOT NULL,
    paused_until INTEGER NOT NULL
);
