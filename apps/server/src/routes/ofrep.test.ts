/** OFREP: evaluation through `app.request()`, the event stream over a real socket. */
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseToken } from "../auth/secrets.js";
import { streamToken } from "../auth/stream-token.js";
import { loadConfig } from "../config.js";
import { environments, flagConfigs, flags } from "../db/schema.js";
import { createHarness, type CallerKind, type Harness } from "../test-support/harness.js";
import { SseReader } from "../test-support/sse-reader.js";

const SECRET_KEY = "ofrep-test-secret-key-of-at-least-32-characters";
const single = (key: string) => `/ofrep/v1/evaluate/flags/${key}`;
const bulk = "/ofrep/v1/evaluate/flags";
const config = (flag: string) => `/api/v1/flags/${flag}/environments/production`;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

async function patchConfig(h: Harness, flag: string, fields: Record<string, unknown>) {
  const version = h.services.flags.getConfig(flag, "production").version;
  const response = await h.call("editor", "PATCH", config(flag), { body: { version, ...fields } });
  expect(response.status).toBe(200);
}

/** banner: client-visible, green for NL by rule 0, else blue. new-checkout: server only, on for everyone. */
async function setup(options: Parameters<typeof createHarness>[0] = {}) {
  const h = await createHarness({ secretKey: SECRET_KEY, ...options });
  const colours = [{ key: "blue", value: "blue" }, { key: "green", value: "green" }, { key: "none", value: "" }];
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "banner", kind: "string", clientVisible: true, variants: colours } });
  await patchConfig(h, "banner", { enabled: true, rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"] }], serve: { variant: "green" } }], fallthrough: { variant: "blue" } });
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
  await patchConfig(h, "new-checkout", { enabled: true });
  return h;
}

const revisionOf = (h: Harness) => h.services.snapshots.get("production").snapshot.revision;
const credentialId = (h: Harness, caller: CallerKind) => parseToken(h.credentials[caller].Authorization!.replace("Bearer ", ""))!.id;

let h: Harness;
beforeEach(async () => {
  h = await setup();
});

describe("POST /ofrep/v1/evaluate/flags/{key}", () => {
  it("maps every reason, serving a disabled or killed flag's off variant", async () => {
    const create = (key: string) => h.call("editor", "POST", "/api/v1/flags", { body: { key } });
    await create("dormant"); // never enabled
    await create("targeted");
    await patchConfig(h, "targeted", { enabled: true, targets: [{ variant: "on", values: ["vip"] }], fallthrough: { variant: "off" } });
    await create("split");
    await patchConfig(h, "split", { enabled: true });
    await h.call("editor", "POST", `${config("split")}/rollout`, { body: { percent: 50 } });
    const evaluate = async (flag: string, context: Record<string, unknown>) => (await h.call("server", "POST", single(flag), { body: { context } })).json;

    expect(await evaluate("new-checkout", { targetingKey: "u1" })).toEqual({ key: "new-checkout", value: true, reason: "STATIC", variant: "on", metadata: {} });
    expect(await evaluate("targeted", { targetingKey: "vip" })).toEqual({ key: "targeted", value: true, reason: "TARGETING_MATCH", variant: "on", metadata: {} });
    expect(await evaluate("targeted", { targetingKey: "u1" })).toEqual({ key: "targeted", value: false, reason: "DEFAULT", variant: "off", metadata: {} });
    expect(await evaluate("banner", { targetingKey: "u1", country: "NL" })).toEqual({ key: "banner", value: "green", reason: "TARGETING_MATCH", variant: "green", metadata: { ruleIndex: 0 } });
    expect(await evaluate("split", { targetingKey: "u1" })).toMatchObject({ key: "split", reason: "SPLIT", metadata: {} });
    expect(await evaluate("dormant", {})).toEqual({ key: "dormant", value: false, reason: "DISABLED", variant: "off", metadata: {} });
    await h.call("editor", "POST", `${config("new-checkout")}/kill`, { body: { reason: "error spike" } });
    expect(await evaluate("new-checkout", { targetingKey: "u1" })).toEqual({
      key: "new-checkout",
      value: false,
      reason: "DISABLED",
      variant: "off",
      metadata: { killed: true, killReason: "error spike" },
    });
  });

  it("tells a public client key that a flag is killed, never why, on every route a client key reads", async () => {
    await h.call("editor", "POST", `${config("banner")}/kill`, { body: { reason: "INC-42: alert checkout_5xx" } });
    const killed = { value: "", variant: "none" }; // the off variant
    const { json: forClient } = await h.call("client", "POST", single("banner"), { body: { context: {} } });
    expect(forClient).toEqual({ key: "banner", ...killed, reason: "DISABLED", metadata: { killed: true } });
    const { json: bulkForClient } = await h.call("client", "POST", bulk, { body: { context: {} } });
    expect(bulkForClient.flags).toEqual([forClient]);
    expect((await h.call("client", "POST", "/sdk/v1/evaluate", { body: { context: {}, key: "banner" } })).json).toEqual({ key: "banner", ...killed, reason: "KILLED" });
    const listening = await h.listen();
    cleanups.push(listening.close);
    const context = Buffer.from(JSON.stringify({ key: "u1" })).toString("base64url");
    const browser = await SseReader.open(`${listening.url}/client/v1/stream?context=${context}`, h.credentials.client);
    cleanups.push(browser.abort);
    const put = await browser.waitFor((m) => m.event === "put");
    expect(JSON.parse(put.data!).flags.banner).toEqual({ ...killed, reason: "KILLED" });
    // The team's server keys see the reason.
    expect((await h.call("server", "POST", single("banner"), { body: { context: {} } })).json.metadata).toEqual({ killed: true, killReason: "INC-42: alert checkout_5xx" });
    expect((await h.call("server", "POST", "/sdk/v1/evaluate", { body: { context: {}, key: "banner" } })).json.killReason).toBe("INC-42: alert checkout_5xx");
  });

  it("accepts the key as Bearer or X-API-Key, and an empty body as the empty context", async () => {
    const key = h.credentials.server.Authorization!.replace("Bearer ", "");
    const bearer = await h.call("anonymous", "POST", single("new-checkout"), { headers: { Authorization: `Bearer ${key}` }, body: { context: {} } });
    const apiKey = await h.call("anonymous", "POST", single("new-checkout"), { headers: { "X-API-Key": key }, body: { context: {} } });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(apiKey.json).toEqual(bearer.json);
    const behindBasicAuth = await h.call("anonymous", "POST", single("new-checkout"), { headers: { Authorization: "Basic cHJveHk6cGFzcw==", "X-API-Key": key }, body: { context: {} } });
    expect(behindBasicAuth.json).toEqual(bearer.json);
    const empty = await h.app.request(single("new-checkout"), { method: "POST", headers: { "X-API-Key": key } });
    expect(await empty.json()).toEqual(bearer.json);
  });

  it("answers a flag the key may not see, or that does not exist, with 404 FLAG_NOT_FOUND", async () => {
    const hidden = await h.call("client", "POST", single("new-checkout"), { body: { context: {} } });
    expect(hidden.status).toBe(404);
    expect(hidden.json).toEqual({ key: "new-checkout", errorCode: "FLAG_NOT_FOUND", errorDetails: "flag new-checkout not found" });
    expect((await h.call("server", "POST", single("new-checkout"), { body: { context: {} } })).status).toBe(200);
    expect((await h.call("client", "POST", single("banner"), { body: { context: {} } })).json).toMatchObject({ value: "blue" });
    const missing = await h.call("server", "POST", single("nope"), { body: { context: {} } });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ key: "nope", errorCode: "FLAG_NOT_FOUND", errorDetails: "flag nope not found" });
  });

  it("answers bad bodies and contexts with 400 PARSE_ERROR or INVALID_CONTEXT naming the field, and records nothing", async () => {
    const notJson = await h.call("server", "POST", single("banner"), { body: "{context:", headers: { "Content-Type": "application/json" } });
    expect(notJson.status).toBe(400);
    expect(notJson.json).toEqual({ key: "banner", errorCode: "PARSE_ERROR", errorDetails: "body: is not valid JSON" });
    expect((await h.call("server", "POST", single("banner"), { body: [1] })).json).toMatchObject({ key: "banner", errorCode: "PARSE_ERROR" });

    const notObject = await h.call("server", "POST", single("banner"), { body: { context: "u1" } });
    expect(notObject.status).toBe(400);
    expect(notObject.json).toMatchObject({ key: "banner", errorCode: "INVALID_CONTEXT" });
    expect(notObject.json.errorDetails).toMatch(/^context: /);
    const longName = "a".repeat(300);
    const badAttribute = await h.call("server", "POST", single("banner"), { body: { context: { targetingKey: "u-bad", [longName]: 1 } } });
    expect(badAttribute.json).toMatchObject({ key: "banner", errorCode: "INVALID_CONTEXT" });
    expect(badAttribute.json.errorDetails).toContain(`context.${longName}`);

    const huge = { context: { targetingKey: "u-huge", pad: "x".repeat(1_100_000) } };
    const tooLarge = await h.call("server", "POST", single("banner"), { body: huge, headers: { Origin: "https://shop.example" } });
    expect([tooLarge.status, tooLarge.json]).toEqual([413, { key: "banner", errorCode: "PARSE_ERROR", errorDetails: "body: must be at most 1048576 bytes" }]);
    expect(tooLarge.headers.get("access-control-allow-origin")).toBe("*");
    expect((await h.call("server", "POST", bulk, { body: huge })).json).toEqual({ errorCode: "PARSE_ERROR", errorDetails: "body: must be at most 1048576 bytes" });

    const revision = revisionOf(h);
    h.services.seenContexts.flush();
    expect(revisionOf(h)).toBe(revision);
    const seen = await h.call("viewer", "GET", "/api/v1/environments/production/contexts");
    expect(seen.json.contexts).toEqual([]);
  });

  it("answers a rollout without its bucketing attribute with 400 TARGETING_KEY_MISSING saying which", async () => {
    await h.call("editor", "POST", `${config("new-checkout")}/rollout`, { body: { percent: 50 } });
    const noKey = await h.call("server", "POST", single("new-checkout"), { body: { context: { country: "NL" } } });
    expect(noKey.status).toBe(400);
    expect(noKey.json).toEqual({
      key: "new-checkout",
      errorCode: "TARGETING_KEY_MISSING",
      errorDetails: "flag new-checkout splits its fallthrough by the targeting key (targetingKey or key), which the context lacks",
    });
    const rollout = { rollout: { bucketBy: "company", variants: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } };
    await patchConfig(h, "new-checkout", { rules: [{ clauses: [], serve: rollout }] });
    const noCompany = await h.call("server", "POST", single("new-checkout"), { body: { context: { targetingKey: "u1" } } });
    expect(noCompany.json.errorDetails).toBe('flag new-checkout splits its rule 0 by the attribute "company", which the context lacks');
  });

  it("answers a stored flag that cannot be evaluated with 400 PARSE_ERROR, and a failure with 500 GENERAL", async () => {
    const db = h.storage.db;
    const flag = db.select().from(flags).where(eq(flags.key, "new-checkout")).get()!;
    const environment = db.select().from(environments).where(eq(environments.key, "production")).get()!;
    db.update(flagConfigs).set({ fallthrough: { variant: "gone" } }).where(and(eq(flagConfigs.flagId, flag.id), eq(flagConfigs.environmentId, environment.id))).run();
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "unrelated" } }); // a change, so the snapshot is rebuilt
    const malformed = await h.call("server", "POST", single("new-checkout"), { body: { context: { targetingKey: "u1" } } });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ key: "new-checkout", errorCode: "PARSE_ERROR", errorDetails: "flag new-checkout is malformed and cannot be evaluated" });
    const entries = (await h.call("server", "POST", bulk, { body: { context: { targetingKey: "u1" } } })).json.flags;
    expect(entries.find((entry: { key: string }) => entry.key === "new-checkout")).toMatchObject({ errorCode: "PARSE_ERROR" });

    vi.spyOn(h.services.snapshots, "get").mockImplementation(() => {
      throw new Error("disk on fire");
    });
    const failed = await h.call("server", "POST", single("banner"), { body: { context: {} } });
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({ key: "banner", errorCode: "GENERAL", errorDetails: "internal error" });
    const failedBulk = await h.call("server", "POST", bulk, { body: { context: {} } });
    expect(failedBulk.status).toBe(500);
    expect(failedBulk.json).toEqual({ errorCode: "GENERAL", errorDetails: "internal error" });
  });
});

