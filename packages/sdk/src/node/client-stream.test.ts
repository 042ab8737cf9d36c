/** The Node client on a scripted stream: put, patch, resume, duplicates, gaps, malformed events. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { booleanFlag, segment, segmentFlag, snapshot, stringFlag } from "../test-support/fixtures.js";
import { BASE_URL, SERVER_KEY, createMockServer, memoryLogger } from "../test-support/mock-server.js";
import { createClient, type Client } from "./client.js";
import type { SdkError } from "../shared/errors.js";

const mock = createMockServer();
beforeAll(() => mock.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mock.server.close());

const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  mock.connections.length = 0;
  mock.streamRequests.length = 0;
  mock.answerStreamWith(() => "stream");
  mock.onConnection(() => {});
});

function start(options: Partial<Parameters<typeof createClient>[0]> = {}) {
  const log = memoryLogger();
  const client = createClient({ url: BASE_URL, sdkKey: SERVER_KEY, logger: log.logger, ...options }, { random: () => 0 });
  clients.push(client);
  const errors: SdkError[] = [];
  const changes: string[][] = [];
  client.on("error", (error) => errors.push(error));
  client.on("change", ({ keys }) => changes.push(keys));
  return { client, errors, changes, log };
}

const user = { key: "user-1" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("streaming", () => {
  it("applies the put, resolves ready() and serves its values", async () => {
    mock.onConnection((c) => c.start(snapshot(5, [booleanFlag("new-checkout"), stringFlag("banner", "blue")])));
    const { client, changes } = start();
    expect(client.status().state).toBe("connecting");
    await expect(client.ready()).resolves.toBe(true);
    expect(client.status()).toEqual({ state: "ready", revision: 5 });
    expect(client.isEnabled("new-checkout", user)).toBe(true);
    expect(client.variant("banner", user, "red")).toBe("blue");
    expect(client.evaluate("banner", user)).toEqual({ value: "blue", variant: "a", reason: "STATIC" });
    expect(Object.keys(client.allFlags(user)).sort()).toEqual(["banner", "new-checkout"]);
    expect(changes).toEqual([]);
    expect(mock.last().request.headers.get("Authorization")).toBe(`Bearer ${SERVER_KEY}`);
    expect(mock.last().lastEventId).toBeNull();
  });

  it("applies patches in order and reports the changed keys", async () => {
    mock.onConnection((c) => c.start(snapshot(5, [booleanFlag("a"), booleanFlag("b")])));
    const { client, changes } = start();
    await client.ready();
    mock.last().patch(6, { kind: "flag", key: "a", value: booleanFlag("a", { enabled: false, version: 2 }) });
    await vi.waitFor(() => expect(client.isEnabled("a", user, true)).toBe(false));
    expect(changes).toEqual([["a"]]);
    mock.last().patch(7, { kind: "flag", key: "b", value: null });
    await vi.waitFor(() => expect(client.evaluate("b", user).reason).toBe("FLAG_NOT_FOUND"));
    mock.last().patch(8, { kind: "flag", key: "c", value: booleanFlag("c") });
    await vi.waitFor(() => expect(client.isEnabled("c", user)).toBe(true));
    expect(changes).toEqual([["a"], ["b"], ["c"]]);
    expect(client.status()).toEqual({ state: "ready", revision: 8 });
  });

  it("reports the flags that use a changed segment", async () => {
    mock.onConnection((c) => c.start(snapshot(1, [segmentFlag("beta-only", "beta"), booleanFlag("other")], [segment("beta", ["user-1"])])));
    const { client, changes } = start();
    await client.ready();
    expect(client.isEnabled("beta-only", user)).toBe(true);
    mock.last().patch(2, { kind: "segment", key: "beta", value: segment("beta", ["user-2"], 2) });
    await vi.waitFor(() => expect(changes).toEqual([["beta-only"]]));
    expect(client.isEnabled("beta-only", user)).toBe(false);
    expect(client.isEnabled("beta-only", { key: "user-2" })).toBe(true);
  });

  it("reports what a later put changed", async () => {
    mock.onConnection((c) => c.start(snapshot(1, [booleanFlag("a"), booleanFlag("b"), segmentFlag("s", "beta")], [segment("beta", [])])));
    const { client, changes } = start();
    await client.ready();
    mock.last().put(snapshot(9, [booleanFlag("a"), booleanFlag("c"), segmentFlag("s", "beta")], [segment("beta", ["x"], 2)]));
    await vi.waitFor(() => expect(changes).toHaveLength(1));
    expect(changes[0]!.sort()).toEqual(["b", "c", "s"]);
  });

  it("ignores a patch that is not above the revision it holds", async () => {
    mock.onConnection((c) => c.start(snapshot(5, [booleanFlag("a")])));
    const { client, changes } = start();
    await client.ready();
    mock.last().patch(5, { kind: "flag", key: "a", value: booleanFlag("a", { enabled: false, version: 2 }) });
    mock.last().patch(4, { kind: "flag", key: "a", value: booleanFlag("a", { enabled: false, version: 2 }) });
    mock.last().patch(6, { kind: "flag", key: "b", value: booleanFlag("b") });
    await vi.waitFor(() => expect(client.status()).toMatchObject({ revision: 6 }));
    expect(client.isEnabled("a", user)).toBe(true);
    expect(changes).toEqual([["b"]]);
    expect(mock.connections).toHaveLength(1);
  });

  it("reconnects with Last-Event-ID on a gap, and the replay fills it", async () => {
    mock.onConnection((c) => {
      if (c.lastEventId === null) c.start(snapshot(5, [booleanFlag("a")]));
      else {
        c.patch(6, { kind: "flag", key: "a", value: booleanFlag("a", { enabled: false, version: 2 }) });
        c.patch(7, { kind: "flag", key: "b", value: booleanFlag("b") });
        c.synced(7);
      }
    });
    const { client, changes } = start();
    await client.ready();
    // Revision 6 never arrives on this connection.
    mock.last().patch(7, { kind: "flag", key: "b", value: booleanFlag("b") });
    // Behind the server while the reconnect waits: stale, not ready.
    await vi.waitFor(() => expect(client.status()).toMatchObject({ state: "stale", revision: 5 }));
    expect(mock.connections).toHaveLength(1);
    await vi.waitFor(() => expect(mock.connections).toHaveLength(2), { timeout: 3000 });
    expect(mock.last().lastEventId).toBe("5");
    await vi.waitFor(() => expect(client.status()).toMatchObject({ state: "ready", revision: 7 }));
    expect(client.isEnabled("a", user, true)).toBe(false);
    expect(client.isEnabled("b", user)).toBe(true);
    expect(changes).toEqual([["a"], ["b"]]);
  });

  it("resumes from its revision after the server ends the stream, and is current again only on synced", async () => {
    mock.onConnection((c) => c.lastEventId === null && c.start(snapshot(5, [booleanFlag("a")])));
    const { client } = start();
    await client.ready();
    mock.last().end();
    await vi.waitFor(() => expect(mock.connections).toHaveLength(2), { timeout: 3000 });
    expect(mock.last().lastEventId).toBe("5");
    // Open, but nothing has said yet that the values held are current.
    await sleep(50);
    expect(client.status()).toMatchObject({ state: "stale", revision: 5 });
    mock.last().synced(5);
    await vi.waitFor(() => expect(client.status()).toEqual({ state: "ready", revision: 5 }));
  });

  it("calls itself ready on synced, not on the put before it", async () => {
    mock.onConnection((c) => c.put(snapshot(5, [booleanFlag("a")])));
    const { client } = start();
    const readyEvents: unknown[] = [];
    client.on("ready", (status) => readyEvents.push(status));
    let ready: boolean | undefined;
    void client.ready().then((value) => (ready = value));
    await vi.waitFor(() => expect(client.isEnabled("a", user)).toBe(true));
    await sleep(50);
    expect(client.status()).toEqual({ state: "connecting" });
    expect(ready).toBeUndefined();
    expect(readyEvents).toEqual([]);
    mock.last().synced(5);
    await vi.waitFor(() => expect(ready).toBe(true));
    expect(client.status()).toEqual({ state: "ready", revision: 5 });
    expect(readyEvents).toEqual([{ state: "ready", revision: 5 }]);
  });

  it("asks for a full put when synced names a revision it does not hold", async () => {
    let connection = 0;
    mock.onConnection((c) => {
      if (connection++ > 0) return c.start(snapshot(6, [booleanFlag("a", { enabled: false, version: 2 })]));
      // Revision 6 is missing from this connection, yet it claims to be in step at 6.
      c.put(snapshot(5, [booleanFlag("a")]));
      c.synced(6);
    });
    const { client, errors } = start();
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(["malformed_event"]));
    expect(client.status().state).not.toBe("ready");
    await vi.waitFor(() => expect(mock.connections).toHaveLength(2), { timeout: 3000 });
    expect(mock.last().lastEventId).toBeNull();
    await vi.waitFor(() => expect(client.status()).toEqual({ state: "ready", revision: 6 }));
    expect(client.isEnabled("a", user, true)).toBe(false);
  });

  it("ignores a malformed put, keeps its values and emits an error", async () => {
    mock.onConnection((c) => c.start(snapshot(5, [booleanFlag("a")])));
    const { client, errors, changes } = start();
    await client.ready();
    mock.last().event("put", 9, "{not json");
    mock.last().put(snapshot(9, [{ ...booleanFlag("a"), enabled: "yes" } as never]));
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    expect(errors.map((e) => e.code)).toEqual(["malformed_event", "malformed_event"]);
    expect(errors[1]!.message).toContain("flags.0.enabled");
    expect(client.isEnabled("a", user)).toBe(true);
    expect(client.status()).toEqual({ state: "ready", revision: 5 });
    expect(changes).toEqual([]);
  });

  it("ignores a malformed patch and asks for a full put instead of resuming past it", async () => {
    let puts = 0;
    mock.onConnection((c) => c.start(snapshot(5 + puts++, [booleanFlag("a")])));
    const { client, errors } = start();
    await client.ready();
    mock.last().patch(6, { kind: "flag", key: "a", value: { key: "a", enabled: false } });
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(["malformed_event"]));
    expect(client.isEnabled("a", user)).toBe(true);
    await vi.waitFor(() => expect(mock.connections).toHaveLength(2), { timeout: 3000 });
    expect(mock.last().lastEventId).toBeNull();
    // A patch whose value names another key is refused the same way...
    mock.last().patch(7, { kind: "flag", key: "a", value: booleanFlag("b") });
    await vi.waitFor(() => expect(mock.connections).toHaveLength(3), { timeout: 3000 });
    expect(mock.last().lastEventId).toBeNull();
    // ...and so is a well-formed patch without an id.
    mock.last().write(`event: patch\ndata: ${JSON.stringify({ kind: "flag", key: "a", value: booleanFlag("a", { enabled: false, version: 2 }) })}\n\n`);
    await vi.waitFor(() => expect(mock.connections).toHaveLength(4), { timeout: 4000 });
    expect(mock.last().lastEventId).toBeNull();
    expect(errors.map((e) => e.code)).toEqual(["malformed_event", "malformed_event", "malformed_event"]);
    expect(errors[2]!.message).toContain("id");
    expect(client.isEnabled("a", user)).toBe(true);
  }, 10_000);

  it("never logs the key", async () => {
    mock.answerStreamWith(() => 500);
    const { client, log } = start();
    await vi.waitFor(() => expect(mock.streamRequests.length).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    await client.close();
    expect(log.lines.length).toBeGreaterThan(0);
    const secret = SERVER_KEY.split(".")[1]!;
    expect(JSON.stringify(log.lines)).not.toContain(secret);
  });
});
