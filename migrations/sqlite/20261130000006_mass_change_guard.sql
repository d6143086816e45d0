-- The mass-change guard (src/domain/guard.rs).

-- The upstream host whose answer made each transition, whether the guard counts it as a
-- lapse (guard::is_lapse), and each watched domain's host (its latest evidence's): the
-- guard counts a host's recent lapses and its domains.
ALTER TABLE transitions ADD COLUMN host TEXT;
ALTER TABLE transitions ADD COLUMN lapse BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX transitions_host_lapses ON transitions (host, observed_at) WHERE lapse;
ALTER TABLE watched_domains ADD COLUMN host TEXT;
-- Partial: a freshly imported domain has no host yet, and costs this index nothing.
CREATE INDEX watched_domains_host ON watched_domains (host) WHERE host IS NOT NULL;

-- One row per host the guard has had to think about: its watched domains as last counted,
-- its open hold (held_since) and the last release or discard (settled_at).
CREATE TABLE guarded_hosts (
    host        TEXT PRIMARY KEY NOT NULL,
    watched     INTEGER NOT NULL DEFAULT 0,
    counted_at  INTEGER,
    held_since  INTEGER,
    settled_at  INTEGER
);

-- Transitions held under a host's hold, in the order they were made. A release moves
-- them into the transitions log (new ids, in this order); a discard drops them.
CREATE TABLE held_transitions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    host                TEXT    NOT NULL,
    domain              TEXT    NOT NULL,
    from_lifecycle      TEXT    NOT NULL,
    to_lifecycle        TEXT    NOT NULL,
    registered_at       INTEGER,
    expires_at          INTEGER,
    observed_at         INTEGER NOT NULL,
    source              TEXT    NOT NULL,
    -- The registration date the transitions log last published for the domain, and the
    -- domain's last lapse before this transition (a discard forgets the held sightings).
    prior_registered_at INTEGER,
    prior_last_lapse_at INTEGER
);
CREATE INDEX held_transitions_host ON held_transitions (host, id);
CREATE INDEX held_transitions_domain ON held_transitions (domain);
