/**
 * The SDK's one error type. Its codes are a closed set, so callers can branch on them without
 * parsing messages.
 */

/**
 * - `unauthorized` / `forbidden`: the server refused the key (401 / 403). The client stops
 *   retrying: a wrong key would otherwise hammer the server forever.
 * - `http_error`: any other unexpected status (retried with backoff).
 * - `network_error`: the connection failed or dropped (retried with backoff).
 * - `stalled`: nothing, not even a heartbeat, arrived for 2.5 heartbeat intervals (reconnects).
 * - `malformed_event`: a put or patch did not parse or validate; it was ignored.
 * - `persist_failed`: the last snapshot could not be written or read back.
 * - `invalid_context` (browser): the context cannot be sent (not a JSON object, a BigInt, a cycle,
 *   a throwing getter, over 8 KiB encoded); the client keeps what it had.
 */
export type SdkErrorCode = "unauthorized" | "forbidden" | "http_error" | "network_error" | "stalled" | "malformed_event" | "persist_failed" | "invalid_context";

/**
 * What `on("error")` listeners receive and `status().error` holds.
 *
 * @example
 * client.on("error", (error) => {
 *   if (error.code === "unauthorized") alertOps("Switchyard key was revoked");
 * });
 */
export class SdkError extends Error {
  override readonly name = "SdkError";

  constructor(
    readonly code: SdkErrorCode,
    message: string,
    /** The HTTP status, when the server answered with one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Whether an HTTP status means "this key will never work": retrying only adds load. */
export function isTerminalStatus(status: number | undefined): boolean {
  return status === 401 || status === 403;
}

/** The error for a failed HTTP exchange with the given status. */
export function errorForStatus(status: number, what: string): SdkError {
  if (status === 401) return new SdkError("unauthorized", `${what}: the key was refused (401)`, status);
  if (status === 403) return new SdkError("forbidden", `${what}: the key may not use this endpoint (403)`, status);
  return new SdkError("http_error", `${what}: unexpected status ${status}`, status);
}
