import { beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

const auditCount = async () => {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { json: { entries: unknown[]; nextCursor: string | null } } = await h.call("viewer", "GET", `/api/v1/audit?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
    count += page.json.entries.length;
    cursor = page.json.nextCursor;
  } while (cursor);
  return count;
};
const newest = async () => (await h.call("viewer", "GET", "/api/v1/audit?limit=1")).json.entries[0];
const production = "/api/v1/flags/new-checkout/environments/production";

describe("audit log", () => {
  it("records exactly one entry per write, with actor, action, before and after", async () => {
    const writes: [string, () => Promise<{ status: number }>, string][] = [
      ["flag.create", () => h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout", tags: ["checkout"] } }), "editor@example.com"],
      ["flag.update", () => h.call("editor", "PATCH", "/api/v1/flags/new-checkout", { body: { version: 1, description: "v2 flow" } }), "editor@example.com"],
      ["flag.config.update", () => h.call("editor", "PATCH", production, { body: { version: 1, enabled: true, reason: "launch" } }), "editor@example.com"],
      ["flag.rollout", () => h.call("editor", "POST", `${production}/rollout`, { body: { percent: 1 } }), "editor@example.com"],
      ["flag.kill", () => h.call("automation", "POST", `${production}/kill`, { body: { reason: "alert: CheckoutErrors" } }), "pager"],
      ["flag.unkill", () => h.call("editor", "POST", `${production}/unkill`, { body: { reason: "fixed" } }), "editor@example.com"],
      ["flag.archive", () => h.call("editor", "POST", "/api/v1/flags/new-checkout/archive"), "editor@example.com"],
      ["flag.unarchive", () => h.call("editor", "POST", "/api/v1/flags/new-checkout/unarchive"), "editor@example.com"],
      ["segment.create", () => h.call("editor", "POST", "/api/v1/environments/production/segments", { body: { key: "beta", included: ["u1"] } }), "editor@example.com"],
      ["segment.update", () => h.call("editor", "PATCH", "/api/v1/environments/production/segments/beta", { body: { version: 1, included: ["u2"] } }), "editor@example.com"],
      ["segment.delete", () => h.call("editor", "DELETE", "/api/v1/environments/production/segments/beta"), "editor@example.com"],
      ["environment.create", () => h.call("admin", "POST", "/api/v1/environments", { body: { key: "qa" } }), "scripts"],
      ["credential.create", () => h.call("admin", "POST", "/api/v1/credentials", { body: { kind: "client", name: "web", environment: "qa" } }), "scripts"],
      ["user.create", () => h.call("admin", "POST", "/api/v1/users", { body: { email: "new@example.com", password: "long-enough-password", role: "viewer" } }), "scripts"],
    ];
    for (const [action, write, actorName] of writes) {
      const before = await auditCount();
      const response = await write();
      expect(response.status, action).toBeLessThan(300);
      expect(await auditCount(), action).toBe(before + 1);
      const entry = await newest();
      expect(entry.action).toBe(action);
      expect(entry.actor.name).toBe(actorName);
    }
    const kill = (await h.call("viewer", "GET", "/api/v1/audit?flag=new-checkout&limit=500")).json.entries.find(
      (entry: { action: string }) => entry.action === "flag.kill",
    );
    expect(kill).toMatchObject({ environment: "production", reason: "alert: CheckoutErrors", actor: { kind: "automation", name: "pager" } });
    expect(kill.before.killed).toBe(false);
    expect(kill.after.killed).toBe(true);
  });

  it("records nothing for rejected writes and repeated kills", async () => {
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
    await h.call("editor", "POST", `${production}/kill`, { body: { reason: "first" } });
    const before = await auditCount();
    expect((await h.call("editor", "POST", `${production}/kill`, { body: { reason: "again" } })).status).toBe(200);
    expect((await h.call("editor", "PATCH", production, { body: { version: 1, enabled: true } })).status).toBe(409);
    expect((await h.call("editor", "PATCH", production, { body: { version: 2, bogus: 1 } })).status).toBe(400);
    expect((await h.call("viewer", "POST", `${production}/unkill`, { body: { reason: "nope" } })).status).toBe(403);
    expect(await auditCount()).toBe(before);
  });

  it("filters by flag, environment, actor and time, and pages newest first", async () => {
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "dark-mode" } });
    const start = new Date().toISOString();
    await h.call("editor", "POST", `${production}/kill`, { body: { reason: "r1" } });
    await h.call("automation", "POST", `${production}/unkill`, { body: { reason: "r2" } });
    await h.call("editor", "POST", "/api/v1/flags/dark-mode/environments/staging/kill", { body: { reason: "r3" } });

    const byFlag = (await h.call("viewer", "GET", "/api/v1/audit?flag=new-checkout")).json.entries.map((e: { action: string }) => e.action);
    expect(byFlag).toEqual(["flag.unkill", "flag.kill", "flag.create"]);
    const byEnv = (await h.call("viewer", "GET", "/api/v1/audit?environment=staging")).json.entries.map((e: { action: string }) => e.action);
    expect(byEnv).toEqual(["flag.kill", "environment.create"]);
    const byActor = (await h.call("viewer", "GET", "/api/v1/audit?actor=pager")).json.entries.map((e: { reason: string }) => e.reason);
    expect(byActor).toEqual(["r2"]);
    const since = (await h.call("viewer", "GET", `/api/v1/audit?since=${encodeURIComponent(start)}`)).json.entries;
    expect(since.map((e: { reason: string }) => e.reason)).toEqual(["r3", "r2", "r1"]);
    const until = (await h.call("viewer", "GET", `/api/v1/audit?until=2000-01-01T00:00:00Z`)).json.entries;
    expect(until).toEqual([]);

    const first = (await h.call("viewer", "GET", "/api/v1/audit?flag=new-checkout&limit=2")).json;
    expect(first.entries).toHaveLength(2);
    const second = (await h.call("viewer", "GET", `/api/v1/audit?flag=new-checkout&limit=2&cursor=${first.nextCursor}`)).json;
    expect(second.entries.map((e: { action: string }) => e.action)).toEqual(["flag.create"]);
    expect(second.nextCursor).toBeNull();

    const bad = await h.call("viewer", "GET", "/api/v1/audit?since=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues).toEqual([{ path: "since", message: "must be an ISO-8601 date-time" }]);
  });
});
