/** The Node client: local evaluation over a store kept in step with the server. */
import type { EnvironmentSnapshot, EvaluationContext, EvaluationResult, JsonValue } from "@switchyard/core";
import { Backoff } from "../shared/backoff.js";
import { createClientCore } from "../shared/client-core.js";
import { SdkError } from "../shared/errors.js";
import { SDK_VERSION } from "../shared/metrics.js";
import { durationOption, keyIdOf } from "../shared/options.js";
import type { ClientEvents, ClientStatus, Logger, Widened } from "../shared/types.js";
import { enabledValue, generalError, notFound, servedValue } from "../shared/values.js";
import { parseSnapshot } from "./messages.js";
import { SnapshotWriter, loadSnapshot } from "./persistence.js";
import { FlagStore } from "./store.js";
import { Synchronizer, type Update } from "./sync.js";

/**
 * Options of the Node `createClient`.
 *
 * @example
 * const options: ClientOptions = { url: "https://flags.internal", sdkKey: process.env.SWITCHYARD_SDK_KEY! };
 */
export interface ClientOptions {
  /** The server's base URL, e.g. `https://flags.example.com`. */
  url: string;
  /** A server key (`sy_server_….…`). Never logged and never written to disk. */
  sdkKey: string;
  /** Values to serve before the server answers: the document `GET /sdk/v1/flags` returns. */
  bootstrap?: EnvironmentSnapshot;
  /** A file that keeps the last snapshot, for cold starts while the server is down. */
  persistPath?: string;
  /** Stream changes (default). `false` polls `GET /sdk/v1/flags` instead. */
  stream?: boolean;
  /** Polling interval, when polling (default 30 000 ms; at least 1000; anything but a finite number gives the default). */
  pollIntervalMs?: number;
  /** How long `ready()` waits (default 5000 ms; at least 0; anything but a finite number gives the default). */
  timeoutMs?: number;
  /** Send evaluation counts and `track()` events to the server (default true). */
  sendMetrics?: boolean;
  /** How often metrics are sent (default 10 000 ms; at least 100); `close()` sends the rest. */
  metricsIntervalMs?: number;
  logger?: Logger;
}

/** Knobs for tests; not part of the public API. */
export interface ClientInternals {
  /** The server's heartbeat interval (15 s); the watchdog fires after 2.5 of them. */
  heartbeatIntervalMs?: number;
  random?: () => number;
  fetch?: typeof globalThis.fetch;
}

/**
 * A Node client. Evaluation is local, synchronous and never throws.
 *
 * @example
 * if (client.isEnabled("new-checkout", { key: user.id, country: user.country })) renderNewCheckout();
 */
export interface Client {
  /** Resolves `true` once there are values to serve, `false` after `timeoutMs`; never rejects. */
  ready(): Promise<boolean>;
  /** The flag's value when it is a boolean; otherwise (missing, error, other type) `defaultValue`. */
  isEnabled(key: string, context: EvaluationContext, defaultValue?: boolean): boolean;
  /** The served value; `defaultValue` when missing, on error, or when its type differs from the default's. */
  variant<T extends JsonValue>(key: string, context: EvaluationContext, defaultValue: T): Widened<T>;
  /** The full result: value, variant, reason (FLAG_NOT_FOUND for an unknown key), ruleIndex, errorCode. */
  evaluate(key: string, context: EvaluationContext, defaultValue?: JsonValue): EvaluationResult;
  /** Every flag, evaluated for the context. */
  allFlags(context: EvaluationContext): Record<string, EvaluationResult>;
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void;
  status(): ClientStatus;
  /**
   * Counts a custom event (`"error"`, or `"latency_ms"` with its value) against the variant the
   * context is served by each flag in a percentage rollout; sent with the next batch. Never throws.
   */
  track(name: string, context: EvaluationContext, value?: number): void;
  /**
   * Stops everything: no timer, socket or listener is left. Resolves once the last write is on
   * disk and the last metrics are sent (or failed: at most 10 s).
   */
  close(): Promise<void>;
}

const DEFAULT_POLL_INTERVAL_MS = 30_000;
const MIN_POLL_INTERVAL_MS = 1000;
const HEARTBEAT_INTERVAL_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Creates a Node client and starts connecting.
 *
 * @example
 * import { createClient } from "@switchyard/sdk";
 * const client = createClient({ url: "http://localhost:3000", sdkKey: process.env.SWITCHYARD_SDK_KEY! });
 * await client.ready();
 * client.isEnabled("new-checkout", { key: "user-123" });
 */
