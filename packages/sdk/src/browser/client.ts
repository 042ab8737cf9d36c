/**
 * The browser client: values evaluated by the server for one context, streamed with the browser's
 * own EventSource. No Node import, no zod, no core runtime: this file ends up in page bundles.
 */
import type { EvaluationContext, EvaluationResult, JsonValue } from "@switchyard/core";
import { Backoff } from "../shared/backoff.js";
import { createClientCore } from "../shared/client-core.js";
import { SdkError, errorForStatus, isTerminalStatus } from "../shared/errors.js";
import { SDK_VERSION } from "../shared/metrics.js";
import { keyIdOf } from "../shared/options.js";
import { parseRevision } from "../shared/revision.js";
import type { ClientEvents, ClientStatus, Logger, Widened } from "../shared/types.js";
import { enabledValue, notFound, servedValue } from "../shared/values.js";
import { defaultStorage, loadValues, saveValues, type StorageLike } from "./storage.js";
import { encodeContext, isResult, parsePatch, parsePut, type EncodedContext } from "./wire.js";

/**
 * Options of the browser `createClient`.
 *
 * @example
 * const options: BrowserClientOptions = { url: "https://flags.example.com", clientKey: "sy_client_…", context: { key: "user-1" } };
 */
export interface BrowserClientOptions {
  url: string;
  /** A client key (`sy_client_…`); client keys are public. */
  clientKey: string;
  /**
   * Who the values are evaluated for; change it with `setContext`. A JSON object of at most 8 KiB
   * encoded: one that cannot be sent gives an `invalid_context` error, never an exception.
   */
  context: EvaluationContext;
  /**
   * Values to show before the server answers (key -> result), e.g. rendered into the page by your
   * server. Include client-visible flags only: whatever is here is readable by the page's users.
   */
  bootstrap?: Record<string, EvaluationResult>;
  /** How long `ready()` waits (default 5000 ms; at least 0; anything but a finite number gives the default). */
  timeoutMs?: number;
  /** Send evaluation counts and `track()` events to the server (default true). */
  sendMetrics?: boolean;
  /** How often metrics are sent (default 10 000 ms; at least 100); also when the page is hidden, and at `close()`. */
  metricsIntervalMs?: number;
  logger?: Logger;
}

/** The parts of EventSource the client uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data?: unknown; lastEventId?: string }) => void): void;
  close(): void;
}

/** Knobs for tests; not part of the public API. */
export interface BrowserClientInternals {
  EventSource?: new (url: string) => EventSourceLike;
  /** null turns persistence off. */
  storage?: StorageLike | null;
  fetch?: typeof globalThis.fetch;
  random?: () => number;
}

/**
 * A browser client. Reads are synchronous and never throw.
 *
 * @example
 * if (client.isEnabled("new-banner")) showBanner(client.variant("banner-color", "blue"));
 */
export interface BrowserClient {
  ready(): Promise<boolean>;
  isEnabled(key: string, defaultValue?: boolean): boolean;
  variant<T extends JsonValue>(key: string, defaultValue: T): Widened<T>;
  evaluate(key: string, defaultValue?: JsonValue): EvaluationResult;
  allFlags(): Record<string, EvaluationResult>;
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void;
  status(): ClientStatus;
  /**
   * Switches to another context. The old values stay until the new ones arrive: no flicker. A
   * context that cannot be sent changes nothing and emits an `invalid_context` error.
   *
   * Resolves `true` once the values for this context are in; `false` when that context cannot be
   * sent, when another `setContext` or `close()` comes first, or after `timeoutMs` (the client
   * keeps trying, `stale` until they arrive, then emits `recovered`). Never rejects.
   */
  setContext(context: EvaluationContext): Promise<boolean>;
  /** Counts a custom event against each flag's current variant; sent with the next batch. Never throws. */
  track(name: string, value?: number): void;
  /** Stops the stream and timers; resolves once the last metrics are sent (or failed: at most 10 s). */
  close(): Promise<void>;
}

const CLOSED = 2;

