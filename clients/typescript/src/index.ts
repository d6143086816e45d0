// The lapseguard client for TypeScript: openapi-fetch over the types openapi-typescript
// generates into schema.d.ts (`npm run generate`; do not edit that file).
//
// `reason`, `lifecycle` and audit `action` may gain values in later versions: their types
// are the known values or any string. Act on `eligible`; show an unknown reason as text.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths } from "./schema.js";
export type CheckResponse = components["schemas"]["CheckResponse"];
export type Problem = components["schemas"]["Problem"];

/** A client for the lapseguard at `baseUrl`, sending `token` as a bearer token. */
export function createLapseguardClient(baseUrl: string, token?: string) {
  const headers: Record<string, string> = {};
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  return createClient<paths>({ baseUrl, headers });
}
