/**
 * SwitchyardWebProvider's logic through the official @openfeature/web-sdk, over a fake browser
 * client (the real one, in Chromium against a real server, is e2e/test/openfeature-web-provider.test.ts).
 */
import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus, type EvaluationContext } from "@openfeature/web-sdk";
import { createClient, type BrowserClient, type BrowserClientOptions, type ClientEvents, type ClientStatus, type EvaluationResult, type SdkError } from "@switchyard/sdk/browser";
import { SwitchyardWebProvider, type SwitchyardWebProviderOptions } from "../src/web.js";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { quietLogger, waitUntil } from "./support/server.js";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A browser client whose answers the test gives. */
class FakeBrowserClient implements BrowserClient {
  flags: Record<string, EvaluationResult> = {};
  current: ClientStatus = { state: "connecting" };
  readyAnswer = deferred<boolean>();
  switches: { context: unknown; answer: (arrived: boolean) => void }[] = [];
  tracked: [string, number | undefined][] = [];
  private listeners = new Map<string, Set<(payload: never) => void>>();

  constructor(readonly options: BrowserClientOptions) {}

  ready = () => this.readyAnswer.promise;
  isEnabled = (key: string, defaultValue = false) => (this.flags[key]?.value as boolean) ?? defaultValue;
  variant = <T>(key: string, defaultValue: T) => (this.flags[key]?.value ?? defaultValue) as never;
  evaluate = (key: string, defaultValue: unknown = null): EvaluationResult =>
    this.flags[key] ?? { value: defaultValue as never, variant: null, reason: "FLAG_NOT_FOUND", errorCode: "FLAG_NOT_FOUND" };
  allFlags = () => ({ ...this.flags });
  status = () => this.current;
  track = (name: string, value?: number) => void this.tracked.push([name, value]);

  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as never);
    return () => void set.delete(listener as never);
  }

  emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(payload as never);
  }

  setContext(context: Record<string, unknown>): Promise<boolean> {
    if ("bad" in context) {
      this.emit("error", { code: "invalid_context", message: "cannot be sent" } as SdkError);
      return Promise.resolve(false);
    }
    this.switches.at(-1)?.answer(false);
    const answer = deferred<boolean>();
    this.switches.push({ context, answer: answer.resolve });
    return answer.promise;
  }

  async close(): Promise<void> {
    this.current = { state: "closed" };
    this.switches.at(-1)?.answer(false);
  }

  /** Values arrived from the server: ready, with these flags. */
  serve(flags: Record<string, EvaluationResult>): void {
    this.flags = flags;
    this.current = { state: "ready", revision: 1 };
    this.readyAnswer.resolve(true);
  }

  refuse(code: "unauthorized" | "forbidden"): void {
    const error = { code, message: `the key was refused (${code === "unauthorized" ? 401 : 403})` } as SdkError;
    this.current = this.current.state === "ready" ? { state: "stale", revision: 1, ageMs: 0, error } : { state: "connecting", error };
    this.emit("error", error);
  }
}

const served = (value: unknown, variant: string, reason: EvaluationResult["reason"], extra: Partial<EvaluationResult> = {}): EvaluationResult => ({ value: value as never, variant, reason, ...extra });
const FLAGS = {
  banner: served(true, "on", "STATIC"),
  color: served("blue", "blue", "RULE_MATCH", { ruleIndex: 2 }),
  limit: served(10, "ten", "SPLIT"),
  layout: served({ columns: 3 }, "grid", "FALLTHROUGH"),
  killed: served("safe", "safe", "KILLED", { killReason: "error spike" }),
};

let fake: FakeBrowserClient;
let domains = 0;

beforeAll(() => OpenFeature.setLogger(quietLogger()));
afterEach(async () => {
  await OpenFeature.clearProviders();
  OpenFeature.clearHandlers();
  await OpenFeature.clearContexts();
});

