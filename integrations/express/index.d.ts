import type { RequestHandler, Request } from "express";
import type { CheckResponse } from "lapseguard-client";

export class LapseguardError extends Error {}

export interface CheckOptions {
  verifiedAt?: Date | string | null;
  url?: string;
  token?: string;
  timeoutMs?: number;
}

export function checkRecovery(email: string, options?: CheckOptions): Promise<CheckResponse>;

export interface GuardOptions {
  url?: string;
  token?: string;
  timeoutMs?: number;
  onError?: "allow" | "deny";
  getEmail?: (req: Request) => unknown;
}

export function recoveryGuard(options?: GuardOptions): RequestHandler;

declare global {
  namespace Express {
    interface Request {
      lapseguard?: CheckResponse | null;
      recoveryAllowed?: boolean;
    }
  }
}
