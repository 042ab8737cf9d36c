/**
 * Guarded rollout plans against the real server process, driven by real Node SDK clients.
 *
 * Two SDK clients (two instances of an app) evaluate the flag for a stream of users and
 * `track("error", ctx)` at a fixed rate per cohort: users served the plan's variant (the rollout
 * cohort) at one rate, everyone else (control) at another. Errors are deterministic — every
 * tenth or hundredth evaluation of a cohort — so a run is not at the mercy of sampling noise.
 * Metric windows, SDK batches, the plan tick and hold times are short, through configuration.
 *
 * - rollout cohort at 10%, control at 1%: the plan kills the flag within two metric windows of
 *   its start, and the audit entry (and the webhook) carry the guard and the numbers per cohort;
 * - both at 1%: the plan advances step by step to 100% and completes;
 * - a restart of the server mid-plan: the plan carries on from the step it was in, its hold
 *   counted in wall-clock time from when the step started, not from the restart.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, type Client } from "@switchyard/sdk";
import type { AuditEntryView, PlanBreachView, RolloutPlanStatusView } from "@switchyard/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Admin, ENV } from "../support/admin.js";
import { collectingLogger, ms, waitUntil } from "../support/sdk.js";
import { createDataDir, holdPort, sleep, startServer, stopAllServers, type ServerProcess } from "../support/server-process.js";

const WINDOW_MS = 2_000;
const METRICS_INTERVAL_MS = 100;
const SERVER_ENV = {
  SWITCHYARD_METRICS_WINDOW_MS: String(WINDOW_MS),
  SWITCHYARD_PLAN_TICK_MS: "50",
  // A step's metrics count once the SDKs' batches hold nothing from before it.
  SWITCHYARD_PLAN_SETTLE_MS: String(3 * METRICS_INTERVAL_MS),
};
const FLAG = "new-checkout";
const PLAN = `/api/v1/flags/${FLAG}/environments/${ENV}/plan`;

/** 1000 evaluations per cohort keep the equal rates' ratio well inside 1.5 (each client's errors are within one of exact). */
const errorGuard = { metric: "error", kind: "rate", maxRatio: 1.5, maxAbsolute: 0.02, minSamples: 1000 };
/** 10% against 1% needs fewer to tell, and judging sooner is the point. */
const quickGuard = { ...errorGuard, minSamples: 500 };

afterAll(stopAllServers);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * An app's traffic: every `intervalMs`, `perTick` users (round robin over a population) each
 * evaluate the flag on one of the clients; every `every[cohort]`-th evaluation of a cohort on a
 * client tracks an error. Counted per client, so whatever stretch of one client's batches the
 * server has, each cohort's errors in it are within one of the exact rate.
 */
class Traffic {
  private readonly timer: ReturnType<typeof setInterval>;
  private user = 0;
  private readonly seen: { rollout: number; control: number }[];
  evaluations = 0;

  constructor(
    private readonly clients: Client[],
    private readonly every: { rollout: number; control: number },
    perTick = 150,
    intervalMs = 10,
  ) {
    this.seen = clients.map(() => ({ rollout: 0, control: 0 }));
    this.timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) {
        const context = { key: `user-${this.user++ % 50_000}` };
        const index = this.user % this.clients.length;
        const client = this.clients[index]!;
        const cohort = client.isEnabled(FLAG, context) ? "rollout" : "control";
        this.evaluations++;
        if (++this.seen[index]![cohort] % this.every[cohort] === 0) client.track("error", context);
      }
    }, intervalMs);
  }

  stop() {
    clearInterval(this.timer);
  }
}

/**
 * Traffic as a live app has it before a plan starts: its SDKs have been sending batches at their
 * interval for a while. (The first batches to a fresh server are slow, and a batch held back
 * covers more than one interval, so it would still hold evaluations from before the start.)
 */
async function startTraffic(clients: Client[], every: { rollout: number; control: number }): Promise<Traffic> {
  const traffic = new Traffic(clients, every);
  cleanups.push(() => traffic.stop());
  await sleep(1_000);
  return traffic;
}

async function connectClients(server: ServerProcess, admin: Admin, count = 2): Promise<Client[]> {
  const sdkKey = await admin.serverKey();
  const clients = Array.from({ length: count }, () => createClient({ url: server.url, sdkKey, metricsIntervalMs: METRICS_INTERVAL_MS, logger: collectingLogger() }));
  cleanups.push(() => Promise.all(clients.map((client) => client.close())));
  for (const client of clients) expect(await client.ready()).toBe(true);
  return clients;
}

async function auditOf(admin: Admin): Promise<AuditEntryView[]> {
  return (await admin.ok("GET", `/api/v1/audit?flag=${FLAG}&environment=${ENV}&limit=200`)).entries;
}

