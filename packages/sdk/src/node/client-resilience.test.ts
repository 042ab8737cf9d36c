/**
 * Reconnecting under fake timers: 401/403 stop retrying, backoff grows with jitter up to 30 s and
 * starts over after a healthy minute, the watchdog reconnects a silent stream, and close()
 * leaves no timer behind.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { SdkError } from "../shared/errors.js";
import { booleanFlag, snapshot } from "../test-support/fixtures.js";
import { BASE_URL, SERVER_KEY, createMockServer, memoryLogger } from "../test-support/mock-server.js";
import { createClient, type Client, type ClientInternals, type ClientOptions } from "./client.js";

const mock = createMockServer();
beforeAll(() => mock.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mock.server.close());

const requestTimes: number[] = [];
const clients: Client[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  requestTimes.length = 0;
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  vi.useRealTimers();
  mock.connections.length = 0;
  mock.streamRequests.length = 0;
  mock.pollRequests.length = 0;
  mock.answerStreamWith(() => "stream");
  mock.onConnection(() => {});
});

function start(options: Partial<ClientOptions> = {}, internals: ClientInternals = {}) {
  const client = createClient({ url: BASE_URL, sdkKey: SERVER_KEY, logger: memoryLogger().logger, ...options }, { random: () => 0.5, ...internals });
  clients.push(client);
  const errors: SdkError[] = [];
  client.on("error", (error) => errors.push(error));
  return { client, errors };
}

function answerStream(answer: (request: Request) => "stream" | number) {
  mock.answerStreamWith((request) => {
    requestTimes.push(Date.now());
    return answer(request);
  });
}

const gaps = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!);

describe.each([401, 403])("a %i", (status) => {
  it("stops retrying and reports an error status instead", async () => {
    answerStream(() => status);
    const { client, errors } = start();
    const ready = client.ready();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(mock.streamRequests).toHaveLength(1);
    expect(errors.map((e) => [e.code, e.status])).toEqual([[status === 401 ? "unauthorized" : "forbidden", status]]);
    expect(client.status()).toMatchObject({ state: "connecting", error: { code: errors[0]!.code } });
    await expect(ready).resolves.toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("from polling stops polling too", async () => {
    mock.answerPollWith(() => new Response(null, { status }));
    start({ stream: false, pollIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(mock.pollRequests).toHaveLength(1);
  });
});

describe("backoff", () => {
  it("grows from 1 s, jittered, and is capped at 30 s", async () => {
    answerStream(() => 503);
    start();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    // random() = 0.5 gives three quarters of each ceiling: 1 s, 2 s, 4 s … capped at 30 s.
    expect(gaps(requestTimes).slice(0, 8)).toEqual([750, 1500, 3000, 6000, 12_000, 22_500, 22_500, 22_500]);
  });

  it("spreads clients that failed together", async () => {
    const randoms = [0, 0.99];
    for (const value of randoms) {
      answerStream(() => 503);
      start({}, { random: () => value });
    }
    await vi.advanceTimersByTimeAsync(1000);
    // Two clients, two attempts each, the retries half a second apart.
    expect(requestTimes).toHaveLength(4);
    expect(requestTimes[3]! - requestTimes[2]!).toBeGreaterThanOrEqual(490);
  });

  it("starts over after a healthy minute", async () => {
    let failing = 3;
    answerStream(() => (failing-- > 0 ? 503 : "stream"));
    mock.onConnection((c) => c.start(snapshot(1, [booleanFlag("a")])));
    start({}, { heartbeatIntervalMs: 15_000 });
    await vi.advanceTimersByTimeAsync(750 + 1500 + 3000);
    expect(mock.connections).toHaveLength(1);

    // Up a short while: the next delay keeps growing.
    await vi.advanceTimersByTimeAsync(10_000);
    mock.last().end();
    await vi.advanceTimersByTimeAsync(6000);
    expect(gaps(requestTimes).at(-1)).toBe(10_000 + 6000);
    expect(mock.connections).toHaveLength(2);

    // Up for a minute, heartbeats flowing: the next failure starts from 1 s again.
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(15_000);
      mock.last().heartbeat();
    }
    const before = requestTimes.length;
    const endedAt = Date.now();
    mock.last().end();
    await vi.advanceTimersByTimeAsync(1000);
    expect(requestTimes).toHaveLength(before + 1);
    expect(requestTimes.at(-1)! - endedAt).toBe(750);
  });
});

describe("watchdog", () => {
  it("keeps a stream that hears heartbeats, and reconnects one that hears nothing for 2.5 intervals", async () => {
    mock.onConnection((c) => (c.lastEventId === null ? c.start(snapshot(1, [booleanFlag("a")])) : c.synced(1)));
    const { client, errors } = start({}, { heartbeatIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(10);
    expect(client.status()).toEqual({ state: "ready", revision: 1 });
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      mock.last().heartbeat();
    }
    expect(mock.connections).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(2499);
    expect(mock.connections).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors.map((e) => e.code)).toEqual(["stalled"]);
    expect(client.status()).toMatchObject({ state: "stale", ageMs: 2500 });
    await vi.advanceTimersByTimeAsync(750);
    expect(mock.connections).toHaveLength(2);
    expect(mock.last().lastEventId).toBe("1");
    await vi.advanceTimersByTimeAsync(10);
    expect(client.status()).toEqual({ state: "ready", revision: 1 });
  });

  it("also covers a server that accepts the request and never answers", async () => {
    let hang = true;
    mock.answerStreamWith(() => "stream");
    mock.onConnection(() => {});
    const { errors } = start({}, { heartbeatIntervalMs: 1000, fetch: (input, init) => (hang ? new Promise<Response>(() => {}) : fetch(input, init)) });
    await vi.advanceTimersByTimeAsync(2500);
    expect(errors.map((e) => e.code)).toEqual(["stalled"]);
    hang = false;
    await vi.advanceTimersByTimeAsync(750);
    expect(mock.connections).toHaveLength(1);
  });
});

describe("ready()", () => {
  it("resolves false on timeout, never rejects, and the client keeps trying", async () => {
    answerStream(() => 503);
    const { client } = start({ timeoutMs: 2000 });
    const ready = client.ready();
    await vi.advanceTimersByTimeAsync(2000);
    await expect(ready).resolves.toBe(false);
    answerStream(() => "stream");
    mock.onConnection((c) => c.start(snapshot(1, [booleanFlag("a")])));
    const readyEvents: unknown[] = [];
    client.on("ready", (status) => readyEvents.push(status));
    await vi.advanceTimersByTimeAsync(5000);
    await expect(client.ready()).resolves.toBe(true);
    expect(readyEvents).toEqual([{ state: "ready", revision: 1 }]);
  });
});

describe("timeoutMs", () => {
  it("falls back to 5 s for NaN, and treats a negative value as zero", async () => {
    answerStream(() => 503);
    const { client } = start({ timeoutMs: Number.NaN });
    let ready: boolean | undefined;
    void client.ready().then((value) => (ready = value));
    await vi.advanceTimersByTimeAsync(4999);
    expect(ready).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(ready).toBe(false);

    const negative = start({ timeoutMs: -1 }).client.ready();
    await vi.advanceTimersByTimeAsync(0);
    await expect(negative).resolves.toBe(false);
  });
});

describe("a stream the server ends", () => {
  it("leaves only the backoff timer: eventsource's own reconnect timer is cleared", async () => {
    mock.onConnection((c) => (c.lastEventId === null ? c.start(snapshot(1, [booleanFlag("a")])) : c.synced(1)));
    const { client } = start();
    await vi.advanceTimersByTimeAsync(10);
    mock.last().end();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.status()).toMatchObject({ state: "stale", error: { code: "network_error" } });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(750);
    expect(mock.connections).toHaveLength(2);
    // The new connection's watchdog, nothing else.
    expect(vi.getTimerCount()).toBe(1);
  });
});

describe("recovered", () => {
  it("fires once when a stale client is current again, not on the first connection", async () => {
    mock.onConnection((c) => (c.lastEventId === null ? c.start(snapshot(1, [booleanFlag("a")])) : c.synced(1)));
    const { client } = start();
    const events: string[] = [];
    client.on("stale", (status) => events.push(`stale ${status.state}`));
    client.on("recovered", (status) => events.push(`recovered ${JSON.stringify(status)}`));
    await vi.advanceTimersByTimeAsync(10);
    expect(client.status().state).toBe("ready");
    mock.last().end();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(["stale stale"]);
    // The resumed connection is current only on its synced.
    await vi.advanceTimersByTimeAsync(760);
    expect(mock.connections).toHaveLength(2);
    expect(events).toEqual(["stale stale", `recovered ${JSON.stringify({ state: "ready", revision: 1 })}`]);
    // Heartbeats and patches on a current connection are not a recovery.
    mock.last().heartbeat();
    await vi.advanceTimersByTimeAsync(10);
    expect(events).toHaveLength(2);
  });
});

describe("close()", () => {
  it("leaves no timer behind, whatever it was doing", async () => {
    answerStream(() => 503);
    const waiting = start({ timeoutMs: 60_000 });
    void waiting.client.ready();
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await waiting.client.close();
    expect(vi.getTimerCount()).toBe(0);

    answerStream(() => "stream");
    mock.onConnection((c) => c.start(snapshot(1, [booleanFlag("a")])));
    const streaming = start();
    await vi.advanceTimersByTimeAsync(10);
    expect(streaming.client.status().state).toBe("ready");
    await streaming.client.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(streaming.client.status()).toEqual({ state: "closed" });

    mock.answerPollWith(() => Response.json(snapshot(1, [booleanFlag("a")])));
    const polling = start({ stream: false });
    await vi.advanceTimersByTimeAsync(10);
    await polling.client.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops every listener and keeps serving the last values", async () => {
    mock.onConnection((c) => c.start(snapshot(1, [booleanFlag("a")])));
    const { client } = start();
    await vi.advanceTimersByTimeAsync(10);
    const seen: string[] = [];
    client.on("change", () => seen.push("change"));
    const connection = mock.last();
    await client.close();
    connection.patch(2, { kind: "flag", key: "a", value: null });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen).toEqual([]);
    expect(mock.connections).toHaveLength(1);
    expect(client.isEnabled("a", { key: "u" })).toBe(true);
    client.on("error", () => seen.push("error"));
    await expect(client.ready()).resolves.toBe(true);
  });
});

describe("close() from inside a listener", () => {
  it("of a failed stream leaves no reconnect timer", async () => {
    answerStream(() => 503);
    const { client } = start();
    client.on("error", () => void client.close());
    await vi.advanceTimersByTimeAsync(100);
    expect(client.status()).toEqual({ state: "closed" });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(mock.streamRequests).toHaveLength(1);
  });

  it("of a stream waiting out a revision gap leaves no timer", async () => {
    mock.onConnection((c) => c.start(snapshot(1, [booleanFlag("a")])));
    const { client } = start();
    await vi.advanceTimersByTimeAsync(10);
    client.on("stale", () => void client.close());
    mock.last().patch(3, { kind: "flag", key: "a", value: null });
    await vi.advanceTimersByTimeAsync(10);
    expect(client.status()).toEqual({ state: "closed" });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(mock.connections).toHaveLength(1);
  });

  it("of a failed poll leaves no timer", async () => {
    mock.answerPollWith(() => new Response(null, { status: 503 }));
    const { client } = start({ stream: false });
    client.on("error", () => void client.close());
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(mock.pollRequests).toHaveLength(1);
  });

  it("of a poll that brought changes leaves no timer", async () => {
    let revision = 1;
    mock.answerPollWith(() => Response.json(snapshot(revision, [booleanFlag("a", { version: revision })])));
    const { client } = start({ stream: false, pollIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(10);
    client.on("change", () => void client.close());
    revision = 2;
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.status()).toEqual({ state: "closed" });
    expect(vi.getTimerCount()).toBe(0);
    expect(mock.pollRequests).toHaveLength(2);
  });
});
