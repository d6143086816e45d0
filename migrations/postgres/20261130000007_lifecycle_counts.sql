-- Watched domains by lifecycle, kept by triggers on watched_domains, so that GET /v1/stats
-- reads a few rows instead of counting the watch list. Triggers append delta rows (no row
-- every writer updates, so no writer waits for another's lock); the count is SUM(n) by
-- lifecycle, and stats() folds the rows together when they pile up.
CREATE TABLE lifecycle_counts (
    id        BIGSERIAL PRIMARY KEY,
    lifecycle TEXT   NOT NULL,
    n         BIGINT NOT NULL
);
INSERT INTO lifecycle_counts (lifecycle, n)
    SELECT lifecycle, COUNT(*) FROM watched_domains GROUP BY lifecycle;

-- Inserts and deletes: one delta row per lifecycle per statement (an import batch of
-- 1,000 domains writes one).
CREATE FUNCTION lapseguard_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lifecycle_counts (lifecycle, n)
        SELECT lifecycle, COUNT(*) FROM inserted GROUP BY lifecycle;
    RETURN NULL;
END $$;

CREATE FUNCTION lapseguard_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lifecycle_counts (lifecycle, n)
        SELECT lifecycle, -COUNT(*) FROM deleted GROUP BY lifecycle;
    RETURN NULL;
END $$;

CREATE TRIGGER watched_domains_counted_in AFTER INSERT ON watched_domains
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION lapseguard_count_inserted();

CREATE TRIGGER watched_domains_counted_out AFTER DELETE ON watched_domains
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
    EXECUTE FUNCTION lapseguard_count_deleted();

-- A change of lifecycle (per row: transition tables cannot go with a column list, and
-- only the rare update that changes the lifecycle should pay).
CREATE FUNCTION lapseguard_count_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lifecycle_counts (lifecycle, n) VALUES (OLD.lifecycle, -1), (NEW.lifecycle, 1);
    RETURN NULL;
END $$;

CREATE TRIGGER watched_domains_recounted AFTER UPDATE OF lifecycle ON watched_domains
    FOR EACH ROW WHEN (OLD.lifecycle IS DISTINCT FROM NEW.lifecycle)
    EXECUTE FUNCTION lapseguard_count_moved();
