/**
 * The official OpenFeature OFREP providers against the real server process (issue 6, "tested with
 * the official providers"), in Node:
 *
 * - `@openfeature/ofrep-provider` 0.1.3 (on ofrep-core 0.1.4) under `@openfeature/server-sdk`:
 *   every flag type, reasons, variants, metadata and error codes as an application sees them;
 * - ofrep-core 2.3.0's `OFREPApi`, driven the way newer providers drive it: single and bulk
 *   evaluation, ETag / 304, the advertised event stream, and the 400/401/403 answers.
 */
import { OpenFeature, type Client, type EvaluationContext, type FlagValue, type ResolutionDetails } from "@openfeature/server-sdk";
import { OFREPProvider } from "@openfeature/ofrep-provider";
import {
  handleEvaluationError,
  OFREPApi,
  OFREPApiUnauthorizedError,
  OFREPForbiddenError,
  toResolutionDetails,
  type BulkEvaluationSuccessResponse,
  type EvaluationResponse,
} from "ofrep-core-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Admin, ENV, evaluateOnServer, fetchSnapshot } from "../support/admin.js";
import { createCredential, nonSdkTokens, openEventStream } from "../support/ofrep.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

let server: ServerProcess;
let admin: Admin;
let serverKey: string;
let clientKey: string;
/** The official server provider, one OpenFeature domain per credential or header style. */
let client: Client;
let clientKeyClient: Client;
let apiKeyHeaderClient: Client;

const KILL_REASON = "error spike on checkout";
const pro = { targetingKey: "user-1", plan: "pro" };
const free = { targetingKey: "user-2", plan: "free" };
const vip = { targetingKey: "vip-1", plan: "free" };

const theme = { mode: "dark", contrast: 2, accents: ["teal", "amber"], banner: null };

beforeAll(async () => {
  server = await startServer();
  admin = await Admin.login(server.url);
  [serverKey, clientKey] = await Promise.all([admin.serverKey(), admin.clientKey()]);

  // No targeting at all: STATIC.
  await admin.createFlag({ key: "static-bool" });
  await admin.configure("static-bool", { enabled: true });
  // An individual target, a rule, and a fallthrough for everyone else.
  await admin.createFlag({
    key: "color",
    kind: "string",
    variants: [
      { key: "red", value: "red" },
      { key: "blue", value: "blue" },
      { key: "green", value: "green" },
    ],
  });
  await admin.configure("color", {
    enabled: true,
    targets: [{ variant: "green", values: ["vip-1"] }],
    rules: [{ clauses: [{ attribute: "plan", op: "in", values: ["pro"] }], serve: { variant: "blue" } }],
    fallthrough: { variant: "red" },
  });
  // A fallthrough rollout (bucketed by the context key): SPLIT, and TARGETING_KEY_MISSING without a key.
  await admin.createFlag({ key: "limit", kind: "number", variants: [{ key: "small", value: 10 }, { key: "large", value: 100 }] });
  await admin.configure("limit", {
    enabled: true,
    fallthrough: { rollout: { variants: [{ variant: "small", weight: 50_000 }, { variant: "large", weight: 50_000 }] } },
  });
  await admin.createFlag({ key: "theme", kind: "json", variants: [{ key: "dark", value: theme }, { key: "light", value: { mode: "light" } }] });
  await admin.configure("theme", { enabled: true });
  // Created and never turned on: DISABLED with the off variant.
  await admin.createFlag({ key: "dormant" });
  // Killed: DISABLED with the off variant, plus killed and killReason metadata.
  await admin.createFlag({ key: "halted" });
  await admin.configure("halted", { enabled: true });
  await admin.kill("halted", KILL_REASON);
  // The one flag a client key may see.
  await admin.createFlag({ key: "browser-banner", clientVisible: true });
  await admin.configure("browser-banner", { enabled: true });

  client = await officialClient("server-key", [["Authorization", `Bearer ${serverKey}`]]);
  clientKeyClient = await officialClient("client-key", [["Authorization", `Bearer ${clientKey}`]]);
  apiKeyHeaderClient = await officialClient("x-api-key", [["X-API-Key", serverKey]]);
});

afterAll(async () => {
  await OpenFeature.close();
  await stopAllServers();
});

async function officialClient(domain: string, headers: [string, string][]): Promise<Client> {
  await OpenFeature.setProviderAndWait(domain, new OFREPProvider({ baseUrl: server.url, headers }));
  return OpenFeature.getClient(domain);
}

