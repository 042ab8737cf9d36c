/**
 * What `GET /metrics` shows, in Prometheus' text format (prom-client): HTTP requests by route
 * pattern, open streams per environment, and the SDK-reported evaluation and `track()` totals per
 * flag and variant, so alert rules can compare cohorts. One registry per app, so tests that build
 * several apps in one process do not share counters.
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, Gauge, Histogram, Registry, type Metric } from "prom-client";
import { EVALUATION_METRIC, type AcceptedEntry } from "../services/metrics.js";
import type { StreamHub } from "../streaming/hub.js";
import type { AppEnv } from "./app-env.js";

const methods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The pattern of the route that answered (`/api/v1/flags/:key`), never the raw path: raw paths
 * would make a series per flag key, or per scanner's made-up URL. Requests no route answered
 * (404s) share one label.
 */
function routeLabel(c: Context<AppEnv>): string {
  const route = matchedRoutes(c)[c.req.routeIndex];
  // Only the global middleware ran, or a catch-all (the UI's page, CORS on /client/*) passed the request on to the 404.
  if (!route || (route.method === "ALL" && route.path === "*") || (c.res.status === 404 && route.path.endsWith("*"))) return "unmatched";
  return route.path;
}

type SdkLabels = Record<"environment" | "flag" | "variant" | "metric", string>;

/**
 * The values passed to `track()` as a summary without quantiles (`_sum` and `_count` of the calls
 * with a value), so `rate(…_sum) / rate(…_count)` is the mean, as for any summary. Written out by
 * hand because prom-client's Summary takes single observations, and SDKs send totals.
 */
class TrackedValueTotals {
  readonly name = "switchyard_sdk_track_value";
  readonly help = "Values passed to track() (calls with a value), per environment, flag, variant served to the context, and metric.";
  readonly type = "summary";
  readonly aggregator = "sum";
  private readonly totals = new Map<string, { labels: SdkLabels; sum: number; count: number }>();

  add(labels: SdkLabels, sum: number, count: number): void {
    const id = JSON.stringify(labels);
    const found = this.totals.get(id) ?? { labels, sum: 0, count: 0 };
    found.sum += sum;
    found.count += count;
    this.totals.set(id, found);
  }

  get() {
    const values = [...this.totals.values()].flatMap(({ labels, sum, count }) => [
      { metricName: `${this.name}_sum`, labels, value: sum },
      { metricName: `${this.name}_count`, labels, value: count },
    ]);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.totals.clear();
  }
}

export class PrometheusMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status">;
  private readonly durations: Histogram<"method" | "route" | "status">;
  private readonly evaluations: Counter<"environment" | "flag" | "variant">;
  private readonly events: Counter<"environment" | "flag" | "variant" | "metric">;
  private readonly values = new TrackedValueTotals();

  constructor(hub: StreamHub) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "switchyard_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status.",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.durations = new Histogram({
      name: "switchyard_http_request_duration_seconds",
      help: "Time to answer an HTTP request (for streams: until the stream opened), by method, route pattern and status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: "switchyard_stream_subscribers",
      help: "Open SDK streams per environment and kind (server: server SDKs; client: browsers; ofrep: OFREP event streams).",
      labelNames: ["environment", "kind"],
      registers,
      collect() {
        // Read at scrape time, so environments whose streams all closed drop out.
        this.reset();
        for (const [environment, counts] of hub.counts()) {
          this.set({ environment, kind: "server" }, counts.server);
          this.set({ environment, kind: "client" }, counts.client);
          this.set({ environment, kind: "ofrep" }, counts.ofrep);
        }
      },
    });
    new Gauge({
      name: "switchyard_stream_client_contexts",
      help: "Distinct contexts among the open browser streams, per environment: each is evaluated once per change.",
      labelNames: ["environment"],
      registers,
      collect() {
        this.reset();
        for (const [environment, counts] of hub.counts()) this.set({ environment }, counts.contexts);
      },
    });
    this.evaluations = new Counter({
      name: "switchyard_sdk_evaluations_total",
      help: "Flag evaluations SDKs reported, per environment, flag and served variant.",
      labelNames: ["environment", "flag", "variant"],
      registers,
    });
    this.events = new Counter({
      name: "switchyard_sdk_track_events_total",
      help: "track() calls SDKs reported, per environment, flag, variant served to the context, and metric.",
      labelNames: ["environment", "flag", "variant", "metric"],
      registers,
    });
    this.registry.registerMetric(this.values as unknown as Metric);
  }

  /** Counts every request and its latency; put first, so refusals by later middleware count too. */
  readonly middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now();
    await next();
    const labels = { method: methods.has(c.req.method) ? c.req.method : "OTHER", route: routeLabel(c), status: String(c.res.status) };
    this.requests.inc(labels);
    this.durations.observe(labels, (performance.now() - started) / 1000);
  };

  /** Adds an accepted SDK batch to the totals. */
  recordSdk(environment: string, accepted: readonly AcceptedEntry[]): void {
    for (const entry of accepted) {
      if (entry.metric === EVALUATION_METRIC) {
        this.evaluations.inc({ environment, flag: entry.flag, variant: entry.variant }, entry.count);
        continue;
      }
      const labels = { environment, flag: entry.flag, variant: entry.variant, metric: entry.metric };
      this.events.inc(labels, entry.count);
      const valued = entry.buckets.reduce((total, count) => total + count, 0);
      if (valued > 0) this.values.add(labels, entry.sum, valued);
    }
  }

  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
