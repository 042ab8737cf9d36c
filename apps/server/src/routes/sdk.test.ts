import { beforeEach, describe, expect, it } from "vitest";
import { environmentSnapshotSchema } from "@switchyard/core/schema";
import { credentials } from "../db/schema.js";
import { createHarness, type Harness } from "../test-support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
  await h.call("editor", "POST", "/api/v1/flags", { body: { key: "banner", kind: "string", clientVisible: true, variants: [{ key: "blue", value: "blue" }, { key: "none", value: "" }] } });
});

describe("GET /sdk/v1/flags", () => {
  it("serves the environment snapshot in the wire format with an ETag, and 304 when unchanged", async () => {
    const first = await h.call("server", "GET", "/sdk/v1/flags");
    expect(first.status).toBe(200);
    const snapshot = environmentSnapshotSchema.parse(first.json);
    expect(snapshot.environment).toBe("production");
    expect(snapshot.flags.map((flag) => flag.key)).toEqual(["banner", "new-checkout"]);
    const etag = first.headers.get("ETag")!;
    expect(etag).toBeTruthy();

    const unchanged = await h.call("server", "GET", "/sdk/v1/flags", { headers: { "If-None-Match": etag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.text).toBe("");

    await h.call("editor", "POST", "/api/v1/flags/new-checkout/environments/production/kill", { body: { reason: "test" } });
    const changed = await h.call("server", "GET", "/sdk/v1/flags", { headers: { "If-None-Match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.json.revision).toBe(snapshot.revision + 1);
    expect(changed.json.flags.find((flag: { key: string }) => flag.key === "new-checkout").killed).toBe(true);
  });

  it("leaves other environments' changes and archived flags out", async () => {
    const before = (await h.call("server", "GET", "/sdk/v1/flags")).json;
    await h.call("editor", "POST", "/api/v1/flags/new-checkout/environments/staging/kill", { body: { reason: "staging only" } });
    const after = (await h.call("server", "GET", "/sdk/v1/flags")).json;
    expect(after).toEqual(before);
    await h.call("editor", "POST", "/api/v1/flags/new-checkout/archive");
    const archived = (await h.call("server", "GET", "/sdk/v1/flags")).json;
    expect(archived.flags.map((flag: { key: string }) => flag.key)).toEqual(["banner"]);
  });

  it("puts segments of the environment in the snapshot", async () => {
    await h.call("editor", "POST", "/api/v1/environments/production/segments", { body: { key: "beta", included: ["u1"] } });
    const snapshot = (await h.call("server", "GET", "/sdk/v1/flags")).json;
    expect(snapshot.segments).toMatchObject([{ key: "beta", included: ["u1"], version: 1 }]);
  });
});

describe("POST /sdk/v1/evaluate", () => {
  it("gives a client key only client-visible flags", async () => {
    await h.call("editor", "PATCH", "/api/v1/flags/banner/environments/production", { body: { version: 1, enabled: true } });
    const all = await h.call("client", "POST", "/sdk/v1/evaluate", { body: { context: { key: "u1" } } });
    expect(all.status).toBe(200);
    expect(all.json.flags).toEqual({ banner: { value: "blue", variant: "blue", reason: "STATIC" } });
    const hidden = await h.call("client", "POST", "/sdk/v1/evaluate", { body: { key: "new-checkout", context: { key: "u1" } } });
    expect(hidden.status).toBe(404);
    const server = await h.call("server", "POST", "/sdk/v1/evaluate", { body: { context: { key: "u1" } } });
    expect(Object.keys(server.json.flags).sort()).toEqual(["banner", "new-checkout"]);
  });

  it("honours a per-environment clientVisible override", async () => {
    await h.call("editor", "PATCH", "/api/v1/flags/new-checkout/environments/production", { body: { version: 1, clientVisible: true } });
    const all = await h.call("client", "POST", "/sdk/v1/evaluate", { body: { context: { key: "u1" } } });
    expect(Object.keys(all.json.flags).sort()).toEqual(["banner", "new-checkout"]);
  });

  it("evaluates segment rules", async () => {
    await h.call("editor", "POST", "/api/v1/environments/production/segments", { body: { key: "beta", included: ["u1"] } });
    const patched = await h.call("editor", "PATCH", "/api/v1/flags/new-checkout/environments/production", {
      body: { version: 1, enabled: true, fallthrough: { variant: "off" }, rules: [{ clauses: [{ attribute: "key", op: "inSegment", values: ["beta"] }], serve: { variant: "on" } }] },
    });
    expect(patched.status).toBe(200);
    const member = await h.call("server", "POST", "/sdk/v1/evaluate", { body: { key: "new-checkout", context: { key: "u1" } } });
    expect(member.json).toMatchObject({ value: true, reason: "RULE_MATCH", ruleIndex: 0 });
    const other = await h.call("server", "POST", "/sdk/v1/evaluate", { body: { key: "new-checkout", context: { key: "u2" } } });
    expect(other.json).toMatchObject({ value: false, reason: "FALLTHROUGH" });
    const inUse = await h.call("editor", "DELETE", "/api/v1/environments/production/segments/beta");
    expect(inUse.status).toBe(409);
    expect(inUse.json.error.message).toContain("new-checkout");
  });

  it("rejects a context that is not an object", async () => {
    const response = await h.call("client", "POST", "/sdk/v1/evaluate", { body: { context: "u1" } });
    expect(response.status).toBe(400);
    expect(response.json.error.issues[0].path).toBe("context");
  });

  it("stops accepting a revoked key on the next request", async () => {
    const created = await h.call("admin", "POST", "/api/v1/credentials", { body: { kind: "client", name: "temp", environment: "production" } });
    const headers = { Authorization: `Bearer ${created.json.token}` };
    const ok = await h.app.request("/sdk/v1/evaluate", { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: '{"context":{}}' });
    expect(ok.status).toBe(200);
    await h.call("admin", "POST", `/api/v1/credentials/${created.json.id}/revoke`);
    const revoked = await h.app.request("/sdk/v1/evaluate", { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: '{"context":{}}' });
    expect(revoked.status).toBe(401);
  });
});

describe("credentials", () => {
  it("shows the secret once and stores only its hash", async () => {
    const created = await h.call("admin", "POST", "/api/v1/credentials", { body: { kind: "server", name: "api-2", environment: "production" } });
    expect(created.json.token).toMatch(/^sy_server_/);
    const listed = await h.call("admin", "GET", "/api/v1/credentials");
    expect(JSON.stringify(listed.json)).not.toContain(created.json.token.split(".")[1]);
    const rows = h.storage.db.select().from(credentials).all();
    expect(JSON.stringify(rows)).not.toContain(created.json.token.split(".")[1]);
  });

  it("validates automation scopes", async () => {
    const response = await h.call("admin", "POST", "/api/v1/credentials", { body: { kind: "automation", name: "x", scope: { environments: ["production"] } } });
    expect(response.status).toBe(400);
    expect(response.json.error.issues).toEqual([{ path: "scope.flags", message: "must name at least one flag or tag" }]);
  });
});