/** ofrep-core 2.3.0's API with a credential in a header (Authorization by default). */
function ofrepApi(token?: string, header: "Authorization" | "X-API-Key" = "Authorization"): OFREPApi {
  const headers: [string, string][] = token === undefined ? [] : [[header, header === "Authorization" ? `Bearer ${token}` : token]];
  return new OFREPApi({ baseUrl: server.url, headers, timeoutMs: 10_000 });
}

/** A single evaluation resolved as the newer providers do: success → toResolutionDetails, failure → handleEvaluationError. */
async function resolveWithApi<T extends FlagValue>(api: OFREPApi, flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
  const result = await api.postEvaluateFlag(flagKey, { context });
  return result.httpStatus === 200 ? toResolutionDetails(result.value, defaultValue) : handleEvaluationError(result.value, defaultValue);
}

/** A bulk entry resolved as the web provider does. */
function resolveEntry<T extends FlagValue>(entry: EvaluationResponse | undefined, defaultValue: T): ResolutionDetails<T> {
  if (entry === undefined) throw new Error("no such entry in the bulk response");
  return "errorCode" in entry ? handleEvaluationError(entry, defaultValue) : toResolutionDetails(entry, defaultValue);
}

async function bulkOk(api: OFREPApi, context: unknown, etag: string | null = null): Promise<{ body: BulkEvaluationSuccessResponse; etag: string | null }> {
  const result = await api.postBulkEvaluateFlags({ context: context as EvaluationContext }, etag);
  if (result.httpStatus !== 200) throw new Error(`bulk evaluation -> ${result.httpStatus} ${JSON.stringify(result.value)}`);
  return { body: result.value, etag: result.httpResponse.headers.get("ETag") };
}

const entryOf = (body: BulkEvaluationSuccessResponse, key: string) => body.flags?.find((flag) => flag.key === key);

