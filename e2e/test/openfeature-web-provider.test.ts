/**
 * Our OpenFeature web provider in real headless Chromium: a page built with `@openfeature/web-sdk`
 * and `SwitchyardWebProvider` (e2e/support/openfeature-page.ts), served from another origin than a
 * real server process. Initial values and reasons; a change made through the admin API arriving
 * as PROVIDER_CONFIGURATION_CHANGED with the changed key; `OpenFeature.setContext` re-evaluating
 * (RECONCILING, then CONTEXT_CHANGED); a kill serving the off variant with reason DISABLED and
 * metadata `killed` (a client key is not told why).
 *
 * Chromium missing is a failure, not a skip: `node scripts/ensure-test-tools.mjs` installs it.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admin } from "../support/admin.js";
import { launchChromium, serveStatic, type Chromium, type StaticServer } from "../support/browser.js";
import { bundleOpenFeaturePage, openFeaturePage, type OpenFeaturePageApi } from "../support/openfeature-page.js";
import { startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

const screenshots = fileURLToPath(new URL("../../test-results/screenshots", import.meta.url));
const DOM_TIMEOUT_MS = 10_000;

let server: ServerProcess;
let admin: Admin;
let chromium: Promise<Chromium>;
let pages: StaticServer;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  chromium = launchChromium();
  chromium.catch(() => {}); // reported by the tests
  server = await startServer();
  admin = await Admin.login(server.url);
  await admin.createFlag({ key: "of-banner", clientVisible: true });
  await admin.configure("of-banner", { enabled: true });
  await admin.createFlag({
    key: "of-color",
    kind: "string",
    clientVisible: true,
    variants: [
      { key: "blue", value: "blue" },
      { key: "gold", value: "gold" },
      { key: "grey", value: "grey" },
    ],
  });
  await admin.configure("of-color", {
    enabled: true,
    rules: [{ clauses: [{ attribute: "plan", op: "in", values: ["pro"] }], serve: { variant: "gold" } }],
    fallthrough: { variant: "blue" },
    offVariant: "grey",
  });
  await admin.createFlag({ key: "of-server-only" });
  await admin.configure("of-server-only", { enabled: true });
  const config = { url: server.url, clientKey: await admin.clientKey(), context: { targetingKey: "user-7", plan: "free" }, flags: { "of-banner": "boolean", "of-color": "string" } } as const;
  pages = await serveStatic({
    "/": { type: "text/html; charset=utf-8", body: openFeaturePage(config) },
    "/page.js": { type: "text/javascript; charset=utf-8", body: await bundleOpenFeaturePage() },
  });
});

afterAll(async () => {
  await chromium?.then((browser) => browser.close(), () => {});
  await pages?.close();
  await stopAllServers();
});

type PageWindow = Window & OpenFeaturePageApi;

const details = (page: Page, key: string, type: "boolean" | "string", defaultValue: unknown) =>
  page.evaluate(([key, type, defaultValue]) => (window as unknown as PageWindow).ofDetails(key as string, type as "boolean", defaultValue), [key, type, defaultValue] as const);
const events = (page: Page) => page.evaluate(() => (window as unknown as PageWindow).ofEvents);

/** Waits for a PROVIDER_CONFIGURATION_CHANGED naming `key`, after the first `after` events. */
const changed = (page: Page, key: string, after: number) =>
  page.waitForFunction(
    ([key, after]) => (window as unknown as PageWindow).ofEvents.slice(after as number).some((e) => e.type === "PROVIDER_CONFIGURATION_CHANGED" && e.flagsChanged?.includes(key as string)),
    [key, after] as const,
    { timeout: DOM_TIMEOUT_MS, polling: 20 },
  );

describe("SwitchyardWebProvider in Chromium", () => {
  it("serves values and reasons, follows API changes and context changes, and reports a kill as DISABLED", async () => {
    const page = await (await chromium).context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    try {
      await page.goto(`${pages.url}/`, { timeout: DOM_TIMEOUT_MS });
      expect(new URL(pages.url).origin).not.toBe(new URL(server.url).origin);
      await page.waitForFunction(() => (window as unknown as PageWindow).ofReady !== undefined, null, { timeout: DOM_TIMEOUT_MS });
      expect(await page.evaluate(() => (window as unknown as PageWindow).ofReady)).toBe(true);
      expect(await page.evaluate(() => (window as unknown as PageWindow).ofStatus())).toBe("READY");

      // Initial values, evaluated by the server for the page's context.
      expect(await details(page, "of-banner", "boolean", false)).toEqual({ flagKey: "of-banner", value: true, variant: "on", reason: "STATIC", flagMetadata: {} });
      expect(await details(page, "of-color", "string", "red")).toMatchObject({ value: "blue", variant: "blue", reason: "DEFAULT" });
      // Not client-visible: not in the page at all.
      expect(await details(page, "of-server-only", "boolean", false)).toMatchObject({ value: false, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
      expect(await details(page, "of-color", "boolean", false)).toMatchObject({ value: false, reason: "ERROR", errorCode: "TYPE_MISMATCH" });

      // A change through the admin API.
      let seen = (await events(page)).length;
      const bannerChanged = changed(page, "of-banner", seen);
      await admin.configure("of-banner", { fallthrough: { variant: "off" } });
      await bannerChanged;
      expect(await details(page, "of-banner", "boolean", true)).toMatchObject({ value: false, variant: "off", reason: "STATIC" });

      // A context change re-evaluates: reconciling, then context changed, with the new values in.
      seen = (await events(page)).length;
      await page.evaluate(() => (window as unknown as PageWindow).ofSetContext({ targetingKey: "user-7", plan: "pro" }));
      expect((await events(page)).slice(seen).map((e) => e.type)).toEqual(["PROVIDER_RECONCILING", "PROVIDER_CONTEXT_CHANGED"]);
      expect(await details(page, "of-color", "string", "red")).toMatchObject({ value: "gold", variant: "gold", reason: "TARGETING_MATCH", flagMetadata: { ruleIndex: 0 } });
      expect(await page.evaluate(() => (window as unknown as PageWindow).ofStatus())).toBe("READY");

      // A kill: the off variant's value, reason DISABLED, metadata killed.
      seen = (await events(page)).length;
      const colorChanged = changed(page, "of-color", seen);
      await admin.kill("of-color", "e2e openfeature kill");
      await colorChanged;
      expect(await details(page, "of-color", "string", "red")).toEqual({ flagKey: "of-color", value: "grey", variant: "grey", reason: "DISABLED", flagMetadata: { killed: true } }); // a client key is not told why
      await page.screenshot({ path: `${screenshots}/openfeature-web-provider.png` });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
