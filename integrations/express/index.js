// lapseguard for Express: ask whether a password-reset mail may go to an address, from a
// route or as a middleware. Built on the generated client (clients/typescript).
//
// The middleware never answers the request itself and never fails it: it sets
// `req.lapseguard` (the decision, or null when lapseguard could not be asked) and
// `req.recoveryAllowed`, then calls `next()`, so that the reset route answers the same
// whatever the decision (a reset page must not reveal which accounts exist or are
// refused). The address is sent to lapseguard only; it is never logged here.
import { createLapseguardClient } from "lapseguard-client";

/** lapseguard could not be reached, did not answer in time, or answered an error. */
export class LapseguardError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = "LapseguardError";
  }
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * The decision for one address: the object `POST /check-recovery-eligible` answers
 * (`eligible`, `reason`, ...). `url` and `token` default to the LAPSEGUARD_URL and
 * LAPSEGUARD_TOKEN environment variables. Throws LapseguardError when lapseguard cannot
 * be asked, is slower than `timeoutMs`, or refuses the request (a 4xx or 5xx problem).
 */
export async function checkRecovery(email, options = {}) {
  const {
    verifiedAt,
    url = process.env.LAPSEGUARD_URL,
    token = process.env.LAPSEGUARD_TOKEN,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  } = options;
  if (!url) {
    throw new LapseguardError("no lapseguard URL: pass `url` or set LAPSEGUARD_URL");
  }
  const body = { email };
  if (verifiedAt !== undefined && verifiedAt !== null) {
    body.verified_at = verifiedAt instanceof Date ? verifiedAt.toISOString() : String(verifiedAt);
  }
  const client = createLapseguardClient(url, token);
  let answer;
  try {
    answer = await client.POST("/check-recovery-eligible", {
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw new LapseguardError(`lapseguard could not be asked (${cause?.name ?? "error"})`, {
      cause,
    });
  }
  if (!answer.response.ok || !answer.data) {
    const code = answer.error?.code ? ` ${answer.error.code}` : "";
    throw new LapseguardError(`lapseguard answered ${answer.response.status}${code}`);
  }
  return answer.data;
}

/**
 * A middleware for a password-reset route. Options: `url`, `token`, `timeoutMs` as for
 * checkRecovery; `onError`: `allow` (the default) or `deny`, what `req.recoveryAllowed` is
 * when lapseguard cannot decide; `getEmail(req)`: where the address is (default
 * `req.body.email`). A request without an address gets `recoveryAllowed: false`.
 */
export function recoveryGuard(options = {}) {
  const { url, token, timeoutMs, onError = "allow", getEmail = (req) => req.body?.email } = options;
  if (onError !== "allow" && onError !== "deny") {
    throw new TypeError("onError must be 'allow' or 'deny'");
  }
  return async function lapseguardRecoveryGuard(req, _res, next) {
    req.lapseguard = null;
    req.recoveryAllowed = false;
    let email;
    try {
      email = getEmail(req);
    } catch {
      email = undefined;
    }
    if (typeof email === "string" && email !== "") {
      try {
        req.lapseguard = await checkRecovery(email, { url, token, timeoutMs });
        req.recoveryAllowed = req.lapseguard.eligible === true;
      } catch {
        req.recoveryAllowed = onError === "allow";
      }
    }
    next();
  };
}