/** Registers a provider over a fake client (under a domain of its own); `events` records what the domain's client heard. */
function start(options: Partial<SwitchyardWebProviderOptions> = {}) {
  const domain = `web-${++domains}`;
  const provider = new SwitchyardWebProvider(
    { url: "https://flags.example.com", clientKey: "sy_client_pub.secret", ...options },
    { createClient: (clientOptions) => (fake = new FakeBrowserClient(clientOptions)) },
  );
  const registered = OpenFeature.setProviderAndWait(domain, provider);
  // Added after the provider, so that no handler runs at once for the default provider's status.
  const client = OpenFeature.getClient(domain);
  const events: { type: string; message?: string; flagsChanged?: string[] }[] = [];
  for (const type of Object.values(ProviderEvents)) {
    client.addHandler(type, (details) => void events.push({ type, ...(details?.message ? { message: details.message } : {}), ...(details && "flagsChanged" in details ? { flagsChanged: details.flagsChanged as string[] } : {}) }));
  }
  return { domain, provider, client, events, registered, types: () => events.map((event) => event.type) };
}

describe("SwitchyardWebProvider", () => {
  it("creates the browser client for OpenFeature's context and resolves synchronously", async () => {
    await OpenFeature.setContext({ targetingKey: "user-1", signedUp: new Date(0) });
    const { client, registered, types } = start({ timeoutMs: 1234 });
    expect(fake.options).toMatchObject({ url: "https://flags.example.com", clientKey: "sy_client_pub.secret", timeoutMs: 1234, context: { targetingKey: "user-1", signedUp: "1970-01-01T00:00:00.000Z" } });
    expect(client.providerStatus).toBe(ProviderStatus.NOT_READY);
    fake.serve(FLAGS);
    await registered;
    expect(types()).toEqual([ProviderEvents.Ready]);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(client.metadata.providerMetadata.name).toBe("Switchyard");
    expect(client.getBooleanDetails("banner", false)).toEqual({ flagKey: "banner", value: true, variant: "on", reason: "STATIC", flagMetadata: {} });
    expect(client.getStringDetails("color", "red")).toMatchObject({ value: "blue", variant: "blue", reason: "TARGETING_MATCH", flagMetadata: { ruleIndex: 2 } });
    expect(client.getNumberDetails("limit", 0)).toMatchObject({ value: 10, reason: "SPLIT" });
    expect(client.getObjectDetails("layout", {})).toMatchObject({ value: { columns: 3 }, reason: "DEFAULT" });
    expect(client.getStringDetails("killed", "full")).toMatchObject({ value: "safe", reason: "DISABLED", flagMetadata: { killed: true, killReason: "error spike" } });
    expect(client.getStringDetails("missing", "x")).toMatchObject({ value: "x", reason: "ERROR", errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(client.getNumberDetails("color", 5)).toMatchObject({ value: 5, reason: "ERROR", errorCode: ErrorCode.TYPE_MISMATCH });
    expect(client.getObjectDetails("banner", [])).toMatchObject({ value: [], errorCode: ErrorCode.TYPE_MISMATCH });
  });

  it("switches the client's context on OpenFeature.setContext: RECONCILING, then CONTEXT_CHANGED once the values are in", async () => {
    const { client, registered, events, types, domain } = start();
    fake.serve(FLAGS);
    await registered;
    const changing = OpenFeature.setContext(domain, { targetingKey: "user-2", plan: "pro" });
    await waitUntil(() => fake.switches.length === 1, 1000, () => "no setContext");
    expect(fake.switches[0]!.context).toEqual({ targetingKey: "user-2", plan: "pro" });
    expect(client.providerStatus).toBe(ProviderStatus.RECONCILING);
    // The values of the new context: a context change, not a configuration change.
    fake.flags = { ...FLAGS, color: served("gold", "gold", "RULE_MATCH", { ruleIndex: 0 }) };
    fake.emit("change", { keys: ["color"] });
    fake.switches[0]!.answer(true);
    await changing;
    expect(types()).toEqual([ProviderEvents.Ready, ProviderEvents.Reconciling, ProviderEvents.ContextChanged]);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(client.getStringValue("color", "red")).toBe("gold");

    // A change outside a switch is a configuration change.
    fake.emit("change", { keys: ["banner", "limit"] });
    expect(events.at(-1)).toEqual({ type: ProviderEvents.ConfigurationChanged, flagsChanged: ["banner", "limit"] });
  });

  it("lets the last of overlapping context changes decide", async () => {
    const { registered, types, domain, client } = start();
    fake.serve(FLAGS);
    await registered;
    const first = OpenFeature.setContext(domain, { targetingKey: "a" });
    const second = OpenFeature.setContext(domain, { targetingKey: "b" });
    await waitUntil(() => fake.switches.length === 2, 1000, () => "no second setContext");
    fake.switches[1]!.answer(true);
    await Promise.all([first, second]);
    expect(types().filter((type) => type === ProviderEvents.Error)).toEqual([]);
    expect(types().at(-1)).toBe(ProviderEvents.ContextChanged);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it("reports ERROR when the new context's values do not arrive in time, and READY when they do", async () => {
    const { client, registered, events, types, domain } = start();
    fake.serve(FLAGS);
    await registered;
    const changing = OpenFeature.setContext(domain, { targetingKey: "slow" });
    await waitUntil(() => fake.switches.length === 1, 1000, () => "no setContext");
    fake.switches[0]!.answer(false);
    await changing;
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(events.at(-1)).toMatchObject({ type: ProviderEvents.Error, message: expect.stringMatching(/did not arrive within timeoutMs/) });
    fake.emit("change", { keys: ["color"] });
    expect(types().slice(-2)).toEqual([ProviderEvents.Ready, ProviderEvents.ConfigurationChanged]);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it("reports ERROR for a context the client cannot send, and keeps serving", async () => {
    const { client, registered, domain } = start();
    fake.serve(FLAGS);
    await registered;
    await OpenFeature.setContext(domain, { bad: true } as EvaluationContext);
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(client.getBooleanValue("banner", false)).toBe(true);
  });

  it("starts with the first readable context after one it could not read", async () => {
    const cyclic: Record<string, unknown> = { targetingKey: "user-1", signedUp: new Date(0) };
    cyclic.self = cyclic;
    await OpenFeature.setContext(cyclic as EvaluationContext);
    fake = undefined as unknown as FakeBrowserClient;
    const { client, registered, domain } = start();
    await expect(registered).rejects.toMatchObject({ code: ErrorCode.INVALID_CONTEXT });
    expect(fake).toBeUndefined(); // nothing to create a client for
    const switched = OpenFeature.setContext(domain, { targetingKey: "user-2" });
    await vi.waitFor(() => expect(fake).toBeDefined());
    expect(fake.options.context).toEqual({ targetingKey: "user-2" });
    fake.serve(FLAGS);
    await switched;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(client.getBooleanValue("banner", false)).toBe(true);
  });

  it("reports STALE after staleAfterMs, READY on recovery, and nothing for a shorter spell", async () => {
    const { client, registered, types } = start({ staleAfterMs: 60 });
    fake.serve(FLAGS);
    await registered;
    fake.current = { state: "stale", revision: 1, ageMs: 0 };
    fake.emit("stale", fake.current);
    await new Promise((resolve) => setTimeout(resolve, 20));
    fake.current = { state: "ready", revision: 1 };
    fake.emit("recovered", fake.current);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(types()).toEqual([ProviderEvents.Ready]);

    fake.current = { state: "stale", revision: 1, ageMs: 0 };
    fake.emit("stale", fake.current);
    await waitUntil(() => types().length === 2, 1000, () => types().join());
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    fake.current = { state: "ready", revision: 2 };
    fake.emit("recovered", fake.current);
    expect(types()).toEqual([ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Ready]);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it("fails with PROVIDER_FATAL at once for a refused key", async () => {
    const { client, registered } = start({ timeoutMs: 60_000 });
    fake.refuse("unauthorized");
    await expect(registered).rejects.toMatchObject({ code: ErrorCode.PROVIDER_FATAL });
    expect(client.providerStatus).toBe(ProviderStatus.FATAL);
    expect(client.getBooleanDetails("banner", false)).toMatchObject({ value: false, errorCode: ErrorCode.PROVIDER_FATAL });
  });

  it("fails with ERROR without values within timeoutMs, and emits READY once they arrive", async () => {
    const { client, registered, types } = start();
    fake.readyAnswer.resolve(false);
    await expect(registered).rejects.toMatchObject({ code: ErrorCode.GENERAL });
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    fake.serve(FLAGS);
    fake.emit("ready", fake.current);
    expect(types()).toEqual([ProviderEvents.Error, ProviderEvents.Ready]);
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it("emits PROVIDER_ERROR (not fatal) when the key is refused later on, and keeps serving", async () => {
    const { client, registered, events } = start();
    fake.serve(FLAGS);
    await registered;
    fake.refuse("forbidden");
    expect(events.at(-1)).toMatchObject({ type: ProviderEvents.Error, message: expect.stringMatching(/refused the key/) });
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(client.getBooleanValue("banner", false)).toBe(true);
  });

  it("passes track() to the client with its value, and closes the client on close", async () => {
    const { client, registered } = start();
    fake.serve(FLAGS);
    await registered;
    client.track("clicked-banner");
    client.track("render_ms", { value: 12.5, page: "home" });
    expect(fake.tracked).toEqual([
      ["clicked-banner", undefined],
      ["render_ms", 12.5],
    ]);
    await OpenFeature.clearProviders();
    expect(fake.status()).toEqual({ state: "closed" });
  });
});

/** Just enough of EventSource for the real browser client: the test sends its puts. */
class FakeEventSource {
  static last: FakeEventSource;
  readyState = 0;
  private readonly puts: ((event: { data?: unknown; lastEventId?: string }) => void)[] = [];
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, listener: (event: { data?: unknown; lastEventId?: string }) => void): void {
    if (type === "put") this.puts.push(listener);
  }
  close(): void {
    this.readyState = 2;
  }
  put(revision: number, flags: Record<string, EvaluationResult>): void {
    for (const listener of this.puts) listener({ data: JSON.stringify({ revision, flags }), lastEventId: String(revision) });
  }
}

describe("SwitchyardWebProvider over the real browser client", () => {
  it("emits READY when a context change's values arrive after timeoutMs, also when they equal the old ones", async () => {
    const domain = `web-${++domains}`;
    const provider = new SwitchyardWebProvider(
      { url: "https://flags.example.com", clientKey: "sy_client_pub.secret", timeoutMs: 100, sendMetrics: false },
      { createClient: (options) => createClient(options, { EventSource: FakeEventSource, storage: null, fetch: async () => new Response(null, { status: 500 }) }) },
    );
    const registered = OpenFeature.setProviderAndWait(domain, provider);
    FakeEventSource.last.put(1, FLAGS);
    await registered;
    const client = OpenFeature.getClient(domain);
    const types: string[] = [];
    for (const type of Object.values(ProviderEvents)) client.addHandler(type, () => void types.push(type));
    types.splice(0); // the READY a handler added to a ready provider runs at once

    await OpenFeature.setContext(domain, { targetingKey: "slow" });
    expect([client.providerStatus, types]).toEqual([ProviderStatus.ERROR, [ProviderEvents.Reconciling, ProviderEvents.Error]]);
    FakeEventSource.last.put(1, FLAGS);
    expect([client.providerStatus, types.at(-1)]).toEqual([ProviderStatus.READY, ProviderEvents.Ready]);
  });
});
