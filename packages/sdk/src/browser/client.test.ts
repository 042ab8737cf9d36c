/** The browser client with a fake EventSource and a fake localStorage. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { VALUE_BUCKET_BOUNDS, valueBucket, type EvaluationResult } from "@switchyard/core";
import { SDK_VERSION, type MetricsBatch } from "../shared/metrics.js";
import { createClient, type BrowserClient, type BrowserClientOptions, type EventSourceLike } from "./client.js";
import type { StorageLike } from "./storage.js";

type Listener = (event: { data?: unknown; lastEventId?: string }) => void;

class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  private listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  static last(): FakeEventSource {
    return FakeEventSource.instances.at(-1)!;
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  get context(): unknown {
    const encoded = new URL(this.url).searchParams.get("context")!;
    return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
  }

  private dispatch(type: string, event: { data?: unknown; lastEventId?: string } = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  open(): void {
    this.readyState = 1;
    this.dispatch("open");
  }

  put(revision: number, flags: Record<string, EvaluationResult>): void {
    this.dispatch("put", { data: JSON.stringify({ revision, flags }), lastEventId: String(revision) });
  }

  patch(id: number, data: unknown): void {
    this.dispatch("patch", { data: JSON.stringify(data), lastEventId: String(id) });
  }

  raw(type: string, data: string, id: string): void {
    this.dispatch(type, { data, lastEventId: id });
  }

  /** `closed`: the browser gave up (a refused request); otherwise it retries by itself. */
  fail(closed: boolean): void {
    this.readyState = closed ? 2 : 0;
    this.dispatch("error");
  }
}

class FakeStorage implements StorageLike {
  items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
}

const URL_ = "https://flags.example.com";
const KEY = "sy_client_pub1.public-secret";
const on = (value: unknown, variant = "on"): EvaluationResult => ({ value: value as never, variant, reason: "FALLTHROUGH" });

let storage: FakeStorage;
let probeStatus: number;
let probes = 0;
const clients: BrowserClient[] = [];
beforeEach(() => {
  FakeEventSource.instances = [];
  storage = new FakeStorage();
  probeStatus = 500;
  probes = 0;
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  vi.useRealTimers();
});

function start(options: Partial<BrowserClientOptions> = {}, store: StorageLike | null = storage) {
  const client = createClient({ url: URL_, clientKey: KEY, context: { key: "u1" }, logger: {}, ...options }, {
    EventSource: FakeEventSource,
    storage: store,
    random: () => 0,
    fetch: async () => {
      probes++;
      return new Response(null, { status: probeStatus });
    },
  });
  clients.push(client);
  const changes: string[][] = [];
  const errors: string[] = [];
  client.on("change", ({ keys }) => changes.push(keys));
  client.on("error", (error) => errors.push(error.code));
  return { client, changes, errors };
}

