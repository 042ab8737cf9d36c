/**
 * Every route against every kind of caller. Each route gets a fresh server so a write by one
 * caller cannot change what the next one sees; bodies are unique per caller for the same reason.
 */
import { describe, expect, it } from "vitest";
import { parseToken } from "../auth/secrets.js";
import { streamToken } from "../auth/stream-token.js";
import { systemActor } from "../services/changes.js";
import { callerKinds, createHarness, type CallerKind, type Harness } from "../test-support/harness.js";

type Expectation = Record<CallerKind, number>;

const read: Expectation = { anonymous: 401, client: 403, server: 403, automation: 403, viewer: 200, editor: 200, admin: 200 };
const edit = (ok: number): Expectation => ({ anonymous: 401, client: 403, server: 403, automation: 403, viewer: 403, editor: ok, admin: ok });
const administer = (ok: number): Expectation => ({ anonymous: 401, client: 403, server: 403, automation: 403, viewer: 403, editor: 403, admin: ok });
const flagAction: Expectation = { anonymous: 401, client: 403, server: 403, automation: 200, viewer: 403, editor: 200, admin: 200 };
const sdkKeys = (client: number, server = client): Expectation => ({ anonymous: 401, client, server, automation: 403, viewer: 403, editor: 403, admin: 403 });

const production = "/api/v1/flags/new-checkout/environments/production";
const configVersion = (h: Harness) => h.services.flags.getConfig("new-checkout", "production").version;
const flagVersion = (h: Harness) => h.services.flags.get("new-checkout").version;

interface RouteCase {
  method: string;
  path: string | ((caller: CallerKind) => string);
  body?: (caller: CallerKind, h: Harness) => unknown;
  expect: Expectation;
  /** Streams run on the Node server only: these go over a real socket. */
  stream?: true;
}

