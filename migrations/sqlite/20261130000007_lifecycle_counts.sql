-- Watched domains by lifecycle, kept by triggers on watched_domains, so that GET /v1/stats
-- reads a few rows instead of counting the watch list. Here one row per lifecycle, updated
-- in place (SQLite has one writer); PostgreSQL appends delta rows instead. Either way the
-- count is SUM(n) by lifecycle, and stats() folds rows together when they pile up.
-- A future lifecycle needs a migration that adds its row.
CREATE TABLE lifecycle_counts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    lifecycle TEXT    NOT NULL,
    n         INTEGER NOT NULL
);
CREATE INDEX lifecycle_counts_lifecycle ON lifecycle_counts (lifecycle);
INSERT INTO lifecycle_counts (lifecycle, n) VALUES
    ('active', 0), ('auto_renew_grace', 0), ('redemption', 0), ('pending_delete', 0),
    ('on_hold', 0), ('inactive', 0), ('expired', 0), ('unregistered', 0), ('unknown', 0);
UPDATE lifecycle_counts SET n =
    (SELECT COUNT(*) FROM watched_domains w WHERE w.lifecycle = lifecycle_counts.lifecycle);

CREATE TRIGGER watched_domains_counted_in AFTER INSERT ON watched_domains
BEGIN
    UPDATE lifecycle_counts SET n = n + 1 WHERE lifecycle = NEW.lifecycle;
END;

CREATE TRIGGER watched_domains_counted_out AFTER DELETE ON watched_domains
BEGIN
    UPDATE lifecycle_counts SET n = n - 1 WHERE lifecycle = OLD.lifecycle;
END;

CREATE TRIGGER watched_domains_recounted AFTER UPDATE OF lifecycle ON watched_domains
WHEN OLD.lifecycle IS NOT NEW.lifecycle
BEGIN
    UPDATE lifecycle_counts SET n = n - 1 WHERE lifecycle = OLD.lifecycle;
    UPDATE lifecycle_counts SET n = n + 1 WHERE lifecycle = NEW.lifecycle;
END;
