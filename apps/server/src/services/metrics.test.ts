import { beforeEach, describe, expect, it } from "vitest";
import { VALUE_BUCKET_BOUNDS, valueBucket } from "@switchyard/core";
import type { MetricsBatchInput } from "@switchyard/core/api-schema";
import { metricWindows } from "../db/schema.js";
import { createHarness, type Harness } from "../test-support/harness.js";
import { requireEnvironment } from "./environments.js";
import { EVALUATION_METRIC, MetricsService, percentile, type MetricsSource } from "./metrics.js";

const WINDOW = 1000;
let h: Harness;
let metrics: MetricsService;
let server: MetricsSource;
let client: MetricsSource;

beforeEach(async () => {
  h = await createHarness();
  // Boolean flags: variants "on" and "off". Only "banner" is visible to browsers.
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "banner", clientVisible: true } });
  metrics = new MetricsService(h.storage.db, h.services.snapshots, { windowMs: WINDOW, retentionMs: 60_000, maxMetricNames: 3 });
  const environmentId = requireEnvironment(h.storage.db, "production").id;
  server = { kind: "server_key", environmentId, environmentKey: "production" };
  client = { kind: "client_key", environmentId, environmentKey: "production" };
});

function bucketsOf(...values: number[]): number[] {
  const buckets = VALUE_BUCKET_BOUNDS.map(() => 0);
  for (const value of values) buckets[valueBucket(value)]!++;
  return buckets;
}

const noValues = () => VALUE_BUCKET_BOUNDS.map(() => 0);

function batch(part: Partial<MetricsBatchInput>): MetricsBatchInput {
  return { sdk: "test/1", evaluations: [], events: [], ...part };
}

