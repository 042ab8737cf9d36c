/**
 * SwitchyardProvider through the official @openfeature/server-sdk, against the real server on a
 * socket: values, reasons, variants and metadata; errors; events for a change in the API, for the
 * server going away and coming back, and for a key revoked at runtime; track(); close.
 */
import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus, type EventDetails, type Client as OpenFeatureClient } from "@openfeature/server-sdk";
import { createClient, type Client } from "@switchyard/sdk";
import { SwitchyardProvider, type SwitchyardProviderOptions } from "../src/server.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { quietLogger, startServer, waitUntil, type RunningServer } from "./support/server.js";

let server: RunningServer;
const logger = quietLogger();
let domains = 0;

beforeAll(async () => {
  server = await startServer();
  OpenFeature.setLogger(logger);
  await server.createFlag("bool-flag");
  await server.configure("bool-flag", { enabled: true });
  await server.createFlag("string-flag", { kind: "string", variants: { greeting: "hi", parting: "bye" } });
  await server.configure("string-flag", { enabled: true });
  await server.createFlag("number-flag", { kind: "number", variants: { ten: 10, half: 0.5 } });
  await server.configure("number-flag", { enabled: true });
  await server.createFlag("object-flag", { kind: "json", variants: { layout: { columns: 3, dense: true }, list: [1, 2], nothing: null } });
  await server.configure("object-flag", { enabled: true });
  await server.createFlag("targeted-flag", { kind: "string", variants: { pro: "pro", beta: "beta", free: "free" } });
  await server.configure("targeted-flag", {
    enabled: true,
    targets: [{ variant: "beta", values: ["tester-1"] }],
    rules: [
      { clauses: [{ attribute: "plan", op: "in", values: ["pro"] }], serve: { variant: "pro" } },
      { clauses: [{ attribute: "signedUp", op: "startsWith", values: ["2024-"] }], serve: { variant: "beta" } },
    ],
    fallthrough: { variant: "free" },
  });
  await server.createFlag("split-flag");
  await server.configure("split-flag", { enabled: true, fallthrough: { rollout: { variants: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } } });
  await server.createFlag("list-flag", { kind: "json", variants: { list: [1, 2] } });
  await server.configure("list-flag", { enabled: true });
  await server.createFlag("null-flag", { kind: "json", variants: { nothing: null } });
  await server.configure("null-flag", { enabled: true });
  await server.createFlag("disabled-flag");
  await server.createFlag("killed-flag", { kind: "string", variants: { full: "full", safe: "safe" } });
  await server.configure("killed-flag", { enabled: true });
  await server.kill("killed-flag", "error spike");
});

afterAll(async () => {
  await OpenFeature.close();
  await server?.close();
});

/** Providers registered by a test, closed after it. */
afterEach(async () => {
  await OpenFeature.clearProviders();
  OpenFeature.clearHandlers();
});

/** A provider registered under a domain of its own, the OpenFeature client for that domain, and the events it heard. */
async function start(options: Partial<SwitchyardProviderOptions> = {}, wait = true) {
  const domain = `test-${++domains}`;
  const provider = new SwitchyardProvider({ url: server.url, sdkKey: server.serverKey(), logger: {}, ...options } as SwitchyardProviderOptions);
  const events: { type: string; details?: EventDetails }[] = [];
  const registered = wait ? OpenFeature.setProviderAndWait(domain, provider) : OpenFeature.setProvider(domain, provider);
  // Added after the provider, so that no handler runs at once for the default provider's status.
  const client = OpenFeature.getClient(domain);
  for (const type of Object.values(ProviderEvents)) client.addHandler(type, (details) => void events.push({ type, details }));
  await registered;
  return { domain, provider, client, events, types: () => events.map((event) => event.type) };
}

