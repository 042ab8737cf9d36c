/** Types both entries share. */
import type { SdkError } from "./errors.js";

/**
 * Where log lines go; every method is optional. The SDK never logs its key.
 *
 * @example
 * createClient({ url, sdkKey, logger: { warn: (message, fields) => pino.warn(fields, message) } });
 */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What `status()` returns.
 *
 * - `connecting`: no answer from the server yet (values may come from a bootstrap or a file).
 * - `ready`: connected, values are current.
 * - `stale`: serving values the server has not confirmed for `ageMs`; the client keeps trying
 *   unless `error.code` is `unauthorized` or `forbidden`.
 * - `closed`: after `close()`.
 *
 * @example
 * const status = client.status();
 * if (status.state === "stale" && status.ageMs > 60_000) metrics.gauge("flags.age", status.ageMs);
 */
export type ClientStatus =
  | { state: "connecting"; error?: SdkError }
  | { state: "ready"; revision: number | null }
  | { state: "stale"; revision: number | null; ageMs: number; error?: SdkError }
  | { state: "closed" };

/** Payload of the `change` event: the flags whose definition (or, in browsers, value) changed. */
export interface ChangeEvent {
  keys: string[];
}

/**
 * The events of `client.on(...)`.
 *
 * @example
 * client.on("change", ({ keys }) => console.log("changed:", keys));
 */
export interface ClientEvents {
  ready: ClientStatus;
  change: ChangeEvent;
  error: SdkError;
  stale: ClientStatus;
  /** The values are current again after the client was `stale` (the status, now `ready`). */
  recovered: ClientStatus;
}

/** The type `variant()` returns for a default: literal types widened (`"blue"` gives `string`). */
export type Widened<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;
