// Drives the adapter against the running lapseguard binary (integrations/run.sh starts
// it with a fake registry: `lapsed-*` names are in redemption, the others active) the way
// a site's reset route uses it.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";

import express from "express";

import { LapseguardError, checkRecovery, recoveryGuard } from "../index.js";

assert.ok(process.env.LAPSEGUARD_URL && process.env.LAPSEGUARD_TOKEN, "run by integrations/run.sh");

// A port nothing listens on, and a server that never answers.
const closedUrl = "http://127.0.0.1:9";
let hanging;
let hangingUrl;
before(async () => {
  hanging = http.createServer(() => {});
  await new Promise((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  hangingUrl = `http://127.0.0.1:${hanging.address().port}`;
});
after(() => {
  hanging.closeAllConnections();
  hanging.close();
});

/** A reset route behind the guard; answers the same whatever the decision. */
async function resetApp(guardOptions) {
  const app = express();
  app.use(express.json());
  const seen = [];
  app.post("/reset", recoveryGuard(guardOptions), (req, res) => {
    seen.push({ allowed: req.recoveryAllowed, decision: req.lapseguard });
    res.json({ message: "If the address has an account, a link is on its way." });
  });
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const post = async (body) => {
    const response = await fetch(`http://127.0.0.1:${server.address().port}/reset`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  return { seen, post, close: () => server.close() };
}

test("checkRecovery answers the decision for an active and a lapsed domain", async () => {
  const ok = await checkRecovery("alice@express-active.com");
  assert.equal(ok.eligible, true);
  assert.equal(ok.reason, "domain_active");
  const lapsed = await checkRecovery("bob@lapsed-express.com", { verifiedAt: new Date("2020-01-01") });
  assert.equal(lapsed.eligible, false);
  assert.equal(lapsed.reason, "domain_in_redemption_period");
});

test("checkRecovery throws LapseguardError when lapseguard is down, slow or refuses", async () => {
  await assert.rejects(checkRecovery("a@example.com", { url: closedUrl }), LapseguardError);
  await assert.rejects(
    checkRecovery("a@example.com", { url: hangingUrl, timeoutMs: 200 }),
    LapseguardError,
  );
  await assert.rejects(checkRecovery("not-an-address"), (error) => {
    assert.ok(error instanceof LapseguardError);
    assert.match(error.message, /422 email_missing_at/);
    return true;
  });
  await assert.rejects(checkRecovery("a@example.com", { token: "wrong" }), /401/);
});

test("the guard sets the decision and always lets the route answer the same", async () => {
  const site = await resetApp({});
  try {
    const allowed = await site.post({ email: "carol@express-active.com" });
    const refused = await site.post({ email: "dave@lapsed-express.com" });
    const missing = await site.post({});
    assert.deepEqual([allowed.status, refused.status, missing.status], [200, 200, 200]);
    assert.equal(allowed.text, refused.text);
    assert.equal(site.seen[0].allowed, true);
    assert.equal(site.seen[0].decision.reason, "domain_active");
    assert.equal(site.seen[1].allowed, false);
    assert.equal(site.seen[1].decision.reason, "domain_in_redemption_period");
    assert.deepEqual(site.seen[2], { allowed: false, decision: null });
  } finally {
    site.close();
  }
});

test("onError decides when lapseguard cannot: allow by default, or deny", async () => {
  for (const [options, expected] of [
    [{ url: closedUrl }, true],
    [{ url: closedUrl, onError: "deny" }, false],
    [{ url: hangingUrl, timeoutMs: 200, onError: "deny" }, false],
    [{ url: hangingUrl, timeoutMs: 200 }, true],
  ]) {
    const site = await resetApp(options);
    try {
      const answer = await site.post({ email: "erin@express-active.com" });
      assert.equal(answer.status, 200);
      assert.deepEqual(site.seen[0], { allowed: expected, decision: null }, JSON.stringify(options));
    } finally {
      site.close();
    }
  }
  assert.throws(() => recoveryGuard({ onError: "maybe" }), TypeError);
});

test("getEmail reads the address where the site keeps it", async () => {
  const site = await resetApp({ getEmail: (req) => req.body.user?.mail });
  try {
    await site.post({ user: { mail: "frank@lapsed-express.com" } });
    assert.equal(site.seen[0].allowed, false);
    assert.equal(site.seen[0].decision.domain, "lapsed-express.com");
  } finally {
    site.close();
  }
});
