-- The claim's query (the due domains, oldest first, their names only) reads the index
-- alone, as on PostgreSQL.
CREATE INDEX watched_domains_due ON watched_domains (next_check_at, domain);
DROP INDEX watched_domains_next_check_at;
