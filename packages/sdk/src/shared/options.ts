/** Client options checked once, where they enter: a bad value falls back instead of breaking timers. */

/** The longest delay setTimeout honours; above it, Node and browsers fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * A duration option: a finite number raised to `minimum` (and capped at what setTimeout takes),
 * or `fallback` for anything else (NaN, Infinity, a string, nothing).
 */
export function durationOption(value: unknown, fallback: number, minimum: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) return fallback;
  return Math.min(Math.max(value, minimum), MAX_DELAY_MS);
}

/**
 * A key's public id: the part before the first "." (`sy_server_<id>.<secret>`). It names the
 * persisted file and the localStorage slot, and is never secret. A key without one gets null, and
 * nothing is persisted for it: the whole key could be a secret, and ids must not collide.
 */
export function keyIdOf(key: unknown): string | null {
  const dot = typeof key === "string" ? key.indexOf(".") : -1;
  return dot > 0 ? (key as string).slice(0, dot) : null;
}