describe("browser client", () => {
  it("opens the client stream with the key and the base64url context", () => {
    start({ context: { key: "u1", country: "NL", name: "Zoë" } });
    const url = new URL(FakeEventSource.last().url);
    expect(url.origin + url.pathname).toBe(`${URL_}/client/v1/stream`);
    expect(url.searchParams.get("key")).toBe(KEY);
    expect(FakeEventSource.last().context).toEqual({ key: "u1", country: "NL", name: "Zoë" });
    expect(url.searchParams.get("context")).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("applies put, patch and deleted, and ignores repeated patches", async () => {
    const { client, changes } = start();
    expect(client.status().state).toBe("connecting");
    const es = FakeEventSource.last();
    es.open();
    es.put(10, { banner: on("blue", "blue"), beta: on(true) });
    await expect(client.ready()).resolves.toBe(true);
    expect(client.status()).toEqual({ state: "ready", revision: 10 });
    expect(client.variant("banner", "red")).toBe("blue");
    expect(client.isEnabled("beta")).toBe(true);

    es.patch(11, { key: "banner", value: "green", variant: "green", reason: "RULE_MATCH", ruleIndex: 0 });
    expect(client.evaluate("banner")).toEqual({ value: "green", variant: "green", reason: "RULE_MATCH", ruleIndex: 0 });
    es.patch(11, { key: "banner", value: "old", variant: "old", reason: "FALLTHROUGH" });
    expect(client.variant("banner", "red")).toBe("green");
    // Browser patches skip revisions that do not concern this context: no gap handling.
    es.patch(15, { key: "beta", deleted: true });
    expect(client.evaluate("beta")).toEqual({ value: null, variant: null, reason: "FLAG_NOT_FOUND", errorCode: "FLAG_NOT_FOUND" });
    expect(client.isEnabled("beta", true)).toBe(true);
    expect(changes).toEqual([["banner"], ["beta"]]);
    expect(client.allFlags()).toEqual({ banner: { value: "green", variant: "green", reason: "RULE_MATCH", ruleIndex: 0 } });
  });

  it("ignores malformed events with an error event", () => {
    const { client, errors } = start();
    const es = FakeEventSource.last();
    es.put(1, { a: on(true) });
    es.raw("put", "{broken", "2");
    es.raw("put", JSON.stringify({ revision: 2, flags: { a: { value: true } } }), "2");
    es.raw("patch", JSON.stringify({ key: "a", value: false }), "3");
    es.raw("patch", JSON.stringify({ key: "a", value: false, variant: "off", reason: "DISABLED" }), "not-a-number");
    es.raw("patch", '{"key":"__proto__","value":1,"variant":"x","reason":"FALLTHROUGH"}', "4");
    // Without an id (EventSource reports ""), and with a revision that is not a whole number.
    es.raw("patch", JSON.stringify({ key: "a", value: false, variant: "off", reason: "DISABLED" }), "");
    es.raw("put", JSON.stringify({ revision: 1.5, flags: {} }), "1.5");
    expect(errors).toEqual(Array(7).fill("malformed_event"));
    expect(Object.getPrototypeOf(client.allFlags())).toBe(Object.prototype);
    expect(client.isEnabled("a")).toBe(true);
    expect(client.status()).toEqual({ state: "ready", revision: 1 });
  });

  it("setContext keeps the old values until the new put arrives", () => {
    const { client, changes } = start();
    const first = FakeEventSource.last();
    first.put(5, { plan: on("free", "free"), same: on(true) });
    client.setContext({ key: "u1", plan: "pro" });
    expect(first.closed).toBe(true);
    const second = FakeEventSource.last();
    expect(second).not.toBe(first);
    expect(second.context).toEqual({ key: "u1", plan: "pro" });
    // No flicker: nothing is cleared while the new stream connects.
    expect(client.variant("plan", "none")).toBe("free");
    expect(client.status().state).toBe("ready");
    // A late event of the old stream is ignored.
    first.patch(6, { key: "plan", value: "stale", variant: "stale", reason: "FALLTHROUGH" });
    expect(client.variant("plan", "none")).toBe("free");
    second.put(5, { plan: on("pro", "pro"), same: on(true) });
    expect(client.variant("plan", "none")).toBe("pro");
    expect(changes).toEqual([["plan"]]);
  });

  it("emits recovered when a stale client gets its values again", () => {
    const { client } = start();
    const events: string[] = [];
    client.on("stale", () => events.push("stale"));
    client.on("recovered", (status) => events.push(`recovered ${status.state}`));
    FakeEventSource.last().put(1, { a: on(true) });
    FakeEventSource.last().fail(false);
    FakeEventSource.last().put(2, { a: on(true) });
    FakeEventSource.last().put(3, { a: on(true) });
    expect(events).toEqual(["stale", "recovered ready"]);
  });

  it("setContext resolves true once the new context's values are in", async () => {
    const { client } = start();
    FakeEventSource.last().put(1, { plan: on("free", "free") });
    const switched = client.setContext({ key: "u1", plan: "pro" });
    let settled: boolean | undefined;
    void switched.then((value) => (settled = value));
    await Promise.resolve();
    expect(settled).toBeUndefined();
    FakeEventSource.last().put(1, { plan: on("pro", "pro") });
    await expect(switched).resolves.toBe(true);
    expect(client.variant("plan", "none")).toBe("pro");
  });

  it("setContext resolves false when superseded, on close, for a context that cannot be sent, and after timeoutMs", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { client } = start({ timeoutMs: 1000 });
    FakeEventSource.last().put(1, { plan: on("free", "free") });
    const first = client.setContext({ key: "u2" });
    const second = client.setContext({ key: "u3" });
    await expect(first).resolves.toBe(false);
    await expect(client.setContext({ key: 1n } as never)).resolves.toBe(false);
    // The one that cannot be sent changed nothing: the pending switch still completes.
    FakeEventSource.last().put(1, { plan: on("u3", "u3") });
    await expect(second).resolves.toBe(true);

    const slow = client.setContext({ key: "u4" });
    await vi.advanceTimersByTimeAsync(999);
    let settled: boolean | undefined;
    void slow.then((value) => (settled = value));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(false);

    const closing = client.setContext({ key: "u5" });
    await client.close();
    await expect(closing).resolves.toBe(false);
    await expect(client.setContext({ key: "u6" })).resolves.toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("turns stale when a setContext times out, and emits recovered when that context's values arrive, even unchanged ones", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { client, changes } = start({ timeoutMs: 1000 });
    const events: string[] = [];
    client.on("stale", () => events.push("stale"));
    client.on("recovered", () => events.push("recovered"));
    FakeEventSource.last().put(1, { plan: on("free", "free") });
    // Superseded or answered in time: nothing to report.
    void client.setContext({ key: "u2" });
    const inTime = client.setContext({ key: "u3" });
    FakeEventSource.last().put(1, { plan: on("free", "free") });
    await expect(inTime).resolves.toBe(true);
    expect([events, client.status().state]).toEqual([[], "ready"]);

    const slow = client.setContext({ key: "u4" });
    await vi.advanceTimersByTimeAsync(1000);
    await expect(slow).resolves.toBe(false);
    // The values held are not confirmed for the context asked for.
    expect([events, client.status().state]).toEqual([["stale"], "stale"]);
    FakeEventSource.last().put(1, { plan: on("free", "free") });
    expect([events, client.status().state, changes]).toEqual([["stale", "recovered"], "ready", []]);
  });

  it("persists values per context and serves them on the next start", async () => {
    const first = start();
    FakeEventSource.last().put(3, { banner: on("blue", "blue") });
    await first.client.close();
    const stored = JSON.parse(storage.items.get("switchyard:sy_client_pub1")!);
    expect(stored).toMatchObject({ url: URL_, context: JSON.stringify({ key: "u1" }), revision: 3 });

    const second = start();
    expect(second.client.variant("banner", "red")).toBe("blue");
    expect(second.client.status().state).toBe("connecting");
    await second.client.close();

    // Another context does not get them.
    const third = start({ context: { key: "u2" } });
    expect(third.client.variant("banner", "red")).toBe("red");
  });

  it("serves stored values as stale when the server cannot be reached", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    start();
    FakeEventSource.last().put(3, { banner: on("blue", "blue") });
    await clients[0]!.close();
    const { client } = start();
    FakeEventSource.last().fail(false);
    await expect(client.ready()).resolves.toBe(true);
    expect(client.status()).toMatchObject({ state: "stale", revision: 3, error: { code: "network_error" } });
    expect(client.variant("banner", "red")).toBe("blue");
  });

  it("survives storage that is missing or throws", () => {
    const broken: StorageLike = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    const { client } = start({}, broken);
    FakeEventSource.last().put(1, { a: on(true) });
    expect(client.isEnabled("a")).toBe(true);
    const { client: without } = start({}, null);
    FakeEventSource.last().put(1, { a: on(true) });
    expect(without.isEnabled("a")).toBe(true);
  });

  it("serves a bootstrap at once", async () => {
    const { client } = start({ bootstrap: { banner: on("blue", "blue"), junk: { nope: 1 } as never } });
    await expect(client.ready()).resolves.toBe(true);
    expect(client.variant("banner", "red")).toBe("blue");
    expect(Object.keys(client.allFlags())).toEqual(["banner"]);
  });

  it("stops at a refused key after one probe, and retries other failures with backoff", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    probeStatus = 401;
    const refused = start();
    FakeEventSource.last().fail(true);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(probes).toBe(1);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(refused.client.status()).toMatchObject({ state: "connecting", error: { code: "unauthorized" } });
    await refused.client.close();

    FakeEventSource.instances = [];
    probes = 0;
    probeStatus = 503;
    start();
    for (const [attempt, delay] of [500, 1000, 2000, 4000].entries()) {
      FakeEventSource.last().fail(true);
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(FakeEventSource.instances).toHaveLength(attempt + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeEventSource.instances).toHaveLength(attempt + 2);
    }
    expect(probes).toBe(4);
  });

  it("close() removes everything", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { client, changes } = start({ timeoutMs: 60_000 });
    void client.ready();
    const es = FakeEventSource.last();
    es.fail(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await client.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(es.closed).toBe(true);
    es.put(1, { a: on(true) });
    expect(changes).toEqual([]);
    expect(client.status()).toEqual({ state: "closed" });
  });

  it("never throws on reads", () => {
    const { client } = start();
    const unprintable = { toString: () => { throw new Error("toString"); } };
    for (const key of [undefined, null, 3, "__proto__", "toString", {}, unprintable, Symbol("key")]) {
      expect(() => client.evaluate(key as never)).not.toThrow();
      expect(client.isEnabled(key as never)).toBe(false);
      expect(client.variant(key as never, "d")).toBe("d");
    }
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(client.variant("missing", proxy as never)).toBe(proxy);
    expect(() => client.track("clicked", 3)).not.toThrow();
  });

  it("track() never throws, even when reading the context does", () => {
    let reads = 0;
    // Encodes once, then throws: the client must not touch it again in a way that can escape.
    const context = { get key(): string {
      if (reads++ > 0) throw new Error("getter");
      return "u1";
    } };
    const { client } = start({ context });
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(() => client.track("clicked", Number.NaN)).not.toThrow();
    expect(() => client.track(undefined as never)).not.toThrow();
  });
});

