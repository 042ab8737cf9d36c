/**
 * The browser SDK's metrics in real headless Chromium, from a page of another origin than the
 * flag server: batches go through CORS (a preflight, for the Authorization header), every
 * `metricsIntervalMs`, and with `keepalive` when the page goes away without `close()`. The
 * server's `GET /metrics` shows what arrived.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fileURLToPath } from "node:url";
import { Admin } from "../support/admin.js";
import { bundleForBrowser, launchChromium, serveStatic, type Chromium, type StaticServer } from "../support/browser.js";
import { startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const DOM_TIMEOUT_MS = 10_000;

const page = (intervalMs: number) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>metrics</title></head>
<body>
<p id="state">loading</p>
<script type="application/json" id="config">__CONFIG__</script>
<script type="module">
import { createClient } from "/sdk.js";
const config = JSON.parse(document.getElementById("config").textContent);
const client = createClient({ url: config.url, clientKey: config.clientKey, context: { key: "page-user" }, metricsIntervalMs: ${intervalMs} });
await client.ready();
for (let i = 0; i < 3; i++) client.isEnabled("new-banner");
client.track(config.metric, 12);
document.getElementById("state").textContent = "tracked";
</script>
</body></html>`;

let server: ServerProcess;
let chromium: Promise<Chromium>;
let pages: StaticServer;

beforeAll(async () => {
  chromium = launchChromium();
  chromium.catch(() => {}); // reported by the tests
  server = await startServer();
  const admin = await Admin.login(server.url);
  await admin.createFlag({ key: "new-banner", clientVisible: true });
  await admin.configure("new-banner", { enabled: true });
  const clientKey = await admin.clientKey();
  const sdk = await bundleForBrowser(repo("packages/sdk/src/browser.ts"));
  const html = (intervalMs: number, metric: string) => page(intervalMs).replace("__CONFIG__", JSON.stringify({ url: server.url, clientKey, metric }).replace(/</g, "\\u003c"));
  pages = await serveStatic({
    "/interval.html": { type: "text/html; charset=utf-8", body: html(200, "render_ms") },
    "/unload.html": { type: "text/html; charset=utf-8", body: html(600_000, "unload_ms") },
    "/sdk.js": { type: "text/javascript; charset=utf-8", body: sdk },
  });
});

afterAll(async () => {
  await chromium?.then((browser) => browser.close(), () => {});
  await pages?.close();
  await stopAllServers();
});

/** A sample of the server's `GET /metrics`, or undefined. */
async function sample(series: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const labels = (metric: string) => `{environment="production",flag="new-banner",variant="on",metric="${metric}"}`;

describe("browser SDK metrics in Chromium", () => {
  it("sends batches cross-origin every metricsIntervalMs", async () => {
    const tab = await (await chromium).context.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (error) => errors.push(String(error)));
    const posted = tab.waitForResponse((response) => response.url() === `${server.url}/sdk/v1/metrics` && response.request().method() === "POST", { timeout: DOM_TIMEOUT_MS });
    try {
      await tab.goto(`${pages.url}/interval.html`, { timeout: DOM_TIMEOUT_MS });
      const response = await posted;
      expect(response.status()).toBe(202);
      expect(["*", new URL(pages.url).origin]).toContain(response.headers()["access-control-allow-origin"]);
      await vi.waitFor(async () => expect(await sample(`switchyard_sdk_track_events_total${labels("render_ms")}`)).toBe(1), { timeout: DOM_TIMEOUT_MS });
      expect(await sample(`switchyard_sdk_track_value_sum${labels("render_ms")}`)).toBe(12);
      expect(await sample('switchyard_sdk_evaluations_total{environment="production",flag="new-banner",variant="on"}')).toBeGreaterThanOrEqual(3);
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
    }
  });

  it("sends what it counted when the page goes away without close()", async () => {
    const tab = await (await chromium).context.newPage();
    await tab.goto(`${pages.url}/unload.html`, { timeout: DOM_TIMEOUT_MS });
    await tab.waitForFunction(() => document.getElementById("state")?.textContent === "tracked", null, { timeout: DOM_TIMEOUT_MS });
    // The interval is ten minutes: only the page-hide flush (fetch with keepalive) can send this.
    expect(await sample(`switchyard_sdk_track_events_total${labels("unload_ms")}`)).toBeUndefined();
    await tab.close({ runBeforeUnload: true });
    await vi.waitFor(async () => expect(await sample(`switchyard_sdk_track_events_total${labels("unload_ms")}`)).toBe(1), { timeout: DOM_TIMEOUT_MS });
  });
});