describe("authentication on /ofrep", () => {
  it("is 401 with an empty body without a valid key, 403 for any other credential, also from the app's own checks", async () => {
    const paths = [["POST", single("banner")], ["POST", bulk], ["GET", "/ofrep/v1/configuration"]] as const;
    const created = await h.call("admin", "POST", "/api/v1/credentials", { body: { kind: "client", name: "temp", environment: "production" } });
    await h.call("admin", "POST", `/api/v1/credentials/${created.json.id}/revoke`);
    const adminKey = h.credentials.admin.Authorization!.replace("Bearer ", "");
    const refusals: [Record<string, string>, number][] = [
      [{}, 401],
      [{ Authorization: "Bearer sy_server_nope1234.nopenopenopenopenope" }, 401],
      [{ "X-API-Key": "garbage" }, 401],
      [{ "X-API-Key": created.json.token }, 401],
      [{ "X-API-Key": adminKey }, 403],
      [h.credentials.admin, 403],
      [h.credentials.automation, 403],
      [h.credentials.viewer, 403],
      // The app refuses a cross-site write with a session cookie before any route runs.
      [{ ...h.credentials.editor, Origin: "https://evil.example" }, 403],
    ];
    for (const [method, path] of paths) {
      for (const [headers, status] of refusals) {
        const response = await h.call("anonymous", method, path, { headers, ...(method === "POST" ? { body: { context: {} } } : {}) });
        expect([path, headers, response.status, response.text]).toEqual([path, headers, status, ""]);
        expect(response.headers.get("content-type")).toBeNull();
      }
    }
  });
});

