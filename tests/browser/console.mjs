// The admin console, driven in Debian's Chromium the way a support agent uses it: sign in,
// search, open a lapsed domain, allow it with a note, see the audit entry, sign out; a page
// without a session leads to sign-in; a form without the anti-forgery value is refused.
// Run by run.sh, which starts lapseguard and passes BASE_URL and ADMIN_TOKEN.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import assert from "node:assert/strict";

const base = process.env.BASE_URL;
const token = process.env.ADMIN_TOKEN;
assert.ok(base && token, "BASE_URL and ADMIN_TOKEN are set by run.sh");
const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const outside = [];
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Every request the pages make stays on lapseguard: no CDN, no outside URL.
  page.on("request", (request) => {
    if (!request.url().startsWith(base)) outside.push(request.url());
  });

  // Without a session, the console leads to sign-in.
  await page.goto(`${base}/admin/domains/lapsed-shop.com`);
  assert.equal(new URL(page.url()).pathname, "/admin/sign-in");

  await page.fill("#token", token);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/admin`);
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  assert.ok(await page.locator("svg.chart").count() >= 1, "the transitions chart");
  assert.ok((await page.textContent("main")).includes("lapsed-shop.com"), "a recent transition");
  await page.screenshot({ path: `${shots}overview.png`, fullPage: true });

  // Search by prefix and lifecycle, open the domain.
  await page.click("text=Domains");
  await page.fill("#q", "lapsed");
  await page.selectOption("#lifecycle", "redemption");
  await page.click("button:has-text('Search')");
  await page.click("a[href='/admin/domains/lapsed-shop.com']");
  await page.waitForURL(`${base}/admin/domains/lapsed-shop.com`);
  const main = page.locator("main");
  assert.ok((await main.textContent()).includes("not eligible"));
  assert.ok((await main.textContent()).includes("domain_in_redemption_period"));
  assert.ok(await page.locator("svg.chart circle").count() >= 1, "the timeline");
  await page.screenshot({ path: `${shots}domain.png`, fullPage: true });

  // A form posted without the anti-forgery value is refused, even with the session.
  const forged = await context.request.post(`${base}/admin/domains/lapsed-shop.com/override`, {
    form: { decision: "deny", note: "forged" },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);

  // Allow it with a note.
  await page.selectOption("#decision", "allow");
  await page.fill("#note", "ticket 4411: owner confirmed by phone");
  await page.click("button:has-text('Set override')");
  await page.getByText("Override saved.").waitFor();
  assert.ok((await main.textContent()).includes("override_allow"));
  assert.ok(!(await main.textContent()).includes("forged"), "the forged form changed nothing");

  // The audit log shows who did it.
  await page.click("text=Audit log");
  await page.waitForURL(`${base}/admin/audit`);
  const audit = await page.textContent("main");
  assert.ok(audit.includes("override_set") && audit.includes("agent-ana"), audit);

  // Readable on a phone: the overview at a phone's width has no sideways scroll.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await phone.addCookies(await context.cookies());
  const small = await phone.newPage();
  await small.goto(`${base}/admin`);
  const overflow = await small.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `the overview scrolls sideways by ${overflow}px on a phone`);
  await small.screenshot({ path: `${shots}overview-phone.png`, fullPage: true });

  // Sign out: back to sign-in, and the console is closed again.
  await page.click("button:has-text('Sign out')");
  await page.waitForURL(`${base}/admin/sign-in`);
  await page.goto(`${base}/admin`);
  assert.equal(new URL(page.url()).pathname, "/admin/sign-in");

  assert.deepEqual(outside, [], "requests outside lapseguard");
  console.log("console browser test: passed");
} finally {
  await browser.close();
}
