/**
 * The official OpenFeature OFREP web provider (`@openfeature/ofrep-web-provider` 0.4.3 with
 * `@openfeature/web-sdk`) in headless Chromium against the real server process, from another
 * origin with a client key, so every request goes through CORS:
 *
 * - the initial bulk load: values, variants and reasons;
 * - polling with ETag / If-None-Match: 304 while nothing changes for the context, also after an
 *   edit that changes nothing for it; a change fires PROVIDER_CONFIGURATION_CHANGED for its key;
 * - the advertised SSE stream: a change triggers a refetch and the event (latency printed, never
 *   asserted: it depends on the machine);
 * - a context change re-evaluates for the new context.
 */
import type { EvaluationContext, EvaluationDetails, FlagValue } from "@openfeature/web-sdk";
import type { OFREPWebProviderOptions } from "@openfeature/ofrep-web-provider";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admin, evaluateOnServer } from "../support/admin.js";
import { launchChromium, serveStatic, type Chromium, type StaticServer } from "../support/browser.js";
import { bundleOfrepWebProvider, type OfrepPageGlobals } from "../support/ofrep.js";
import { ms, waitUntil } from "../support/sdk.js";
import { startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

const WAIT_MS = 10_000;
const POLL_INTERVAL_MS = 300;
const SSE_TOGGLES = 6;
const KILL_REASON = "e2e sse kill";

/** What the page records: provider events, with the wall-clock time (ms since the epoch) they fired. */
interface PageEvent {
  type: string;
  flagsChanged?: string[];
  message?: string;
  at: number;
}

interface OfrepWindow {
  ofrep: OfrepPageGlobals;
  ofrepEvents: PageEvent[];
  ofrepStreamOpens: { url: string; at: number }[];
  /** When each event stream message reached the page. */
  ofrepStreamMessages: number[];
}

/** A bulk evaluation the page made, as the network saw it. */
interface BulkCall {
  status: number;
  url: string;
  ifNoneMatch: string | undefined;
  etag: string | undefined;
  allowOrigin: string | undefined;
}

const pageHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OFREP web provider</title></head>
<body><script type="module" src="/ofrep.js"></script></body></html>`;

let server: ServerProcess;
let admin: Admin;
let chromium: Promise<Chromium>;
let pages: StaticServer;
let clientKey: string;

const pro = { targetingKey: "user-7", plan: "pro" };
const theme = { mode: "dark", accents: ["teal"] };

beforeAll(async () => {
  chromium = launchChromium();
  chromium.catch(() => {}); // reported by the tests
  server = await startServer();
  admin = await Admin.login(server.url);
  clientKey = await admin.clientKey();

  await admin.createFlag({ key: "web-banner", clientVisible: true });
  await admin.configure("web-banner", {
    enabled: true,
    rules: [{ clauses: [{ attribute: "plan", op: "in", values: ["pro"] }], serve: { variant: "on" } }],
    fallthrough: { variant: "off" },
  });
  await admin.createFlag({ key: "web-color", kind: "string", clientVisible: true, variants: [{ key: "teal", value: "teal" }, { key: "coral", value: "coral" }] });
  await admin.configure("web-color", { enabled: true });
  await admin.createFlag({ key: "web-limit", kind: "number", clientVisible: true, variants: [{ key: "small", value: 10 }, { key: "large", value: 100 }] });
  await admin.configure("web-limit", { enabled: true, fallthrough: { rollout: { variants: [{ variant: "small", weight: 50_000 }, { variant: "large", weight: 50_000 }] } } });
  await admin.createFlag({ key: "web-theme", kind: "json", clientVisible: true, variants: [{ key: "dark", value: theme }, { key: "light", value: { mode: "light" } }] });
  await admin.configure("web-theme", { enabled: true });
  await admin.createFlag({ key: "web-dormant", clientVisible: true });
  await admin.createFlag({ key: "web-switch", clientVisible: true });
  await admin.configure("web-switch", { enabled: true });
  await admin.createFlag({ key: "web-bystander", clientVisible: true });
  await admin.configure("web-bystander", { enabled: true, targets: [{ variant: "off", values: ["someone-else"] }] });
  // Not visible to client keys: the page must not see it.
  await admin.createFlag({ key: "web-hidden" });
  await admin.configure("web-hidden", { enabled: true });

  const bundle = await bundleOfrepWebProvider();
  pages = await serveStatic({
    "/": { type: "text/html; charset=utf-8", body: pageHtml },
    "/ofrep.js": { type: "text/javascript; charset=utf-8", body: bundle },
  });
});

afterAll(async () => {
  await chromium?.then((browser) => browser.close(), () => {});
  await pages?.close();
  await stopAllServers();
});

const now = () => performance.timeOrigin + performance.now();

interface OpenedPage {
  page: Page;
  errors: string[];
  bulkCalls: BulkCall[];
}

/** A new page from the static origin, with the bundle loaded and the bulk calls recorded. */
async function openPage(): Promise<OpenedPage> {
  const page = await (await chromium).context.newPage();
  const errors: string[] = [];
  const bulkCalls: BulkCall[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("response", (response) => {
    const request = response.request();
    if (request.method() !== "POST" || !response.url().startsWith(`${server.url}/ofrep/v1/evaluate/flags`)) return;
    bulkCalls.push({
      status: response.status(),
      url: response.url(),
      ifNoneMatch: request.headers()["if-none-match"],
      etag: response.headers()["etag"],
      allowOrigin: response.headers()["access-control-allow-origin"],
    });
  });
  await page.goto(`${pages.url}/`, { timeout: WAIT_MS });
  await page.waitForFunction(() => (window as unknown as Partial<OfrepWindow>).ofrep !== undefined, null, { timeout: WAIT_MS });
  return { page, errors, bulkCalls };
}

/** Sets up the official provider in the page (client key, cache off) and waits until it is ready. */
async function startProvider(page: Page, context: EvaluationContext, options: Partial<OFREPWebProviderOptions> = {}): Promise<void> {
  const providerOptions = { baseUrl: server.url, headers: [["Authorization", `Bearer ${clientKey}`]], cacheMode: "disabled", ...options };
  await page.evaluate(
    async ({ providerOptions, context }) => {
      const w = window as unknown as OfrepWindow;
      const { OpenFeature, ProviderEvents, OFREPWebProvider } = w.ofrep;
      w.ofrepEvents = [];
      w.ofrepStreamOpens = [];
      w.ofrepStreamMessages = [];
      // Records when an EventSource opens and when its messages arrive (the provider uses the global constructor).
      const NativeEventSource = window.EventSource;
      window.EventSource = class extends NativeEventSource {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          this.addEventListener("open", () => w.ofrepStreamOpens.push({ url: String(url), at: performance.timeOrigin + performance.now() }));
          this.addEventListener("message", () => w.ofrepStreamMessages.push(performance.timeOrigin + performance.now()));
        }
      };
      for (const type of [ProviderEvents.Ready, ProviderEvents.ConfigurationChanged, ProviderEvents.ContextChanged, ProviderEvents.Stale, ProviderEvents.Error]) {
        OpenFeature.addHandler(type, (details) => {
          const changed = (details as { flagsChanged?: string[] } | undefined)?.flagsChanged;
          w.ofrepEvents.push({ type, flagsChanged: changed ? [...changed] : undefined, message: details?.message, at: performance.timeOrigin + performance.now() });
        });
      }
      await OpenFeature.setProviderAndWait(new OFREPWebProvider(providerOptions as OFREPWebProviderOptions), context as EvaluationContext);
    },
    // Plain JSON for playwright's serializer (its types recurse too deeply into EvaluationContext).
    { providerOptions: providerOptions as unknown, context: context as unknown },
  );
}

/** Evaluation details from the page's OpenFeature client; the default's type picks the method. */
function details<T extends FlagValue>(page: Page, flagKey: string, defaultValue: T): Promise<EvaluationDetails<T>> {
  return page.evaluate(
    ({ flagKey, defaultValue: value }) => {
      const client = (window as unknown as OfrepWindow).ofrep.OpenFeature.getClient();
      const defaultValue = value as FlagValue;
      if (typeof defaultValue === "boolean") return client.getBooleanDetails(flagKey, defaultValue);
      if (typeof defaultValue === "string") return client.getStringDetails(flagKey, defaultValue);
      if (typeof defaultValue === "number") return client.getNumberDetails(flagKey, defaultValue);
      return client.getObjectDetails(flagKey, defaultValue as never);
    },
    { flagKey, defaultValue: defaultValue as unknown },
  ) as Promise<EvaluationDetails<T>>;
}

const events = (page: Page) => page.evaluate(() => (window as unknown as OfrepWindow).ofrepEvents);

/** Waits until the page recorded `count` events of `type`; returns them. */
async function waitForEvents(page: Page, type: string, count: number): Promise<PageEvent[]> {
  await page.waitForFunction(({ type, count }) => (window as unknown as OfrepWindow).ofrepEvents.filter((event) => event.type === type).length >= count, { type, count }, { timeout: WAIT_MS, polling: 5 });
  return (await events(page)).filter((event) => event.type === type);
}

/** Waits (bounded) until `condition` holds for the recorded bulk calls. */
async function waitForCalls(calls: BulkCall[], condition: (calls: BulkCall[]) => boolean, what: string): Promise<void> {
  await waitUntil(() => condition(calls), WAIT_MS, () => `${what}; bulk calls: ${JSON.stringify(calls.map(({ status, ifNoneMatch }) => ({ status, ifNoneMatch })))}`);
}

describe("@openfeature/ofrep-web-provider 0.4.3 in Chromium", () => {
  it("loads every client-visible flag in one bulk call, cross-origin, with OpenFeature's values, variants and reasons", async () => {
    const { page, errors, bulkCalls } = await openPage();
    try {
      expect(new URL(pages.url).origin).not.toBe(new URL(server.url).origin);
      await startProvider(page, pro, { changeDetection: "none" });

      await waitForCalls(bulkCalls, (calls) => calls.length === 1, "the initial bulk call");
      expect(bulkCalls[0]).toMatchObject({ status: 200, ifNoneMatch: undefined });
      expect(bulkCalls[0]!.etag).toMatch(/^"[^"]+"$/);
      expect(["*", new URL(pages.url).origin]).toContain(bulkCalls[0]!.allowOrigin);

      expect(await details(page, "web-banner", false)).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH", flagMetadata: { ruleIndex: 0 } });
      expect(await details(page, "web-color", "none")).toMatchObject({ value: "teal", variant: "teal", reason: "STATIC" });
      const expected = (await evaluateOnServer(server.url, clientKey, pro)).flags["web-limit"]!;
      expect(await details(page, "web-limit", -1)).toMatchObject({ value: expected.value, variant: expected.variant, reason: "SPLIT" });
      expect(await details(page, "web-theme", {})).toMatchObject({ value: theme, variant: "dark", reason: "STATIC" });
      expect(await details(page, "web-dormant", true)).toMatchObject({ value: false, variant: "off", reason: "DISABLED" });
      expect(await details(page, "web-hidden", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
      expect(await details(page, "web-color", 0)).toMatchObject({ value: 0, reason: "ERROR", errorCode: "TYPE_MISMATCH" });

      expect((await events(page)).map((event) => event.type)).toEqual(["PROVIDER_READY"]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("polls with If-None-Match and gets 304 while nothing changes for its context, also after an edit that changes nothing for it", async () => {
    const { page, errors, bulkCalls } = await openPage();
    try {
      await startProvider(page, pro, { changeDetection: "polling", pollInterval: POLL_INTERVAL_MS });
      const etag = bulkCalls[0]!.etag;
      expect(bulkCalls[0]!.status).toBe(200);
      expect(etag).toMatch(/^"[^"]+"$/);

      await waitForCalls(bulkCalls, (calls) => calls.length >= 4, "three polls");
      for (const poll of bulkCalls.slice(1)) expect(poll).toMatchObject({ status: 304, ifNoneMatch: etag });

      // Another context key targeted: no value changes for user-7.
      await admin.configure("web-bystander", { targets: [{ variant: "off", values: ["someone-else", "another-one"] }] });
      const afterEdit = bulkCalls.length;
      await waitForCalls(bulkCalls, (calls) => calls.length >= afterEdit + 3, "three polls after the edit");
      for (const poll of bulkCalls.slice(1)) expect(poll).toMatchObject({ status: 304, ifNoneMatch: etag, etag });

      expect((await events(page)).map((event) => event.type)).toEqual(["PROVIDER_READY"]);
      expect(errors).toEqual([]);
      console.log(`ofrep web (polling every ${POLL_INTERVAL_MS} ms): ${bulkCalls.length - 1} polls, all 304`);
    } finally {
      await page.close();
    }
  });

  it("fires PROVIDER_CONFIGURATION_CHANGED with exactly the changed key when a poll sees a change, and serves the new value", async () => {
    const { page, errors, bulkCalls } = await openPage();
    try {
      await startProvider(page, pro, { changeDetection: "polling", pollInterval: POLL_INTERVAL_MS });
      const firstEtag = bulkCalls[0]!.etag;

      const sent = now();
      await admin.configure("web-color", { fallthrough: { variant: "coral" } });
      const [changed] = await waitForEvents(page, "PROVIDER_CONFIGURATION_CHANGED", 1);
      expect(changed!.flagsChanged).toEqual(["web-color"]);
      expect(await details(page, "web-color", "none")).toMatchObject({ value: "coral", variant: "coral", reason: "STATIC" });
      expect(await details(page, "web-banner", false)).toMatchObject({ value: true, reason: "TARGETING_MATCH" });

      const changing = bulkCalls.find((call) => call.status === 200 && call.ifNoneMatch === firstEtag)!;
      expect(changing.etag).not.toBe(firstEtag);
      // Then back to 304, now against the new ETag.
      await waitForCalls(bulkCalls, (calls) => calls.at(-1)!.ifNoneMatch === changing.etag, "a poll with the new ETag");
      expect(bulkCalls.at(-1)).toMatchObject({ status: 304, etag: changing.etag });
      expect((await events(page)).filter((event) => event.type === "PROVIDER_CONFIGURATION_CHANGED")).toHaveLength(1);
      expect(errors).toEqual([]);
      console.log(`ofrep web (polling every ${POLL_INTERVAL_MS} ms): admin call -> PROVIDER_CONFIGURATION_CHANGED ${ms(changed!.at - sent)}`);
    } finally {
      await page.close();
    }
  });

  it("connects to the advertised SSE stream, refetches on each change and fires PROVIDER_CONFIGURATION_CHANGED", async () => {
    const { page, errors, bulkCalls } = await openPage();
    const streamResponse = page.waitForResponse((response) => response.url().startsWith(`${server.url}/ofrep/v1/events`), { timeout: WAIT_MS });
    streamResponse.catch(() => {}); // awaited below; the page may close first when the test fails
    try {
      await startProvider(page, pro); // changeDetection 'sse' by default, no polling
      const stream = await streamResponse;
      expect(stream.status()).toBe(200);
      expect(["*", new URL(pages.url).origin]).toContain(stream.headers()["access-control-allow-origin"]);
      await page.waitForFunction(() => (window as unknown as OfrepWindow).ofrepStreamOpens.length > 0, null, { timeout: WAIT_MS });
      const opens = await page.evaluate(() => (window as unknown as OfrepWindow).ofrepStreamOpens);
      expect(opens).toHaveLength(1);
      expect(opens[0]!.url).toMatch(new RegExp(`^${server.url}/ofrep/v1/events\\?token=`));
      // The stream's first message (sent to every new connection) makes one refetch, answered 304.
      await waitForCalls(bulkCalls, (calls) => calls.length === 2, "the refetch the stream's first message asks for");
      expect(bulkCalls[1]).toMatchObject({ status: 304, ifNoneMatch: bulkCalls[0]!.etag });

      const latencies: number[] = [];
      const messageLatencies: number[] = [];
      for (let i = 0; i < SSE_TOGGLES; i++) {
        const kill = i % 2 === 0;
        const sent = now();
        await (kill ? admin.kill("web-switch", KILL_REASON) : admin.unkill("web-switch", KILL_REASON));
        const changes = await waitForEvents(page, "PROVIDER_CONFIGURATION_CHANGED", i + 1);
        const event = changes[i]!;
        latencies.push(event.at - sent);
        const messages = await page.evaluate(() => (window as unknown as OfrepWindow).ofrepStreamMessages);
        expect(messages).toHaveLength(i + 2);
        messageLatencies.push(messages[i + 1]! - sent);
        expect(event.flagsChanged).toEqual(["web-switch"]);
        expect(await details(page, "web-switch", !kill)).toMatchObject(
          kill
            ? { value: false, variant: "off", reason: "DISABLED", flagMetadata: { killed: true } } // a client key is not told why
            : { value: true, variant: "on", reason: "STATIC", flagMetadata: {} },
        );
      }

      // Every bulk call after those two was a refetch the stream asked for (no polling), with the
      // ETag it had and the event's metadata.
      expect(bulkCalls).toHaveLength(2 + SSE_TOGGLES);
      for (const [i, call] of bulkCalls.slice(2).entries()) {
        expect(call).toMatchObject({ status: 200, ifNoneMatch: bulkCalls[i + 1]!.etag });
        expect(new URL(call.url).searchParams.get("flagConfigEtag")).toMatch(/^"\d+"$/);
      }

      // A change that changes nothing for this context: a refetch answered 304, no event.
      await admin.configure("web-bystander", { targets: [{ variant: "off", values: ["someone-else"] }] });
      await waitForCalls(bulkCalls, (calls) => calls.length === 3 + SSE_TOGGLES, "the refetch after an unrelated edit");
      expect(bulkCalls.at(-1)).toMatchObject({ status: 304, ifNoneMatch: bulkCalls.at(-2)!.etag });
      expect((await events(page)).filter((event) => event.type === "PROVIDER_CONFIGURATION_CHANGED")).toHaveLength(SSE_TOGGLES);
      expect((await events(page)).filter((event) => event.type === "PROVIDER_STALE" || event.type === "PROVIDER_ERROR")).toEqual([]);
      expect(errors).toEqual([]);

      const summary = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        return `min ${ms(sorted[0]!)}, median ${ms(sorted[Math.floor(sorted.length / 2)]!)}, max ${ms(sorted.at(-1)!)}`;
      };
      console.log(
        `ofrep web (sse) over ${SSE_TOGGLES} kill/unkill: admin call sent -> refetchEvaluation message in the page ${summary(messageLatencies)}; ` +
          `-> PROVIDER_CONFIGURATION_CHANGED ${summary(latencies)} (after the provider's 50 ms debounce and the bulk refetch)`,
      );
    } finally {
      await page.close();
    }
  });

  it("re-evaluates for a new context on OpenFeature.setContext", async () => {
    const { page, errors, bulkCalls } = await openPage();
    try {
      await startProvider(page, pro, { changeDetection: "none" });
      expect(await details(page, "web-banner", false)).toMatchObject({ value: true, reason: "TARGETING_MATCH" });

      const other = { targetingKey: "user-8", plan: "free" };
      await page.evaluate((context) => (window as unknown as OfrepWindow).ofrep.OpenFeature.setContext(context), other);
      expect(await details(page, "web-banner", true)).toMatchObject({ value: false, variant: "off", reason: "DEFAULT" });
      const expected = (await evaluateOnServer(server.url, clientKey, other)).flags["web-limit"]!;
      expect(await details(page, "web-limit", -1)).toMatchObject({ value: expected.value, variant: expected.variant, reason: "SPLIT" });
      await waitForEvents(page, "PROVIDER_CONTEXT_CHANGED", 1);

      // The same targetingKey with other attributes: the provider keeps its ETag, the values differ, so 200.
      const upgraded = { targetingKey: "user-8", plan: "pro" };
      await page.evaluate((context) => (window as unknown as OfrepWindow).ofrep.OpenFeature.setContext(context), upgraded);
      await waitForCalls(bulkCalls, (calls) => calls.length === 3, "the bulk call for the upgraded context");
      expect(bulkCalls.at(-1)).toMatchObject({ status: 200, ifNoneMatch: bulkCalls.at(-2)!.etag });
      expect(await details(page, "web-banner", false)).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });
      // And once more with the same context: 304, values kept.
      await page.evaluate((context) => (window as unknown as OfrepWindow).ofrep.OpenFeature.setContext(context), { ...upgraded });
      await waitForCalls(bulkCalls, (calls) => calls.length === 4, "the bulk call for the same context again");
      expect(bulkCalls.at(-1)).toMatchObject({ status: 304, ifNoneMatch: bulkCalls.at(-2)!.etag });
      expect(await details(page, "web-banner", false)).toMatchObject({ value: true, reason: "TARGETING_MATCH" });

      expect(bulkCalls.map((call) => call.status)).toEqual([200, 200, 200, 304]);
      expect((await events(page)).filter((event) => event.type === "PROVIDER_ERROR")).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