/** The part of `document` the client uses (typed here: Node's typecheck of this file has no DOM types). */
interface PageDocument {
  readonly visibilityState?: string;
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Creates a browser client and starts streaming.
 *
 * @example
 * import { createClient } from "@switchyard/sdk/browser";
 * const client = createClient({ url: "https://flags.example.com", clientKey: "sy_client_…", context: { key: "user-1" } });
 * client.on("change", () => render());
 */
export function createClient(options: BrowserClientOptions, internals: BrowserClientInternals = {}): BrowserClient {
  const url = String(options.url).replace(/\/+$/, "");
  let flags: Record<string, EvaluationResult> = {};
  let revision: number | null = null;
  const doFetch = internals.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const core = createClientCore(options, () => revision, { url, key: String(options.clientKey), sdk: `switchyard-browser/${SDK_VERSION}`, fetch: doFetch, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  const { log, emitter, tracker, metrics, timeoutMs } = core;
  const backoff = new Backoff({ random: internals.random });
  const keyId = keyIdOf(options.clientKey);
  // Without a public id there is no slot of its own to keep values in.
  const storage = keyId === null ? null : internals.storage === undefined ? defaultStorage() : internals.storage;
  const slot = `switchyard:${keyId}`;
  const EventSourceClass = internals.EventSource ?? (globalThis as unknown as { EventSource: new (url: string) => EventSourceLike }).EventSource;

  /** The current context, encoded once; null when it cannot be sent, and then nothing connects. */
  let encoded: EncodedContext | null = encodeContext(options.context);
  let source: EventSourceLike | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let probe: AbortController | null = null;
  /** Bumped by every disconnect, so a probe that outlived its connection does nothing. */
  let generation = 0;
  /** Settles the promise of the last `setContext` (true: its values are in); a no-op once settled. */
  let settleContext = (_arrived: boolean) => {};

  const stored = encoded && loadValues(storage, slot, url, encoded.json);
  if (stored) {
    flags = stored.flags;
    revision = stored.revision;
    tracker.loaded("persisted", stored.savedAt);
  } else if (options.bootstrap) {
    for (const key in options.bootstrap) if (key !== "__proto__" && isResult(options.bootstrap[key])) flags[key] = options.bootstrap[key];
    tracker.loaded("bootstrap", Date.now());
  }

  function invalidContext(): SdkError {
    const error = new SdkError("invalid_context", "the context cannot be sent: it must be a JSON object of at most 8 KiB encoded");
    log.error(error.message);
    return error;
  }

  function replace(next: Record<string, EvaluationResult>, nextRevision: number, current: EncodedContext): void {
    const hadData = tracker.hasData;
    const keys = Object.keys({ ...flags, ...next }).filter((key) => JSON.stringify(flags[key]) !== JSON.stringify(next[key]));
    flags = next;
    revision = nextRevision;
    saveValues(storage, slot, { url, context: current.json, revision, savedAt: Date.now(), flags });
    settleContext(true);
    tracker.confirmed();
    if (hadData && keys.length > 0) emitter.emit("change", { keys });
  }

  function rejected(what: string): void {
    const error = new SdkError("malformed_event", `ignored a malformed ${what}`);
    log.warn(error.message);
    emitter.emit("error", error);
  }

  function connect(): void {
    if (tracker.isClosed || !encoded) return;
    const current = encoded;
    const streamUrl = `${url}/client/v1/stream?key=${encodeURIComponent(options.clientKey)}&context=${current.param}`;
    const es = new EventSourceClass(streamUrl);
    source = es;
    const live = () => source === es;
    es.addEventListener("open", () => live() && backoff.connected());
    es.addEventListener("put", (event) => {
      if (!live()) return;
      const put = parsePut(String(event.data));
      if (put) replace(put.flags, put.revision, current);
      else rejected("put");
    });
    es.addEventListener("patch", (event) => {
      if (!live()) return;
      const patch = parsePatch(String(event.data));
      const id = parseRevision(event.lastEventId);
      if (!patch || id === null) return rejected("patch");
      // Browser patches skip revisions that do not change this context's values, so only repeats are refused.
      if (revision !== null && id <= revision) return;
      const next = { ...flags };
      if ("deleted" in patch) delete next[patch.key];
      else next[patch.key] = patch.result;
      replace(next, id, current);
    });
    es.addEventListener("error", () => {
      if (!live()) return;
      if (es.readyState !== CLOSED) {
        // The browser reconnects on its own; the new connection starts with a fresh put.
        tracker.failed(new SdkError("network_error", "stream: connection lost"));
        return;
      }
      es.close();
      source = null;
      void diagnose(streamUrl);
    });
  }

  /** EventSource hides the status of a refused stream: one plain request tells whether retrying can help. */
  async function diagnose(streamUrl: string): Promise<void> {
    const controller = (probe = new AbortController());
    const started = generation;
    let status: number | undefined;
    try {
      const response = await doFetch(streamUrl, { headers: { Accept: "text/event-stream" }, signal: controller.signal });
      status = response.status;
    } catch {
      // Network down or CORS: retried below.
    } finally {
      // Only the status matters: the body (a live stream when it is a 200) is dropped.
      controller.abort();
      if (probe === controller) probe = null;
    }
    // Closed, or switched to another context, meanwhile.
    if (started !== generation) return;
    const error = status === undefined ? new SdkError("network_error", "stream: connection failed") : errorForStatus(status, "stream");
    // 400 is a context the server will never accept; setContext starts over.
    const retry = !isTerminalStatus(status) && status !== 400;
    if (!retry) log.error(`${error.message}; not retrying`, { code: error.code });
    tracker.failed(error);
    // Checked again: an error listener may have closed the client or switched its context.
    if (retry && started === generation) timer = setTimeout(connect, backoff.next());
  }

  function disconnect(): void {
    generation++;
    clearTimeout(timer);
    timer = undefined;
    probe?.abort();
    probe = null;
    source?.close();
    source = null;
  }

  if (encoded) connect();
  else tracker.failed(invalidContext());

  // A page may be closed without close(): send what was counted while the page can still send.
  const documentRef = (globalThis as { document?: PageDocument }).document;
  const onHidden = () => documentRef?.visibilityState === "hidden" && void metrics?.flush(true);
  if (metrics) documentRef?.addEventListener?.("visibilitychange", onHidden);

  const evaluate = (key: string, defaultValue: JsonValue = null): EvaluationResult => {
    // Only strings: any other key would be converted, and its toString may throw.
    const result = typeof key === "string" && Object.prototype.hasOwnProperty.call(flags, key) ? flags[key] : undefined;
    if (!result) return notFound(defaultValue);
    metrics?.evaluated(key, result.variant);
    return result;
  };

  return {
    ...core.methods,
    isEnabled: (key, defaultValue = false) => enabledValue(evaluate(key), defaultValue),
    variant: (key, defaultValue) => servedValue(evaluate(key), defaultValue) as Widened<typeof defaultValue>,
    evaluate,
    allFlags: () => ({ ...flags }),
    setContext(next) {
      if (tracker.isClosed) return Promise.resolve(false);
      // Encoded before anything is torn down: a context that cannot be sent keeps the current stream.
      const nextEncoded = encodeContext(next);
      if (!nextEncoded) {
        emitter.emit("error", invalidContext());
        return Promise.resolve(false);
      }
      settleContext(false);
      const arrived = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          settleContext(false);
          // The values held are the old context's: stale until this one's arrive, which then
          // emits `recovered` even when they are the same (no `change` would say they came).
          tracker.interrupted();
        }, timeoutMs);
        settleContext = (value) => {
          settleContext = () => {};
          clearTimeout(timer);
          resolve(value);
        };
      });
      encoded = nextEncoded;
      disconnect();
      backoff.reset();
      connect();
      return arrived;
    },
    track(name, value) {
      // The server evaluated every flag for this context: each current variant is its cohort.
      metrics?.tracked(name, value, (add) => {
        for (const key in flags) add(key, flags[key]!.variant);
      });
    },
    close() {
      if (core.close()) {
        settleContext(false);
        disconnect();
        documentRef?.removeEventListener?.("visibilitychange", onHidden);
      }
      return metrics?.close() ?? Promise.resolve();
    },
  };
}
