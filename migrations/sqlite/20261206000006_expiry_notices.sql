-- Expiry notices (issue 23): the notice last published for a domain (for which expiration
-- date, at which threshold in days), and a notice's days left and threshold on its transition row
-- (kind `expiry_notice`). The index serves the notifier's "expiring within N days" scan.
ALTER TABLE domain_status ADD COLUMN notice_expires_at BIGINT;
ALTER TABLE domain_status ADD COLUMN notice_days BIGINT;
ALTER TABLE transitions ADD COLUMN notice_days_left BIGINT;
ALTER TABLE transitions ADD COLUMN notice_threshold BIGINT;
CREATE INDEX domain_status_expires_at ON domain_status (expires_at);
