/**
 * A token bucket per credential: `perSecond` requests on average, bursts of up to `burst`. Past
 * that a 429 with Retry-After. Runs after the guard, so only valid credentials get a bucket and
 * memory is bounded by the number of credentials.
 */
import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors.js";
import type { AppEnv } from "./app-env.js";

export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class CredentialRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Takes one token; returns 0 when allowed, else the seconds until a token is there. */
  take(credentialId: string): number {
    const now = this.now();
    const { perSecond, burst } = this.options;
    const found = this.buckets.get(credentialId);
    const tokens = found ? Math.min(burst, found.tokens + ((now - found.at) / 1000) * perSecond) : burst;
    if (tokens < 1) {
      this.buckets.set(credentialId, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / perSecond));
    }
    this.buckets.set(credentialId, { tokens: tokens - 1, at: now });
    return 0;
  }

  readonly middleware = createMiddleware<AppEnv>(async (c, next) => {
    const credentialId = c.var.principal && "credentialId" in c.var.principal ? c.var.principal.credentialId : null;
    const wait = credentialId === null ? 0 : this.take(credentialId);
    if (wait > 0) {
      const error = new ApiError("too_many_requests", `too many batches for this key; at most ${this.options.perSecond} per second (bursts of ${this.options.burst}); retry in ${wait} s`);
      return c.json(error.toBody(), 429, { "Retry-After": String(wait) });
    }
    await next();
  });
}
