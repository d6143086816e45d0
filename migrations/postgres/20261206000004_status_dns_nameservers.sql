-- The latest DNS NS answer's hosts, kept on the status beside the registry's nameservers
-- (issue 22): the nameserver classes read both. A JSON array; NULL for rows written
-- before (none known).
ALTER TABLE domain_status ADD COLUMN dns_nameservers TEXT;