function cyclic(): object {
  const context: Record<string, unknown> = { key: "u1" };
  context.self = context;
  return context;
}

const unencodable: [string, () => unknown][] = [
  ["a BigInt", () => ({ key: "u1", id: 1n })],
  ["a cycle", cyclic],
  ["a throwing getter", () => ({ get key(): string { throw new Error("getter"); } })],
  ["a throwing Proxy", () => new Proxy({}, { ownKeys: () => { throw new Error("ownKeys"); } })],
  ["a revoked Proxy", () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; }],
  ["a toJSON that throws", () => ({ toJSON: () => { throw new Error("toJSON"); } })],
  ["an array", () => ["u1"]],
  ["more than 8 KiB", () => ({ key: "u1", blob: "x".repeat(9000) })],
];

describe("a context that cannot be sent", () => {
  it.each(unencodable)("createClient with %s does not throw: it serves the bootstrap, with an error in the status", async (_name, context) => {
    let client!: BrowserClient;
    expect(() => ({ client } = start({ context: context() as never, bootstrap: { banner: on("blue", "blue") } }))).not.toThrow();
    expect(FakeEventSource.instances).toHaveLength(0);
    expect(client.variant("banner", "red")).toBe("blue");
    expect(client.status()).toMatchObject({ state: "stale", error: { code: "invalid_context" } });
    await expect(client.ready()).resolves.toBe(true);
    expect(() => client.track("clicked")).not.toThrow();
  });

  it("createClient without a bootstrap serves defaults", () => {
    const { client } = start({ context: { id: 1n } as never });
    expect(client.variant("banner", "red")).toBe("red");
    expect(client.status()).toMatchObject({ state: "connecting", error: { code: "invalid_context" } });
    // A context that can be sent starts the stream.
    client.setContext({ key: "u2" });
    expect(FakeEventSource.instances).toHaveLength(1);
    FakeEventSource.last().put(1, { banner: on("blue", "blue") });
    expect(client.status()).toEqual({ state: "ready", revision: 1 });
  });

  it.each(unencodable)("setContext with %s does not throw, emits an error and keeps the current stream", (_name, context) => {
    const { client, errors } = start();
    const first = FakeEventSource.last();
    first.put(1, { banner: on("blue", "blue") });
    expect(() => client.setContext(context() as never)).not.toThrow();
    expect(errors).toEqual(["invalid_context"]);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(first.closed).toBe(false);
    expect(client.status()).toEqual({ state: "ready", revision: 1 });
    first.patch(2, { key: "banner", value: "green", variant: "green", reason: "FALLTHROUGH" });
    expect(client.variant("banner", "red")).toBe("green");
  });
});

