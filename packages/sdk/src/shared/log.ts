/** A logger that cannot throw: a broken logger must not break flag evaluation. */
import type { Logger } from "./types.js";

export type Log = Required<Logger>;

const levels = ["debug", "info", "warn", "error"] as const;

/** Without a logger, warnings and errors go to the console; debug and info are dropped. */
export function createLog(logger: Logger | undefined): Log {
  const target: Logger = logger ?? {
    warn: (message, fields) => console.warn(`[switchyard] ${message}`, ...(fields ? [fields] : [])),
    error: (message, fields) => console.error(`[switchyard] ${message}`, ...(fields ? [fields] : [])),
  };
  const log = {} as Log;
  for (const level of levels) {
    log[level] = (message, fields) => {
      try {
        if (fields === undefined) target[level]?.(message);
        else target[level]?.(message, fields);
      } catch {
        // Swallowed on purpose: see the module comment.
      }
    };
  }
  return log;
}

/**
 * A one-line description of anything thrown. Never throws itself: an app may throw an object
 * without a prototype, a revoked Proxy, or an error whose `toString` or `message` throws.
 */
export function describeError(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return "an error that cannot be described";
  }
}
