/** The browser client with a fake EventSource and a fake localStorage. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EvaluationResult } from "@switchyard/core";
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
    expect(errors).toEqual(["malformed_event", "malformed_event", "malformed_event", "malformed_event", "malformed_event"]);
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
    for (const key of [undefined, null, 3, "__proto__", "toString", {}]) {
      expect(() => client.evaluate(key as never)).not.toThrow();
      expect(client.isEnabled(key as never)).toBe(false);
      expect(client.variant(key as never, "d")).toBe("d");
    }
    expect(() => client.track("clicked", 3)).not.toThrow();
  });
});
