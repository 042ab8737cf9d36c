/** The persisted snapshot: atomic writes, cold starts while the server is down, and only files of the same source. */
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { booleanFlag, snapshot, stringFlag } from "../test-support/fixtures.js";
import { BASE_URL, SERVER_KEY, createMockServer, memoryLogger } from "../test-support/mock-server.js";
import { createClient, type Client, type ClientInternals, type ClientOptions } from "./client.js";
import { SnapshotWriter, loadSnapshot } from "./persistence.js";

const mock = createMockServer();
beforeAll(() => mock.server.listen({ onUnhandledRequest: "error" }));
afterAll(() => mock.server.close());

let directory: string;
let path: string;
const clients: Client[] = [];
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "switchyard-sdk-"));
  path = join(directory, "nested", "flags.json");
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  mock.connections.length = 0;
  mock.streamRequests.length = 0;
  mock.answerStreamWith(() => "stream");
  mock.onConnection(() => {});
  await rm(directory, { recursive: true, force: true });
});

function start(options: Partial<ClientOptions> = {}, internals: ClientInternals = {}) {
  const log = memoryLogger();
  const client = createClient({ url: BASE_URL, sdkKey: SERVER_KEY, persistPath: path, logger: log.logger, ...options }, { random: () => 0, ...internals });
  clients.push(client);
  return { client, log };
}

/** Runs a client against a live server until its snapshot at `revision` is on disk. */
async function persistRevision(revision: number) {
  mock.onConnection((c) => c.start(snapshot(revision, [booleanFlag("a"), stringFlag("banner", "blue")])));
  const { client } = start();
  await client.ready();
  await client.close();
  mock.connections.length = 0;
}

