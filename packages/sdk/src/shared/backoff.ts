/**
 * Reconnect delays: exponential from 1 s to 30 s with jitter, so a fleet of SDKs that lost the
 * same server does not come back in lockstep.
 */

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** A connection that stayed up this long counts as healthy: the next failure starts over. */
  healthyMs?: number;
  random?: () => number;
  now?: () => number;
}

export class Backoff {
  private attempt = 0;
  private connectedAt: number | null = null;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly healthyMs: number;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1000;
    this.maxMs = options.maxMs ?? 30_000;
    this.healthyMs = options.healthyMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Call when a connection is established. */
  connected(): void {
    this.connectedAt = this.now();
  }

  /** The delay before the next attempt, after a failure. */
  next(): number {
    // Checked lazily at the failure rather than with a one-minute timer: one timer fewer to clean up.
    if (this.connectedAt !== null && this.now() - this.connectedAt >= this.healthyMs) this.attempt = 0;
    this.connectedAt = null;
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    // "Equal jitter": at least half the ceiling, so delays still grow; the rest is random.
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  reset(): void {
    this.attempt = 0;
    this.connectedAt = null;
  }
}
