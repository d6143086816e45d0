-- Mail routes by mail domain (issue 22): where an address's mail domain, as written, has
-- its mail delivered (MailRoute as JSON), when it was first seen as it is and when DNS last
-- gave it. Kept so that a restart or another replica knows a route DNS cannot give right
-- now; pruned a week after DNS last gave it.
CREATE TABLE mail_routes (
    mail_domain TEXT PRIMARY KEY,
    route TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL
);
