/**
 * The browser side in real headless Chromium (Debian's, driven by playwright-core):
 *
 * - a page built with `@switchyard/sdk/browser` shows a flag's value and follows a toggle made
 *   through the admin API without a reload; the page is served from another origin than the flag
 *   server, so the stream goes through CORS;
 * - core's `bucket` and `murmur3`, bundled for the browser, give every value of bucket-vectors.json.
 *
 * Chromium missing is a failure, not a skip: `node scripts/ensure-test-tools.mjs` installs it.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admin } from "../support/admin.js";
import { bundleForBrowser, launchChromium, serveStatic, type Chromium, type StaticServer } from "../support/browser.js";
import { ms } from "../support/sdk.js";
import { startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const screenshots = repo("test-results/screenshots");
const vectorsPath = repo("packages/core/bucket-vectors.json");
const DOM_TIMEOUT_MS = 10_000;

interface Vector {
  flagKey: string;
  salt: string;
  value: string;
  hash: number;
  bucket: number;
}

const flagPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Switchyard browser SDK</title>
<style>body { font: 18px system-ui, sans-serif; margin: 2em; } #value { font-size: 2em; } .on { color: #0a7d32; } .off { color: #b3261e; }</style>
</head>
<body>
<h1>new-banner</h1>
<p>for <code id="context"></code></p>
<p id="value" data-state="loading">loading</p>
<p>status: <span id="status">connecting</span>, changes seen: <span id="changes">0</span></p>
<script type="application/json" id="config">__CONFIG__</script>
<script type="module">
import { createClient } from "/sdk.js";
const config = JSON.parse(document.getElementById("config").textContent);
const client = createClient({ url: config.url, clientKey: config.clientKey, context: config.context });
let changes = 0;
const render = () => {
  const on = client.isEnabled(config.flag);
  const value = document.getElementById("value");
  value.textContent = on ? "on" : "off";
  value.className = on ? "on" : "off";
  value.dataset.state = client.status().state;
  document.getElementById("status").textContent = client.status().state;
  document.getElementById("changes").textContent = String(changes);
};
document.getElementById("context").textContent = JSON.stringify(config.context);
client.on("change", ({ keys }) => { if (keys.includes(config.flag)) changes++; render(); });
client.ready().then(render);
</script>
</body>
</html>`;

const bucketPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bucket vectors</title></head>
<body>
<script type="module">
import { bucket, murmur3 } from "/core.js";
try {
  const vectors = await (await fetch("/bucket-vectors.json")).json();
  window.bucketResults = vectors.map((v) => ({ hash: murmur3(v.flagKey + "." + v.salt + "." + v.value), bucket: bucket(v.flagKey, v.salt, v.value) }));
} catch (error) {
  window.bucketResults = String(error);
}
</script>
</body></html>`;

let server: ServerProcess;
let admin: Admin;
/** Launched once; awaited by each test, so that a missing Chromium fails every test (never skips one). */
let chromium: Promise<Chromium>;
let pages: StaticServer;
let clientKey: string;
const context = { key: "user-7", plan: "pro" };

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  chromium = launchChromium();
  chromium.catch(() => {}); // reported by the tests
  server = await startServer();
  admin = await Admin.login(server.url);
  clientKey = await admin.clientKey();
  const [sdk, core] = await Promise.all([bundleForBrowser(repo("packages/sdk/src/browser.ts")), bundleForBrowser(repo("packages/core/src/index.ts"))]);
  const config = JSON.stringify({ url: server.url, clientKey, context, flag: "new-banner" }).replace(/</g, "\\u003c");
  pages = await serveStatic({
    "/": { type: "text/html; charset=utf-8", body: flagPage.replace("__CONFIG__", config) },
    "/bucket.html": { type: "text/html; charset=utf-8", body: bucketPage },
    "/sdk.js": { type: "text/javascript; charset=utf-8", body: sdk },
    "/core.js": { type: "text/javascript; charset=utf-8", body: core },
    "/bucket-vectors.json": { type: "application/json", body: readFileSync(vectorsPath) },
  });
});

