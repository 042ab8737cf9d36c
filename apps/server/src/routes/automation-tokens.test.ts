/**
 * Automation tokens, the credentials of alerting and pipelines: scoped to flags (by key or by
 * tag) and to environments, allowed only kill, unkill and the rollout-plan actions, and
 * audited under their own name. The auth matrix checks one token against every route; this
 * checks scopes: tokens scoped by key, by tag and by environment against flags and
 * environments in and out of them, every action.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AutomationScope } from "../db/schema.js";
import { createHarness, type Harness } from "../test-support/harness.js";
import { SseReader } from "../test-support/sse-reader.js";

interface Token {
  name: string;
  scope: AutomationScope;
}

const tokens: Token[] = [
  { name: "by-key", scope: { flags: ["new-checkout"], tags: [], environments: ["production"] } },
  { name: "by-tag", scope: { flags: [], tags: ["payments"], environments: ["production", "staging"] } },
  { name: "by-environment", scope: { flags: ["new-checkout", "dark-mode"], tags: [], environments: ["staging"] } },
];

/** new-checkout is named by key; payments-v2 and refunds carry the tag; dark-mode neither. */
const flags = [
  { key: "new-checkout", tags: ["checkout"] },
  { key: "payments-v2", tags: ["payments"] },
  { key: "refunds", tags: ["payments", "back-office"] },
  { key: "dark-mode", tags: [] },
];
const environments = ["production", "staging", "development"];

const inScope = ({ scope }: Token, flag: { key: string; tags: string[] }, environment: string) =>
  (scope.flags.includes(flag.key) || flag.tags.some((tag) => scope.tags.includes(tag))) && scope.environments.includes(environment);

/** The actions a token may take, in an order that lets each one succeed after the one before. */
const actions: { name: string; path: string; body: unknown }[] = [
  { name: "plan/start", path: "plan/start", body: { reason: "deploy 1.4.2" } },
  { name: "plan/pause", path: "plan/pause", body: {} },
  { name: "plan/resume", path: "plan/resume", body: {} },
  { name: "plan/abort", path: "plan/abort", body: { reason: "done by hand" } },
  { name: "kill", path: "kill", body: { reason: "alert: errors" } },
  { name: "unkill", path: "unkill", body: { reason: "alert resolved" } },
];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function prepare() {
  const h = await createHarness();
  for (const flag of flags) {
    await h.call("editor", "POST", "/api/v1/flags", { body: flag });
    for (const environment of environments) {
      const plan = await h.call("editor", "PUT", `/api/v1/flags/${flag.key}/environments/${environment}/plan`, {
        body: { steps: [{ percent: 5, holdSeconds: 600 }, { percent: 50, holdSeconds: 600 }] },
      });
      expect(plan.status, JSON.stringify(plan.json)).toBeLessThan(300);
    }
  }
  const headers = Object.fromEntries(
    tokens.map((token) => [token.name, { Authorization: `Bearer ${h.token({ kind: "automation", name: token.name, scope: token.scope })}` }]),
  ) as Record<string, Record<string, string>>;
  return { h, headers };
}

const auditCount = async (h: Harness) => (await h.call("viewer", "GET", "/api/v1/audit?limit=500")).json.entries.length;

