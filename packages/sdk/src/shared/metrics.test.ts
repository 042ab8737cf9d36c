import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createLog } from "./log.js";
import { createMetricsReporter, SDK_VERSION, type MetricsBatch, type MetricsReporterOptions } from "./metrics.js";

function reporter(fetch: MetricsReporterOptions["fetch"], overrides: Partial<MetricsReporterOptions> = {}) {
  const lines: string[] = [];
  const log = createLog({ warn: (message) => lines.push(message), error: (message) => lines.push(message) });
  const metrics = createMetricsReporter({ endpoint: "http://switchyard.test/sdk/v1/metrics", key: "sy_server_a.b", sdk: "test/1", intervalMs: 60_000, requestTimeoutMs: 50, fetch, log, ...overrides });
  return { metrics, lines };
}

describe("MetricsReporter", () => {
  it("names the package's version", () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(SDK_VERSION).toBe(version);
  });

  it("close() gives up on a server that never answers after the request timeout, even when fetch ignores its signal", async () => {
    const { metrics, lines } = reporter(() => new Promise<Response>(() => {}));
    metrics.evaluated("flag", "on");
    const started = Date.now();
    await metrics.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(lines).toEqual(["metrics: dropped a batch the server did not take at close"]);
  });

  it("close() waits for a send under way, then sends what was counted meanwhile; nothing counts after it", async () => {
    const bodies: MetricsBatch[] = [];
    let release!: () => void;
    const { metrics } = reporter(async (_input, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      if (bodies.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return new Response(null, { status: 202 });
    });
    metrics.evaluated("flag", "on");
    const first = metrics.flush(true);
    metrics.evaluated("flag", "off");
    const closed = metrics.close();
    metrics.evaluated("flag", "late");
    release();
    await Promise.all([first, closed]);
    expect(bodies.map((body) => body.evaluations)).toEqual([[{ flag: "flag", variant: "on", count: 1 }], [{ flag: "flag", variant: "off", count: 1 }]]);
    await metrics.close();
    expect(bodies).toHaveLength(2);
  });

  it("passes keepalive through for page hides, and never throws on a fetch that throws", async () => {
    const seen: (boolean | undefined)[] = [];
    const { metrics } = reporter((_input, init) => {
      seen.push(init?.keepalive);
      throw new TypeError("keepalive body too large");
    });
    metrics.tracked("clicked", 3, (add) => add("flag", "on"));
    await expect(metrics.flush(true)).resolves.toBeUndefined();
    expect(seen).toEqual([true]);
    await metrics.close();
  });

  it("counts nothing for results without a variant, and contains an attribution that throws", async () => {
    const bodies: MetricsBatch[] = [];
    const { metrics } = reporter(async (_input, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return new Response(null, { status: 202 });
    });
    metrics.evaluated("flag", null);
    metrics.tracked("error", undefined, () => {
      throw new Error("a flag that cannot be evaluated");
    });
    metrics.tracked(42, undefined, (add) => add("flag", "on"));
    metrics.tracked("error", undefined, (add) => add("flag", null));
    await metrics.close();
    expect(bodies).toEqual([]);
  });
});
