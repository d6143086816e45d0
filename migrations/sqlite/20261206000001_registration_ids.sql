-- What an RDAP answer says about who holds the name (issue 22): the registry's handle of
-- the registration object and the sponsoring registrar's IANA ID, kept on each
-- observation so that a later one can be compared with it. RDAP's nameservers go into the
-- existing nameservers column (DNS answers already use it). NULL for rows written before.
ALTER TABLE observations ADD COLUMN registry_handle TEXT;
ALTER TABLE observations ADD COLUMN registrar_id TEXT;