describe("automation token scopes", () => {
  for (const token of tokens) {
    it(`${token.name}: every action allowed on flags and environments in scope, refused with 403 elsewhere, audited under the token's name`, async () => {
      const { h, headers } = await prepare();
      const seen: string[] = [];
      const expected: string[] = [];
      for (const flag of flags) {
        for (const environment of environments) {
          const allowed = inScope(token, flag, environment);
          for (const action of actions) {
            const before = await auditCount(h);
            const path = `/api/v1/flags/${flag.key}/environments/${environment}/${action.path}`;
            const response = await h.call("anonymous", "POST", path, { body: action.body, headers: headers[token.name] });
            seen.push(`${flag.key} ${environment} ${action.name} ${response.status}`);
            expected.push(`${flag.key} ${environment} ${action.name} ${allowed ? 200 : 403}`);
            if (allowed && response.status === 200) {
              // Each allowed action here changes something, so each has its audit entry, under the token's name.
              expect(await auditCount(h), `${path} allowed but not recorded`).toBeGreaterThan(before);
              const [entry] = (await h.call("viewer", "GET", "/api/v1/audit?limit=1")).json.entries;
              expect(entry, path).toMatchObject({ flag: flag.key, environment, actor: { kind: "automation", name: token.name } });
            } else if (!allowed) {
              expect(await auditCount(h), `${path} refused but recorded`).toBe(before);
            }
          }
        }
      }
      expect(seen).toEqual(expected);
    });
  }

  it("may do nothing else, even on flags in scope", async () => {
    const { h, headers } = await prepare();
    const as = (method: string, path: string, body?: unknown) => h.call("anonymous", method, path, { body, headers: headers["by-key"] });
    const flag = "/api/v1/flags/new-checkout";
    const config = `${flag}/environments/production`;
    const refused = [
      await as("PATCH", config, { version: 1, enabled: true }),
      await as("POST", `${config}/rollout`, { percent: 12.5 }),
      await as("PATCH", flag, { version: 1, name: "renamed" }),
      await as("POST", `${flag}/archive`, {}),
      await as("PUT", `${config}/plan`, { steps: [{ percent: 100, holdSeconds: 0 }] }),
      await as("POST", "/api/v1/flags", { key: "by-token" }),
      await as("GET", "/api/v1/flags"),
      await as("GET", config),
      await as("GET", "/api/v1/audit"),
      await as("POST", "/api/v1/environments/production/segments", { key: "s" }),
      await as("POST", "/api/v1/credentials", { kind: "automation", name: "wider", scope: { flags: ["dark-mode"], environments: ["production"] } }),
      await as("POST", "/api/v1/webhooks", { url: "https://hooks.example/" }),
      await as("GET", "/sdk/v1/flags"),
    ];
    expect(refused.map((response) => response.status)).toEqual(refused.map(() => 403));
  });

  it("cannot tell a flag outside its scope from a missing one, nor an environment", async () => {
    const { h, headers } = await prepare();
    const kill = async (flag: string, environment: string, token = "by-tag") => {
      const response = await h.call("anonymous", "POST", `/api/v1/flags/${flag}/environments/${environment}/kill`, { body: { reason: "probe" }, headers: headers[token] });
      return { status: response.status, body: JSON.stringify(response.json).replaceAll(flag, "<flag>").replaceAll(environment, "<env>") };
    };
    const outside = await kill("dark-mode", "production");
    expect(outside.status).toBe(403);
    expect(await kill("no-such-flag", "production")).toEqual(outside);
    // Also for every action, with or without a valid body.
    for (const action of actions) {
      const probe = (flag: string) => h.call("anonymous", "POST", `/api/v1/flags/${flag}/environments/production/${action.path}`, { body: action.body, headers: headers["by-tag"] });
      const [existing, missing] = [await probe("dark-mode"), await probe("nope-nope")];
      expect(missing.status, action.name).toBe(existing.status);
      expect(JSON.stringify(missing.json).replace("nope-nope", "dark-mode"), action.name).toBe(JSON.stringify(existing.json));
    }
    // An environment outside the scope reads the same whether or not it exists.
    const staging = await kill("new-checkout", "staging", "by-key");
    expect(staging.status).toBe(403);
    expect(await kill("new-checkout", "nowhere", "by-key")).toEqual(staging);
  });

  it("kill is idempotent, reaches a connected SDK's stream once, and names the token", async () => {
    const { h, headers } = await prepare();
    const { url, close } = await h.listen();
    cleanups.push(close);
    const stream = await SseReader.open(`${url}/sdk/v1/stream`, h.credentials.server);
    cleanups.push(stream.abort);
    await stream.waitFor((m) => m.event === "synced");
    const kill = (reason: string) =>
      h.call("anonymous", "POST", "/api/v1/flags/new-checkout/environments/production/kill", { body: { reason }, headers: headers["by-key"] });

    const first = await kill("alert: CheckoutErrorRate");
    expect(first.json).toMatchObject({ changed: true, config: { killed: true, killedBy: "by-key", killReason: "alert: CheckoutErrorRate" } });
    const patch = await stream.waitFor((m) => m.event === "patch");
    expect(JSON.parse(patch.data!)).toMatchObject({ kind: "flag", key: "new-checkout", value: { killed: true, killReason: "alert: CheckoutErrorRate" } });

    const before = await auditCount(h);
    const again = await kill("alert: CheckoutErrorRate, again");
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ changed: false, config: { killReason: "alert: CheckoutErrorRate", version: first.json.config.version } });
    expect(await auditCount(h)).toBe(before);

    // The next change is the next patch: the repeated kill sent none.
    await h.call("anonymous", "POST", "/api/v1/flags/new-checkout/environments/production/unkill", { body: { reason: "resolved" }, headers: headers["by-key"] });
    await stream.waitFor((m) => m.event === "patch" && m.id !== patch.id);
    expect(stream.events("patch").map((m) => JSON.parse(m.data!).value.killed)).toEqual([true, false]);
  });
});
