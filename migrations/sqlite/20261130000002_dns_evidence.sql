-- Which source the current status came from.
ALTER TABLE domain_status ADD COLUMN evidence TEXT NOT NULL DEFAULT 'rdap';

-- DNS rows of the history: the NS host set (JSON array) and whether MX records exist.
ALTER TABLE observations ADD COLUMN nameservers TEXT;
ALTER TABLE observations ADD COLUMN mail BOOLEAN;

-- Each transition names the source whose observation made it.
ALTER TABLE transitions ADD COLUMN source TEXT NOT NULL DEFAULT 'rdap';

-- The delegation sweep: each watched domain's latest DNS answer (NULL until one came)
-- and when to ask DNS next. Existing domains are due at once.
ALTER TABLE watched_domains ADD COLUMN delegated BOOLEAN;
ALTER TABLE watched_domains ADD COLUMN nameservers TEXT;
ALTER TABLE watched_domains ADD COLUMN dns_next_check_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX watched_domains_dns_next_check_at ON watched_domains (dns_next_check_at);