describe("@openfeature/ofrep-provider 0.1.3 with @openfeature/server-sdk", () => {
  it("resolves boolean, string, number and object flags with OpenFeature's reasons and variants", async () => {
    expect(await client.getBooleanDetails("static-bool", false, pro)).toMatchObject({ flagKey: "static-bool", value: true, variant: "on", reason: "STATIC", flagMetadata: {} });
    expect(await client.getBooleanDetails("static-bool", false, pro)).not.toHaveProperty("errorCode");

    // A rule (with its index as metadata), an individual target, and no match.
    expect(await client.getStringDetails("color", "none", pro)).toMatchObject({ value: "blue", variant: "blue", reason: "TARGETING_MATCH", flagMetadata: { ruleIndex: 0 } });
    const targeted = await client.getStringDetails("color", "none", vip);
    expect(targeted).toMatchObject({ value: "green", variant: "green", reason: "TARGETING_MATCH" });
    expect(targeted.flagMetadata).toEqual({});
    expect(await client.getStringDetails("color", "none", free)).toMatchObject({ value: "red", variant: "red", reason: "DEFAULT", flagMetadata: {} });

    // A fallthrough rollout: SPLIT, the variant the server's own evaluate endpoint picks for the context.
    for (const context of [pro, free, vip, { targetingKey: "user-3" }, { targetingKey: "user-4" }]) {
      const expected = (await evaluateOnServer(server.url, serverKey, context)).flags["limit"]!;
      const details = await client.getNumberDetails("limit", -1, context);
      expect(details).toMatchObject({ value: expected.value, variant: expected.variant, reason: "SPLIT" });
      expect(details.value).toBe(details.variant === "small" ? 10 : 100);
    }

    expect(await client.getObjectDetails("theme", {}, pro)).toMatchObject({ value: theme, variant: "dark", reason: "STATIC" });
  });

  it("serves a disabled flag's off variant with reason DISABLED, and a killed one with killed and killReason metadata", async () => {
    const dormant = await client.getBooleanDetails("dormant", true, pro);
    expect(dormant).toMatchObject({ value: false, variant: "off", reason: "DISABLED", flagMetadata: {} });
    expect(dormant.errorCode).toBeUndefined();
    expect(await client.getBooleanDetails("halted", true, pro)).toMatchObject({
      value: false,
      variant: "off",
      reason: "DISABLED",
      flagMetadata: { killed: true, killReason: KILL_REASON },
    });
  });

  it("returns the default with FLAG_NOT_FOUND, TYPE_MISMATCH and TARGETING_KEY_MISSING", async () => {
    expect(await client.getBooleanDetails("no-such-flag", true, pro)).toMatchObject({
      value: true,
      reason: "ERROR",
      errorCode: "FLAG_NOT_FOUND",
      errorMessage: "flag no-such-flag not found",
    });
    expect(await client.getStringDetails("static-bool", "fallback", pro)).toMatchObject({ value: "fallback", reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    expect(await client.getNumberDetails("color", 7, pro)).toMatchObject({ value: 7, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    expect(await client.getBooleanDetails("theme", true, pro)).toMatchObject({ value: true, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    const missing = await client.getNumberDetails("limit", -1, { plan: "pro" });
    expect(missing).toMatchObject({ value: -1, reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" });
    expect(missing.errorMessage).toMatch(/key/i);
  });

  it("shows a client key only client-visible flags, and takes the key in X-API-Key too", async () => {
    expect(await clientKeyClient.getBooleanDetails("browser-banner", false, pro)).toMatchObject({ value: true, variant: "on", reason: "STATIC" });
    expect(await clientKeyClient.getBooleanDetails("static-bool", false, pro)).toMatchObject({ value: false, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    expect(await clientKeyClient.getStringDetails("color", "none", pro)).toMatchObject({ value: "none", errorCode: "FLAG_NOT_FOUND" });

    expect(await apiKeyHeaderClient.getStringDetails("color", "none", pro)).toMatchObject({ value: "blue", variant: "blue", reason: "TARGETING_MATCH" });
    expect(await apiKeyHeaderClient.getBooleanDetails("halted", true, pro)).toMatchObject({ value: false, reason: "DISABLED", flagMetadata: { killed: true } });
  });
});

describe("ofrep-core 2.3.0 OFREPApi: single evaluation", () => {
  it("maps values, variants, reasons and metadata as the official provider did", async () => {
    const api = ofrepApi(serverKey);
    expect(await resolveWithApi(api, "static-bool", false, pro)).toEqual({ value: true, variant: "on", reason: "STATIC", flagMetadata: {} });
    expect(await resolveWithApi(api, "color", "none", pro)).toEqual({ value: "blue", variant: "blue", reason: "TARGETING_MATCH", flagMetadata: { ruleIndex: 0 } });
    expect(await resolveWithApi(api, "color", "none", vip)).toEqual({ value: "green", variant: "green", reason: "TARGETING_MATCH", flagMetadata: {} });
    expect(await resolveWithApi(api, "color", "none", free)).toEqual({ value: "red", variant: "red", reason: "DEFAULT", flagMetadata: {} });
    expect(await resolveWithApi(api, "limit", -1, pro)).toMatchObject({ reason: "SPLIT", value: (await client.getNumberValue("limit", -1, pro)) });
    expect(await resolveWithApi(api, "theme", {}, pro)).toEqual({ value: theme, variant: "dark", reason: "STATIC", flagMetadata: {} });
    expect(await resolveWithApi(api, "dormant", true, pro)).toEqual({ value: false, variant: "off", reason: "DISABLED", flagMetadata: {} });
    expect(await resolveWithApi(api, "halted", true, pro)).toEqual({ value: false, variant: "off", reason: "DISABLED", flagMetadata: { killed: true, killReason: KILL_REASON } });
    expect(await resolveWithApi(api, "color", 0, pro)).toMatchObject({ value: 0, reason: "ERROR", errorCode: "TYPE_MISMATCH" });

    // The wire format itself: a success carries the key; the X-API-Key header works here too.
    const raw = await ofrepApi(serverKey, "X-API-Key").postEvaluateFlag("color", { context: pro });
    expect(raw.httpStatus).toBe(200);
    expect(raw.value).toEqual({ key: "color", value: "blue", reason: "TARGETING_MATCH", variant: "blue", metadata: { ruleIndex: 0 } });
  });

  it("answers FLAG_NOT_FOUND with 404, TARGETING_KEY_MISSING and INVALID_CONTEXT with 400", async () => {
    const api = ofrepApi(serverKey);
    const notFound = await api.postEvaluateFlag("no-such-flag", { context: pro });
    expect(notFound.httpStatus).toBe(404);
    expect(notFound.value).toEqual({ key: "no-such-flag", errorCode: "FLAG_NOT_FOUND", errorDetails: "flag no-such-flag not found" });
    expect(await resolveWithApi(api, "no-such-flag", true, pro)).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND", errorMessage: "flag no-such-flag not found" });
    // Hidden from a client key exactly as if it did not exist.
    const hidden = await ofrepApi(clientKey).postEvaluateFlag("color", { context: pro });
    expect(hidden.httpStatus).toBe(404);
    expect(hidden.value).toEqual({ key: "color", errorCode: "FLAG_NOT_FOUND", errorDetails: "flag color not found" });

    // A rollout needs the context key to bucket; the details say which attribute is missing.
    const keyless = await api.postEvaluateFlag("limit", { context: { plan: "pro" } });
    expect(keyless.httpStatus).toBe(400);
    expect(keyless.value).toMatchObject({ key: "limit", errorCode: "TARGETING_KEY_MISSING" });
    expect((keyless.value as { errorDetails?: string }).errorDetails).toMatch(/key/i);
    expect(await resolveWithApi(api, "limit", -1, { plan: "pro" })).toMatchObject({ value: -1, reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" });
    // No context at all: `{}`, so a flag without a rollout still evaluates.
    expect((await api.postEvaluateFlag("static-bool")).value).toMatchObject({ value: true, reason: "STATIC" });

    const invalid = await api.postEvaluateFlag("static-bool", { context: "not an object" as unknown as EvaluationContext });
    expect(invalid.httpStatus).toBe(400);
    expect(invalid.value).toMatchObject({ key: "static-bool", errorCode: "INVALID_CONTEXT" });
    expect((invalid.value as { errorDetails?: string }).errorDetails).toMatch(/context/);
    expect(await resolveWithApi(api, "static-bool", true, "nope" as unknown as EvaluationContext)).toMatchObject({ value: true, reason: "ERROR", errorCode: "INVALID_CONTEXT" });

    // A body that is not JSON at all (no official client sends one; the contract says PARSE_ERROR).
    const unparsable = await fetch(`${server.url}/ofrep/v1/evaluate/flags/static-bool`, {
      method: "POST",
      headers: { Authorization: `Bearer ${serverKey}`, "Content-Type": "application/json" },
      body: "{",
    });
    expect(unparsable.status).toBe(400);
    expect(await unparsable.json()).toMatchObject({ key: "static-bool", errorCode: "PARSE_ERROR" });
  });

  it("refuses a missing, wrong or revoked key with 401 and an admin or automation token with 403, with empty bodies", async () => {
    const revoked = await createCredential(admin, { kind: "server", name: "ofrep-revoked", environment: ENV });
    await admin.ok("POST", `/api/v1/credentials/${revoked.id}/revoke`);
    for (const api of [ofrepApi(), ofrepApi("sy_server_not-a-key"), ofrepApi(revoked.token), ofrepApi("sy_server_not-a-key", "X-API-Key")]) {
      const error = await api.postEvaluateFlag("static-bool", { context: pro }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(error).toBeInstanceOf(OFREPApiUnauthorizedError);
      const response = (error as OFREPApiUnauthorizedError).response!;
      expect(response.status).toBe(401);
      expect(await response.text()).toBe("");
      await expect(api.postBulkEvaluateFlags({ context: pro })).rejects.toBeInstanceOf(OFREPApiUnauthorizedError);
    }

    const { adminToken, automationToken } = await nonSdkTokens(admin, "static-bool");
    for (const api of [ofrepApi(adminToken), ofrepApi(automationToken), ofrepApi(adminToken, "X-API-Key")]) {
      const error = await api.postEvaluateFlag("static-bool", { context: pro }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(error).toBeInstanceOf(OFREPForbiddenError);
      const response = (error as OFREPForbiddenError).response!;
      expect(response.status).toBe(403);
      expect(await response.text()).toBe("");
      await expect(api.postBulkEvaluateFlags({ context: pro })).rejects.toBeInstanceOf(OFREPForbiddenError);
    }

    // A logged-in user's session is not an SDK credential either.
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    const cookie = login.headers.get("Set-Cookie")!.split(";")[0]!;
    const withSession = await fetch(`${server.url}/ofrep/v1/evaluate/flags/static-bool`, { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json" }, body: "{}" });
    expect(withSession.status).toBe(403);
    expect(await withSession.text()).toBe("");

    // The official server provider cannot tell an auth failure from others: the default, reason ERROR.
    await OpenFeature.setProviderAndWait("bad-key", new OFREPProvider({ baseUrl: server.url, headers: [["Authorization", "Bearer sy_server_not-a-key"]] }));
    expect(await OpenFeature.getClient("bad-key").getBooleanDetails("static-bool", false, pro)).toMatchObject({ value: false, reason: "ERROR", errorCode: "GENERAL" });
  });

  it("records the contexts it evaluates as recently seen", async () => {
    await ofrepApi(serverKey).postEvaluateFlag("static-bool", { context: { targetingKey: "seen-through-ofrep", plan: "team" } });
    const { contexts } = await admin.ok("GET", `/api/v1/environments/${ENV}/contexts`);
    expect(contexts).toContainEqual(expect.objectContaining({ key: "seen-through-ofrep", context: { targetingKey: "seen-through-ofrep", plan: "team" } }));
  });
});

describe("ofrep-core 2.3.0 OFREPApi: bulk evaluation", () => {
  it("evaluates every visible flag, sorted by key, each entry as the single endpoint answers it", async () => {
    const api = ofrepApi(serverKey);
    const { body, etag } = await bulkOk(api, pro);
    const keys = body.flags!.map((flag) => flag.key);
    expect(keys).toEqual(["browser-banner", "color", "dormant", "halted", "limit", "static-bool", "theme"]);
    expect(body.metadata).toEqual({ environment: ENV });
    expect(etag).toMatch(/^"[^"]+"$/);
    for (const key of keys) {
      const single = await api.postEvaluateFlag(key!, { context: pro });
      expect(single.httpStatus, key).toBe(200);
      expect(entryOf(body, key!), key).toEqual(single.value);
    }
    expect(resolveEntry(entryOf(body, "color"), "none")).toEqual({ value: "blue", variant: "blue", reason: "TARGETING_MATCH", flagMetadata: { ruleIndex: 0 } });
    expect(resolveEntry(entryOf(body, "halted"), true)).toEqual({ value: false, variant: "off", reason: "DISABLED", flagMetadata: { killed: true, killReason: KILL_REASON } });
    expect(resolveEntry(entryOf(body, "dormant"), true)).toMatchObject({ value: false, reason: "DISABLED" });
    expect(resolveEntry(entryOf(body, "theme"), {})).toMatchObject({ value: theme, reason: "STATIC" });
    expect(resolveEntry(entryOf(body, "limit"), -1)).toMatchObject({ reason: "SPLIT" });
    expect(resolveEntry(entryOf(body, "static-bool"), "x")).toMatchObject({ value: "x", errorCode: "TYPE_MISMATCH" });

    // Without a context key only the rollout fails, in its own entry.
    const keyless = await bulkOk(api, { plan: "pro" });
    expect(entryOf(keyless.body, "limit")).toMatchObject({ key: "limit", errorCode: "TARGETING_KEY_MISSING" });
    expect(resolveEntry(entryOf(keyless.body, "limit"), -1)).toMatchObject({ value: -1, reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" });
    expect(resolveEntry(entryOf(keyless.body, "color"), "none")).toMatchObject({ value: "blue", reason: "TARGETING_MATCH" });

    // A client key gets the client-visible flags only.
    const forBrowsers = await bulkOk(ofrepApi(clientKey), pro);
    expect(forBrowsers.body.flags!.map((flag) => flag.key)).toEqual(["browser-banner"]);
    expect(forBrowsers.etag).not.toBe(etag);
  });

  it("answers a bad context with a whole-request 400 INVALID_CONTEXT, and a body that is not JSON with PARSE_ERROR", async () => {
    const result = await ofrepApi(serverKey).postBulkEvaluateFlags({ context: ["not", "an", "object"] as unknown as EvaluationContext });
    expect(result.httpStatus).toBe(400);
    expect(result.value).toMatchObject({ errorCode: "INVALID_CONTEXT" });
    expect((result.value as { errorDetails?: string }).errorDetails).toMatch(/context/);

    const unparsable = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, {
      method: "POST",
      headers: { Authorization: `Bearer ${serverKey}`, "Content-Type": "application/json" },
      body: "not json",
    });
    expect(unparsable.status).toBe(400);
    expect(await unparsable.json()).toMatchObject({ errorCode: "PARSE_ERROR" });
  });

  it("answers 304 to a matching If-None-Match, also after an edit that changes nothing for the context, and 200 after one that does", async () => {
    await admin.createFlag({ key: "bulk-probe" });
    await admin.configure("bulk-probe", { enabled: true, targets: [{ variant: "off", values: ["someone-else"] }] });
    const api = ofrepApi(serverKey);
    const { body, etag } = await bulkOk(api, pro);
    expect(etag).not.toBeNull();

    const unchanged = await api.postBulkEvaluateFlags({ context: pro }, etag);
    expect(unchanged.httpStatus).toBe(304);
    expect(unchanged.value).toBeUndefined();
    expect(unchanged.httpResponse?.headers.get("ETag")).toBe(etag);
    // Lists and weak comparison, and the SSE refetch parameters (accepted, ignored).
    expect((await api.postBulkEvaluateFlags({ context: pro }, `"other", W/${etag}`)).httpStatus).toBe(304);
    expect((await api.postBulkEvaluateFlags({ context: pro }, etag, { flagConfigEtag: '"1"', flagConfigLastModified: 1 })).httpStatus).toBe(304);
    expect((await api.postBulkEvaluateFlags({ context: pro }, '"other"')).httpStatus).toBe(200);
    // Same credential, another context with other values: another ETag.
    expect((await bulkOk(api, free)).etag).not.toBe(etag);
    expect((await api.postBulkEvaluateFlags({ context: free }, etag)).httpStatus).toBe(200);

    // Another context key in the target list: nothing changes for user-1.
    await admin.configure("bulk-probe", { targets: [{ variant: "off", values: ["someone-else", "another-one"] }] });
    expect((await api.postBulkEvaluateFlags({ context: pro }, etag)).httpStatus).toBe(304);

    await admin.kill("bulk-probe", "e2e etag");
    const changed = await bulkOk(api, pro, etag);
    expect(changed.etag).not.toBe(etag);
    expect(resolveEntry(entryOf(changed.body, "bulk-probe"), true)).toMatchObject({ value: false, reason: "DISABLED", flagMetadata: { killed: true } });
    expect(changed.body.eventStreams).toEqual(body.eventStreams);
    expect((await api.postBulkEvaluateFlags({ context: pro }, changed.etag)).httpStatus).toBe(304);
    await admin.unkill("bulk-probe", "e2e etag");
    expect((await bulkOk(api, pro, changed.etag)).etag).toBe(etag);
  });
});

describe("the advertised OFREP event stream", () => {
  it("is an absolute, stable SSE URL that sends refetchEvaluation per change, replays after Last-Event-ID, and ends on revocation", async () => {
    const key = await createCredential(admin, { kind: "server", name: "ofrep-stream", environment: ENV });
    const api = ofrepApi(key.token);
    const { body } = await bulkOk(api, pro);
    expect(body.eventStreams).toHaveLength(1);
    const advertised = body.eventStreams![0]!;
    expect(advertised).toMatchObject({ type: "sse", inactivityDelaySec: 120 });
    const url = new URL(advertised.url!);
    expect(url.origin).toBe(server.url);
    expect(url.pathname).toBe("/ofrep/v1/events");
    expect(url.searchParams.get("token")).toMatch(new RegExp(`^${key.id}\\.[A-Za-z0-9_-]+$`));
    expect((await bulkOk(api, free)).body.eventStreams).toEqual(body.eventStreams);

    const stream = await openEventStream(advertised.url!);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
      // A new connection hears of the current revision at once: a change may have landed since the bulk fetch.
      const greeting = await stream.next();
      expect(greeting.id).toBe(String((await fetchSnapshot(server.url, serverKey)).revision));
      await admin.kill("static-bool", "e2e stream");
      const message = await stream.next();
      const { revision } = await fetchSnapshot(server.url, serverKey);
      expect(message.event).toBe("message");
      expect(message.id).toBe(String(revision));
      const data = JSON.parse(message.data);
      expect(data).toEqual({ type: "refetchEvaluation", etag: `"${revision}"`, lastModified: expect.any(Number) });
      expect(Math.abs(data.lastModified - Date.now() / 1000)).toBeLessThan(60);
    } finally {
      stream.close();
      await admin.unkill("static-bool", "e2e stream");
    }

    const { revision } = await fetchSnapshot(server.url, serverKey);
    const resumed = await openEventStream(advertised.url!, { "Last-Event-ID": String(revision - 1) });
    try {
      const replayed = await resumed.next();
      expect(replayed.id).toBe(String(revision));
      expect(JSON.parse(replayed.data)).toMatchObject({ type: "refetchEvaluation", etag: `"${revision}"` });

      await admin.ok("POST", `/api/v1/credentials/${key.id}/revoke`);
      await expect(resumed.next()).rejects.toThrow(/ended/);
    } finally {
      resumed.close();
    }
    const afterRevoke = await fetch(advertised.url!, { signal: AbortSignal.timeout(10_000) });
    expect(afterRevoke.status).toBe(401);
  });

  it("sends a client key's stream only the changes that could change what it sees, and nothing to replay when it is current", async () => {
    const { body } = await bulkOk(ofrepApi(clientKey), pro);
    const { revision: current } = await fetchSnapshot(server.url, serverKey);
    const stream = await openEventStream(body.eventStreams![0]!.url!, { "Last-Event-ID": String(current) });
    try {
      expect(stream.status).toBe(200);
      // A server-only flag first, then the client-visible one: the first message is the second change's.
      await admin.configure("theme", { fallthrough: { variant: "light" } });
      await admin.configure("browser-banner", { fallthrough: { variant: "off" } });
      const { revision } = await fetchSnapshot(server.url, serverKey);
      expect(revision).toBe(current + 2);
      const message = await stream.next();
      expect(message.id).toBe(String(revision));
      expect(JSON.parse(message.data)).toMatchObject({ type: "refetchEvaluation", etag: `"${revision}"` });
    } finally {
      stream.close();
      await admin.configure("theme", { fallthrough: { variant: "dark" } });
      await admin.configure("browser-banner", { fallthrough: { variant: "on" } });
    }
  });
});

describe("the server's log", () => {
  it("has the OFREP requests, without the stream token or the keys", async () => {
    const { body } = await bulkOk(ofrepApi(clientKey, "X-API-Key"), pro);
    const url = new URL(body.eventStreams![0]!.url!);
    const token = url.searchParams.get("token")!;
    const stream = await openEventStream(url.href);
    await stream.next();
    stream.close();
    const refused = await fetch(`${url.origin}${url.pathname}?token=${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`, { signal: AbortSignal.timeout(10_000) });
    expect(refused.status).toBe(401);
    // Both stream requests are logged (by path), so a token in a log line would be seen here.
    const logged = () => server.output.filter((line) => line.includes('"path":"/ofrep/v1/events"'));
    for (const started = Date.now(); logged().length < 2 && Date.now() - started < 10_000; ) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logged().map((line) => (JSON.parse(line) as { status: number }).status)).toEqual(expect.arrayContaining([200, 401]));
    const log = server.output.join("\n");
    for (const secret of [token, token.split(".")[1]!, serverKey, clientKey, clientKey.split(".")[1]!]) expect(log).not.toContain(secret);
  });
});

describe("CORS on /ofrep/*", () => {
  it("lets a page from another origin send every header OFREP clients use, and read the ETag", async () => {
    const origin = "http://app.example";
    const preflight = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization,x-api-key,if-none-match" },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(["*", origin]).toContain(preflight.headers.get("Access-Control-Allow-Origin"));
    const allowed = (preflight.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(["content-type", "authorization", "x-api-key", "if-none-match", "last-event-id"]));
    expect((preflight.headers.get("Access-Control-Allow-Methods") ?? "").split(/\s*,\s*/)).toEqual(expect.arrayContaining(["GET", "POST"]));

    const bulk = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, {
      method: "POST",
      headers: { Origin: origin, "X-API-Key": clientKey, "Content-Type": "application/json" },
      body: JSON.stringify({ context: pro }),
    });
    expect(bulk.status).toBe(200);
    expect(["*", origin]).toContain(bulk.headers.get("Access-Control-Allow-Origin"));
    expect((bulk.headers.get("Access-Control-Expose-Headers") ?? "").toLowerCase()).toContain("etag");
  });
});

describe("GET /ofrep/v1/configuration", () => {
  it("answers SDK keys with the provider configuration and refuses other callers", async () => {
    const callers: Record<string, string>[] = [{ Authorization: `Bearer ${serverKey}` }, { Authorization: `Bearer ${clientKey}` }, { "X-API-Key": clientKey }];
    for (const headers of callers) {
      const response = await fetch(`${server.url}/ofrep/v1/configuration`, { headers, signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ name: expect.any(String), capabilities: expect.any(Object) });
    }
    expect((await fetch(`${server.url}/ofrep/v1/configuration`, { signal: AbortSignal.timeout(10_000) })).status).toBe(401);
  });
});
