/**
 * What the clients count, sent to `POST /sdk/v1/metrics` in batches: evaluations per flag and
 * served variant, and `track()` calls per metric, flag and variant (count, sum, value buckets).
 * Counts are aggregated in memory, never kept as events, so memory stays bounded whatever the
 * traffic. Shared by both entries: nothing here may need Node.
 */
import { MAX_METRIC_ENTRIES, VALUE_BUCKET_BOUNDS, metricNameProblem, valueBucket } from "@switchyard/core/metric-buckets";
import { describeError, type Log } from "./log.js";

/** Sent as `sdk` with every batch; kept equal to package.json's version by a test. */
export const SDK_VERSION = "0.1.0";

export const DEFAULT_METRICS_INTERVAL_MS = 10_000;
export const MIN_METRICS_INTERVAL_MS = 100;
/** Sends of one batch before it is dropped (a batch that failed goes out again with the next). */
const MAX_ATTEMPTS = 3;
/** Metric names warned about once each, at most this many, so a loop of bad names cannot flood the log. */
const MAX_WARNED_NAMES = 20;

export interface EvaluationCount {
  flag: string;
  variant: string;
  count: number;
}

export interface EventAggregate {
  metric: string;
  flag: string;
  variant: string;
  count: number;
  sum: number;
  /** One count per bound of VALUE_BUCKET_BOUNDS; calls without a value are not bucketed. */
  buckets: number[];
}

/** The body of `POST /sdk/v1/metrics`. */
export interface MetricsBatch {
  sdk: string;
  evaluations: EvaluationCount[];
  events: EventAggregate[];
}

export interface MetricsReporterOptions {
  /** `<url>/sdk/v1/metrics`. */
  endpoint: string;
  key: string;
  /** `switchyard-node/0.1.0`, `switchyard-browser/0.1.0`. */
  sdk: string;
  intervalMs: number;
  requestTimeoutMs: number;
  fetch: typeof globalThis.fetch;
  log: Log;
}

type Outcome = "sent" | "retry" | "drop" | "stop";

/** What the clients call; built by `createMetricsReporter`. */
export interface MetricsReporter {
  /** Counts one evaluation; results without a variant (missing flag, error) are not counted. */
  evaluated(flag: string, variant: string | null): void;
  /**
   * Counts one `track()` call against each flag and variant `attribute` names. Never throws: a
   * bad name is dropped with a warning, a value that is not a finite number counts as none.
   */
  tracked(metric: unknown, value: unknown, attribute: (add: (flag: string, variant: string | null) => void) => void): void;
  /**
   * Sends what was counted, unless a send is under way or the server asked to wait. Resolves
   * when done; never rejects. `keepalive` lets the request outlive the page (browsers).
   */
  flush(keepalive?: boolean): Promise<void>;
  /** Stops counting, waits for a send under way, then sends the rest once. */
  close(): Promise<void>;
}

/**
 * A closure rather than a class: its state then minifies to one-letter names, which matters in
 * the browser bundle.
 */
