/** The SSE streams over a real socket on 127.0.0.1. */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";
import { SseReader } from "../test-support/sse-reader.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: Parameters<typeof createHarness>[0] = {}) {
  const h = await createHarness(options);
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
  const listening = await h.listen();
  cleanups.push(listening.close);
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const reader = await SseReader.open(`${listening.url}${path}`, headers);
    cleanups.push(reader.abort);
    return reader;
  };
  return { h, url: listening.url, open };
}

const production = "/api/v1/flags/new-checkout/environments/production";
const kill = (h: Harness, reason = "test") => h.call("editor", "POST", `${production}/kill`, { body: { reason } });
const unkill = (h: Harness, reason = "test") => h.call("editor", "POST", `${production}/unkill`, { body: { reason } });
const revisionOf = (h: Harness) => h.services.snapshots.get("production").snapshot.revision;

describe("GET /sdk/v1/stream", () => {
  it("sends a put, then a patch for each change, with SSE headers and revision ids", async () => {
    const { h, open } = await serve();
    const stream = await open("/sdk/v1/stream", h.credentials.server);
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get("cache-control")).toContain("no-cache");
    expect(stream.response.headers.get("x-accel-buffering")).toBe("no");

    const put = await stream.waitFor((m) => m.event === "put");
    const snapshot = JSON.parse(put.data!);
    expect(put.id).toBe(String(snapshot.revision));
    const synced = await stream.waitFor((m) => m.event === "synced");
    expect(JSON.parse(synced.data!)).toEqual({ revision: snapshot.revision });
    expect(snapshot.flags.map((flag: { key: string }) => flag.key)).toEqual(["new-checkout"]);
    expect(stream.messages.some((m) => m.retry !== undefined)).toBe(true);

    await kill(h, "errors");
    const patch = await stream.waitFor((m) => m.event === "patch");
    expect(patch.id).toBe(String(snapshot.revision + 1));
    expect(JSON.parse(patch.data!)).toMatchObject({ kind: "flag", key: "new-checkout", value: { killed: true, killReason: "errors" } });

    await h.call("editor", "POST", "/api/v1/environments/production/segments", { body: { key: "beta", included: ["u1"] } });
    await h.call("editor", "POST", "/api/v1/flags/new-checkout/archive");
    await stream.waitFor((m) => m.id === String(snapshot.revision + 3));
    expect(stream.events("patch").map((m) => JSON.parse(m.data!))).toMatchObject([
      { kind: "flag", key: "new-checkout" },
      { kind: "segment", key: "beta", value: { key: "beta", included: ["u1"] } },
      { kind: "flag", key: "new-checkout", value: null },
    ]);
  });

  it("does not send other environments' changes", async () => {
    const { h, open } = await serve();
    const stream = await open("/sdk/v1/stream", h.credentials.server);
    await stream.waitFor((m) => m.event === "put");
    await h.call("editor", "POST", "/api/v1/flags/new-checkout/environments/staging/kill", { body: { reason: "staging" } });
    await kill(h);
    const patch = await stream.waitFor((m) => m.event === "patch");
    expect(JSON.parse(patch.data!).value.killed).toBe(true);
    expect(stream.events("patch")).toHaveLength(1);
  });

  it("resumes from Last-Event-ID with exactly the missed patches, in order", async () => {
    const { h, open } = await serve();
    const from = revisionOf(h);
    await kill(h, "one");
    await unkill(h, "two");
    await kill(h, "three");
    const stream = await open("/sdk/v1/stream", { ...h.credentials.server, "Last-Event-ID": String(from) });
    await stream.waitFor((m) => m.id === String(from + 3));
    await kill(h, "ignored: already killed");
    await unkill(h, "four");
    await stream.waitFor((m) => m.id === String(from + 4));
    expect(stream.events("put")).toEqual([]);
    expect(stream.events("synced").map((m) => m.id)).toEqual([String(from + 3)]);
    expect(stream.events("patch").map((m) => [m.id, JSON.parse(m.data!).value.killed])).toEqual([
      [String(from + 1), true],
      [String(from + 2), false],
      [String(from + 3), true],
      [String(from + 4), false],
    ]);
  });

  it("sends nothing but a comment to a subscriber that is current", async () => {
    const { h, open } = await serve({ heartbeatMs: 50 });
    const stream = await open("/sdk/v1/stream", { ...h.credentials.server, "Last-Event-ID": String(revisionOf(h)) });
    await stream.waitFor((m) => m.comment === "connected");
    await stream.waitFor((m) => m.comment === "heartbeat");
    expect(stream.events().map((m) => m.event)).toEqual(["synced"]);
  });

  it("sends a put when the change log no longer reaches back far enough", async () => {
    const { h, open } = await serve({ changeLogRetention: 2 });
    const from = revisionOf(h);
    for (let i = 0; i < 3; i++) {
      await kill(h);
      await unkill(h);
    }
    const stream = await open("/sdk/v1/stream", { ...h.credentials.server, "Last-Event-ID": String(from) });
    const put = await stream.waitFor((m) => m.event === "put");
    expect(JSON.parse(put.data!).revision).toBe(from + 6);
    const recent = await open("/sdk/v1/stream", { ...h.credentials.server, "Last-Event-ID": String(from + 4) });
    await recent.waitFor((m) => m.event === "synced");
    expect(recent.events().map((m) => [m.event, m.id])).toEqual([
      ["patch", String(from + 5)],
      ["patch", String(from + 6)],
      ["synced", String(from + 6)],
    ]);
  });

  it("sends a put for a revision from the future (a reset server)", async () => {
    const { h, open } = await serve();
    const stream = await open("/sdk/v1/stream", { ...h.credentials.server, "Last-Event-ID": "999999" });
    const put = await stream.waitFor((m) => m.event === "put");
    expect(JSON.parse(put.data!).revision).toBe(revisionOf(h));
  });

  it("refuses other credentials before any stream starts", async () => {
    const { h, url } = await serve();
    expect((await fetch(`${url}/sdk/v1/stream`)).status).toBe(401);
    expect((await fetch(`${url}/sdk/v1/stream`, { headers: h.credentials.client })).status).toBe(403);
    expect((await fetch(`${url}/sdk/v1/stream`, { headers: { Authorization: "Bearer sy_server_nope.nope" } })).status).toBe(401);
  });

  it("drops a subscriber that stops reading once its buffer passes the bound", async () => {
    const { h, url } = await serve({ maxStreamBufferBytes: 64 * 1024 });
    const { port } = new URL(url);
    const socket = connect(Number(port), "127.0.0.1");
    cleanups.push(() => void socket.destroy());
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`GET /sdk/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n${h.credentials.server.Authorization ? `Authorization: ${h.credentials.server.Authorization}\r\n` : ""}\r\n`);
    socket.pause(); // never read: the kernel buffers fill, then the server's
    const subscribers = () => h.services.hub.counts().get("production")?.server ?? 0;
    for (let i = 0; i < 100 && subscribers() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(subscribers()).toBe(1);
    const description = "x".repeat(200_000);
    const variants = Array.from({ length: 4 }, (_, i) => ({ key: `v${i}`, value: description }));
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "big", kind: "string", variants } });
    for (let i = 0; i < 200 && subscribers() > 0; i++) {
      await h.call("editor", "POST", "/api/v1/flags/big/environments/production/kill", { body: { reason: `r${i}` } });
      await h.call("editor", "POST", "/api/v1/flags/big/environments/production/unkill", { body: { reason: `r${i}` } });
      await new Promise((resolve) => setImmediate(resolve)); // the hub fans out on the next turn
    }
    expect(subscribers()).toBe(0);
  }, 30_000);

  it("ends every stream cleanly when the hub closes for shutdown", async () => {
    const { h, open } = await serve();
    const stream = await open("/sdk/v1/stream", h.credentials.server);
    await stream.waitFor((m) => m.event === "put");
    h.services.hub.close();
    expect(await stream.waitForEnd()).toBe(true);
  });
});

