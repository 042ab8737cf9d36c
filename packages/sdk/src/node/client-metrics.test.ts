/** The Node client's metrics: what it counts, how it attributes track(), when and how it sends. */
import { HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_METRIC_ENTRIES, VALUE_BUCKET_BOUNDS, compileFlag, valueBucket, type FlagDefinition } from "@switchyard/core";
import { SDK_VERSION, type EventAggregate } from "../shared/metrics.js";
import { booleanFlag, snapshot, stringFlag } from "../test-support/fixtures.js";
import { BASE_URL, SERVER_KEY, createMockServer, memoryLogger } from "../test-support/mock-server.js";
import { createClient, type Client, type ClientOptions } from "./client.js";

const mock = createMockServer();
beforeAll(() => mock.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mock.server.close());

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  mock.connections.length = 0;
  mock.metricsBatches.length = 0;
  mock.answerMetricsWith(() => HttpResponse.json({ accepted: 0, ignored: 0 }, { status: 202 }));
  mock.onConnection(() => {});
});

const split = (first: string, second: string) => ({ rollout: { bucketBy: "key", variants: [{ variant: first, weight: 50_000 }, { variant: second, weight: 50_000 }] } });
/** In a 50/50 rollout in its fallthrough. */
const canary = booleanFlag("canary", { fallthrough: split("on", "off") });
/** In a rollout through a rule only. */
const banner = stringFlag("banner", "blue", { rules: [{ clauses: [], serve: split("a", "off") }] });
/** Serves one variant to everyone: no cohorts to compare. */
const plain = booleanFlag("plain");

async function start(options: Partial<ClientOptions> = {}, flags: FlagDefinition[] = [canary, banner, plain]) {
  mock.onConnection((c) => c.start(snapshot(3, flags)));
  const log = memoryLogger();
  const client = createClient({ url: BASE_URL, sdkKey: SERVER_KEY, logger: log.logger, ...options }, { random: () => 0 });
  clients.push(client);
  await client.ready();
  return { client, log };
}

const variantOf = (flag: FlagDefinition, key: string) => compileFlag(flag).evaluate({ key }).variant!;
/** Users on each side of the canary. */
function usersServed(variant: string, count: number): string[] {
  const users: string[] = [];
  for (let i = 0; users.length < count; i++) if (variantOf(canary, `user-${i}`) === variant) users.push(`user-${i}`);
  return users;
}

function bucketsOf(...values: number[]): number[] {
  const buckets = VALUE_BUCKET_BOUNDS.map(() => 0);
  for (const value of values) buckets[valueBucket(value)]!++;
  return buckets;
}

const sortEvents = (events: EventAggregate[]) => [...events].sort((a, b) => `${a.metric}${a.flag}${a.variant}`.localeCompare(`${b.metric}${b.flag}${b.variant}`));

