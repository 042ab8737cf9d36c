import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_METRIC_ENTRIES, VALUE_BUCKET_BOUNDS, valueBucket } from "@switchyard/core";
import { loadConfig } from "../config.js";
import { metricWindows } from "../db/schema.js";
import { requireEnvironment } from "../services/environments.js";
import { createHarness, type Harness } from "../test-support/harness.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function harness(options: Parameters<typeof createHarness>[0] = {}): Promise<Harness> {
  const h = await createHarness(options);
  cleanups.push(() => h.services.hub.close());
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "banner", clientVisible: true } });
  return h;
}

function bucketsOf(...values: number[]): number[] {
  const buckets = VALUE_BUCKET_BOUNDS.map(() => 0);
  for (const value of values) buckets[valueBucket(value)]!++;
  return buckets;
}

const goodBatch = () => ({
  sdk: "switchyard-node/0.1.0",
  evaluations: [
    { flag: "new-checkout", variant: "on", count: 7 },
    { flag: "new-checkout", variant: "off", count: 93 },
  ],
  events: [
    { metric: "latency_ms", flag: "new-checkout", variant: "on", count: 3, sum: 287, buckets: bucketsOf(87, 100, 100) },
    { metric: "error", flag: "new-checkout", variant: "off", count: 2, sum: 0, buckets: bucketsOf() },
  ],
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, parsed: one sample per line that is not a comment. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function find(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

async function scrape(h: Harness, headers: Record<string, string> = {}) {
  const response = await h.call("anonymous", "GET", "/metrics", { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(response.text);
}

describe("POST /sdk/v1/metrics", () => {
  it("answers 202, stores aggregates per window and reports what it ignored", async () => {
    const h = await harness();
    const response = await h.call("server", "POST", "/sdk/v1/metrics", { body: { ...goodBatch(), evaluations: [...goodBatch().evaluations, { flag: "deleted-flag", variant: "on", count: 1 }] } });
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ accepted: 4, ignored: 1 });
    expect(h.storage.db.select().from(metricWindows).all()).toHaveLength(4);
    const cohorts = h.services.metrics.cohorts(requireEnvironment(h.storage.db, "production").id, "new-checkout", "latency_ms", Date.now() - 60_000, Date.now());
    expect(cohorts.get("on")).toEqual({ evaluations: 7, count: 3, sum: 287, buckets: bucketsOf(87, 100, 100) });
  });

  it("accepts an empty batch and a client key's batch on client-visible flags", async () => {
    const h = await harness();
    expect((await h.call("server", "POST", "/sdk/v1/metrics", { body: { sdk: "x" } })).json).toEqual({ accepted: 0, ignored: 0 });
    const browser = await h.call("client", "POST", "/sdk/v1/metrics", {
      body: { sdk: "switchyard-browser/0.1.0", evaluations: [{ flag: "banner", variant: "on", count: 2 }, { flag: "new-checkout", variant: "on", count: 2 }] },
    });
    expect(browser.json).toEqual({ accepted: 1, ignored: 1 });
  });

  it.each([
    ["a missing sdk", { evaluations: [] }, ["sdk"]],
    ["an unknown field", { sdk: "x", extra: 1 }, ["extra"]],
    ["a negative count", { sdk: "x", evaluations: [{ flag: "new-checkout", variant: "on", count: 1 }, { flag: "new-checkout", variant: "on", count: -1 }] }, ["evaluations[1].count"]],
    ["a fractional count", { sdk: "x", evaluations: [{ flag: "new-checkout", variant: "on", count: 1.5 }] }, ["evaluations[0].count"]],
    ["a bad flag key", { sdk: "x", evaluations: [{ flag: "-bad", variant: "on", count: 1 }] }, ["evaluations[0].flag"]],
    ["a $ metric", { sdk: "x", events: [{ ...goodBatch().events[1], metric: "$evaluation" }] }, ["events[0].metric"]],
    ["too few buckets", { sdk: "x", events: [{ ...goodBatch().events[0], buckets: [3] }] }, ["events[0].buckets"]],
    ["more bucketed values than calls", { sdk: "x", events: [{ ...goodBatch().events[0], count: 2 }] }, ["events[0].buckets"]],
    ["a string sum", { sdk: "x", events: [{ ...goodBatch().events[0], sum: "287" }] }, ["events[0].sum"]],
    ["too many entries", { sdk: "x", evaluations: Array.from({ length: MAX_METRIC_ENTRIES + 1 }, () => ({ flag: "new-checkout", variant: "on", count: 1 })) }, ["evaluations"]],
  ])("refuses %s with a 400 naming the field, storing nothing", async (_name, body, paths) => {
    const h = await harness();
    const response = await h.call("server", "POST", "/sdk/v1/metrics", { body });
    expect(response.status).toBe(400);
    expect(response.json.error.issues.map((issue: { path: string }) => issue.path)).toEqual(paths);
    expect(h.storage.db.select().from(metricWindows).all()).toEqual([]);
  });

  it("refuses a sum that overflows to Infinity when parsed", async () => {
    const h = await harness();
    const body = JSON.stringify({ sdk: "x", events: [{ ...goodBatch().events[0], sum: 0 }] }).replace('"sum":0', '"sum":1e999');
    const response = await h.call("server", "POST", "/sdk/v1/metrics", { body });
    expect(response.status).toBe(400);
    expect(response.json.error.issues.map((issue: { path: string }) => issue.path)).toEqual(["events[0].sum"]);
  });

  it("refuses a body over the size limit with 413", async () => {
    const h = await harness({ maxBodyBytes: 2048 });
    const response = await h.call("server", "POST", "/sdk/v1/metrics", { body: { sdk: "x".repeat(4096) } });
    expect(response.status).toBe(413);
  });

  it("limits batches per second per key with 429 and Retry-After, each key on its own", async () => {
    const h = await harness({ metrics: { batchesPerSecond: 1 } });
    const send = (as: "server" | "client") => h.call(as, "POST", "/sdk/v1/metrics", { body: { sdk: "x" } });
    // A burst of twice the rate, then refused.
    expect((await send("server")).status).toBe(202);
    expect((await send("server")).status).toBe(202);
    const refused = await send("server");
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("too_many_requests");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect((await send("client")).status).toBe(202);
    // Invalid batches count too: the limit comes before validation.
    expect((await h.call("client", "POST", "/sdk/v1/metrics", { body: { bad: 1 } })).status).toBe(400);
    expect((await h.call("client", "POST", "/sdk/v1/metrics", { body: { bad: 1 } })).status).toBe(429);
  });

  it("lets browsers of other origins send (CORS)", async () => {
    const h = await harness();
    const preflight = await h.call("anonymous", "OPTIONS", "/sdk/v1/metrics", {
      headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toMatch(/Authorization/);
    const post = await h.call("client", "POST", "/sdk/v1/metrics", { body: { sdk: "x" }, headers: { Origin: "https://shop.example" } });
    expect(post.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});

describe("GET /metrics", () => {
  it("shows request counts and latencies by route pattern, stream subscribers, and SDK aggregates", async () => {
    const h = await harness();
    await h.call("viewer", "GET", "/api/v1/flags/new-checkout");
    await h.call("viewer", "GET", "/api/v1/flags/banner");
    await h.call("viewer", "GET", "/api/v1/flags/no-such-flag");
    await h.call("anonymous", "GET", "/no/such/route");
    expect((await h.call("server", "POST", "/sdk/v1/metrics", { body: goodBatch() })).status).toBe(202);
    await h.call("server", "POST", "/sdk/v1/metrics", { body: { sdk: "x", events: [{ ...goodBatch().events[0], count: 1, sum: -13, buckets: bucketsOf(-13) }] } });

    const { url, close } = await h.listen();
    cleanups.push(close);
    const streams = [new AbortController(), new AbortController()];
    cleanups.push(() => streams.forEach((stream) => stream.abort()));
    await fetch(`${url}/sdk/v1/stream`, { headers: h.credentials.server, signal: streams[0]!.signal });
    await fetch(`${url}/client/v1/stream?context=${Buffer.from(JSON.stringify({ key: "u1" })).toString("base64url")}`, { headers: h.credentials.client, signal: streams[1]!.signal });

    const samples = await scrape(h);
    const flagRoute = { method: "GET", route: "/api/v1/flags/:key" };
    expect(find(samples, "switchyard_http_requests_total", { ...flagRoute, status: "200" })).toBe(2);
    expect(find(samples, "switchyard_http_requests_total", { ...flagRoute, status: "404" })).toBe(1);
    expect(find(samples, "switchyard_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBe(1);
    expect(find(samples, "switchyard_http_request_duration_seconds_count", { ...flagRoute, status: "200" })).toBe(2);
    expect(find(samples, "switchyard_http_request_duration_seconds_bucket", { ...flagRoute, status: "200", le: "+Inf" })).toBe(2);
    // Raw paths never become labels.
    expect(samples.filter((sample) => /banner|no-such|\/no\//.test(sample.labels.route ?? ""))).toEqual([]);

    expect(find(samples, "switchyard_stream_subscribers", { environment: "production", kind: "server" })).toBe(1);
    expect(find(samples, "switchyard_stream_subscribers", { environment: "production", kind: "client" })).toBe(1);
    expect(find(samples, "switchyard_stream_client_contexts", { environment: "production" })).toBe(1);

    const production = { environment: "production", flag: "new-checkout" };
    expect(find(samples, "switchyard_sdk_evaluations_total", { ...production, variant: "on" })).toBe(7);
    expect(find(samples, "switchyard_sdk_evaluations_total", { ...production, variant: "off" })).toBe(93);
    expect(find(samples, "switchyard_sdk_track_events_total", { ...production, variant: "on", metric: "latency_ms" })).toBe(4);
    expect(find(samples, "switchyard_sdk_track_value_sum", { ...production, variant: "on", metric: "latency_ms" })).toBe(274);
    expect(find(samples, "switchyard_sdk_track_value_count", { ...production, variant: "on", metric: "latency_ms" })).toBe(4);
    expect(find(samples, "switchyard_sdk_track_events_total", { ...production, variant: "off", metric: "error" })).toBe(2);
    // Calls without a value count as events, not as values.
    expect(find(samples, "switchyard_sdk_track_value_count", { ...production, variant: "off", metric: "error" })).toBeUndefined();
    const response = await h.call("anonymous", "GET", "/metrics");
    expect(response.text).toContain("# TYPE switchyard_sdk_track_value summary");

    // The streams close: their series drop out rather than stay at a stale count.
    streams.forEach((stream) => stream.abort());
    await vi.waitFor(async () => expect(find(await scrape(h), "switchyard_stream_subscribers", { environment: "production", kind: "server" })).toBeUndefined());
  });

  it("needs the configured token as a Bearer token when one is set", async () => {
    const h = await harness({ metrics: { token: "scrape-token-0123456789" } });
    const missing = await h.call("anonymous", "GET", "/metrics");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect((await h.call("admin", "GET", "/metrics")).status).toBe(401);
    expect((await h.call("anonymous", "GET", "/metrics", { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    await scrape(h, { Authorization: "Bearer scrape-token-0123456789" });
  });
});

describe("configuration", () => {
  it("reads SWITCHYARD_METRICS_* with defaults", () => {
    expect(loadConfig({}).metrics).toEqual({ windowMs: 10_000, retentionMs: 604_800_000, batchesPerSecond: 50, maxMetricNames: 100, token: undefined });
    const set = loadConfig({
      SWITCHYARD_METRICS_WINDOW_MS: "500",
      SWITCHYARD_METRICS_RETENTION_MS: "60000",
      SWITCHYARD_METRICS_RATE_LIMIT: "2.5",
      SWITCHYARD_METRICS_MAX_NAMES: "7",
      SWITCHYARD_METRICS_TOKEN: "a-long-enough-token",
    }).metrics;
    expect(set).toEqual({ windowMs: 500, retentionMs: 60_000, batchesPerSecond: 2.5, maxMetricNames: 7, token: "a-long-enough-token" });
    expect(() => loadConfig({ SWITCHYARD_METRICS_WINDOW_MS: "10" })).toThrow(/SWITCHYARD_METRICS_WINDOW_MS/);
    expect(() => loadConfig({ SWITCHYARD_METRICS_TOKEN: "short" })).toThrow(/SWITCHYARD_METRICS_TOKEN/);
  });
});
