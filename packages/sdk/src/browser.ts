/**
 * @switchyard/sdk/browser: values the server evaluated for one context, streamed with the
 * browser's EventSource and kept in localStorage. No Node imports, no zod, no evaluation code.
 *
 * @example
 * import { createClient } from "@switchyard/sdk/browser";
 * const client = createClient({ url: "https://flags.example.com", clientKey: "sy_client_…", context: { key: "user-1" } });
 * await client.ready();
 * client.isEnabled("new-banner");
 */
export { createClient, type BrowserClient, type BrowserClientOptions } from "./browser/client.js";
export { SdkError, type SdkErrorCode } from "./shared/errors.js";
export type { ChangeEvent, ClientEvents, ClientStatus, Logger, Widened } from "./shared/types.js";
export type { EvaluationContext, EvaluationResult, JsonValue, Reason, ErrorCode } from "@switchyard/core";
