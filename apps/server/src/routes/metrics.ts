/**
 * `POST /sdk/v1/metrics`, where SDKs send what they counted, and `GET /metrics`, where
 * Prometheus scrapes the server.
 */
import { Hono } from "hono";
import type { Logger } from "pino";
import type { Db } from "../db/open.js";
import { metricsBatchInputSchema } from "@switchyard/core/api-schema";
import { requireSdkKey } from "../auth/principal.js";
import { digestsEqual, sha256 } from "../auth/secrets.js";
import { unauthenticated } from "../errors.js";
import type { AppEnv } from "../http/app-env.js";
import { allowSdk } from "../http/guards.js";
import { PrometheusMetrics } from "../http/prometheus.js";
import { CredentialRateLimit } from "../http/rate-limit.js";
import { jsonBody } from "../http/validate.js";
import { MetricsService } from "../services/metrics.js";
import type { SnapshotCache } from "../services/snapshots.js";
import type { StreamHub } from "../streaming/hub.js";

/** Configuration of SDK metrics and `GET /metrics` (SWITCHYARD_METRICS_* in config.ts). */
export interface MetricsOptions {
  /** Length of an aggregation window. */
  windowMs: number;
  /** How long windows are kept. */
  retentionMs: number;
  /** Distinct track() metric names kept per environment. */
  maxMetricNames: number;
  /** Batches per second one SDK key may send, on average; bursts of twice that. */
  batchesPerSecond: number;
  /** When set, `GET /metrics` needs it as a Bearer token. */
  token?: string;
}

export const defaultMetricsOptions: MetricsOptions = {
  windowMs: 10_000,
  retentionMs: 7 * 24 * 3600 * 1000,
  maxMetricNames: 100,
  batchesPerSecond: 50,
};

/** The metrics service (rollout plans read it), the Prometheus registry and middleware, and the routes. */
export function createMetrics(deps: { db: Db; snapshots: SnapshotCache; hub: StreamHub; logger: Logger }, overrides: Partial<MetricsOptions> = {}) {
  const options = { ...defaultMetricsOptions, ...overrides };
  const service = new MetricsService(deps.db, deps.snapshots, options);
  const prometheus = new PrometheusMetrics(deps.hub);
  const rateLimit = new CredentialRateLimit({ perSecond: options.batchesPerSecond, burst: Math.max(1, options.batchesPerSecond * 2) });
  const routes = metricsRoutes({ metrics: service, prometheus, rateLimit, scrapeToken: options.token, logger: deps.logger });
  return { service, prometheus, routes };
}

export interface MetricsRouteOptions {
  metrics: MetricsService;
  prometheus: PrometheusMetrics;
  /** Batches per second per SDK key. */
  rateLimit: CredentialRateLimit;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`; otherwise it is open. */
  scrapeToken?: string;
  logger: Logger;
}

export function metricsRoutes({ metrics, prometheus, rateLimit, scrapeToken, logger }: MetricsRouteOptions) {
  const sdk = new Hono<AppEnv>().post("/metrics", allowSdk("server_key", "client_key"), rateLimit.middleware, jsonBody(metricsBatchInputSchema), (c) => {
    const key = requireSdkKey(c.var.principal, ["server_key", "client_key"]);
    const batch = c.req.valid("json");
    const { accepted, ignored, namesRefused } = metrics.record(key, batch);
    prometheus.recordSdk(key.environmentKey, accepted);
    if (namesRefused.length > 0) {
      logger.warn({ environment: key.environmentKey, credential: key.name, names: namesRefused, limit: metrics.options.maxMetricNames }, "ignored track() metrics past the per-environment name limit");
    }
    return c.json({ accepted: batch.evaluations.length + batch.events.length - ignored, ignored }, 202);
  });

  const expected = scrapeToken === undefined ? null : sha256(scrapeToken);
  const scrape = new Hono<AppEnv>().get("/", async (c) => {
    if (expected !== null) {
      const bearer = c.req.header("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (bearer === undefined || !digestsEqual(sha256(bearer), expected)) {
        c.header("WWW-Authenticate", 'Bearer realm="metrics"');
        throw unauthenticated("GET /metrics needs the SWITCHYARD_METRICS_TOKEN as a Bearer token");
      }
    }
    const { body, contentType } = await prometheus.render();
    return c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "no-store" });
  });

  return { sdk, scrape };
}
