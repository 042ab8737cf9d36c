/**
 * Shared pieces of the OFREP end-to-end tests (the official OpenFeature OFREP providers against
 * the real server): credentials the admin helper does not make, a reader for the OFREP event
 * stream, and the official web provider bundled for a page.
 */
import type { Admin } from "./admin.js";
import { bundleForBrowser } from "./browser.js";

const READ_TIMEOUT_MS = 10_000;

export interface CreatedCredential {
  id: string;
  token: string;
}

/** Any kind of credential, with its id (to revoke it) and its token. */
export async function createCredential(admin: Admin, input: Record<string, unknown>): Promise<CreatedCredential> {
  const created = await admin.ok("POST", "/api/v1/credentials", input);
  return { id: created.id as string, token: created.token as string };
}

let credentials = 0;

/** An admin token and an automation token: credentials that OFREP must refuse with 403. */
export async function nonSdkTokens(admin: Admin, flagKey: string, environment = "production"): Promise<{ adminToken: string; automationToken: string }> {
  const n = ++credentials;
  const adminToken = await createCredential(admin, { kind: "admin", name: `ofrep-admin-${n}`, role: "admin" });
  const automation = await createCredential(admin, { kind: "automation", name: `ofrep-automation-${n}`, scope: { flags: [flagKey], environments: [environment] } });
  return { adminToken: adminToken.token, automationToken: automation.token };
}

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** An open text/event-stream response, read message by message (comments are skipped). */
export interface EventStreamReader {
  status: number;
  headers: Headers;
  /** The next message; rejects after `timeoutMs` or when the stream ends first. */
  next(timeoutMs?: number): Promise<SseMessage>;
  close(): void;
}

/**
 * Opens an SSE stream with fetch (Node has no EventSource) and parses it as the spec says:
 * `field: value` lines, a blank line ends a message, lines starting with `:` are comments.
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStreamReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { Accept: "text/event-stream", ...headers }, signal: controller.signal });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  const queue: SseMessage[] = [];
  let buffer = "";
  let ended = false;
  let current: SseMessage = { event: "message", data: "" };
  let hasData = false;

  const parse = (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (hasData) queue.push({ ...current, data: current.data.replace(/\n$/, "") });
        current = { event: "message", data: "" };
        hasData = false;
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") {
        current.data += `${value}\n`;
        hasData = true;
      } else if (field === "id") current.id = value;
      else if (field === "event") current.event = value;
    }
  };

  return {
    status: response.status,
    headers: response.headers,
    async next(timeoutMs = READ_TIMEOUT_MS) {
      const deadline = performance.now() + timeoutMs;
      while (queue.length === 0) {
        if (ended || !reader) throw new Error("the event stream ended before the next message");
        const remaining = deadline - performance.now();
        if (remaining <= 0) throw new Error(`no event stream message within ${timeoutMs} ms`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), remaining)));
        const read = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
        if (read === "timeout") throw new Error(`no event stream message within ${timeoutMs} ms`);
        if (read.done) ended = true;
        else parse(decoder.decode(read.value, { stream: true }));
      }
      return queue.shift()!;
    },
    close() {
      controller.abort();
    },
  };
}

/**
 * `@openfeature/web-sdk` and `@openfeature/ofrep-web-provider` as one ES module for a page: it
 * sets `window.ofrep` to `{ OpenFeature, ProviderEvents, OFREPWebProvider }`.
 */
export function bundleOfrepWebProvider(): Promise<string> {
  return bundleForBrowser({
    source: [
      'import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";',
      'import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";',
      "window.ofrep = { OpenFeature, ProviderEvents, OFREPWebProvider };",
    ].join("\n"),
  });
}

/** Types of what `bundleOfrepWebProvider` puts on `window`, for the functions run in the page. */
export interface OfrepPageGlobals {
  OpenFeature: typeof import("@openfeature/web-sdk").OpenFeature;
  ProviderEvents: typeof import("@openfeature/web-sdk").ProviderEvents;
  OFREPWebProvider: typeof import("@openfeature/ofrep-web-provider").OFREPWebProvider;
}
