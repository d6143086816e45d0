-- Signal transitions (issue 22): a signal that appears or goes away is published in the
-- transitions log beside the lifecycle changes. `kind` is `lifecycle` (every row before
-- this) or `signal`; a signal row names the signal, `appeared` or `gone`, and the
-- signal's `since` (Unix seconds); its from/to lifecycle are both the current one.
ALTER TABLE transitions ADD COLUMN kind TEXT NOT NULL DEFAULT 'lifecycle';
ALTER TABLE transitions ADD COLUMN signal_name TEXT;
ALTER TABLE transitions ADD COLUMN signal_change TEXT;
ALTER TABLE transitions ADD COLUMN signal_since BIGINT;