describe("MetricsService.record and cohorts", () => {
  it("adds batches up within a window and across windows, per variant", () => {
    const t0 = 100 * WINDOW;
    metrics.record(server, batch({ evaluations: [{ flag: "new-checkout", variant: "on", count: 10 }, { flag: "new-checkout", variant: "off", count: 90 }] }), t0 + 10);
    metrics.record(server, batch({
      evaluations: [{ flag: "new-checkout", variant: "on", count: 5 }],
      events: [
        { metric: "latency_ms", flag: "new-checkout", variant: "on", count: 2, sum: 187, buckets: bucketsOf(87, 100) },
        { metric: "latency_ms", flag: "new-checkout", variant: "on", count: 1, sum: 300, buckets: bucketsOf(300) },
        { metric: "error", flag: "new-checkout", variant: "off", count: 3, sum: 0, buckets: noValues() },
      ],
    }), t0 + 900);
    metrics.record(server, batch({
      evaluations: [{ flag: "new-checkout", variant: "on", count: 1 }],
      events: [{ metric: "latency_ms", flag: "new-checkout", variant: "on", count: 1, sum: 5000, buckets: bucketsOf(5000) }],
    }), t0 + WINDOW + 1);

    // One row per flag, variant, metric and window: never one per event or per batch.
    const rows = h.storage.db.select().from(metricWindows).all();
    expect(rows.map((row) => `${row.variant}/${row.metric}@${row.windowStart - t0}:${row.count}`).sort()).toEqual([
      `off/$evaluation@0:90`,
      `off/error@0:3`,
      `on/$evaluation@0:15`,
      `on/$evaluation@${WINDOW}:1`,
      `on/latency_ms@0:3`,
      `on/latency_ms@${WINDOW}:1`,
    ]);

    const both = metrics.cohorts(server.environmentId, "new-checkout", "latency_ms", t0, t0 + 2 * WINDOW);
    expect(both.get("on")).toEqual({ evaluations: 16, count: 4, sum: 5487, buckets: bucketsOf(87, 100, 300, 5000) });
    expect(both.get("off")).toEqual({ evaluations: 90, count: 0, sum: 0, buckets: noValues() });
    expect(percentile(both.get("on")!.buckets, 0.5)).toBeGreaterThan(70);
    expect(percentile(both.get("on")!.buckets, 0.5)).toBeLessThanOrEqual(300);

    const errors = metrics.cohorts(server.environmentId, "new-checkout", "error", t0, t0 + 2 * WINDOW);
    expect(errors.get("off")).toEqual({ evaluations: 90, count: 3, sum: 0, buckets: noValues() });
    expect(errors.get("on")).toMatchObject({ evaluations: 16, count: 0 });
  });

  it("counts every window that overlaps the range, the one `since` falls in whole", () => {
    const t0 = 200 * WINDOW;
    for (let i = 0; i < 4; i++) metrics.record(server, batch({ evaluations: [{ flag: "new-checkout", variant: "on", count: 1 }] }), t0 + i * WINDOW + 500);
    const evaluations = (since: number, until: number) => metrics.cohorts(server.environmentId, "new-checkout", "error", since, until).get("on")?.evaluations ?? 0;
    expect(evaluations(t0, t0 + 4 * WINDOW)).toBe(4);
    expect(evaluations(t0 + 999, t0 + 1000)).toBe(2);
    expect(evaluations(t0 + WINDOW, t0 + WINDOW + 1)).toBe(1);
    expect(evaluations(t0 + 4 * WINDOW, t0 + 9 * WINDOW)).toBe(0);
    expect(metrics.cohorts(server.environmentId, "banner", "error", t0, t0 + 4 * WINDOW).size).toBe(0);
  });

  it("ignores flags and variants the key cannot see, and client keys' reports on hidden flags", () => {
    const now = 300 * WINDOW;
    const result = metrics.record(client, batch({
      evaluations: [
        { flag: "banner", variant: "on", count: 1 },
        { flag: "new-checkout", variant: "on", count: 1 },
        { flag: "missing", variant: "on", count: 1 },
        { flag: "banner", variant: "blue", count: 1 },
      ],
      events: [{ metric: "error", flag: "new-checkout", variant: "on", count: 1, sum: 0, buckets: noValues() }],
    }), now);
    expect(result.ignored).toBe(4);
    expect(result.accepted).toEqual([{ flag: "banner", variant: "on", metric: EVALUATION_METRIC, count: 1, sum: 0, buckets: [] }]);
    expect(metrics.record(server, batch({ evaluations: [{ flag: "new-checkout", variant: "on", count: 1 }] }), now).ignored).toBe(0);
  });

  it("keeps at most maxMetricNames metric names per environment", () => {
    const now = 400 * WINDOW;
    const event = (metric: string) => ({ metric, flag: "new-checkout", variant: "on", count: 1, sum: 0, buckets: noValues() });
    const first = metrics.record(server, batch({ events: ["a", "b", "c", "d", "e"].map(event) }), now);
    expect(first.namesRefused).toEqual(["d", "e"]);
    expect(first.ignored).toBe(2);
    // Known names keep working; the limit survives a restart of the service (names are read back).
    const restarted = new MetricsService(h.storage.db, h.services.snapshots, metrics.options);
    const second = restarted.record(server, batch({ events: ["a", "d"].map(event) }), now + 1);
    expect(second.accepted.map((entry) => entry.metric)).toEqual(["a"]);
    expect(second.namesRefused).toEqual(["d"]);
  });

  it("prunes windows past the retention, on the first batch of a new window", () => {
    const t0 = 1000 * WINDOW;
    metrics.record(server, batch({ evaluations: [{ flag: "new-checkout", variant: "on", count: 1 }] }), t0);
    metrics.record(server, batch({ evaluations: [{ flag: "new-checkout", variant: "on", count: 1 }] }), t0 + 30_000);
    expect(h.storage.db.select().from(metricWindows).all()).toHaveLength(2);
    // 61 s after the first window ended: it is past the 60 s retention, the second is not.
    metrics.record(server, batch({ evaluations: [{ flag: "new-checkout", variant: "off", count: 1 }] }), t0 + WINDOW + 60_001);
    const left = h.storage.db.select().from(metricWindows).all();
    expect(left.map((row) => row.windowStart - t0).sort((a, b) => a - b)).toEqual([30_000, 61_000]);
    expect(metrics.prune(t0 + 200_000)).toBe(2);
  });
});