describe("listeners", () => {
  it.each([
    ["an object without a prototype", () => Object.create(null)],
    ["an error whose toString throws", () => Object.assign(new Error("x"), { toString: () => { throw new Error("toString"); } })],
    ["a revoked Proxy", () => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy; }],
  ])("one throwing %s does not stop the retries", async (_name, thrown) => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    probeStatus = 503;
    const { client } = start();
    client.on("error", () => {
      throw thrown();
    });
    FakeEventSource.last().fail(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(client.status()).toMatchObject({ state: "connecting", error: { code: "http_error" } });
  });

  it("close() from an error listener leaves no timer and opens nothing", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    probeStatus = 503;
    const { client } = start();
    client.on("error", () => void client.close());
    FakeEventSource.last().fail(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(probes).toBe(1);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("setContext from an error listener leaves exactly one EventSource open", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    probeStatus = 503;
    const { client } = start();
    let switched = false;
    client.on("error", () => {
      if (switched) return;
      switched = true;
      client.setContext({ key: "u2" });
    });
    FakeEventSource.last().fail(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.instances.filter((es) => !es.closed)).toEqual([FakeEventSource.last()]);
    expect(FakeEventSource.last().context).toEqual({ key: "u2" });
  });
});

describe("stored values", () => {
  const valid = () => ({ url: URL_, context: JSON.stringify({ key: "u1" }), revision: 3, savedAt: Date.now(), flags: { banner: on("blue", "blue") } });
  const slot = "switchyard:sy_client_pub1";

  it("are served when valid", () => {
    storage.items.set(slot, JSON.stringify(valid()));
    expect(start().client.variant("banner", "red")).toBe("blue");
  });

  it.each([
    ["a flag that is not a result", { flags: { banner: { value: "x" } } }],
    ["flags that are not an object", { flags: "banner" }],
    ["a revision that is not a number", { revision: "3" }],
    ["a negative revision", { revision: -1 }],
    ["a fractional revision", { revision: 2.5 }],
    ["a savedAt that is not a number", { savedAt: "yesterday" }],
    ["no savedAt", { savedAt: undefined }],
  ])("are ignored with %s", (_name, change) => {
    storage.items.set(slot, JSON.stringify({ ...valid(), ...change }));
    expect(start().client.variant("banner", "red")).toBe("red");
  });

  it("are ignored with a __proto__ flag, which never reaches the prototype", () => {
    storage.items.set(slot, JSON.stringify(valid()).replace('"flags":{', '"flags":{"__proto__":{"value":1,"variant":"x","reason":"FALLTHROUGH"},'));
    const { client } = start();
    expect(client.variant("banner", "red")).toBe("red");
    expect(Object.getPrototypeOf(client.allFlags())).toBe(Object.prototype);
  });

  it("are not kept for a key without a public id (no \".\")", () => {
    start({ clientKey: "sy_client_nodot" });
    FakeEventSource.last().put(1, { a: on(true) });
    expect(storage.items.size).toBe(0);
  });
});