const routes: RouteCase[] = [
  { method: "GET", path: "/api/v1/me", expect: { anonymous: 401, client: 200, server: 200, automation: 200, viewer: 200, editor: 200, admin: 200 } },
  { method: "POST", path: "/api/v1/auth/logout", expect: { anonymous: 204, client: 204, server: 204, automation: 204, viewer: 204, editor: 204, admin: 204 } },
  { method: "GET", path: "/api/v1/environments", expect: read },
  { method: "POST", path: "/api/v1/environments", body: (caller) => ({ key: `env-${caller}` }), expect: administer(201) },
  { method: "GET", path: "/api/v1/flags", expect: read },
  { method: "POST", path: "/api/v1/flags", body: (caller) => ({ key: `flag-${caller}` }), expect: edit(201) },
  { method: "GET", path: "/api/v1/flags/new-checkout", expect: read },
  { method: "PATCH", path: "/api/v1/flags/new-checkout", body: (caller, h) => ({ version: flagVersion(h), name: `by ${caller}` }), expect: edit(200) },
  { method: "POST", path: "/api/v1/flags/new-checkout/archive", expect: edit(200) },
  { method: "POST", path: "/api/v1/flags/new-checkout/unarchive", expect: edit(200) },
  { method: "GET", path: production, expect: read },
  { method: "PATCH", path: production, body: (_caller, h) => ({ version: configVersion(h), enabled: true }), expect: edit(200) },
  { method: "POST", path: `${production}/kill`, body: (caller) => ({ reason: `kill by ${caller}` }), expect: flagAction },
  { method: "POST", path: `${production}/unkill`, body: (caller) => ({ reason: `unkill by ${caller}` }), expect: flagAction },
  { method: "POST", path: `${production}/rollout`, body: () => ({ percent: 12.5 }), expect: edit(200) },
  { method: "GET", path: "/api/v1/environments/production/segments", expect: read },
  { method: "POST", path: "/api/v1/environments/production/segments", body: (caller) => ({ key: `seg-${caller}`, included: ["u1"] }), expect: edit(201) },
  { method: "GET", path: "/api/v1/environments/production/segments/beta", expect: read },
  {
    method: "PATCH",
    path: "/api/v1/environments/production/segments/beta",
    body: (_caller, h) => ({ version: h.services.segments.get("production", "beta").version, included: ["u2"] }),
    expect: edit(200),
  },
  { method: "DELETE", path: (caller) => `/api/v1/environments/production/segments/doomed-${caller}`, expect: edit(204) },
  { method: "GET", path: "/api/v1/environments/production/contexts", expect: read },
  { method: "GET", path: "/api/v1/audit", expect: read },
  { method: "GET", path: "/api/v1/events", stream: true, expect: { anonymous: 401, client: 403, server: 403, automation: 403, viewer: 200, editor: 200, admin: 200 } },
  { method: "GET", path: "/api/v1/credentials", expect: administer(200) },
  { method: "POST", path: "/api/v1/credentials", body: (caller) => ({ kind: "server", name: `key-${caller}`, environment: "staging" }), expect: administer(201) },
  { method: "POST", path: (caller) => `/api/v1/credentials/${victims.get(caller)}/revoke`, expect: administer(200) },
  { method: "GET", path: "/api/v1/users", expect: administer(200) },
  { method: "POST", path: "/api/v1/users", body: (caller) => ({ email: `${caller}@new.example.com`, password: "long-enough-password", role: "viewer" }), expect: administer(201) },
  { method: "GET", path: "/sdk/v1/flags", expect: { anonymous: 401, client: 403, server: 200, automation: 403, viewer: 403, editor: 403, admin: 403 } },
  {
    method: "POST",
    path: "/sdk/v1/evaluate",
    body: () => ({ context: { key: "u1" } }),
    expect: { anonymous: 401, client: 200, server: 200, automation: 403, viewer: 403, editor: 403, admin: 403 },
  },
  { method: "GET", path: "/sdk/v1/stream", stream: true, expect: { anonymous: 401, client: 403, server: 200, automation: 403, viewer: 403, editor: 403, admin: 403 } },
  { method: "GET", path: "/client/v1/stream", stream: true, expect: { anonymous: 401, client: 200, server: 403, automation: 403, viewer: 403, editor: 403, admin: 403 } },
  // ofrepRoutes (routes/ofrep.test.ts): 401/403 with empty bodies. new-checkout is not client-visible: 404 for a client key.
  { method: "POST", path: "/ofrep/v1/evaluate/flags/new-checkout", body: () => ({ context: { targetingKey: "u1" } }), expect: sdkKeys(404, 200) },
  { method: "POST", path: "/ofrep/v1/evaluate/flags", body: () => ({ context: { targetingKey: "u1" } }), expect: sdkKeys(200) },
  { method: "GET", path: "/ofrep/v1/configuration", expect: sdkKeys(200) },
  // The stream's credential is the token derived from the caller's credential; sessions have none.
  {
    method: "GET",
    path: (caller) => (streamTokens.has(caller) ? `/ofrep/v1/events?token=${streamTokens.get(caller)}` : "/ofrep/v1/events"),
    stream: true,
    expect: { ...sdkKeys(200), viewer: 401, editor: 401 },
  },
  // webhookRoutes and integrationRoutes (routes/webhooks.test.ts, routes/integrations.test.ts).
  { method: "GET", path: "/api/v1/webhooks", expect: administer(200) },
  { method: "POST", path: "/api/v1/webhooks", body: (caller) => ({ url: `https://hooks.example/${caller}` }), expect: administer(201) },
  { method: "DELETE", path: () => `/api/v1/webhooks/${webhookId}`, expect: administer(200) },
  { method: "POST", path: () => `/api/v1/webhooks/${webhookId}/test`, expect: administer(202) },
  { method: "GET", path: () => `/api/v1/webhooks/${webhookId}/deliveries`, expect: administer(200) },
  {
    method: "POST",
    path: "/api/v1/integrations/alertmanager",
    body: (caller) => ({ version: "4", status: "firing", alerts: [{ status: "firing", labels: { alertname: caller, switchyard_flag: "new-checkout" }, startsAt: "2026-11-26T09:00:00Z", fingerprint: caller }] }),
    expect: flagAction,
  },
  // metricsRoutes: SDK keys send batches; the scrape is open unless SWITCHYARD_METRICS_TOKEN is set (routes/metrics.test.ts).
  {
    method: "POST",
    path: "/sdk/v1/metrics",
    body: () => ({ sdk: "auth-matrix", evaluations: [{ flag: "new-checkout", variant: "on", count: 1 }] }),
    expect: { anonymous: 401, client: 202, server: 202, automation: 403, viewer: 403, editor: 403, admin: 403 },
  },
  { method: "GET", path: "/metrics", expect: { anonymous: 200, client: 200, server: 200, automation: 200, viewer: 200, editor: 200, admin: 200 } },
  // planRoutes (routes/plans.test.ts): each caller finds the plan in a state its action leaves from.
  { method: "GET", path: `${production}/plan`, expect: { ...read, automation: 200 } },
  { method: "PUT", path: `${production}/plan`, body: (_caller, h) => ({ ...planIn(h, "stopped"), version: planVersion(h), steps: [{ percent: 5, holdSeconds: 60 }] }), expect: edit(200) },
  { method: "POST", path: `${production}/plan/start`, body: (_caller, h) => planIn(h, "stopped"), expect: flagAction },
  { method: "POST", path: `${production}/plan/pause`, body: (_caller, h) => planIn(h, "running"), expect: flagAction },
  { method: "POST", path: `${production}/plan/resume`, body: (_caller, h) => planIn(h, "paused"), expect: flagAction },
  { method: "POST", path: `${production}/plan/abort`, body: (_caller, h) => planIn(h, "running"), expect: flagAction },
];

