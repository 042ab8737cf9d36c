/** What the admin UI needs from the server: its event stream, seen contexts, and its own files. */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHarness } from "../test-support/harness.js";
import { SseReader } from "../test-support/sse-reader.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const production = "/api/v1/flags/new-checkout/environments/production";

describe("GET /api/v1/events", () => {
  it("tells an open UI about each write as it commits: who, what, which flag and environment", async () => {
    const h = await createHarness();
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
    const { url, close } = await h.listen();
    cleanups.push(close);
    const stream = await SseReader.open(`${url}/api/v1/events`, h.credentials.viewer);
    cleanups.push(stream.abort);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await stream.waitFor((m) => m.comment === "following changes");

    const killed = await h.call("editor", "POST", `${production}/kill`, { body: { reason: "checkout errors" } });
    expect(killed.status).toBe(200);
    const change = await stream.waitFor((m) => m.event === "change");
    const [entry] = (await h.call("viewer", "GET", "/api/v1/audit?limit=1")).json.entries;
    expect(JSON.parse(change.data!)).toEqual({
      auditId: entry.id,
      at: entry.at,
      actor: { kind: "user", id: expect.any(String), name: "editor@example.com" },
      action: "flag.kill",
      resourceKind: "flag_config",
      resourceKey: "new-checkout",
      flag: "new-checkout",
      environment: "production",
    });
    expect(change.id).toBe(String(entry.id));
  });

  it("also carries writes SDKs never see: an archived flag's changes, a new environment", async () => {
    const h = await createHarness();
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
    expect((await h.call("editor", "POST", "/api/v1/flags/new-checkout/archive", { body: { version: 1 } })).status).toBe(200);
    const { url, close } = await h.listen();
    cleanups.push(close);
    const stream = await SseReader.open(`${url}/api/v1/events`, h.credentials.admin);
    cleanups.push(stream.abort);
    await stream.waitFor((m) => m.comment === "following changes");

    const { version } = (await h.call("viewer", "GET", production)).json;
    expect((await h.call("editor", "PATCH", production, { body: { enabled: true, version } })).status).toBe(200);
    expect((await h.call("admin", "POST", "/api/v1/environments", { body: { key: "qa" } })).status).toBe(201);
    await stream.waitFor((m) => m.event === "change" && JSON.parse(m.data!).action === "environment.create");
    const actions = stream.messages.filter((m) => m.event === "change").map((m) => JSON.parse(m.data!).action);
    expect(actions).toEqual(["flag.config.update", "environment.create"]);
  });

  it("is ended by shutdown like every stream", async () => {
    const h = await createHarness();
    const { url, close } = await h.listen();
    cleanups.push(close);
    const stream = await SseReader.open(`${url}/api/v1/events`, h.credentials.editor);
    cleanups.push(stream.abort);
    await stream.waitFor((m) => m.comment === "following changes");
    h.services.hub.close();
    await expect.poll(() => stream.ended).toBe(true);
  });
});

describe("GET /api/v1/environments/:env/contexts", () => {
  it("lists the contexts browsers and SDKs evaluated with, newest first, one entry per key", async () => {
    const h = await createHarness();
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout", clientVisible: true } });
    const evaluate = (context: Record<string, unknown>) => h.call("client", "POST", "/sdk/v1/evaluate", { body: { context } });
    const { url, close } = await h.listen();
    cleanups.push(close);
    const encoded = Buffer.from(JSON.stringify({ key: "streamer", country: "DE" })).toString("base64url");
    const stream = await SseReader.open(`${url}/client/v1/stream?context=${encoded}`, h.credentials.client);
    cleanups.push(stream.abort);
    await stream.waitFor((m) => m.event === "put");

    await evaluate({ key: "user-1", country: "NL" });
    await evaluate({ country: "NL" }); // no key: a rollout could not place it, so it is not kept
    await new Promise((resolve) => setTimeout(resolve, 5));
    await evaluate({ key: "user-1", country: "BE" }); // the same key again: its newest context wins

    const listed = await h.call("viewer", "GET", "/api/v1/environments/production/contexts");
    expect(listed.status).toBe(200);
    expect(listed.json.contexts.map((c: { key: string; context: unknown }) => [c.key, c.context])).toEqual([
      ["user-1", { key: "user-1", country: "BE" }],
      ["streamer", { key: "streamer", country: "DE" }],
    ]);
    expect((await h.call("viewer", "GET", "/api/v1/environments/staging/contexts")).json.contexts).toEqual([]);
  });

  it("keeps only the newest contexts up to the configured limit, and none at 0", async () => {
    const h = await createHarness({ seenContextLimit: 3 });
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout", clientVisible: true } });
    for (let i = 1; i <= 5; i++) {
      await h.call("client", "POST", "/sdk/v1/evaluate", { body: { context: { key: `user-${i}` } } });
      h.services.seenContexts.flush();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const listed = await h.call("viewer", "GET", "/api/v1/environments/production/contexts");
    expect(listed.json.contexts.map((c: { key: string }) => c.key)).toEqual(["user-5", "user-4", "user-3"]);

    const off = await createHarness({ seenContextLimit: 0 });
    await off.call("client", "POST", "/sdk/v1/evaluate", { body: { context: { key: "user-1" } } });
    expect((await off.call("viewer", "GET", "/api/v1/environments/production/contexts")).json.contexts).toEqual([]);
  });

  it("names the bad parameter and the unknown environment", async () => {
    const h = await createHarness();
    const bad = await h.call("viewer", "GET", "/api/v1/environments/production/contexts?limit=0");
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe("limit");
    expect((await h.call("viewer", "GET", "/api/v1/environments/nowhere/contexts")).status).toBe(404);
  });
});

describe("the admin UI's files", () => {
  function builtUi() {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-web-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script>');
    writeFileSync(join(dir, "assets", "app-1a2b.js"), "console.log('switchyard')");
    return dir;
  }

  it("serves the page at / and at every client-side route, never cached, with a strict CSP", async () => {
    const h = await createHarness({ webDir: builtUi() });
    for (const path of ["/", "/flags", "/flags/new-checkout?env=production", "/audit"]) {
      const page = await h.call("anonymous", "GET", path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.text).toContain('<div id="root">');
      expect(page.headers.get("cache-control")).toBe("no-cache");
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    }
  });

  it("serves hashed assets for good and leaves the API's answers alone", async () => {
    const h = await createHarness({ webDir: builtUi() });
    const asset = await h.call("anonymous", "GET", "/assets/app-1a2b.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await h.call("anonymous", "GET", "/assets/missing.js")).status).toBe(404);

    const unknownApi = await h.call("viewer", "GET", "/api/v1/nothing-here");
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.json.error.code).toBe("not_found");
    expect((await h.call("anonymous", "GET", "/api/v1/flags")).status).toBe(401);
    expect((await h.call("anonymous", "GET", "/healthz")).json).toEqual({ status: "ok" });
  });

  it("serves the API only when the UI is not built", async () => {
    const h = await createHarness({ webDir: join(tmpdir(), "switchyard-no-such-dir") });
    expect((await h.call("anonymous", "GET", "/")).status).toBe(404);
    expect((await h.call("anonymous", "GET", "/healthz")).status).toBe(200);
  });
});
