/**
 * @switchyard/sdk for Node: flags evaluated locally by packages/core, kept current over a
 * stream (or by polling), with a persisted snapshot for cold starts. Browsers use
 * `@switchyard/sdk/browser`.
 *
 * @example
 * import { createClient } from "@switchyard/sdk";
 * const client = createClient({ url: "http://localhost:3000", sdkKey: process.env.SWITCHYARD_SDK_KEY! });
 * await client.ready();
 * client.isEnabled("new-checkout", { key: "user-123" });
 */
export { createClient, type Client, type ClientOptions } from "./node/client.js";
export { SdkError, type SdkErrorCode } from "./shared/errors.js";
export type { ChangeEvent, ClientEvents, ClientStatus, Logger, Widened } from "./shared/types.js";
export type { EnvironmentSnapshot, EvaluationContext, EvaluationResult, JsonValue, Reason, ErrorCode } from "@switchyard/core";