export function createMetricsReporter(options: MetricsReporterOptions): MetricsReporter {
  const { endpoint, key, sdk, intervalMs, requestTimeoutMs, fetch, log } = options;
  let evaluations = new Map<string, Map<string, number>>();
  let evaluationEntries = 0;
  let events = new Map<string, EventAggregate>();
  /** Counts refused because a batch already held MAX_METRIC_ENTRIES entries, reported once sent. */
  let overflow = 0;
  let failures = 0;
  /** No send before this time: the server asked to wait (Retry-After). */
  let notBefore = 0;
  let inFlight: Promise<void> | null = null;
  let closing: Promise<void> | null = null;
  /** The server refused the key or has no such endpoint: counting stops for good. */
  let stopped = false;
  const warnedNames = new Set<string>();
  /** Names already checked, so the check runs once per name, not once per call. */
  const goodNames = new Set<string>();
  /** Set only while something waits to be sent: an idle client holds no timer. */
  let timer: ReturnType<typeof setTimeout> | undefined;

  const counting = () => closing === null && !stopped;
  const isEmpty = () => evaluationEntries === 0 && events.size === 0;

  /** Sends in `delayMs` (the interval by default), unless a send is already planned. */
  function schedule(delayMs = intervalMs): void {
    if (timer !== undefined || !counting()) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delayMs);
    // Node: metrics alone must not keep a process alive.
    (timer as { unref?: () => void }).unref?.();
  }

  function addEvaluations(flag: string, variant: string, count: number): void {
    let byVariant = evaluations.get(flag);
    const counted = byVariant?.get(variant);
    if (counted !== undefined) return void byVariant!.set(variant, counted + count);
    if (evaluationEntries >= MAX_METRIC_ENTRIES) return void (overflow += count);
    if (!byVariant) evaluations.set(flag, (byVariant = new Map()));
    byVariant.set(variant, count);
    evaluationEntries++;
    schedule();
  }

  /** The aggregate of a metric, flag and variant, created when new; undefined when the batch is full. */
  function eventFor(metric: string, flag: string, variant: string): EventAggregate | undefined {
    const id = `${metric}\n${flag}\n${variant}`;
    let event = events.get(id);
    if (!event && events.size < MAX_METRIC_ENTRIES) {
      events.set(id, (event = { metric, flag, variant, count: 0, sum: 0, buckets: VALUE_BUCKET_BOUNDS.map(() => 0) }));
      schedule();
    }
    return event;
  }

  /** Takes everything counted so far, leaving the counters empty; null when there is nothing. */
  function take(): MetricsBatch | null {
    if (isEmpty()) return null;
    const list: EvaluationCount[] = [];
    for (const [flag, byVariant] of evaluations) for (const [variant, count] of byVariant) list.push({ flag, variant, count });
    const batch = { sdk, evaluations: list, events: [...events.values()] };
    evaluations = new Map();
    evaluationEntries = 0;
    events = new Map();
    return batch;
  }

  function settle(batch: MetricsBatch, outcome: Outcome, final: boolean): void {
    if (outcome === "retry" && !final && ++failures < MAX_ATTEMPTS) {
      // Put back, added to what was counted meanwhile: it goes out with the next batch.
      for (const { flag, variant, count } of batch.evaluations) addEvaluations(flag, variant, count);
      for (const { metric, flag, variant, count, sum, buckets } of batch.events) {
        const event = eventFor(metric, flag, variant);
        if (!event) {
          overflow += count;
          continue;
        }
        event.count += count;
        event.sum += sum;
        buckets.forEach((n, i) => (event.buckets[i]! += n));
      }
      return;
    }
    if (outcome === "retry") log.warn(`metrics: dropped a batch the server did not take ${final ? "at close" : `in ${MAX_ATTEMPTS} attempts`}`);
    if (overflow > 0) log.warn(`metrics: dropped counts past ${MAX_METRIC_ENTRIES} distinct entries per batch`, { counts: overflow });
    overflow = 0;
    failures = 0;
    if (outcome === "stop") {
      stopped = true;
      take();
    }
  }

  async function send(batch: MetricsBatch, keepalive: boolean): Promise<Outcome> {
    const controller = new AbortController();
    let deadline: ReturnType<typeof setTimeout> | undefined;
    try {
      const request = fetch(endpoint, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
        body: JSON.stringify(batch),
        signal: controller.signal,
        keepalive,
      });
      // A fetch that ignores its signal must not hold close() up: the deadline settles it either way.
      request.catch(() => {});
      const timeout = new Promise<never>((_, reject) => {
        deadline = setTimeout(() => {
          controller.abort();
          reject(new Error(`no answer within ${requestTimeoutMs} ms`));
        }, requestTimeoutMs);
      });
      const response = await Promise.race([request, timeout]);
      response.body?.cancel().catch(() => {});
      const { status } = response;
      if (status >= 200 && status < 300) return "sent";
      if (status === 429 || status >= 500) {
        const wait = Number(response.headers.get("Retry-After"));
        if (wait > 0) notBefore = Date.now() + Math.min(wait, 3600) * 1000;
        log.debug("metrics: the server asked to try again later", { status });
        return "retry";
      }
      // The key was refused, or the server predates metrics: sending again cannot help.
      const stop = status === 401 || status === 403 || status === 404;
      log[stop ? "error" : "warn"](`metrics: the server refused the batch (${status})${stop ? "; no more metrics are sent" : ""}`);
      return stop ? "stop" : "drop";
    } catch (error) {
      log.debug("metrics: could not reach the server", { error: describeError(error) });
      return "retry";
    } finally {
      clearTimeout(deadline);
    }
  }

  function flush(keepalive = false): Promise<void> {
    if (inFlight || !counting()) return inFlight ?? Promise.resolve();
    const wait = notBefore - Date.now();
    if (wait > 0) return schedule(wait), Promise.resolve();
    clearTimeout(timer);
    timer = undefined;
    const batch = take();
    if (!batch) return Promise.resolve();
    return (inFlight = send(batch, keepalive)
      .then((outcome) => settle(batch, outcome, false))
      .finally(() => {
        inFlight = null;
        // Counted while the send was under way (or put back after it failed): the next send is planned.
        if (!isEmpty()) schedule(Math.max(intervalMs, notBefore - Date.now()));
      }));
  }

  return {
    evaluated(flag, variant) {
      if (variant !== null && counting()) addEvaluations(flag, variant, 1);
    },
    tracked(metric, value, attribute) {
      if (!counting()) return;
      try {
        const problem = typeof metric !== "string" ? "must be a string" : goodNames.has(metric) ? null : metricNameProblem(metric);
        if (problem === null && goodNames.size < MAX_METRIC_ENTRIES) goodNames.add(metric as string);
        if (problem !== null) {
          const name = typeof metric === "string" ? metric.slice(0, 140) : typeof metric;
          if (!warnedNames.has(name) && warnedNames.size < MAX_WARNED_NAMES) {
            warnedNames.add(name);
            log.warn(`track(): ignored a metric name that ${problem}`, { metric: name });
          }
          return;
        }
        const number = typeof value === "number" && Number.isFinite(value) ? value : undefined;
        const bucket = number === undefined ? -1 : valueBucket(number);
        attribute((flag, variant) => {
          const event = variant === null ? undefined : eventFor(metric as string, flag, variant);
          if (!event) return void (variant !== null && overflow++);
          event.count++;
          if (bucket >= 0) {
            event.sum += number!;
            event.buckets[bucket]!++;
          }
        });
      } catch (error) {
        log.debug("track(): could not attribute the event", { error: describeError(error) });
      }
    },
    flush,
    close() {
      closing ??= (async () => {
        clearTimeout(timer);
        timer = undefined;
        await inFlight;
        const batch = stopped ? null : take();
        if (batch) settle(batch, await send(batch, false), true);
      })();
      return closing;
    },
  };
}
