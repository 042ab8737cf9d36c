/** SDK metrics against the real server on 127.0.0.1: what the clients count lands in the server's cohorts. */
import { EventSource } from "eventsource";
import { afterEach, describe, expect, it } from "vitest";
import { compileFlag, percentile, type FlagDefinition } from "@switchyard/core";
import { requireEnvironment } from "../../../apps/server/src/services/environments.js";
import { createClient as createBrowserClient } from "../src/browser/client.js";
import { createClient } from "../src/node/client.js";
import { startServer, type RunningServer } from "./support/server.js";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const production = "/api/v1/flags/checkout/environments/production";

/** A server with `checkout` enabled and rolled out to 50% of contexts. */
async function serve(): Promise<RunningServer> {
  const server = await startServer();
  cleanups.push(server.close);
  expect((await server.admin("POST", "/api/v1/flags", { key: "checkout", clientVisible: true })).status).toBe(201);
  expect((await server.admin("PATCH", production, { version: 1, enabled: true })).status).toBe(200);
  expect((await server.admin("POST", `${production}/rollout`, { percent: 50 })).status).toBe(200);
  return server;
}

const cohorts = (server: RunningServer, metric: string) =>
  server.h.services.metrics.cohorts(requireEnvironment(server.h.storage.db, "production").id, "checkout", metric, Date.now() - 60_000, Date.now());

describe("metrics against the server", () => {
  it("a Node client's evaluations and track() calls reach the server's cohorts when it closes", async () => {
    const server = await serve();
    const client = createClient({ url: server.url, sdkKey: server.serverKey(), logger: {} });
    cleanups.push(() => client.close());
    await expect(client.ready()).resolves.toBe(true);

    const served = { on: 0, off: 0 };
    const errors = { on: 0, off: 0 };
    for (let i = 0; i < 200; i++) {
      const context = { key: `user-${i}` };
      const variant = client.isEnabled("checkout", context) ? "on" : "off";
      served[variant]++;
      // The new checkout is slower, and fails for one user in five instead of one in twenty.
      client.track("latency_ms", context, variant === "on" ? 180 : 90);
      if (i % (variant === "on" ? 5 : 20) === 0) {
        client.track("error", context);
        errors[variant]++;
      }
    }
    expect(served.on).toBeGreaterThan(60);
    expect(served.off).toBeGreaterThan(60);
    // Sent every 10 s by default: nothing has gone yet.
    expect(cohorts(server, "error").size).toBe(0);

    await client.close();
    const errorCohorts = cohorts(server, "error");
    expect(errorCohorts.get("on")).toMatchObject({ evaluations: served.on, count: errors.on, sum: 0 });
    expect(errorCohorts.get("off")).toMatchObject({ evaluations: served.off, count: errors.off, sum: 0 });
    const latency = cohorts(server, "latency_ms");
    expect(latency.get("on")).toMatchObject({ evaluations: served.on, count: served.on, sum: 180 * served.on });
    expect(percentile(latency.get("on")!.buckets, 0.95)).toBeGreaterThan(150);
    expect(percentile(latency.get("on")!.buckets, 0.95)).toBeLessThanOrEqual(200);
    expect(percentile(latency.get("off")!.buckets, 0.95)).toBeLessThanOrEqual(100);

    const scrape = await (await fetch(`${server.url}/metrics`)).text();
    expect(scrape).toContain(`switchyard_sdk_evaluations_total{environment="production",flag="checkout",variant="on"} ${served.on}`);
    expect(scrape).toContain(`switchyard_sdk_track_events_total{environment="production",flag="checkout",variant="off",metric="error"} ${errors.off}`);
  });

  it("a browser client's reads and track() calls reach them too, under its context's variant", async () => {
    const server = await serve();
    const definition = server.h.services.snapshots.get("production").snapshot.flags.find((flag) => flag.key === "checkout") as FlagDefinition;
    const variant = compileFlag(definition).evaluate({ key: "browser-user" }).variant!;
    const client = createBrowserClient({ url: server.url, clientKey: server.clientKey(), context: { key: "browser-user" }, logger: {} }, { EventSource, storage: null });
    cleanups.push(() => client.close());
    await expect(client.ready()).resolves.toBe(true);
    client.isEnabled("checkout");
    client.isEnabled("checkout");
    client.track("render_ms", 40);
    await client.close();
    expect(cohorts(server, "render_ms").get(variant)).toMatchObject({ evaluations: 2, count: 1, sum: 40 });
  });
});