describe("GET /client/v1/stream", () => {
  const encode = (context: unknown) => Buffer.from(JSON.stringify(context)).toString("base64url");

  async function serveBanner() {
    const served = await serve();
    const { h } = served;
    await h.call("editor", "POST", "/api/v1/flags", {
      body: { key: "banner", kind: "string", clientVisible: true, variants: [{ key: "blue", value: "blue" }, { key: "green", value: "green" }] },
    });
    await h.call("editor", "PATCH", "/api/v1/flags/banner/environments/production", {
      body: {
        version: 1,
        enabled: true,
        rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"] }], serve: { variant: "green" } }],
        fallthrough: { variant: "blue" },
      },
    });
    const clientKey = h.credentials.client.Authorization!.replace("Bearer ", "");
    return { ...served, clientKey };
  }

  it("puts evaluated values of client-visible flags only, never rules, with CORS for other origins", async () => {
    const { open, clientKey } = await serveBanner();
    const stream = await open(`/client/v1/stream?key=${clientKey}&context=${encode({ key: "u1", country: "NL" })}`, { Origin: "https://shop.example" });
    expect(stream.response.headers.get("access-control-allow-origin")).toBe("*");
    const put = await stream.waitFor((m) => m.event === "put");
    const data = JSON.parse(put.data!);
    expect(data.flags).toEqual({ banner: { value: "green", variant: "green", reason: "RULE_MATCH", ruleIndex: 0 } });
    expect(put.data).not.toContain("country");
  });

  it("patches only when the value for this context changes", async () => {
    const { h, open, clientKey } = await serveBanner();
    const dutch = await open(`/client/v1/stream?key=${clientKey}&context=${encode({ key: "u1", country: "NL" })}`);
    const german = await open(`/client/v1/stream?key=${clientKey}&context=${encode({ key: "u2", country: "DE" })}`);
    await dutch.waitFor((m) => m.event === "put");
    await german.waitFor((m) => m.event === "put");

    // Only Dutch users are affected: the rule now serves blue, like the fallthrough.
    const config = h.services.flags.getConfig("banner", "production");
    await h.call("editor", "PATCH", "/api/v1/flags/banner/environments/production", {
      body: { version: config.version, rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"] }], serve: { variant: "blue" } }] },
    });
    const patch = await dutch.waitFor((m) => m.event === "patch");
    expect(JSON.parse(patch.data!)).toEqual({ key: "banner", value: "blue", variant: "blue", reason: "RULE_MATCH", ruleIndex: 0 });

    await h.call("editor", "POST", "/api/v1/flags/banner/environments/production/kill", { body: { reason: "bad copy" } });
    await dutch.waitFor((m) => m.event === "patch" && JSON.parse(m.data!).reason === "KILLED");
    const killedForGerman = await german.waitFor((m) => m.event === "patch");
    expect(JSON.parse(killedForGerman.data!)).toMatchObject({ key: "banner", reason: "KILLED" });
    expect(german.events("patch")).toHaveLength(1);

    await h.call("editor", "POST", "/api/v1/flags/banner/archive");
    const deleted = await german.waitFor((m) => m.event === "patch" && JSON.parse(m.data!).deleted === true);
    expect(JSON.parse(deleted.data!)).toEqual({ key: "banner", deleted: true });
  });

  it("evaluates each distinct context once per change, however many browsers share it", async () => {
    const { h, open, clientKey } = await serveBanner();
    const context = encode({ key: "same", country: "NL" });
    const streams = await Promise.all(Array.from({ length: 5 }, () => open(`/client/v1/stream?key=${clientKey}&context=${context}`)));
    await Promise.all(streams.map((stream) => stream.waitFor((m) => m.event === "put")));
    expect(h.services.hub.counts().get("production")).toMatchObject({ client: 5, contexts: 1 });
  });

  it("answers bad keys and contexts with 4xx and CORS headers", async () => {
    const { h, url, clientKey } = await serveBanner();
    const origin = { Origin: "https://shop.example" };
    const noKey = await fetch(`${url}/client/v1/stream`, { headers: origin });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get("access-control-allow-origin")).toBe("*");
    const serverKey = h.credentials.server.Authorization!.replace("Bearer ", "");
    expect((await fetch(`${url}/client/v1/stream?key=${serverKey}`)).status).toBe(403);
    const garbage = await fetch(`${url}/client/v1/stream?key=${clientKey}&context=%%%`);
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as any).error.issues[0].path).toBe("context");
    const notObject = await fetch(`${url}/client/v1/stream?key=${clientKey}&context=${encode([1, 2])}`);
    expect(notObject.status).toBe(400);
    const huge = await fetch(`${url}/client/v1/stream?key=${clientKey}&context=${encode({ key: "x".repeat(9000) })}`);
    expect(huge.status).toBe(400);
    const preflight = await fetch(`${url}/client/v1/stream`, { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "GET" } });
    expect(preflight.status).toBe(204);
    const admin = await fetch(`${url}/api/v1/flags`, { headers: origin });
    expect(admin.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("stream edge cases", () => {
  it("sends a put instead of a replay too large for the subscriber's buffer, and registers the stream", async () => {
    const { h, open } = await serve({ maxStreamBufferBytes: 256 * 1024 });
    const big = "x".repeat(50_000);
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "big", kind: "string", variants: [{ key: "a", value: big }, { key: "b", value: big }] } });
    const from = revisionOf(h);
    for (let i = 0; i < 6; i++) {
      await h.call("editor", "POST", "/api/v1/flags/big/environments/production/kill", { body: { reason: `r${i}` } });
      await h.call("editor", "POST", "/api/v1/flags/big/environments/production/unkill", { body: { reason: `r${i}` } });
    }
    const stream = await open("/sdk/v1/stream", { ...h.credentials.server, "Last-Event-ID": String(from) });
    const put = await stream.waitFor((m) => m.event === "put");
    expect(JSON.parse(put.data!).revision).toBe(from + 12);
    expect(h.services.hub.counts().get("production")?.server).toBe(1);
  });

  it("ends open streams when their key is revoked", async () => {
    const { h, open } = await serve();
    const created = await h.call("admin", "POST", "/api/v1/credentials", { body: { kind: "server", name: "doomed", environment: "production" } });
    const stream = await open("/sdk/v1/stream", { Authorization: `Bearer ${created.json.token}` });
    const other = await open("/sdk/v1/stream", h.credentials.server);
    await stream.waitFor((m) => m.event === "put");
    await other.waitFor((m) => m.event === "put");
    await h.call("admin", "POST", `/api/v1/credentials/${created.json.id}/revoke`);
    expect(await stream.waitForEnd()).toBe(true);
    await kill(h, "after revocation");
    await other.waitFor((m) => m.event === "patch");
    expect(stream.events("patch")).toEqual([]);
  });

  it("refuses new streams with 503 while draining, and /readyz says so", async () => {
    const { h, url } = await serve();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    h.services.hub.close();
    const refused = await fetch(`${url}/sdk/v1/stream`, { headers: h.credentials.server });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as any).error.code).toBe("unavailable");
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  });
});