describe("metrics", () => {
  /** A client whose fetch records metrics batches; streams come from FakeEventSource. */
  function metered(options: Partial<BrowserClientOptions> = {}) {
    const batches: { url: string; init: RequestInit; body: MetricsBatch }[] = [];
    const client = createClient({ url: URL_, clientKey: KEY, context: { key: "u1" }, logger: {}, ...options }, {
      EventSource: FakeEventSource,
      storage: null,
      fetch: async (input, init = {}) => {
        batches.push({ url: String(input), init, body: JSON.parse(String(init.body)) });
        return new Response(null, { status: 202 });
      },
    });
    clients.push(client);
    FakeEventSource.last().open();
    FakeEventSource.last().put(1, { banner: on("blue", "blue"), beta: on(true), hidden: { value: false, variant: null, reason: "ERROR" } });
    return { client, batches };
  }

  it("counts reads per flag and variant, attributes track() to every flag's current variant, and sends at close with the key", async () => {
    const { client, batches } = metered();
    client.variant("banner", "red");
    client.variant("banner", "red");
    client.isEnabled("beta");
    client.isEnabled("missing");
    client.track("clicked");
    client.track("render_ms", 12.5);
    await client.close();

    expect(batches).toHaveLength(1);
    const { url, init, body } = batches[0]!;
    expect(url).toBe(`${URL_}/sdk/v1/metrics`);
    expect(init.method).toBe("POST");
    expect((init.headers as Record<string, string>).Authorization).toBe(`Bearer ${KEY}`);
    expect(body.sdk).toBe(`switchyard-browser/${SDK_VERSION}`);
    expect(body.evaluations).toEqual([
      { flag: "banner", variant: "blue", count: 2 },
      { flag: "beta", variant: "on", count: 1 },
    ]);
    const bucketed = VALUE_BUCKET_BOUNDS.map((_, i) => (i === valueBucket(12.5) ? 1 : 0));
    expect(body.events).toEqual([
      { metric: "clicked", flag: "banner", variant: "blue", count: 1, sum: 0, buckets: VALUE_BUCKET_BOUNDS.map(() => 0) },
      { metric: "clicked", flag: "beta", variant: "on", count: 1, sum: 0, buckets: VALUE_BUCKET_BOUNDS.map(() => 0) },
      { metric: "render_ms", flag: "banner", variant: "blue", count: 1, sum: 12.5, buckets: bucketed },
      { metric: "render_ms", flag: "beta", variant: "on", count: 1, sum: 12.5, buckets: bucketed },
    ]);
  });

  it("sends when the page is hidden, with keepalive, and stops listening at close", async () => {
    const listeners = new Map<string, () => void>();
    const page = { visibilityState: "visible", addEventListener: (type: string, listener: () => void) => listeners.set(type, listener), removeEventListener: (type: string) => listeners.delete(type) };
    vi.stubGlobal("document", page);
    try {
      const { client, batches } = metered();
      client.isEnabled("beta");
      listeners.get("visibilitychange")!();
      expect(batches).toHaveLength(0);
      page.visibilityState = "hidden";
      listeners.get("visibilitychange")!();
      await vi.waitFor(() => expect(batches).toHaveLength(1));
      expect(batches[0]!.init.keepalive).toBe(true);
      await client.close();
      expect(listeners.size).toBe(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("sends nothing with sendMetrics: false", async () => {
    const { client, batches } = metered({ sendMetrics: false });
    client.isEnabled("beta");
    client.track("clicked");
    await client.close();
    expect(batches).toEqual([]);
  });
});
