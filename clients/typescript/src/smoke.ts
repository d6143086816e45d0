// Smoke test of the generated TypeScript client against a live lapseguard (see
// clients/smoke.sh): LAPSEGUARD_URL, LAPSEGUARD_TOKEN (check, read and admin scopes) and
// SMOKE_DOMAIN, a domain the fake registry reports active.
import assert from "node:assert/strict";

import { createLapseguardClient } from "./index.js";

const baseUrl = process.env.LAPSEGUARD_URL ?? "";
const token = process.env.LAPSEGUARD_TOKEN ?? "";
const domain = process.env.SMOKE_DOMAIN ?? "";
assert.ok(baseUrl && token && domain, "LAPSEGUARD_URL, LAPSEGUARD_TOKEN and SMOKE_DOMAIN are set");
const client = createLapseguardClient(baseUrl, token);
const email = `alice@mail.${domain}`;

const check = await client.POST("/check-recovery-eligible", { body: { email } });
assert.equal(check.response.status, 200);
assert.equal(check.data?.eligible, true);
assert.equal(check.data?.reason, "domain_active");
assert.equal(check.data?.domain, domain);
assert.deepEqual(check.data?.signals, []);

// A name on a marketplace's nameservers: refused, with the signal and when it began.
const forSale = await client.POST("/check-recovery-eligible", {
  body: { email: `bob@for-sale-${domain}` },
});
assert.deepEqual([forSale.data?.eligible, forSale.data?.reason], [false, "domain_for_sale"]);
assert.equal(forSale.data?.signals[0]?.signal, "for_sale");
assert.ok(!Number.isNaN(Date.parse(forSale.data?.signals[0]?.since ?? "")));

// A nightly sweep: one call, results in order, an invalid item answered on its own.
const swept = await client.POST("/v1/check-batch", {
  body: {
    items: [
      { id: "u1", email },
      { id: "u2", email: `bob@for-sale-${domain}` },
      { id: "u3", email: "not-an-address" },
    ],
  },
});
assert.equal(swept.response.status, 200);
const [first, second, third] = swept.data?.results ?? [];
assert.ok(first && "eligible" in first && first.id === "u1" && first.eligible);
assert.ok(second && "reason" in second && second.reason === "domain_for_sale");
assert.ok(third && "problem" in third && third.problem.code === "email_missing_at");

const watch = await client.POST("/v1/watch", {
  body: { domains: [domain], emails: ["not-an-address"] },
});
assert.equal(watch.response.status, 200);
assert.equal(watch.data?.rejected[0]?.field, "emails");

const detail = await client.GET("/v1/domains/{domain}", { params: { path: { domain } } });
assert.equal(detail.data?.watched, true);
assert.equal(detail.data?.lifecycle, "active");
assert.equal(detail.data?.evidence, "rdap");

const transitions = await client.GET("/v1/transitions", { params: { query: { after: 0, limit: 10 } } });
assert.equal(transitions.response.status, 200);
assert.ok(Array.isArray(transitions.data?.transitions));
assert.equal(typeof transitions.data?.next_after, "number");

const set = await client.PUT("/v1/overrides/{domain}", {
  params: { path: { domain } },
  body: { decision: "deny", note: "smoke test: typescript client" },
});
assert.equal(set.data?.state, "active");
const denied = await client.POST("/check-recovery-eligible", { body: { email } });
assert.deepEqual([denied.data?.eligible, denied.data?.reason], [false, "override_deny"]);
const removed = await client.DELETE("/v1/overrides/{domain}", { params: { path: { domain } } });
assert.equal(removed.response.status, 204);

const invalid = await client.POST("/check-recovery-eligible", { body: { email: "no-at-sign" } });
assert.equal(invalid.response.status, 422);
assert.equal(invalid.error?.status, 422);
assert.equal(typeof invalid.error?.code, "string");

// An undeclared status parses as a Problem too (the shared default response).
const anonymous = createLapseguardClient(baseUrl);
const refused = await anonymous.GET("/v1/stats");
assert.equal(refused.response.status, 401);
assert.equal(refused.error?.code, "unauthenticated");

console.log("typescript client: smoke test passed");
