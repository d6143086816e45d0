-- The mass-change guard weighs a lapse of a domain that a check put on the watch list
-- (less than 30 days before) as a tenth (guard::lapse_weight). explicit_at: when
-- POST /v1/watch or import named the domain; NULL for domains only checks added. Domains
-- watched before this migration count as named.
ALTER TABLE watched_domains ADD COLUMN explicit_at INTEGER;
UPDATE watched_domains SET explicit_at = added_at;