afterAll(async () => {
  await chromium?.then((browser) => browser.close(), () => {});
  await pages?.close();
  await stopAllServers();
});

/** Collects what would otherwise go unnoticed: uncaught errors in the page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  return errors;
}

describe("browser SDK in Chromium", () => {
  it("shows a flag's value and follows a toggle through the admin API without a reload (cross-origin stream)", async () => {
    await admin.createFlag({ key: "new-banner", clientVisible: true });
    await admin.configure("new-banner", {
      enabled: true,
      rules: [{ clauses: [{ attribute: "plan", op: "in", values: ["pro"] }], serve: { variant: "on" } }],
      fallthrough: { variant: "off" },
    });
    const page = await (await chromium).context.newPage();
    const errors = watchErrors(page);
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    const stream = page.waitForResponse((response) => response.url().startsWith(`${server.url}/client/v1/stream`), { timeout: DOM_TIMEOUT_MS });
    try {
      await page.goto(`${pages.url}/`, { timeout: DOM_TIMEOUT_MS });
      expect(new URL(pages.url).origin).not.toBe(new URL(server.url).origin);

      const streamed = await stream;
      expect(streamed.status()).toBe(200);
      expect((await streamed.request().allHeaders())["origin"]).toBe(new URL(pages.url).origin);
      expect(["*", new URL(pages.url).origin]).toContain(streamed.headers()["access-control-allow-origin"]);

      const value = page.locator("#value");
      await page.waitForFunction(() => document.getElementById("value")?.dataset.state === "ready", null, { timeout: DOM_TIMEOUT_MS });
      expect(await value.textContent()).toBe("on");
      await page.screenshot({ path: `${screenshots}/browser-flag-on.png` });

      /** Toggles through the admin API and waits for the DOM to show `expected`; returns how long that took. */
      const toggle = async (action: () => Promise<unknown>, expected: string) => {
        const shown = page.waitForFunction((text) => document.getElementById("value")?.textContent === text, expected, { timeout: DOM_TIMEOUT_MS, polling: 10 });
        const sent = performance.now();
        await action();
        await shown;
        return performance.now() - sent;
      };

      const killMs = await toggle(() => admin.kill("new-banner", "e2e browser toggle"), "off");
      await page.screenshot({ path: `${screenshots}/browser-flag-off.png` });
      const unkillMs = await toggle(() => admin.unkill("new-banner", "e2e browser toggle"), "on");
      console.log(`browser: toggle -> DOM text ${ms(killMs)} (kill), ${ms(unkillMs)} (unkill); screenshots in ${screenshots}`);

      expect(await page.locator("#changes").textContent()).toBe("2");
      expect(await page.locator("#status").textContent()).toBe("ready");
      expect(navigations).toBe(1); // the first load only: the value changed in place
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("buckets every vector of core's bucket-vectors.json exactly as recorded", async () => {
    const vectors = JSON.parse(readFileSync(vectorsPath, "utf8")) as Vector[];
    expect(vectors.length).toBeGreaterThanOrEqual(60);
    const page = await (await chromium).context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(`${pages.url}/bucket.html`, { timeout: DOM_TIMEOUT_MS });
      await page.waitForFunction(() => (window as unknown as { bucketResults?: unknown }).bucketResults !== undefined, null, { timeout: DOM_TIMEOUT_MS });
      const results = await page.evaluate(() => (window as unknown as { bucketResults: unknown }).bucketResults);
      expect(errors).toEqual([]);
      expect(results).toEqual(vectors.map(({ hash, bucket }) => ({ hash, bucket })));
      console.log(`browser: ${vectors.length} bucket vectors match (${await page.evaluate(() => navigator.userAgent)})`);
    } finally {
      await page.close();
    }
  });
});