describe("metrics", () => {
  it("counts evaluate, isEnabled and variant per flag and variant, and sends them at close with the key", async () => {
    const { client } = await start();
    const [on1, on2] = usersServed("on", 2);
    const [off1] = usersServed("off", 1);
    client.isEnabled("canary", { key: on1! });
    client.isEnabled("canary", { key: on2! });
    client.evaluate("canary", { key: off1! });
    client.variant("plain", { key: on1! }, false);
    client.variant("missing", { key: on1! }, "x"); // no variant: not counted
    client.allFlags({ key: on1! }); // not counted: nobody was served anything yet
    expect(mock.metricsBatches).toEqual([]);

    await client.close();
    expect(mock.metricsBatches).toHaveLength(1);
    const { authorization, body } = mock.metricsBatches[0]!;
    expect(authorization).toBe(`Bearer ${SERVER_KEY}`);
    expect(body.sdk).toBe(`switchyard-node/${SDK_VERSION}`);
    expect(body.evaluations.sort((a, b) => `${a.flag}${a.variant}`.localeCompare(`${b.flag}${b.variant}`))).toEqual([
      { flag: "canary", variant: "off", count: 1 },
      { flag: "canary", variant: "on", count: 2 },
      { flag: "plain", variant: "on", count: 1 },
    ]);
    expect(body.events).toEqual([]);
  });

  it("attributes track() to the variant each flag in a rollout serves the context", async () => {
    const { client, log } = await start();
    const [onUser] = usersServed("on", 1);
    const [offUser] = usersServed("off", 1);
    client.track("error", { key: onUser! });
    client.track("latency_ms", { key: onUser! }, 87);
    client.track("latency_ms", { key: onUser! }, 120);
    client.track("latency_ms", { key: offUser! }, Number.NaN); // counted, without a value
    client.track("$evaluation", { key: onUser! }); // not a metric name: dropped, warned once
    client.track("$evaluation", { key: onUser! });
    await client.close();

    const { body } = mock.metricsBatches[0]!;
    const bannerFor = (key: string) => variantOf(banner, key);
    const empty = bucketsOf();
    const expected: EventAggregate[] = [
      { metric: "error", flag: "canary", variant: "on", count: 1, sum: 0, buckets: empty },
      { metric: "error", flag: "banner", variant: bannerFor(onUser!), count: 1, sum: 0, buckets: empty },
      { metric: "latency_ms", flag: "canary", variant: "on", count: 2, sum: 207, buckets: bucketsOf(87, 120) },
      { metric: "latency_ms", flag: "canary", variant: "off", count: 1, sum: 0, buckets: empty },
    ];
    // The banner's rule rollout splits the same users its own way; merged where both land on one variant.
    const bannerLatency = new Map<string, EventAggregate>();
    for (const [key, values] of [[onUser!, [87, 120]], [offUser!, []]] as const) {
      const variant = bannerFor(key);
      const found = bannerLatency.get(variant) ?? { metric: "latency_ms", flag: "banner", variant, count: 0, sum: 0, buckets: bucketsOf() };
      found.count += key === onUser ? 2 : 1;
      for (const value of values) {
        found.sum += value;
        found.buckets[valueBucket(value)]!++;
      }
      bannerLatency.set(variant, found);
    }
    expect(sortEvents(body.events)).toEqual(sortEvents([...expected, ...bannerLatency.values()]));
    expect(body.events.some((event) => event.flag === "plain")).toBe(false);
    expect(log.lines.filter((line) => line.message.includes("metric name"))).toHaveLength(1);
  });

  it("sends a batch every metricsIntervalMs while there is something to send, and holds no timer when idle", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
    try {
      mock.onConnection((c) => c.start(snapshot(3, [canary])));
      const client = createClient({ url: BASE_URL, sdkKey: SERVER_KEY, logger: {}, metricsIntervalMs: 1000, stream: false, pollIntervalMs: 60_000 }, { random: () => 0 });
      clients.push(client);
      mock.answerPollWith(() => HttpResponse.json(snapshot(3, [canary])));
      await vi.waitFor(() => expect(client.status().state).toBe("ready"));
      const timers = vi.getTimerCount();

      client.isEnabled("canary", { key: "u1" });
      expect(vi.getTimerCount()).toBe(timers + 1);
      await vi.advanceTimersByTimeAsync(999);
      expect(mock.metricsBatches).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(() => expect(mock.metricsBatches).toHaveLength(1));
      expect(vi.getTimerCount()).toBe(timers);

      client.isEnabled("canary", { key: "u1" });
      client.isEnabled("canary", { key: "u1" });
      await vi.advanceTimersByTimeAsync(1000);
      await vi.waitFor(() => expect(mock.metricsBatches).toHaveLength(2));
      expect(mock.metricsBatches[1]!.body.evaluations).toEqual([{ flag: "canary", variant: variantOf(canary, "u1"), count: 2 }]);
      await vi.advanceTimersByTimeAsync(5000);
      expect(mock.metricsBatches).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends what a failed batch held with the next one, waits for Retry-After, and drops it after 3 attempts", async () => {
    const { client, log } = await start({ metricsIntervalMs: 100 });
    let answers = [503, 429];
    const requested: number[] = [];
    mock.answerMetricsWith(() => {
      requested.push(Date.now());
      const status = answers.shift() ?? 202;
      return new HttpResponse(null, { status, headers: status === 429 ? { "Retry-After": "1" } : {} });
    });
    client.isEnabled("plain", { key: "u1" });
    await vi.waitFor(() => expect(requested).toHaveLength(1));
    client.isEnabled("plain", { key: "u1" });
    await vi.waitFor(() => expect(requested).toHaveLength(2));
    client.isEnabled("plain", { key: "u1" });
    await vi.waitFor(() => expect(mock.metricsBatches).toHaveLength(1), { timeout: 3000 });
    // Nothing lost: the two failed batches went out again inside the third.
    expect(mock.metricsBatches[0]!.body.evaluations).toEqual([{ flag: "plain", variant: "on", count: 3 }]);
    expect(requested[2]! - requested[1]!).toBeGreaterThanOrEqual(950);

    answers = [500, 500, 500];
    client.isEnabled("plain", { key: "u2" });
    await vi.waitFor(() => expect(log.lines.some((line) => line.message.includes("dropped a batch"))).toBe(true), { timeout: 3000 });
    expect(mock.metricsBatches).toHaveLength(1);
    client.isEnabled("plain", { key: "u3" });
    await vi.waitFor(() => expect(mock.metricsBatches).toHaveLength(2));
    expect(mock.metricsBatches[1]!.body.evaluations).toEqual([{ flag: "plain", variant: "on", count: 1 }]);
  });

  it("stops sending for good when the key is refused", async () => {
    const { client, log } = await start({ metricsIntervalMs: 100 });
    let requests = 0;
    mock.answerMetricsWith(() => {
      requests++;
      return HttpResponse.json({ error: { code: "forbidden" } }, { status: 403 });
    });
    client.isEnabled("plain", { key: "u1" });
    await vi.waitFor(() => expect(requests).toBe(1));
    client.isEnabled("plain", { key: "u1" });
    client.track("error", { key: "u1" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.close();
    expect(requests).toBe(1);
    expect(log.lines.filter((line) => line.level === "error").map((line) => line.message)).toEqual(["metrics: the server refused the batch (403); no more metrics are sent"]);
    expect(JSON.stringify(log.lines)).not.toContain(SERVER_KEY.split(".")[1]);
    // The flags keep working.
    expect(client.status().state).toBe("closed");
  });

  it("sends nothing with sendMetrics: false", async () => {
    const { client } = await start({ sendMetrics: false, metricsIntervalMs: 100 });
    client.isEnabled("canary", { key: "u1" });
    client.track("error", { key: "u1" });
    await client.close();
    expect(mock.metricsBatches).toEqual([]);
  });

  it("keeps a batch within the server's entry limit, and says what it dropped", async () => {
    const { client, log } = await start();
    for (let i = 0; i < MAX_METRIC_ENTRIES + 10; i++) client.track(`metric-${i}`, { key: "u1" });
    await client.close();
    // Two rollout flags per metric name: the limit is reached at half as many names.
    expect(mock.metricsBatches[0]!.body.events).toHaveLength(MAX_METRIC_ENTRIES);
    expect(log.lines.find((line) => line.message.includes(`past ${MAX_METRIC_ENTRIES} distinct entries`))?.fields).toEqual({ counts: 2 * (MAX_METRIC_ENTRIES + 10 - MAX_METRIC_ENTRIES / 2) });
  });
});