export function createClient(options: ClientOptions, internals: ClientInternals = {}): Client {
  if (typeof options?.url !== "string" || options.url === "") throw new TypeError("createClient: `url` is required");
  if (typeof options.sdkKey !== "string" || options.sdkKey === "") throw new TypeError("createClient: `sdkKey` is required");
  const url = options.url.replace(/\/+$/, "");
  const store = new FlagStore();
  const doFetch = internals.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const core = createClientCore(options, () => store.revision, { url, key: options.sdkKey, sdk: `switchyard-node/${SDK_VERSION}`, fetch: doFetch, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  const { log, emitter, tracker, metrics } = core;
  /** Whether the store's revision is the server's, so a reconnect may resume from it. */
  let resumable = false;

  const keyId = keyIdOf(options.sdkKey);
  if (options.persistPath && keyId === null) log.warn("persistPath ignored: the key has no public id (the part before the \".\") to tie the file to");
  const persisted = options.persistPath && keyId !== null ? { path: options.persistPath, source: { url, keyId } } : null;
  const writer = persisted
    ? new SnapshotWriter(persisted.path, persisted.source, (error) => {
        log.warn("could not write the persisted snapshot", { error: error.message });
        emitter.emit("error", new SdkError("persist_failed", `could not write the persisted snapshot: ${error.message}`));
      })
    : null;

  if (persisted) {
    const loaded = loadSnapshot(persisted.path, persisted.source);
    if (loaded.kind === "loaded") {
      // A matching file is newer than any bootstrap shipped with the app, so it wins.
      store.applyPut(loaded.snapshot);
      resumable = true;
      tracker.loaded("persisted", loaded.savedAt);
      log.info("serving the persisted snapshot until the server answers", { revision: store.revision });
    } else if (loaded.kind === "mismatch") {
      log.info("ignoring a persisted snapshot of another server or key");
    } else if (loaded.kind === "invalid") {
      log.warn("ignoring an unreadable persisted snapshot", { reason: loaded.reason });
    }
  }
  if (options.bootstrap !== undefined && !store.hasData) {
    const parsed = parseSnapshot(options.bootstrap, "bootstrap");
    if (parsed.ok) {
      store.applyPut(parsed.value);
      tracker.loaded("bootstrap", Date.now());
    } else {
      log.error(parsed.error.message);
    }
  }

  function apply(update: Update): boolean {
    let keys: string[];
    if (update.type === "put") {
      keys = store.applyPut(update.snapshot);
      resumable = true;
    } else {
      const held = resumable ? store.revision : null;
      if (held === null || update.revision > held + 1) {
        log.info("missed revisions; resuming", { revision: update.revision, held });
        return false;
      }
      if (update.revision <= held) {
        log.debug("ignored a patch already applied", { revision: update.revision, held });
        return true;
      }
      keys = store.applyPatch(update.patch, update.revision);
    }
    writer?.save(() => store.toSnapshot());
    if (keys.length > 0) emitter.emit("change", { keys });
    return true;
  }

  const sync = new Synchronizer(
    {
      url,
      sdkKey: options.sdkKey,
      stream: options.stream ?? true,
      pollIntervalMs: durationOption(options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, MIN_POLL_INTERVAL_MS),
      heartbeatIntervalMs: internals.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      fetch: doFetch,
      backoff: new Backoff({ random: internals.random }),
      log,
    },
    {
      resumeRevision: () => (resumable ? store.revision : null),
      apply,
      confirm: () => tracker.confirmed(),
      alive: () => tracker.touch(),
      failed: (error) => tracker.failed(error),
      interrupted: () => tracker.interrupted(),
      rejected: (error) => {
        log.warn(error.message);
        emitter.emit("error", error);
      },
    },
  );
  sync.start();

  const evaluate = (key: string, context: EvaluationContext, defaultValue: JsonValue = null): EvaluationResult => {
    try {
      const flag = store.get(key);
      return flag ? flag.evaluate(context) : notFound(defaultValue);
    } catch {
      return generalError(defaultValue);
    }
  };

  /** An evaluation the app asked for, counted for metrics; `allFlags` is not counted. */
  const counted = (key: string, context: EvaluationContext, defaultValue?: JsonValue): EvaluationResult => {
    const result = evaluate(key, context, defaultValue);
    metrics?.evaluated(key, result.variant);
    return result;
  };

  let closing: Promise<void> = Promise.resolve();

  return {
    ...core.methods,
    isEnabled: (key, context, defaultValue = false) => enabledValue(counted(key, context), defaultValue),
    variant: (key, context, defaultValue) => servedValue(counted(key, context), defaultValue) as Widened<typeof defaultValue>,
    evaluate: counted,
    allFlags(context) {
      const all: Record<string, EvaluationResult> = {};
      for (const key of store.keys()) all[key] = evaluate(key, context);
      return all;
    },
    track(name, context, value) {
      // Attributed to the flags being rolled out: those are the cohorts a guard compares.
      metrics?.tracked(name, value, (add) => {
        for (const flag of store.rolloutFlags()) add(flag.key, flag.evaluate(context).variant);
      });
    },
    close() {
      if (core.close()) {
        sync.close();
        closing = Promise.all([writer?.flushed(), metrics?.close()]).then(() => {});
      }
      return closing;
    },
  };
}