describe("GET /ofrep/v1/configuration", () => {
  it("describes what Switchyard supports", async () => {
    const response = await h.call("client", "GET", "/ofrep/v1/configuration");
    expect(response.status).toBe(200);
    expect(response.json).toEqual({
      name: "Switchyard",
      capabilities: {
        cacheInvalidation: { polling: { enabled: true, minPollingIntervalMs: 1000 } },
        flagEvaluation: { supportedTypes: ["boolean", "string", "int", "float", "object"] },
      },
    });
  });
});

describe("POST /ofrep/v1/evaluate/flags", () => {
  const evaluate = (caller: CallerKind, context: unknown, headers: Record<string, string> = {}, path = bulk) => h.call(caller, "POST", path, { body: { context }, headers });

  it("evaluates the flags the key may see, sorted, with the environment and an absolute event stream URL", async () => {
    const server = await evaluate("server", { targetingKey: "u1", country: "NL" });
    expect(server.status).toBe(200);
    expect(server.headers.get("content-type")).toMatch(/^application\/json/);
    expect(server.headers.get("cache-control")).toBe("no-cache");
    const token = streamToken(SECRET_KEY, credentialId(h, "server"));
    expect(server.json).toEqual({
      flags: [
        { key: "banner", value: "green", reason: "TARGETING_MATCH", variant: "green", metadata: { ruleIndex: 0 } },
        { key: "new-checkout", value: true, reason: "STATIC", variant: "on", metadata: {} },
      ],
      metadata: { environment: "production" },
      eventStreams: [{ type: "sse", url: `http://localhost/ofrep/v1/events?token=${token}`, inactivityDelaySec: 120 }],
    });
    const client = await evaluate("client", { targetingKey: "u1" });
    expect(client.json.flags).toEqual([{ key: "banner", value: "blue", reason: "DEFAULT", variant: "blue", metadata: {} }]);
    expect(client.json.eventStreams[0].url).toBe(`http://localhost/ofrep/v1/events?token=${streamToken(SECRET_KEY, credentialId(h, "client"))}`);
  });

  it("fails only the flag that cannot be evaluated, and the whole request for a bad body or context", async () => {
    await h.call("editor", "POST", `${config("new-checkout")}/rollout`, { body: { percent: 50 } });
    const partial = await evaluate("server", {});
    expect(partial.status).toBe(200);
    expect(partial.json.flags).toEqual([
      { key: "banner", value: "blue", reason: "DEFAULT", variant: "blue", metadata: {} },
      { key: "new-checkout", errorCode: "TARGETING_KEY_MISSING", errorDetails: expect.stringContaining("targeting key") },
    ]);
    const notObject = await evaluate("server", ["u1"]);
    expect(notObject.status).toBe(400);
    expect(notObject.json).toEqual({ errorCode: "INVALID_CONTEXT", errorDetails: "context: Invalid input: expected record, received array" });
    const notJson = await h.call("server", "POST", bulk, { body: "not json", headers: { "Content-Type": "application/json" } });
    expect(notJson.status).toBe(400);
    expect(notJson.json).toEqual({ errorCode: "PARSE_ERROR", errorDetails: "body: is not valid JSON" });
  });

  it("keeps its ETag while this context's values stay, answering 304 to If-None-Match in any form", async () => {
    const german = { targetingKey: "u1", country: "DE" };
    const first = await evaluate("client", german);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect((await evaluate("client", german)).headers.get("etag")).toBe(etag);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, `"a",W/${etag} , "b"`, "*"]) {
      const cached = await evaluate("client", german, { "If-None-Match": ifNoneMatch });
      expect([ifNoneMatch, cached.status, cached.text, cached.headers.get("etag")]).toEqual([ifNoneMatch, 304, "", etag]);
      expect(cached.headers.get("cache-control")).toBe("no-cache");
    }
    expect((await evaluate("client", german, { "If-None-Match": '"other"' })).status).toBe(200);
    expect((await evaluate("client", { ...german, country: "NL" }, { "If-None-Match": etag })).status).toBe(200);
    // What the web provider sends on a refetch the event stream asked for: accepted, changes nothing.
    const refetch = await evaluate("client", german, { "If-None-Match": etag }, `${bulk}?flagConfigEtag=%2212%22&flagConfigLastModified=1764145505`);
    expect(refetch.status).toBe(304);

    // A rule for another country and a server-only flag's kill change no value for this context.
    await patchConfig(h, "banner", {
      rules: [
        { clauses: [{ attribute: "country", op: "in", values: ["NL"] }], serve: { variant: "green" } },
        { clauses: [{ attribute: "country", op: "in", values: ["FR"] }], serve: { variant: "green" } },
      ],
    });
    await h.call("editor", "POST", `${config("new-checkout")}/kill`, { body: { reason: "unrelated" } });
    expect((await evaluate("client", german, { "If-None-Match": etag })).status).toBe(304);

    await patchConfig(h, "banner", { fallthrough: { variant: "green" } });
    const changed = await evaluate("client", german, { "If-None-Match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.json.flags).toEqual([{ key: "banner", value: "green", reason: "DEFAULT", variant: "green", metadata: {} }]);
  });

  it("records evaluated contexts as recently seen", async () => {
    await evaluate("client", { targetingKey: "seen-1", country: "DE" });
    await h.call("server", "POST", single("banner"), { body: { context: { targetingKey: "seen-2" } } });
    const seen = await h.call("viewer", "GET", "/api/v1/environments/production/contexts");
    expect(seen.json.contexts.map((entry: { key: string }) => entry.key).sort()).toEqual(["seen-1", "seen-2"]);
  });

  it("builds the stream URL on the configured public URL", async () => {
    const proxied = await setup({ publicUrl: "https://flags.example.com/switchyard/" });
    const response = await proxied.call("client", "POST", bulk, { body: {} });
    const token = streamToken(SECRET_KEY, credentialId(proxied, "client"));
    expect(response.json.eventStreams[0].url).toBe(`https://flags.example.com/switchyard/ofrep/v1/events?token=${token}`);
  });

  it("reads the public URL from SWITCHYARD_PUBLIC_URL", () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ SWITCHYARD_PUBLIC_URL: "https://flags.example.com" }).publicUrl).toBe("https://flags.example.com");
    expect(() => loadConfig({ SWITCHYARD_PUBLIC_URL: "flags.example.com" })).toThrow(/SWITCHYARD_PUBLIC_URL/);
    expect(() => loadConfig({ SWITCHYARD_PUBLIC_URL: "https://flags.example.com/?x=1" })).toThrow(/SWITCHYARD_PUBLIC_URL/);
  });
});

