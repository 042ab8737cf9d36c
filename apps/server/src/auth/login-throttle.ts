/**
 * Limits password guessing. An attempt counts the moment it starts (before the slow hash), so
 * parallel guesses cannot slip past the limit; a success takes its own attempt back. Limits are
 * per address+email (so nobody elsewhere can lock an account out) and per address.
 */
import { ApiError } from "../errors.js";

const WINDOW_MS = 15 * 60 * 1000;
const PER_ADDRESS_AND_EMAIL = 10;
const PER_ADDRESS = 100;
// Bounded, so endless made-up emails cannot grow memory; the oldest windows go first.
const MAX_TRACKED = 50_000;

interface Window {
  count: number;
  since: number;
}

export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  /** Counts an attempt, or refuses it when a limit is reached. Returns the keys to settle later. */
  begin(address: string, email: string, now = Date.now()): string[] {
    const limits: [string, number][] = [
      [`${address}|${email}`, PER_ADDRESS_AND_EMAIL],
      [address, PER_ADDRESS],
    ];
    for (const [key, limit] of limits) {
      if (this.current(key, now).count >= limit) {
        throw new ApiError("too_many_requests", "too many failed logins; try again in 15 minutes");
      }
    }
    for (const [key] of limits) this.current(key, now).count += 1;
    return limits.map(([key]) => key);
  }

  succeeded(keys: string[]): void {
    for (const key of keys) {
      const window = this.windows.get(key);
      if (window) window.count = Math.max(0, window.count - 1);
    }
    this.windows.delete(keys[0]!);
  }

  private current(key: string, now: number): Window {
    let window = this.windows.get(key);
    if (!window || now - window.since > WINDOW_MS) {
      window = { count: 0, since: now };
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > MAX_TRACKED) this.windows.delete(this.windows.keys().next().value!);
    }
    return window;
  }
}
