-- The request path's memory follows the store: every change of a domain's facts gets a
-- row here, and each replica polls for rows above the last id it saw. `revision` is the
-- id of the change the current row reflects.
ALTER TABLE domain_status ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TABLE status_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    domain     TEXT    NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX status_changes_changed_at ON status_changes (changed_at);

-- A failure repeated with the same error updates its row instead of adding one:
-- `repeats` more times, the latest at `last_observed_at`.
ALTER TABLE observations ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;
ALTER TABLE observations ADD COLUMN last_observed_at INTEGER;
-- JSON array of event actions whose date was sent but could not be read.
ALTER TABLE observations ADD COLUMN unreadable_dates TEXT;