const user = { key: "user-1" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A server that accepts the request and never answers (metrics aside, so close() need not wait for them). */
const hanging: ClientInternals = { fetch: (input) => (String(input).endsWith("/sdk/v1/metrics") ? Promise.resolve(new Response(null, { status: 202 })) : new Promise<Response>(() => {})) };

describe("persistence", () => {
  it("writes the snapshot with its source, never the secret, and leaves no temporary file", async () => {
    await persistRevision(7);
    const file = JSON.parse(await readFile(path, "utf8"));
    expect(file).toMatchObject({ format: 1, source: { url: BASE_URL, keyId: "sy_server_abc123" }, snapshot: { revision: 7 } });
    expect(typeof file.savedAt).toBe("number");
    expect(await readFile(path, "utf8")).not.toContain(SERVER_KEY.split(".")[1]);
    expect(await readdir(join(directory, "nested"))).toEqual(["flags.json"]);
  });

  it("replaces the file atomically: a reader never sees a torn file", async () => {
    const writer = new SnapshotWriter(path, { url: BASE_URL, keyId: "k" }, (error) => {
      throw error;
    });
    const big = snapshot(0, Array.from({ length: 300 }, (_, i) => stringFlag(`flag-${i}`, "x".repeat(200))));
    let reads = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const text = await readFile(path, "utf8").catch(() => null);
        if (text !== null) {
          JSON.parse(text);
          reads++;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let revision = 1; revision <= 40; revision++) {
      writer.save(() => ({ ...big, revision }));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await writer.flushed();
    reading = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(path, "utf8")).snapshot.revision).toBe(40);
    expect((await readdir(join(directory, "nested"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("coalesces a burst of saves into few writes of the newest state", async () => {
    const writer = new SnapshotWriter(path, { url: BASE_URL, keyId: "k" }, () => {});
    const taken: number[] = [];
    for (let revision = 1; revision <= 50; revision++) {
      writer.save(() => {
        taken.push(revision);
        return snapshot(revision, []);
      });
    }
    await writer.flushed();
    expect(taken).toEqual([1, 50]);
    expect(JSON.parse(await readFile(path, "utf8")).snapshot.revision).toBe(50);
  });

  it("serves the file's values as stale on a cold start while the server is down", async () => {
    await persistRevision(7);
    mock.answerStreamWith(() => 503);
    const { client } = start();
    expect(client.variant("banner", user, "red")).toBe("blue");
    expect(client.status().state).toBe("connecting");
    await expect(client.ready()).resolves.toBe(true);
    expect(client.status()).toMatchObject({ state: "stale", revision: 7, error: { code: "http_error" } });
    const status = client.status();
    expect(status.state === "stale" && status.ageMs).toBeGreaterThanOrEqual(0);
  });

  it("reports the age of stale values from when they were saved", async () => {
    const savedAt = Date.now() - 90_000;
    const file = { format: 1, source: { url: BASE_URL, keyId: "sy_server_abc123" }, savedAt, snapshot: snapshot(3, [booleanFlag("a")]) };
    await persistRevision(1);
    await writeFile(path, JSON.stringify(file));
    mock.answerStreamWith(() => 503);
    const { client } = start();
    await client.ready();
    const status = client.status();
    expect(status.state === "stale" && status.ageMs).toBeGreaterThanOrEqual(90_000);
  });

  it("resumes from the file's revision, and calls nothing current before the replay has landed", async () => {
    // The file holds revision 2; meanwhile the flag was killed at revision 3.
    await persistRevision(2);
    mock.onConnection(() => {});
    const { client } = start();
    const readyEvents: unknown[] = [];
    client.on("ready", (status) => readyEvents.push(status));
    let ready: boolean | undefined;
    void client.ready().then((value) => (ready = value));
    await vi.waitFor(() => expect(mock.connections).toHaveLength(1));
    expect(mock.last().lastEventId).toBe("2");
    await sleep(50);
    // The stream is open, the replay has not arrived: nothing claims the file's values are current.
    expect(client.status()).toEqual({ state: "connecting" });
    expect(ready).toBeUndefined();
    expect(readyEvents).toEqual([]);
    mock.last().patch(3, { kind: "flag", key: "a", value: booleanFlag("a", { killed: true, killReason: "incident", version: 2 }) });
    mock.last().synced(3);
    await vi.waitFor(() => expect(ready).toBe(true));
    expect(client.isEnabled("a", user, true)).toBe(false);
    expect(client.status()).toEqual({ state: "ready", revision: 3 });
    expect(readyEvents).toEqual([{ state: "ready", revision: 3 }]);
  });

  it("counts the file's values at the timeout when the server neither answers nor fails, and says so with a ready event", async () => {
    await persistRevision(7);
    const { client } = start({ timeoutMs: 100 }, hanging);
    const readyEvents: unknown[] = [];
    client.on("ready", (status) => readyEvents.push(status));
    await expect(client.ready()).resolves.toBe(true);
    await vi.waitFor(() => expect(readyEvents).toEqual([{ state: "connecting" }]));
    // Settled: a later call does not wait for another timeout.
    await expect(Promise.race([client.ready(), sleep(20).then(() => "waited")])).resolves.toBe(true);
  });

  it("serves a matching file over a bootstrap, and ready() follows the file's rule", async () => {
    await persistRevision(7);
    const { client } = start({ timeoutMs: 60_000, bootstrap: snapshot(50, [stringFlag("banner", "green")]) }, hanging);
    expect(client.variant("banner", user, "red")).toBe("blue");
    let ready: boolean | undefined;
    void client.ready().then((value) => (ready = value));
    await sleep(50);
    expect(ready).toBeUndefined();
    expect(client.status()).toEqual({ state: "connecting" });
  });

  it("persists nothing for a key without a public id (no \".\")", async () => {
    mock.onConnection((c) => c.start(snapshot(1, [booleanFlag("a")])));
    const { client, log } = start({ sdkKey: "sy_server_nodot" });
    await expect(client.ready()).resolves.toBe(true);
    await client.close();
    await expect(readdir(directory)).resolves.toEqual([]);
    expect(log.lines.some((line) => line.level === "warn" && line.message.includes("persistPath"))).toBe(true);
  });

  it.each([
    ["another key", { url: BASE_URL, sdkKey: "sy_server_other.secret" }],
    ["another server", { url: "http://elsewhere.test", sdkKey: SERVER_KEY }],
  ])("ignores a file written for %s", async (_name, source) => {
    await persistRevision(7);
    expect(loadSnapshot(path, { url: source.url, keyId: source.sdkKey.split(".")[0]! })).toEqual({ kind: "mismatch" });
    mock.answerStreamWith(() => 503);
    const { client, log } = start({ ...source, timeoutMs: 200 });
    expect(client.evaluate("banner", user).reason).toBe("FLAG_NOT_FOUND");
    await expect(client.ready()).resolves.toBe(false);
    expect(log.lines.some((line) => line.message.includes("another server or key"))).toBe(true);
    await client.close();
  });

  it("ignores an unreadable file", async () => {
    await persistRevision(7);
    await writeFile(path, "{ torn");
    mock.answerStreamWith(() => 503);
    const { client, log } = start({ timeoutMs: 100 });
    await expect(client.ready()).resolves.toBe(false);
    expect(log.lines.some((line) => line.level === "warn" && line.message.includes("unreadable"))).toBe(true);
  });

  it("reports a write that fails as an error event", async () => {
    await writeFile(join(directory, "file"), "");
    mock.onConnection((c) => c.start(snapshot(1, [booleanFlag("a")])));
    const { client } = start({ persistPath: join(directory, "file", "flags.json") });
    const errors: string[] = [];
    client.on("error", (error) => errors.push(error.code));
    await client.ready();
    await vi.waitFor(() => expect(errors).toEqual(["persist_failed"]));
  });
});

describe("bootstrap", () => {
  it("serves its values at once, resolves ready(), and the server's put reports what differs", async () => {
    mock.onConnection(() => {});
    const { client } = start({ persistPath: undefined, bootstrap: snapshot(50, [booleanFlag("a"), stringFlag("banner", "green")]) });
    await expect(client.ready()).resolves.toBe(true);
    expect(client.variant("banner", user, "red")).toBe("green");
    expect(client.status().state).toBe("connecting");
    const changes: string[][] = [];
    client.on("change", ({ keys }) => changes.push(keys));
    await vi.waitFor(() => expect(mock.connections).toHaveLength(1));
    // A bootstrap is not known to come from this server: no resume from its revision.
    expect(mock.last().lastEventId).toBeNull();
    mock.last().start(snapshot(3, [booleanFlag("a"), stringFlag("banner", "blue")]));
    await vi.waitFor(() => expect(changes).toEqual([["banner"]]));
    expect(client.status()).toEqual({ state: "ready", revision: 3 });
  });

  it("is ignored when malformed", async () => {
    const { client, log } = start({ persistPath: undefined, timeoutMs: 50, bootstrap: { flags: "nope" } as never });
    expect(log.lines.some((line) => line.level === "error" && line.message.includes("bootstrap"))).toBe(true);
    expect(client.allFlags(user)).toEqual({});
  });
});