/** Follows the plan's status, polled every 100 ms (the admin API, as a pipeline would). */
function watchPlan(admin: Admin): () => RolloutPlanStatusView | null {
  let latest: RolloutPlanStatusView | null = null;
  const timer = setInterval(() => void admin.ok("GET", PLAN).then((plan: RolloutPlanStatusView) => (latest = plan), () => {}), 100);
  cleanups.push(() => clearInterval(timer));
  return () => latest;
}

/** A local receiver for the server's outgoing webhooks. */
async function webhookReceiver(): Promise<{ url: string; received: Record<string, any>[] }> {
  const received: Record<string, any>[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push(JSON.parse(body));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe("a guarded rollout plan", () => {
  it("kills the flag within two metric windows when the rollout cohort errs at 10% against 1%, and says why with the numbers", async () => {
    const server = await startServer({ env: SERVER_ENV });
    const admin = await Admin.login(server.url);
    const hook = await webhookReceiver();
    await admin.ok("POST", "/api/v1/webhooks", { url: hook.url, events: ["flag.kill", "plan."] });
    await admin.createFlag({ key: FLAG });
    await admin.ok("PUT", PLAN, {
      steps: [
        { percent: 25, holdSeconds: 600 },
        { percent: 100, holdSeconds: 600 },
      ],
      guards: [quickGuard],
    });
    const clients = await connectClients(server, admin);
    const traffic = await startTraffic(clients, { rollout: 10, control: 100 });

    const started = performance.now();
    await admin.ok("POST", `${PLAN}/start`, { reason: "e2e: bad build" });
    await waitUntil(
      () => clients.every((client) => client.evaluate(FLAG, { key: "user-1" }).reason === "KILLED"),
      10 * WINDOW_MS,
      () => `the flag was not killed; evaluations so far: ${traffic.evaluations}`,
    );
    const elapsed = performance.now() - started;
    console.log(`guard breach: flag killed in every SDK ${ms(elapsed)} after the plan started (metric window ${WINDOW_MS} ms, ${traffic.evaluations} evaluations)`);
    expect(elapsed).toBeLessThan(2 * WINDOW_MS);

    const entries = await auditOf(admin);
    const kill = entries.find((entry) => entry.action === "flag.kill")!;
    expect(kill.actor).toEqual({ kind: "system", id: "plan", name: "rollout plan" });
    const details = kill.details as unknown as PlanBreachView;
    expect(details).toMatchObject({ guard: quickGuard, verdict: "breach", action: "kill", step: 0, percent: 25 });
    expect(details.rollout.evaluations).toBeGreaterThanOrEqual(quickGuard.minSamples);
    expect(details.control.evaluations).toBeGreaterThanOrEqual(quickGuard.minSamples);
    expect(details.rollout.rate).toBeGreaterThan(0.09);
    expect(details.rollout.rate).toBeLessThan(0.11);
    expect(details.control.rate).toBeGreaterThan(0.008);
    expect(details.control.rate).toBeLessThan(0.012);
    expect(details.rollout.events).toBe(Math.round(details.rollout.rate! * details.rollout.evaluations));
    expect(details.limit).toBeCloseTo(1.5 * details.control.rate!, 10);
    expect(details.ratio).toBeGreaterThan(8);
    expect(kill.reason).toMatch(/^rollout plan guard breached at 25%: error rate [\d.]+% \(\d+\/\d+\) in the rollout cohort is above 2% absolute and [\d.]+x the control's [\d.]+% \(\d+\/\d+\), above 1\.5x$/);
    console.log(`audit: ${kill.reason}`);

    const plan: RolloutPlanStatusView = await admin.ok("GET", PLAN);
    expect(plan).toMatchObject({ state: "halted", live: null, breach: details });
    expect(entries.find((entry) => entry.action === "plan.halt")).toMatchObject({ actor: { name: "rollout plan" }, details });

    // The webhook follows from the audit entry, numbers included.
    await waitUntil(() => hook.received.some((delivery) => delivery.event === "flag.kill"), 10_000, () => JSON.stringify(hook.received.map((d) => d.event)));
    expect(hook.received.find((delivery) => delivery.event === "flag.kill")).toMatchObject({ action: "flag.kill", details });
  });

  it("advances to 100% and completes when both cohorts err at the same rate", async () => {
    const server = await startServer({ env: SERVER_ENV });
    const admin = await Admin.login(server.url);
    await admin.createFlag({ key: FLAG });
    await admin.ok("PUT", PLAN, {
      steps: [
        { percent: 20, holdSeconds: 1 },
        { percent: 50, holdSeconds: 1 },
        { percent: 100, holdSeconds: 1 },
      ],
      guards: [errorGuard],
    });
    const clients = await connectClients(server, admin);
    await startTraffic(clients, { rollout: 100, control: 100 });

    const started = performance.now();
    await admin.ok("POST", `${PLAN}/start`);
    const plan = watchPlan(admin);
    await waitUntil(() => plan()?.state === "completed" || plan()?.state === "halted", 30_000, () => JSON.stringify(plan()?.live));
    console.log(`equal error rates: plan ${plan()!.state} ${ms(performance.now() - started)} after it started`);
    expect(plan()).toMatchObject({ state: "completed", currentStep: 2, breach: null });

    // Every user now gets the variant, in both SDKs.
    await waitUntil(() => clients.every((client) => Array.from({ length: 200 }, (_, i) => client.isEnabled(FLAG, { key: `user-${i}` })).every(Boolean)), 5_000, () => "not at 100%");
    const entries = (await auditOf(admin)).reverse();
    const byPlan = entries.filter((entry) => entry.actor.name === "rollout plan");
    expect(byPlan.map((entry) => [entry.action, entry.reason])).toEqual([
      ["flag.rollout", "rollout plan step 1 of 3: 20%"],
      ["flag.rollout", "rollout plan step 2 of 3: 50%"],
      ["plan.advance", null],
      ["flag.rollout", "rollout plan step 3 of 3: 100%"],
      ["plan.advance", null],
      ["plan.complete", null],
    ]);
    // Each advance names the numbers that allowed it.
    for (const entry of byPlan.filter((e) => e.action === "plan.advance" || e.action === "plan.complete")) {
      const [status] = (entry.details as unknown as { guards: PlanBreachView[] }).guards;
      expect(status!.verdict).toBe("pass");
      expect(status!.rollout.evaluations).toBeGreaterThanOrEqual(errorGuard.minSamples);
      expect(status!.rollout.rate).toBeLessThanOrEqual(0.02);
    }
    expect(entries.some((entry) => entry.action === "flag.kill")).toBe(false);
  });

  it("carries on after a server restart from the step it was in, its hold counted from when the step started", async () => {
    const dataDir = createDataDir();
    let server = await startServer({ dataDir, env: SERVER_ENV });
    const port = server.port;
    const admin = await Admin.login(server.url);
    await admin.createFlag({ key: FLAG });
    const HOLD_S = 6;
    await admin.ok("PUT", PLAN, {
      steps: [
        { percent: 10, holdSeconds: 1 },
        { percent: 30, holdSeconds: HOLD_S },
        { percent: 100, holdSeconds: 1 },
      ],
      guards: [errorGuard],
    });
    const clients = await connectClients(server, admin);
    await startTraffic(clients, { rollout: 100, control: 100 });
    await admin.ok("POST", `${PLAN}/start`);

    const plan = watchPlan(admin);
    await waitUntil(() => plan()?.currentStep === 1, 20_000, () => JSON.stringify(plan()?.live));
    // Well into the step's hold, with samples in.
    await sleep(1_000);
    const before: RolloutPlanStatusView = await admin.ok("GET", PLAN);
    expect(before).toMatchObject({ state: "running", currentStep: 1 });
    const stepStartedAt = Date.parse(before.stepStartedAt!);

    // Down for a while in the middle of the step's hold; the port stays taken meanwhile.
    expect(await server.stop()).toBe(0);
    const release = await holdPort(port);
    await sleep(1_500);
    await release();
    server = await startServer({ dataDir, port, env: SERVER_ENV });
    const restartedAt = Date.now();
    const after: RolloutPlanStatusView = await admin.ok("GET", PLAN);
    expect(after).toMatchObject({ state: "running", currentStep: 1, stepStartedAt: before.stepStartedAt, version: before.version });
    expect(after.live!.heldMs).toBeGreaterThanOrEqual(restartedAt - stepStartedAt - 1_000);

    await waitUntil(() => plan()?.state === "completed", 30_000, () => JSON.stringify(plan()));
    const advance = (await auditOf(admin)).find((entry) => entry.action === "plan.advance" && (entry.after as { currentStep: number }).currentStep === 2)!;
    const advancedAt = Date.parse(advance.at);
    console.log(
      `restart: step 2 started ${new Date(stepStartedAt).toISOString()}, server back ${ms(restartedAt - stepStartedAt)} into its ${HOLD_S} s hold, ` +
        `advanced ${ms(advancedAt - stepStartedAt)} after the step started`,
    );
    // The hold ran in wall-clock time across the restart: not cut short, not started over.
    expect(advancedAt - stepStartedAt).toBeGreaterThanOrEqual(HOLD_S * 1000);
    expect(advancedAt - restartedAt).toBeLessThan(HOLD_S * 1000);
    expect(plan()).toMatchObject({ state: "completed", currentStep: 2, breach: null });
    await waitUntil(() => clients.every((client) => client.isEnabled(FLAG, { key: "user-7" }) && client.isEnabled(FLAG, { key: "user-8" })), 20_000, () => "the SDKs did not reach 100%");
  });
});
