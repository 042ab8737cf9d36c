import { beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

const createCheckout = () => h.call("editor", "POST", "/api/v1/flags", { body: { key: "new-checkout", tags: ["checkout"] } });
const production = "/api/v1/flags/new-checkout/environments/production";

describe("flags", () => {
  it("creates a boolean flag that is off in every environment", async () => {
    const created = await createCheckout();
    expect(created.status).toBe(201);
    expect(created.json.variants).toEqual([
      { key: "on", value: true },
      { key: "off", value: false },
    ]);
    expect(Object.keys(created.json.environments)).toEqual(["development", "staging", "production"]);
    expect(created.json.environments.production).toMatchObject({ enabled: false, killed: false, offVariant: "off", fallthrough: { variant: "on" }, version: 1 });
    const fetched = await h.call("viewer", "GET", "/api/v1/flags/new-checkout");
    expect(fetched.json).toEqual(created.json);
  });

  it("refuses a duplicate key with 409 naming the key", async () => {
    await createCheckout();
    const again = await createCheckout();
    expect(again.status).toBe(409);
    expect(again.json.error.issues).toEqual([{ path: "key", message: "is already taken" }]);
  });

  it("lists flags with search, tag filter and archived filter", async () => {
    await createCheckout();
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "dark-mode", name: "Dark mode", tags: ["ui"] } });
    const all = await h.call("viewer", "GET", "/api/v1/flags");
    expect(all.json.flags.map((f: { key: string }) => f.key)).toEqual(["dark-mode", "new-checkout"]);
    const byTag = await h.call("viewer", "GET", "/api/v1/flags?tag=ui");
    expect(byTag.json.flags.map((f: { key: string }) => f.key)).toEqual(["dark-mode"]);
    const bySearch = await h.call("viewer", "GET", "/api/v1/flags?q=Dark");
    expect(bySearch.json.flags.map((f: { key: string }) => f.key)).toEqual(["dark-mode"]);
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "a_b.c" } });
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "axb" } });
    const literal = await h.call("viewer", "GET", "/api/v1/flags?q=a_b");
    expect(literal.json.flags.map((f: { key: string }) => f.key)).toEqual(["a_b.c"]);
    await h.call("editor", "POST", "/api/v1/flags/a_b.c/archive");
    await h.call("editor", "POST", "/api/v1/flags/axb/archive");
    const paged = await h.call("viewer", "GET", "/api/v1/flags?limit=1");
    expect(paged.json.flags).toHaveLength(1);
    expect(paged.json.nextCursor).toBe("dark-mode");
    const next = await h.call("viewer", "GET", `/api/v1/flags?limit=1&cursor=${paged.json.nextCursor}`);
    expect(next.json.flags.map((f: { key: string }) => f.key)).toEqual(["new-checkout"]);

    await h.call("editor", "POST", "/api/v1/flags/dark-mode/archive");
    const active = await h.call("viewer", "GET", "/api/v1/flags");
    expect(active.json.flags.map((f: { key: string }) => f.key)).toEqual(["new-checkout"]);
    const archived = await h.call("viewer", "GET", "/api/v1/flags?archived=true");
    expect(archived.json.flags.map((f: { key: string }) => f.key)).toEqual(["a_b.c", "axb", "dark-mode"]);
  });

  it("targets, rolls out and evaluates: 10% of production users in NL", async () => {
    await createCheckout();
    const updated = await h.call("editor", "PATCH", production, {
      body: {
        version: 1,
        enabled: true,
        rules: [
          {
            clauses: [{ attribute: "country", op: "in", values: ["NL"] }],
            serve: { rollout: { variants: [{ variant: "on", weight: 10_000 }, { variant: "off", weight: 90_000 }] } },
          },
        ],
        fallthrough: { variant: "off" },
      },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.version).toBe(2);

    let inRollout = 0;
    for (let i = 0; i < 2000; i++) {
      const result = await h.call("server", "POST", "/sdk/v1/evaluate", { body: { key: "new-checkout", context: { key: `user-${i}`, country: "NL" } } });
      expect(result.json.reason).toBe("RULE_MATCH");
      if (result.json.value === true) inRollout++;
    }
    expect(inRollout / 2000).toBeGreaterThan(0.08);
    expect(inRollout / 2000).toBeLessThan(0.12);
    const german = await h.call("server", "POST", "/sdk/v1/evaluate", { body: { key: "new-checkout", context: { key: "user-1", country: "DE" } } });
    expect(german.json).toMatchObject({ value: false, variant: "off", reason: "FALLTHROUGH" });
  });

  it("sets a rollout percentage with 0.001% steps and keeps everyone who was in when raising it", async () => {
    await createCheckout();
    await h.call("editor", "PATCH", production, { body: { version: 1, enabled: true } });
    const at5 = await h.call("editor", "POST", `${production}/rollout`, { body: { percent: 5.125 } });
    expect(at5.status).toBe(200);
    expect(at5.json.config.fallthrough).toEqual({ rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 5125 }, { variant: "off", weight: 94875 }] } });
    const contexts = Array.from({ length: 400 }, (_, i) => ({ key: `member-${i}` }));
    const valuesAt = async () =>
      Promise.all(contexts.map(async (context) => (await h.call("server", "POST", "/sdk/v1/evaluate", { body: { key: "new-checkout", context } })).json.value));
    const before = await valuesAt();
    await h.call("editor", "POST", `${production}/rollout`, { body: { percent: 50 } });
    const after = await valuesAt();
    before.forEach((value, index) => {
      if (value === true) expect(after[index]).toBe(true);
    });
    expect(after.filter(Boolean).length).toBeGreaterThan(before.filter(Boolean).length);
  });

  it("refuses a rollout step finer than 0.001% and names the field", async () => {
    await createCheckout();
    const response = await h.call("editor", "POST", `${production}/rollout`, { body: { percent: 1.0001 } });
    expect(response.status).toBe(400);
    expect(response.json.error.issues).toEqual([{ path: "percent", message: "must be a multiple of 0.001" }]);
  });
});

