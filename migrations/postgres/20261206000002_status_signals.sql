-- Ownership signals (issue 22): the current status keeps what the signals compare and
-- the signals that hold, each with its `since`. `nameservers` is a JSON array of hosts;
-- `signals` a JSON array of {"signal", "since" (Unix seconds), "evidence"}. NULL for rows
-- written before: no signal known yet.
ALTER TABLE domain_status ADD COLUMN registry_handle TEXT;
ALTER TABLE domain_status ADD COLUMN registrar_id TEXT;
ALTER TABLE domain_status ADD COLUMN nameservers TEXT;
ALTER TABLE domain_status ADD COLUMN signals TEXT;