describe("evaluation", () => {
  let client: OpenFeatureClient;
  beforeEach(async () => {
    ({ client } = await start());
  });

  it("resolves boolean, string, number and object flags with their variant and reason STATIC", async () => {
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(client.metadata.providerMetadata.name).toBe("Switchyard");
    expect(await client.getBooleanDetails("bool-flag", false)).toEqual({ flagKey: "bool-flag", value: true, variant: "on", reason: "STATIC", flagMetadata: {} });
    expect(await client.getStringDetails("string-flag", "x")).toMatchObject({ value: "hi", variant: "greeting", reason: "STATIC" });
    expect(await client.getNumberDetails("number-flag", 0)).toMatchObject({ value: 10, variant: "ten", reason: "STATIC" });
    expect(await client.getObjectDetails("object-flag", {})).toMatchObject({ value: { columns: 3, dense: true }, variant: "layout", reason: "STATIC" });
    expect(await client.getBooleanValue("bool-flag", false)).toBe(true);
  });

  it("gives TARGETING_MATCH (with ruleIndex for a rule) and DEFAULT, reading targetingKey and Date attributes", async () => {
    expect(await client.getStringDetails("targeted-flag", "x", { targetingKey: "u1", plan: "pro" })).toMatchObject({ value: "pro", variant: "pro", reason: "TARGETING_MATCH", flagMetadata: { ruleIndex: 0 } });
    expect(await client.getStringDetails("targeted-flag", "x", { targetingKey: "tester-1" })).toMatchObject({ value: "beta", reason: "TARGETING_MATCH", flagMetadata: {} });
    // A Date becomes the ISO string an OFREP request would carry.
    expect(await client.getStringDetails("targeted-flag", "x", { targetingKey: "u2", signedUp: new Date("2024-05-01T00:00:00Z") })).toMatchObject({ value: "beta", flagMetadata: { ruleIndex: 1 } });
    expect(await client.getStringDetails("targeted-flag", "x", { targetingKey: "u3", plan: "free" })).toMatchObject({ value: "free", variant: "free", reason: "DEFAULT" });
  });

  it("gives SPLIT for a percentage rollout, bucketed by targetingKey", async () => {
    const variants = new Set<string | undefined>();
    for (let i = 0; i < 40; i++) {
      const details = await client.getBooleanDetails("split-flag", false, { targetingKey: `user-${i}` });
      expect(details.reason).toBe("SPLIT");
      variants.add(details.variant);
      expect((await client.getBooleanDetails("split-flag", false, { targetingKey: `user-${i}` })).variant).toBe(details.variant);
    }
    expect(variants).toEqual(new Set(["on", "off"]));
  });

  it("gives DISABLED with the off variant's value for a disabled flag, and killed metadata for a killed one", async () => {
    expect(await client.getBooleanDetails("disabled-flag", true)).toMatchObject({ value: false, variant: "off", reason: "DISABLED", flagMetadata: {} });
    expect(await client.getStringDetails("killed-flag", "fallback")).toEqual({ flagKey: "killed-flag", value: "safe", variant: "safe", reason: "DISABLED", flagMetadata: { killed: true, killReason: "error spike" } });
  });

  it("gives the default with FLAG_NOT_FOUND for an unknown flag", async () => {
    expect(await client.getStringDetails("no-such-flag", "fallback")).toEqual({
      flagKey: "no-such-flag",
      value: "fallback",
      reason: "ERROR",
      errorCode: ErrorCode.FLAG_NOT_FOUND,
      errorMessage: "flag no-such-flag not found",
      flagMetadata: {},
    });
  });

  it("gives the default with TYPE_MISMATCH for a value of another type; objects take any JSON object, array or null", async () => {
    expect(await client.getNumberDetails("string-flag", 7)).toMatchObject({ value: 7, reason: "ERROR", errorCode: ErrorCode.TYPE_MISMATCH, errorMessage: "flag string-flag is string, not a number" });
    expect(await client.getBooleanDetails("number-flag", false)).toMatchObject({ value: false, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getStringDetails("bool-flag", "x")).toMatchObject({ value: "x", errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getObjectDetails("bool-flag", { a: 1 })).toMatchObject({ value: { a: 1 }, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getObjectDetails("list-flag", {})).toMatchObject({ value: [1, 2], reason: "STATIC" });
    expect(await client.getObjectDetails("null-flag", { a: 1 })).toMatchObject({ value: null, reason: "STATIC" });
  });

  it("never throws, even for a context it cannot read", async () => {
    const cyclic: Record<string, unknown> = { targetingKey: "u1", at: new Date(0) };
    cyclic.self = cyclic;
    expect(await client.getBooleanDetails("bool-flag", false, cyclic as never)).toMatchObject({ value: false, reason: "ERROR", errorCode: ErrorCode.INVALID_CONTEXT });
  });
});

describe("events", () => {
  it("emits PROVIDER_CONFIGURATION_CHANGED with flagsChanged after a change through the API", async () => {
    await server.createFlag("changing-flag", { kind: "string", variants: { before: "before", after: "after" } });
    await server.configure("changing-flag", { enabled: true });
    const { client, events } = await start();
    expect(await client.getStringValue("changing-flag", "x")).toBe("before");
    await server.configure("changing-flag", { fallthrough: { variant: "after" } });
    await waitUntil(() => events.some((e) => e.type === ProviderEvents.ConfigurationChanged), 5000, () => JSON.stringify(events));
    const changed = events.find((e) => e.type === ProviderEvents.ConfigurationChanged)!;
    expect(changed.details).toMatchObject({ flagsChanged: ["changing-flag"], providerName: "Switchyard" });
    expect(await client.getStringValue("changing-flag", "x")).toBe("after");
  });

  it("emits PROVIDER_STALE when the server is gone longer than staleAfterMs, and PROVIDER_READY when it is back", async () => {
    const { client, types } = await start({ url: server.gatedUrl, staleAfterMs: 300 });
    expect(types()).toEqual([ProviderEvents.Ready]);
    server.gate.shut();
    try {
      await waitUntil(() => types().includes(ProviderEvents.Stale), 5000, () => types().join());
      expect(client.providerStatus).toBe(ProviderStatus.STALE);
      // Still serving the last values.
      expect(await client.getBooleanDetails("bool-flag", false)).toMatchObject({ value: true, reason: "STATIC" });
    } finally {
      server.gate.open();
    }
    // The SDK's backoff reconnects within a few seconds.
    await waitUntil(() => types().length === 3, 10_000, () => types().join());
    expect(types()).toEqual([ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Ready]);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it("does not report a blip shorter than staleAfterMs", async () => {
    const sdkClient = createClient({ url: server.gatedUrl, sdkKey: server.serverKey(), logger: {} });
    const recovered: unknown[] = [];
    sdkClient.on("recovered", (status) => recovered.push(status));
    const { client, types } = await start({ client: sdkClient, staleAfterMs: 8000 });
    server.gate.shut();
    await waitUntil(() => sdkClient.status().state === "stale", 2000, () => sdkClient.status().state);
    server.gate.open();
    await waitUntil(() => recovered.length === 1, 8000, () => JSON.stringify(sdkClient.status()));
    expect(types()).toEqual([ProviderEvents.Ready]);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it("emits PROVIDER_ERROR (not fatal: the last values are still served) when the key is revoked at runtime", async () => {
    const { key, revoke } = await server.revocableKey();
    const { client, events, types } = await start({ sdkKey: key });
    await revoke();
    await waitUntil(() => types().includes(ProviderEvents.Error), 5000, () => types().join());
    expect(events.at(-1)!.details?.message).toMatch(/refused the key/);
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(await client.getBooleanDetails("bool-flag", false)).toMatchObject({ value: true, reason: "STATIC" });
  });
});

describe("initialize", () => {
  it("fails with PROVIDER_FATAL at once for a revoked key", async () => {
    const { key, revoke } = await server.revocableKey();
    await revoke();
    const started = Date.now();
    const domain = `test-${++domains}`;
    await expect(OpenFeature.setProviderAndWait(domain, new SwitchyardProvider({ url: server.url, sdkKey: key, logger: {}, timeoutMs: 20_000 }))).rejects.toMatchObject({ code: ErrorCode.PROVIDER_FATAL });
    expect(Date.now() - started).toBeLessThan(5000);
    const client = OpenFeature.getClient(domain);
    expect(client.providerStatus).toBe(ProviderStatus.FATAL);
    expect(await client.getBooleanDetails("bool-flag", false)).toMatchObject({ value: false, reason: "ERROR", errorCode: ErrorCode.PROVIDER_FATAL });
  });

  it("fails with PROVIDER_FATAL for options the SDK rejects", async () => {
    await expect(OpenFeature.setProviderAndWait(`test-${++domains}`, new SwitchyardProvider({ url: "", sdkKey: "" }))).rejects.toMatchObject({ code: ErrorCode.PROVIDER_FATAL });
  });

  it("fails with a general error (status ERROR) when there are no values within timeoutMs, and emits PROVIDER_READY once they arrive", async () => {
    server.gate.shut();
    let opened = false;
    try {
      const domain = `test-${++domains}`;
      const client = OpenFeature.getClient(domain);
      const ready: unknown[] = [];
      client.addHandler(ProviderEvents.Ready, (details) => void ready.push(details));
      await expect(OpenFeature.setProviderAndWait(domain, new SwitchyardProvider({ url: server.gatedUrl, sdkKey: server.serverKey(), logger: {}, timeoutMs: 300 }))).rejects.toMatchObject({
        code: ErrorCode.GENERAL,
      });
      expect(client.providerStatus).toBe(ProviderStatus.ERROR);
      // Nothing is known yet: not a missing flag.
      expect(await client.getBooleanDetails("bool-flag", false)).toMatchObject({ value: false, reason: "ERROR", errorCode: ErrorCode.PROVIDER_NOT_READY });
      server.gate.open();
      opened = true;
      await waitUntil(() => ready.length === 1, 10_000, () => client.providerStatus);
      expect(client.providerStatus).toBe(ProviderStatus.READY);
      expect(await client.getBooleanValue("bool-flag", false)).toBe(true);
      expect(await client.getBooleanDetails("no-such-flag", false)).toMatchObject({ errorCode: ErrorCode.FLAG_NOT_FOUND });
    } finally {
      if (!opened) server.gate.open();
    }
  });

  it("is PROVIDER_NOT_READY until initialize is done", async () => {
    server.gate.shut();
    try {
      const { client } = await start({ url: server.gatedUrl, timeoutMs: 60_000 }, false);
      expect(client.providerStatus).toBe(ProviderStatus.NOT_READY);
      expect(await client.getBooleanDetails("bool-flag", false)).toMatchObject({ value: false, reason: "ERROR", errorCode: ErrorCode.PROVIDER_NOT_READY });
    } finally {
      server.gate.open();
    }
  });
});

describe("track and close", () => {
  it("track() reaches the server's metrics under the variant each context is served, sent when the provider closes", async () => {
    await server.createFlag("tracked-flag");
    await server.configure("tracked-flag", { enabled: true, fallthrough: { rollout: { variants: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } } });
    const { client } = await start();
    const served = { on: 0, off: 0 };
    for (let i = 0; i < 60; i++) {
      const context = { targetingKey: `buyer-${i}` };
      served[(await client.getBooleanValue("tracked-flag", false, context)) ? "on" : "off"]++;
      client.track("checkout_ms", context, { value: 120 });
    }
    expect(served.on).toBeGreaterThan(5);
    expect(served.off).toBeGreaterThan(5);
    await OpenFeature.clearProviders();
    const scrape = await server.scrape();
    expect(scrape).toContain(`switchyard_sdk_track_events_total{environment="production",flag="tracked-flag",variant="on",metric="checkout_ms"} ${served.on}`);
    expect(scrape).toContain(`switchyard_sdk_track_events_total{environment="production",flag="tracked-flag",variant="off",metric="checkout_ms"} ${served.off}`);
    expect(scrape).toContain(`switchyard_sdk_evaluations_total{environment="production",flag="tracked-flag",variant="on"} ${served.on}`);
    expect(scrape).toContain(`switchyard_sdk_track_value_sum{environment="production",flag="tracked-flag",variant="off",metric="checkout_ms"} ${served.off * 120}`);
  });

  it("works with a client of your own, and closes it on close", async () => {
    const own: Client = createClient({ url: server.url, sdkKey: server.serverKey(), logger: {} });
    const { client } = await start({ client: own });
    expect(await client.getStringValue("string-flag", "x")).toBe("hi");
    await OpenFeature.clearProviders();
    expect(own.status()).toEqual({ state: "closed" });
  });

  it("set again after onClose: starts a new client from options, but refuses a client of your own that onClose closed", async () => {
    const fromOptions = await start();
    const ownClient: Client = createClient({ url: server.url, sdkKey: server.serverKey(), logger: {} });
    const own = await start({ client: ownClient });
    // Replacing a provider closes it; OpenFeature initializes it again when it is set again.
    for (const { domain } of [fromOptions, own]) await OpenFeature.setProviderAndWait(domain, new SwitchyardProvider({ url: server.url, sdkKey: server.serverKey(), logger: {} }));
    expect(ownClient.status()).toEqual({ state: "closed" });
    await OpenFeature.setProviderAndWait(fromOptions.domain, fromOptions.provider);
    expect(await fromOptions.client.getBooleanValue("bool-flag", false)).toBe(true);
    // A closed client would serve frozen values under status READY: FATAL says so instead.
    await expect(OpenFeature.setProviderAndWait(own.domain, own.provider)).rejects.toMatchObject({ code: ErrorCode.PROVIDER_FATAL, message: expect.stringMatching(/closed/) });
    expect(own.client.providerStatus).toBe(ProviderStatus.FATAL);
  });
});
