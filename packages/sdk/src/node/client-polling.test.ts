/** Polling `GET /sdk/v1/flags` with ETag: with `stream: false`, and as the fallback of a refused stream. */
import { HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { EnvironmentSnapshot } from "@switchyard/core";
import { booleanFlag, snapshot } from "../test-support/fixtures.js";
import { BASE_URL, SERVER_KEY, createMockServer, memoryLogger } from "../test-support/mock-server.js";
import { createClient, type Client, type ClientOptions } from "./client.js";

const mock = createMockServer();
beforeAll(() => mock.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mock.server.close());

let current: EnvironmentSnapshot = snapshot(1, [booleanFlag("a")]);
const clients: Client[] = [];
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  current = snapshot(1, [booleanFlag("a")]);
  // Answers like the server: an ETag per revision, and 304 when it matches.
  mock.answerPollWith((request) => {
    const etag = `"production-${current.revision}"`;
    if (request.headers.get("If-None-Match") === etag) return new HttpResponse(null, { status: 304, headers: { ETag: etag } });
    return HttpResponse.json(current, { headers: { ETag: etag } });
  });
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  vi.useRealTimers();
  mock.streamRequests.length = 0;
  mock.pollRequests.length = 0;
  mock.answerStreamWith(() => "stream");
});

function start(options: Partial<ClientOptions> = {}) {
  const log = memoryLogger();
  const client = createClient({ url: BASE_URL, sdkKey: SERVER_KEY, logger: log.logger, ...options }, { random: () => 0.5 });
  clients.push(client);
  const changes: string[][] = [];
  client.on("change", ({ keys }) => changes.push(keys));
  return { client, changes, log };
}

describe("polling", () => {
  it("with stream: false, polls on its interval and sends the ETag back", async () => {
    const { client, changes } = start({ stream: false, pollIntervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(1);
    expect(client.status()).toEqual({ state: "ready", revision: 1 });
    expect(mock.pollRequests[0]!.headers.get("Authorization")).toBe(`Bearer ${SERVER_KEY}`);
    expect(mock.pollRequests[0]!.headers.get("If-None-Match")).toBeNull();

    await vi.advanceTimersByTimeAsync(10_000);
    expect(mock.pollRequests).toHaveLength(2);
    expect(mock.pollRequests[1]!.headers.get("If-None-Match")).toBe('"production-1"');
    expect(changes).toEqual([]);

    current = snapshot(2, [booleanFlag("a", { enabled: false, version: 2 })]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(changes).toEqual([["a"]]);
    expect(client.isEnabled("a", { key: "u" }, true)).toBe(false);
    expect(mock.streamRequests).toHaveLength(0);
  });

  it("takes over when the server refuses to stream", async () => {
    mock.answerStreamWith(() => 404);
    const { client, log } = start({ pollIntervalMs: 5000 });
    await expect(client.ready()).resolves.toBe(true);
    expect(mock.streamRequests).toHaveLength(1);
    expect(mock.pollRequests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(mock.streamRequests).toHaveLength(1);
    expect(mock.pollRequests).toHaveLength(13);
    expect(log.lines.some((line) => line.level === "warn" && line.message.includes("falling back to polling"))).toBe(true);
  });

  it("takes over when the answer is not an event stream (a buffering proxy)", async () => {
    mock.answerStreamWith(() => "stream");
    const fetchJson = (() => Promise.resolve(HttpResponse.json({ hello: "proxy" }))) as typeof fetch;
    const client = createClient({ url: BASE_URL, sdkKey: SERVER_KEY, logger: {}, pollIntervalMs: 5000 }, {
      fetch: (input, init) => (String(input).endsWith("/stream") ? fetchJson(input, init) : fetch(input, init)),
    });
    clients.push(client);
    await expect(client.ready()).resolves.toBe(true);
    expect(mock.pollRequests).toHaveLength(1);
  });

  it("backs off while the server fails, and serves what it had as stale", async () => {
    const { client } = start({ stream: false, pollIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(1);
    mock.answerPollWith(() => HttpResponse.json({ error: "down" }, { status: 503 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.status()).toMatchObject({ state: "stale", revision: 1, error: { code: "http_error", status: 503 } });
    const before = mock.pollRequests.length;
    await vi.advanceTimersByTimeAsync(60_000);
    // 1 s, 1.5 s, 3 s, 6 s, 12 s, 22.5 s: six polls in a minute, not sixty (nor none).
    expect(mock.pollRequests.length - before).toBe(6);
    expect(client.isEnabled("a", { key: "u" })).toBe(true);
  });

  it("falls back to the default interval unless it is a finite number, and polls at most once a second", async () => {
    mock.answerPollWith(() => HttpResponse.json({ error: "down" }, { status: 503 }));
    start({ stream: false, pollIntervalMs: Number.NaN });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(mock.pollRequests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(mock.pollRequests).toHaveLength(2);
    await clients.pop()!.close();

    mock.pollRequests.length = 0;
    mock.answerPollWith(() => HttpResponse.json(current));
    start({ stream: false, pollIntervalMs: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(mock.pollRequests).toHaveLength(11);
  });

  it("ignores a malformed body and keeps its values", async () => {
    const { client } = start({ stream: false, pollIntervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(1);
    const errors: string[] = [];
    client.on("error", (error) => errors.push(error.code));
    mock.answerPollWith(() => HttpResponse.json({ environment: "production", revision: 2, flags: [{ key: "a" }], segments: [] }, { headers: { ETag: '"x"' } }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toEqual(["malformed_event"]);
    expect(client.isEnabled("a", { key: "u" })).toBe(true);
    expect(client.status()).toEqual({ state: "ready", revision: 1 });
  });
});