const planVersion = (h: Harness) => h.services.plans.get("new-checkout", "production").version;

/** Moves new-checkout's production plan (as the system) to a state the next action can leave from; an empty body. */
function planIn(h: Harness, state: "stopped" | "running" | "paused"): Record<string, never> {
  const plans = h.services.plans;
  const now = () => plans.get("new-checkout", "production").state;
  const underWay = () => now() === "running" || now() === "paused";
  if (state === "stopped" && underWay()) plans.abort("new-checkout", "production", {}, systemActor);
  if (state !== "stopped" && !underWay()) plans.start("new-checkout", "production", {}, systemActor);
  if (state === "paused" && now() === "running") plans.pause("new-checkout", "production", {}, systemActor);
  if (state === "running" && now() === "paused") plans.resume("new-checkout", "production", {}, systemActor);
  return {};
}

async function streamStatus(h: Harness, caller: CallerKind, path: string): Promise<number> {
  const { url, close } = await h.listen();
  const controller = new AbortController();
  try {
    const response = await fetch(`${url}${path}`, { headers: h.credentials[caller], signal: controller.signal });
    return response.status;
  } finally {
    controller.abort();
    await close();
  }
}

// Credentials each caller tries to revoke; one per caller so an earlier revoke cannot mask a later one.
const victims = new Map<CallerKind, string>();
// A webhook of the route's server; disabling is idempotent, so one serves every caller.
let webhookId: string | undefined;
// OFREP event stream tokens of the callers holding a credential.
const SECRET_KEY = "auth-matrix-secret-key-of-at-least-32-characters";
const streamTokens = new Map<CallerKind, string>();