describe("optimistic concurrency", () => {
  it("gives 409 with the current state on a stale version and changes nothing", async () => {
    await createCheckout();
    const first = await h.call("editor", "PATCH", production, { body: { version: 1, enabled: true } });
    expect(first.status).toBe(200);
    const stale = await h.call("editor", "PATCH", production, { body: { version: 1, enabled: false, offVariant: "on" } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.code).toBe("conflict");
    expect(stale.json.error.current).toMatchObject({ enabled: true, version: 2 });
    const now = await h.call("viewer", "GET", production);
    expect(now.json).toMatchObject({ enabled: true, offVariant: "off", version: 2 });
  });

  it("accepts the version as an If-Match header", async () => {
    await createCheckout();
    const ok = await h.call("editor", "PATCH", production, { body: { enabled: true }, headers: { "If-Match": '"1"' } });
    expect(ok.status).toBe(200);
    const stale = await h.call("editor", "PATCH", production, { body: { enabled: false }, headers: { "If-Match": '"1"' } });
    expect(stale.status).toBe(409);
  });

  it("requires a version for edits (428) but not for the kill switch", async () => {
    await createCheckout();
    const missing = await h.call("editor", "PATCH", production, { body: { enabled: true } });
    expect(missing.status).toBe(428);
    expect(missing.json.error.issues).toEqual([{ path: "version", message: "is required" }]);
    const kill = await h.call("editor", "POST", `${production}/kill`, { body: { reason: "errors spiking" } });
    expect(kill.status).toBe(200);
  });

  it("reads If-Match strictly", async () => {
    await createCheckout();
    for (const header of ['"+1.0"', '"0x1"', 'W/"1"', "99999999999999999999", "abc"]) {
      const response = await h.call("editor", "PATCH", production, { body: { enabled: true }, headers: { "If-Match": header } });
      expect(response.status, header).toBe(400);
      expect(response.json.error.issues[0].path).toBe("If-Match");
    }
    const disagree = await h.call("editor", "PATCH", production, { body: { version: 2, enabled: true }, headers: { "If-Match": '"1"' } });
    expect(disagree.status).toBe(400);
    expect(disagree.json.error.issues[0].path).toBe("version");
    expect((await h.call("viewer", "GET", production)).json.version).toBe(1);
  });

  it("leaves the revision and the audit log alone on a conflict or a change that changes nothing", async () => {
    await createCheckout();
    await h.call("editor", "PATCH", production, { body: { version: 1, enabled: true } });
    const revision = h.services.snapshots.get("production").snapshot.revision;
    const audited = (await h.call("viewer", "GET", "/api/v1/audit?limit=500")).json.entries.length;
    expect((await h.call("editor", "PATCH", production, { body: { version: 1, enabled: false } })).status).toBe(409);
    const same = await h.call("editor", "PATCH", production, { body: { version: 2, enabled: true } });
    expect(same.status).toBe(200);
    expect(same.json.version).toBe(2);
    expect(h.services.snapshots.get("production").snapshot.revision).toBe(revision);
    expect((await h.call("viewer", "GET", "/api/v1/audit?limit=500")).json.entries).toHaveLength(audited);
  });

  it("checks a flag's own version on PATCH /flags/{key}", async () => {
    await createCheckout();
    const renamed = await h.call("editor", "PATCH", "/api/v1/flags/new-checkout", { body: { version: 1, name: "New checkout" } });
    expect(renamed.json).toMatchObject({ name: "New checkout", version: 2 });
    const stale = await h.call("editor", "PATCH", "/api/v1/flags/new-checkout", { body: { version: 1, name: "Other" } });
    expect(stale.status).toBe(409);
    expect(stale.json.error.current.name).toBe("New checkout");
    const unchanged = await h.call("editor", "PATCH", "/api/v1/flags/new-checkout", { body: { version: 2, name: "New checkout" } });
    expect(unchanged.json.version).toBe(2);
  });
});

describe("kill switch", () => {
  it("kills with a reason, is idempotent, and unkill restores exactly what ran before", async () => {
    await createCheckout();
    const rules = [{ clauses: [{ attribute: "country", op: "in", values: ["NL"], negate: false, caseInsensitive: false }], serve: { variant: "on" } }];
    await h.call("editor", "PATCH", production, { body: { version: 1, enabled: true, rules } });
    const before = await h.call("viewer", "GET", production);

    const killed = await h.call("editor", "POST", `${production}/kill`, { body: { reason: "checkout errors at 4%" } });
    expect(killed.json).toMatchObject({ changed: true, config: { killed: true, killReason: "checkout errors at 4%", killedBy: "editor@example.com" } });
    const evaluated = await h.call("server", "POST", "/sdk/v1/evaluate", { body: { key: "new-checkout", context: { key: "u1", country: "NL" } } });
    expect(evaluated.json).toMatchObject({ value: false, variant: "off", reason: "KILLED" });

    const again = await h.call("editor", "POST", `${production}/kill`, { body: { reason: "second alert" } });
    expect(again.json).toMatchObject({ changed: false, config: { killReason: "checkout errors at 4%", version: killed.json.config.version } });

    const unkilled = await h.call("editor", "POST", `${production}/unkill`, { body: { reason: "fixed in 1.4.2" } });
    expect(unkilled.json.changed).toBe(true);
    const { version: _a, updatedAt: _b, ...restored } = unkilled.json.config;
    const { version: _c, updatedAt: _d, ...original } = before.json;
    expect(restored).toEqual(original);
    const unkillAgain = await h.call("editor", "POST", `${production}/unkill`, { body: { reason: "again" } });
    expect(unkillAgain.json.changed).toBe(false);
  });

  it("requires a reason", async () => {
    await createCheckout();
    const response = await h.call("editor", "POST", `${production}/kill`, { body: {} });
    expect(response.status).toBe(400);
    expect(response.json.error.issues[0].path).toBe("reason");
    const blank = await h.call("editor", "POST", `${production}/kill`, { body: { reason: "   " } });
    expect(blank.status).toBe(400);
    expect((await h.call("viewer", "GET", production)).json.killed).toBe(false);
  });
});

describe("bad input", () => {
  it("rejects unknown fields, naming them, and changes nothing", async () => {
    await createCheckout();
    const response = await h.call("editor", "PATCH", production, { body: { version: 1, enabled: true, enabeld: true } });
    expect(response.status).toBe(400);
    expect(response.json.error.issues).toEqual([{ path: "enabeld", message: "is not a known field" }]);
    expect((await h.call("viewer", "GET", production)).json).toMatchObject({ enabled: false, version: 1 });
  });

  it("rejects references to variants that do not exist, with the path of the reference", async () => {
    await createCheckout();
    const response = await h.call("editor", "PATCH", production, {
      body: { version: 1, rules: [{ clauses: [], serve: { variant: "blue" } }] },
    });
    expect(response.status).toBe(400);
    expect(response.json.error.issues.map((issue: { path: string }) => issue.path)).toContain("rules[0].serve.variant");
    expect((await h.call("viewer", "GET", production)).json.rules).toEqual([]);
  });

  it("rejects a rollout whose weights do not sum to 100%", async () => {
    await createCheckout();
    const response = await h.call("editor", "PATCH", production, {
      body: { version: 1, fallthrough: { rollout: { variants: [{ variant: "on", weight: 10 }, { variant: "off", weight: 10 }] } } },
    });
    expect(response.status).toBe(400);
    expect(response.json.error.message).toMatch(/fallthrough/);
  });

  it("rejects removing a variant an environment still serves", async () => {
    await h.call("editor", "POST", "/api/v1/flags", {
      body: { key: "banner", kind: "string", variants: [{ key: "blue", value: "blue" }, { key: "green", value: "green" }, { key: "none", value: "" }] },
    });
    const response = await h.call("editor", "PATCH", "/api/v1/flags/banner", { body: { version: 1, variants: [{ key: "green", value: "green" }, { key: "none", value: "" }] } });
    expect(response.status).toBe(400);
    expect(response.json.error.issues[0].path).toMatch(/^environments\.development\.fallthrough/);
    expect((await h.call("viewer", "GET", "/api/v1/flags/banner")).json.variants).toHaveLength(3);
  });

  it("requires variants for multivariate flags and validates the key", async () => {
    const noVariants = await h.call("editor", "POST", "/api/v1/flags", { body: { key: "banner", kind: "string" } });
    expect(noVariants.status).toBe(400);
    expect(noVariants.json.error.issues).toEqual([{ path: "variants", message: "are required for string, number and json flags" }]);
    const badKey = await h.call("editor", "POST", "/api/v1/flags", { body: { key: "no spaces" } });
    expect(badKey.status).toBe(400);
    expect(badKey.json.error.issues[0].path).toBe("key");
  });

  it("answers malformed JSON, a wrong content type and an oversized body with 4xx", async () => {
    const malformed = await h.call("editor", "POST", "/api/v1/flags", { body: "{ not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe("invalid_request");
    const wrongType = await h.call("editor", "POST", "/api/v1/flags", { body: "key=x", headers: { "Content-Type": "text/plain" } });
    expect(wrongType.status).toBe(415);
    const huge = await h.call("editor", "POST", "/api/v1/flags", { body: { key: "huge", description: "x".repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe("payload_too_large");
    expect((await h.call("viewer", "GET", "/api/v1/flags")).json.flags).toEqual([]);
  });

  it("refuses JSON nested too deep and __proto__ keys, naming the field", async () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 2000; i++) deep = { inner: deep };
    const tooDeep = await h.call("editor", "POST", "/api/v1/flags", { body: { key: "deep", kind: "json", variants: [{ key: "a", value: deep }] } });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.error.issues[0].path).toMatch(/^variants\[0\]\.value/);
    const proto = await h.call("editor", "POST", "/api/v1/flags", { body: '{"key":"proto","kind":"json","variants":[{"key":"a","value":{"__proto__":{"x":1},"y":2}}]}' });
    expect(proto.status).toBe(400);
    expect(proto.json.error.message).toContain("__proto__");
    expect((await h.call("viewer", "GET", "/api/v1/flags")).json.flags).toEqual([]);
  });

  it("answers unknown flags and environments with 404", async () => {
    expect((await h.call("viewer", "GET", "/api/v1/flags/nope")).status).toBe(404);
    await createCheckout();
    const env = await h.call("viewer", "GET", "/api/v1/flags/new-checkout/environments/moon");
    expect(env.status).toBe(404);
    expect(env.json.error.message).toBe("environment 'moon' not found");
  });
});
