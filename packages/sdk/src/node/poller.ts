/**
 * Polling `GET /sdk/v1/flags` with `If-None-Match`: the fallback when the server will not stream,
 * and the mode for `stream: false`. A 304 costs the server nothing but a header comparison.
 */
import type { EnvironmentSnapshot } from "@switchyard/core";
import { SdkError, errorForStatus } from "../shared/errors.js";
import { describeError } from "../shared/log.js";
import { discardBody } from "./http.js";
import { parseSnapshot } from "./messages.js";

export type PollResult =
  | { kind: "snapshot"; snapshot: EnvironmentSnapshot }
  | { kind: "unchanged" }
  | { kind: "failed"; error: SdkError };

export interface PollerOptions {
  url: string;
  sdkKey: string;
  /** A request that takes longer is abandoned. */
  requestTimeoutMs: number;
  fetch: typeof globalThis.fetch;
}

export class Poller {
  private etag: string | null = null;
  private controller: AbortController | null = null;

  constructor(private readonly options: PollerOptions) {}

  /** One poll. Never rejects. */
  async poll(): Promise<PollResult> {
    const controller = new AbortController();
    this.controller = controller;
    const timer = setTimeout(() => controller.abort(), this.options.requestTimeoutMs);
    try {
      const headers: Record<string, string> = { Authorization: `Bearer ${this.options.sdkKey}`, Accept: "application/json" };
      if (this.etag !== null) headers["If-None-Match"] = this.etag;
      const response = await this.options.fetch(`${this.options.url}/sdk/v1/flags`, { headers, signal: controller.signal });
      if (response.status === 304) {
        discardBody(response);
        return { kind: "unchanged" };
      }
      if (response.status !== 200) {
        discardBody(response);
        return { kind: "failed", error: errorForStatus(response.status, "poll") };
      }
      const parsed = parseSnapshot(await response.text(), "snapshot");
      if (!parsed.ok) return { kind: "failed", error: parsed.error };
      // Kept only for a body we accepted, so a rejected one is fetched again in full.
      this.etag = response.headers.get("ETag");
      return { kind: "snapshot", snapshot: parsed.value };
    } catch (error) {
      const message = controller.signal.aborted ? "request aborted or timed out" : describeError(error);
      return { kind: "failed", error: new SdkError("network_error", `poll: ${message}`) };
    } finally {
      clearTimeout(timer);
      if (this.controller === controller) this.controller = null;
    }
  }

  /** Aborts a poll in flight. */
  close(): void {
    this.controller?.abort();
  }
}