describe("CORS on /ofrep", () => {
  it("answers preflights for POST with the OFREP headers, exposes ETag, and keeps 401 readable", async () => {
    const preflight = await h.app.request(bulk, {
      method: "OPTIONS",
      headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,x-api-key,if-none-match,content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET,POST");
    expect(preflight.headers.get("access-control-allow-headers")!.toLowerCase().split(",")).toEqual(
      expect.arrayContaining(["content-type", "authorization", "x-api-key", "if-none-match", "last-event-id"]),
    );
    const answered = await h.call("client", "POST", bulk, { body: {}, headers: { Origin: "https://shop.example" } });
    expect(answered.headers.get("access-control-allow-origin")).toBe("*");
    expect(answered.headers.get("access-control-expose-headers")).toBe("ETag");
    const refused = await h.call("anonymous", "POST", bulk, { body: {}, headers: { Origin: "https://shop.example" } });
    expect([refused.status, refused.text, refused.headers.get("access-control-allow-origin")]).toEqual([401, "", "*"]);
  });

  it("allows only the configured origins", async () => {
    const strict = await setup({ corsOrigins: ["https://shop.example"] });
    const from = (origin: string) => strict.call("client", "POST", bulk, { body: {}, headers: { Origin: origin } });
    expect((await from("https://shop.example")).headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect((await from("https://evil.example")).headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("GET /ofrep/v1/events", () => {
  async function listen() {
    const listening = await h.listen();
    cleanups.push(listening.close);
    /** The stream URL exactly as a bulk evaluation over the socket hands it out. */
    const streamUrlOf = async (headers: Record<string, string>) => {
      const response = await fetch(`${listening.url}${bulk}`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: "{}" });
      return ((await response.json()) as { eventStreams: { url: string }[] }).eventStreams[0]!.url;
    };
    const open = async (url: string, headers: Record<string, string> = {}) => {
      const reader = await SseReader.open(url, headers);
      cleanups.push(reader.abort);
      await reader.waitFor((m) => m.comment === "connected");
      return reader;
    };
    return { url: listening.url, streamUrlOf, open };
  }
  const refetches = (reader: SseReader) => reader.messages.filter((m) => m.data !== undefined);
  const kill = (flag: string, reason: string) => h.call("editor", "POST", `${config(flag)}/kill`, { body: { reason } });

  it("sends refetchEvaluation, id = revision, on each change a server key can see", async () => {
    const { url, streamUrlOf, open } = await listen();
    const streamUrl = await streamUrlOf(h.credentials.server);
    expect(streamUrl.startsWith(`${url}/ofrep/v1/events?token=`)).toBe(true);
    const stream = await open(streamUrl, { Origin: "https://shop.example" });
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get("access-control-allow-origin")).toBe("*");
    const before = Math.floor(Date.now() / 1000);
    await kill("new-checkout", "errors");
    const revision = revisionOf(h);
    const message = await stream.waitFor((m) => m.id === String(revision));
    expect(message.event).toBeUndefined(); // EventSource's default `message` event
    const data = JSON.parse(message.data!);
    expect(data).toEqual({ type: "refetchEvaluation", etag: `"${revision}"`, lastModified: expect.any(Number) });
    expect(data.lastModified).toBeGreaterThanOrEqual(before);
    expect(data.lastModified).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it("tells a client key only of changes that can touch a client-visible flag", async () => {
    const { streamUrlOf, open } = await listen();
    const client = await open(await streamUrlOf(h.credentials.client));
    const server = await open(await streamUrlOf(h.credentials.server));
    await kill("new-checkout", "server only"); // not visible to browsers
    await h.call("editor", "POST", "/api/v1/environments/production/segments", { body: { key: "beta", included: ["u1"] } }); // used by no flag yet
    const quiet = revisionOf(h);
    await server.waitFor((m) => m.id === String(quiet));
    await patchConfig(h, "banner", { rules: [{ clauses: [{ attribute: "key", op: "inSegment", values: ["beta"] }], serve: { variant: "green" } }] });
    const segment = h.services.segments.get("production", "beta");
    await h.call("editor", "PATCH", "/api/v1/environments/production/segments/beta", { body: { version: segment.version, included: ["u2"] } });
    await patchConfig(h, "banner", { clientVisible: false }); // leaving the client's view is news once
    await kill("banner", "hidden now");
    await patchConfig(h, "banner", { clientVisible: true });
    await client.waitFor((m) => m.id === String(quiet + 5));
    await server.waitFor((m) => m.id === String(quiet + 5));
    // Each starts with the message every new connection gets (revision quiet - 2, before both quiet changes).
    expect(refetches(client).map((m) => Number(m.id))).toEqual([quiet - 2, quiet + 1, quiet + 2, quiet + 3, quiet + 5]);
    expect(refetches(server).map((m) => Number(m.id))).toEqual([quiet - 2, quiet - 1, quiet, quiet + 1, quiet + 2, quiet + 3, quiet + 4, quiet + 5]);
  });

  it("sends one message at once to a new connection or one whose Last-Event-ID is behind, none to one that is current", async () => {
    const { streamUrlOf, open } = await listen();
    const streamUrl = await streamUrlOf(h.credentials.client);
    const from = revisionOf(h);
    // A change may land between the bulk fetch and the connection: a first connection always hears of the current revision.
    const fresh = await open(streamUrl);
    expect((await fresh.waitFor((m) => m.data !== undefined)).id).toBe(String(from));
    await kill("banner", "one");
    await kill("new-checkout", "two");
    const behind = await open(streamUrl, { "Last-Event-ID": String(from) });
    const message = await behind.waitFor((m) => m.data !== undefined);
    expect(message.id).toBe(String(from + 2));
    expect(JSON.parse(message.data!)).toMatchObject({ type: "refetchEvaluation", etag: `"${from + 2}"` });
    const current = await open(streamUrl, { "Last-Event-ID": String(from + 2) });
    await kill("banner", "three"); // a no-op: already killed
    await patchConfig(h, "banner", { fallthrough: { variant: "green" } });
    await current.waitFor((m) => m.id === String(from + 3));
    expect(refetches(current).map((m) => m.id)).toEqual([String(from + 3)]);
  });

  it("ends when the key is revoked; its token, a forged one or none is 401 with an empty body", async () => {
    const { url, streamUrlOf, open } = await listen();
    const created = await h.call("admin", "POST", "/api/v1/credentials", { body: { kind: "client", name: "doomed", environment: "production" } });
    const streamUrl = await streamUrlOf({ "X-API-Key": created.json.token });
    expect(await streamUrlOf({ Authorization: `Bearer ${created.json.token}` })).toBe(streamUrl); // stable per credential
    const stream = await open(streamUrl);
    const other = await open(await streamUrlOf(h.credentials.client));
    await h.call("admin", "POST", `/api/v1/credentials/${created.json.id}/revoke`);
    expect(await stream.waitForEnd()).toBe(true);
    expect(other.ended).toBe(false);

    const token = new URL(streamUrl).searchParams.get("token")!;
    const forged = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    const adminToken = streamToken(SECRET_KEY, credentialId(h, "admin"));
    for (const [query, status] of [[`token=${token}`, 401], [`token=${forged}`, 401], ["token=", 401], ["", 401], [`token=${adminToken}`, 403]] as const) {
      const response = await fetch(`${url}/ofrep/v1/events?${query}`);
      expect([query, response.status, await response.text()]).toEqual([query, status, ""]);
    }
  });
});
