-- Retention: the pruner looks for observations older than the limit.
CREATE INDEX observations_observed_at ON observations (observed_at);
-- and for delivered webhook rows older than it.
CREATE INDEX webhook_outbox_delivered_at ON webhook_outbox (delivered_at) WHERE delivered_at IS NOT NULL;