async function prepare(): Promise<Harness> {
  const h = await createHarness({ secretKey: SECRET_KEY });
  await h.call("admin", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
  await h.call("admin", "POST", "/api/v1/environments/production/segments", { body: { key: "beta", included: ["u1"] } });
  for (const caller of callerKinds) {
    await h.call("admin", "POST", "/api/v1/environments/production/segments", { body: { key: `doomed-${caller}` } });
    const created = await h.call("admin", "POST", "/api/v1/credentials", { body: { kind: "client", name: `victim-${caller}`, environment: "staging" } });
    victims.set(caller, created.json.id);
    const bearer = parseToken(h.credentials[caller].Authorization?.replace("Bearer ", "") ?? "");
    if (bearer) streamTokens.set(caller, streamToken(SECRET_KEY, bearer.id));
  }
  webhookId = (await h.call("admin", "POST", "/api/v1/webhooks", { body: { url: "https://hooks.example/matrix" } })).json.id;
  await h.call("admin", "PUT", `${production}/plan`, { body: { steps: [{ percent: 10, holdSeconds: 60 }] } });
  return h;
}

describe("auth matrix", () => {
  for (const route of routes) {
    const label = typeof route.path === "string" ? route.path : route.path("anonymous").replace(/doomed-anonymous|\/undefined(?=\/|$)/, (part) => (part.startsWith("doomed") ? ":key" : "/:id"));
    it(`${route.method} ${label}`, async () => {
      const h = await prepare();
      const seen: Partial<Expectation> = {};
      for (const caller of callerKinds) {
        const path = typeof route.path === "string" ? route.path : route.path(caller);
        seen[caller] = route.stream
          ? await streamStatus(h, caller, path)
          : (await h.call(caller, route.method, path, route.body ? { body: route.body(caller, h) } : {})).status;
      }
      expect(seen).toEqual(route.expect);
    });
  }

  it("covers every route the API serves", async () => {
    const h = await createHarness();
    const served = new Set(
      h.app.routes
        .filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${route.path}`),
    );
    const tested = new Set(
      routes.map((route) => {
        const path = typeof route.path === "string" ? route.path : route.path("anonymous");
        return `${route.method} ${path}`;
      }),
    );
    const normalize = (entry: string) =>
      entry
        .replace(/\/new-checkout|\/:key/g, "/:key")
        .replace(/\/production|\/:env/g, "/:env")
        .replace(/\/segments\/(beta|doomed-anonymous)/, "/segments/:key")
        .replace(/\/credentials\/[^/]+\/revoke/, "/credentials/:id/revoke")
        .replace(/\/webhooks\/[^/]+/, "/webhooks/:id");
    const untested = [...served].map(normalize).filter((entry) => ![...tested].map(normalize).includes(entry));
    expect(untested.filter((entry) => !entry.startsWith("GET /healthz") && !entry.startsWith("GET /readyz") && !entry.startsWith("POST /api/v1/auth/login"))).toEqual([]);
  });
});

describe("session cookies", () => {
  it("refuse cross-site writes but allow same-origin ones", async () => {
    const h = await createHarness();
    const attempt = (headers: Record<string, string>) => h.call("editor", "POST", "/api/v1/flags", { body: { key: `f${Object.values(headers).join("").length}` }, headers });
    expect((await attempt({ Origin: "https://evil.example" })).status).toBe(403);
    expect((await attempt({ "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect((await attempt({ "Sec-Fetch-Site": "same-origin" })).status).toBe(201);
    expect((await attempt({ Origin: "http://localhost" })).status).toBe(201);
    expect((await h.call("viewer", "GET", "/api/v1/flags", { headers: { Origin: "https://evil.example" } })).status).toBe(200);
  });

  it("end at logout", async () => {
    const h = await createHarness();
    expect((await h.call("viewer", "GET", "/api/v1/me")).json).toMatchObject({ kind: "user", email: "viewer@example.com", role: "viewer" });
    await h.call("viewer", "POST", "/api/v1/auth/logout");
    expect((await h.call("viewer", "GET", "/api/v1/me")).status).toBe(401);
  });

  it("refuse a wrong password without saying which part was wrong", async () => {
    const h = await createHarness();
    const wrong = await h.call("anonymous", "POST", "/api/v1/auth/login", { body: { email: "viewer@example.com", password: "nope" } });
    const unknown = await h.call("anonymous", "POST", "/api/v1/auth/login", { body: { email: "nobody@example.com", password: "nope" } });
    expect(wrong.status).toBe(401);
    expect(unknown.json).toEqual(wrong.json);
  });
});

describe("unauthorised callers learn nothing", () => {
  it("get 401/403 before any validation or lookup", async () => {
    const h = await createHarness();
    const badBody = await h.call("anonymous", "POST", "/api/v1/flags", { body: { bad: 1 } });
    expect(badBody.status).toBe(401);
    expect((await h.call("viewer", "POST", "/api/v1/flags", { body: { bad: 1 } })).status).toBe(403);
    const missingFlag = await h.call("anonymous", "POST", "/api/v1/flags/nope/environments/production/kill", { body: { reason: "x" } });
    expect(missingFlag.status).toBe(401);
    // An automation token not scoped to a flag cannot tell whether it exists.
    const outOfScope = await h.call("automation", "POST", "/api/v1/flags/nope/environments/production/kill", { body: { reason: "x" } });
    expect(outOfScope.status).toBe(403);
  });
});

describe("login throttling", () => {
  it("counts parallel guesses before the slow hash finishes", async () => {
    const h = await createHarness();
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => h.call("anonymous", "POST", "/api/v1/auth/login", { body: { email: "editor@example.com", password: `guess-${i}` } })),
    );
    const statuses = guesses.map((guess) => guess.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
  }, 20_000);

  it("refuses further attempts for an email after repeated failures, even with the right password", async () => {
    const h = await createHarness();
    const attempt = (password: string) => h.call("anonymous", "POST", "/api/v1/auth/login", { body: { email: "viewer@example.com", password } });
    for (let i = 0; i < 10; i++) expect((await attempt(`wrong-${i}`)).status).toBe(401);
    const blocked = await attempt("viewer-password");
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe("too_many_requests");
    const other = await h.call("anonymous", "POST", "/api/v1/auth/login", { body: { email: "editor@example.com", password: "editor-password" } });
    expect(other.status).toBe(200);
  }, 20_000);
});
