/**
 * What the Node and browser clients share around their own I/O: the log, the events, the status
 * and `ready()`, the metrics reporter, and the `ready` / `on` / `status` methods of both public surfaces.
 */
import { Emitter } from "./emitter.js";
import { createLog, type Log } from "./log.js";
import { DEFAULT_METRICS_INTERVAL_MS, MIN_METRICS_INTERVAL_MS, createMetricsReporter, type MetricsReporter } from "./metrics.js";
import { durationOption } from "./options.js";
import { DEFAULT_TIMEOUT_MS, StatusTracker } from "./status.js";
import type { ClientEvents, ClientStatus, Logger } from "./types.js";

export interface ClientCore {
  log: Log;
  emitter: Emitter<ClientEvents>;
  tracker: StatusTracker;
  /** How long `ready()` (and, in browsers, `setContext`) waits. */
  timeoutMs: number;
  /** Counts evaluations and `track()` calls and sends them; null when `sendMetrics` is false. */
  metrics: MetricsReporter | null;
  /** The methods both public surfaces share. */
  methods: {
    ready(): Promise<boolean>;
    on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void;
    status(): ClientStatus;
  };
  /** Closes the status and drops every listener; true the first time, when the caller stops its I/O (and `metrics.close()`). */
  close(): boolean;
}

/** The options both clients take for this part. */
export interface CoreOptions {
  logger?: Logger;
  timeoutMs?: number;
  sendMetrics?: boolean;
  metricsIntervalMs?: number;
}

/** Where metrics go: the server's URL and key, who is sending, and the fetch to send with. */
export interface MetricsTransport {
  url: string;
  key: string;
  sdk: string;
  fetch: typeof globalThis.fetch;
  requestTimeoutMs: number;
}

/** `revision` gives the revision of the values the client holds, for the status. */
export function createClientCore(options: CoreOptions, revision: () => number | null, transport: MetricsTransport): ClientCore {
  const log = createLog(options.logger);
  const emitter = new Emitter<ClientEvents>(log);
  const timeoutMs = durationOption(options.timeoutMs, DEFAULT_TIMEOUT_MS, 0);
  const tracker = new StatusTracker(emitter, timeoutMs, revision);
  const metrics =
    options.sendMetrics === false
      ? null
      : createMetricsReporter({
          endpoint: `${transport.url}/sdk/v1/metrics`,
          key: transport.key,
          sdk: transport.sdk,
          intervalMs: durationOption(options.metricsIntervalMs, DEFAULT_METRICS_INTERVAL_MS, MIN_METRICS_INTERVAL_MS),
          requestTimeoutMs: transport.requestTimeoutMs,
          fetch: transport.fetch,
          log,
        });
  return {
    log,
    emitter,
    tracker,
    timeoutMs,
    metrics,
    methods: {
      ready: () => tracker.ready(),
      on: (event, listener) => (tracker.isClosed ? () => {} : emitter.on(event, listener)),
      status: () => tracker.current(),
    },
    close() {
      if (tracker.isClosed) return false;
      tracker.close();
      emitter.clear();
      return true;
    },
  };
}
