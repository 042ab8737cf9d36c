import { beforeEach, describe, expect, it } from "vitest";
import type { AuditEntryView, PlanBreachView, RolloutPlanStatusView } from "@switchyard/core";
import { createApp } from "../app.js";
import { requireEnvironment } from "../services/environments.js";
import { planActor } from "../services/plans.js";
import { createHarness, type CallerKind, type Harness } from "../test-support/harness.js";
import { pino } from "pino";

let h: Harness;
const production = "/api/v1/flags/new-checkout/environments/production";
const plan = `${production}/plan`;
const T0 = Date.parse("2026-11-26T08:00:00.000Z");

const errorGuard = { metric: "error", kind: "rate", maxRatio: 1.5, maxAbsolute: 0.02, minSamples: 100 };
const definition = {
  steps: [
    { percent: 10, holdSeconds: 60 },
    { percent: 50, holdSeconds: 60 },
    { percent: 100, holdSeconds: 60 },
  ],
  guards: [errorGuard],
};

beforeEach(async () => {
  // Metrics count from the first window that starts after a step did; settling is tested on its own.
  h = await createHarness({ plans: { settleMs: 0 } });
  await h.call("admin", "POST", "/api/v1/flags", { body: { key: "new-checkout", tags: ["checkout"] } });
});

const put = (body: unknown, as: CallerKind = "editor") => h.call(as, "PUT", plan, { body });
const act = (action: string, as: CallerKind = "editor", body: unknown = {}) => h.call(as, "POST", `${plan}/${action}`, { body });
const config = () => h.services.flags.getConfig("new-checkout", "production");
const audit = async (): Promise<AuditEntryView[]> => (await h.call("viewer", "GET", "/api/v1/audit?flag=new-checkout&limit=100")).json.entries;

/** What SDKs of production report for the flag at `now`: evaluations and `error` events per variant. */
function report(now: number, cohorts: Record<string, { evaluations: number; errors: number }>) {
  const environment = requireEnvironment(h.storage.db, "production");
  h.services.metrics.record(
    { kind: "server_key", environmentId: environment.id, environmentKey: environment.key },
    {
      sdk: "test/1",
      evaluations: Object.entries(cohorts).map(([variant, { evaluations }]) => ({ flag: "new-checkout", variant, count: evaluations })),
      events: Object.entries(cohorts).map(([variant, { errors }]) => ({ metric: "error", flag: "new-checkout", variant, count: errors, sum: 0, buckets: [] })),
    },
    now,
  );
}

const plans = () => h.services.plans;
const start = (now = T0) => plans().start("new-checkout", "production", {}, { kind: "user", id: "2", name: "editor@example.com" }, now);

describe("defining a plan", () => {
  it("creates a draft with defaults: the boolean flag's true variant, kill on breach", async () => {
    expect((await h.call("viewer", "GET", plan)).status).toBe(404);
    const created = await put(definition);
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      flag: "new-checkout",
      environment: "production",
      variant: "on",
      steps: definition.steps,
      guards: [errorGuard],
      onBreach: "kill",
      state: "draft",
      currentStep: 0,
      stepStartedAt: null,
      breach: null,
      version: 1,
      createdBy: "editor@example.com",
      live: null,
    });
    expect((await h.call("viewer", "GET", plan)).json).toEqual(created.json);
    const [entry] = await audit();
    expect(entry).toMatchObject({ action: "plan.create", resourceKind: "rollout_plan", flag: "new-checkout", environment: "production", before: null, after: { state: "draft", version: 1 } });
  });

  it("names every bad field and changes nothing", async () => {
    const response = await put({
      steps: [{ percent: 10, holdSeconds: -1 }, { percent: 5, holdSeconds: 60 }, { percent: 100.0001, holdSeconds: 1.5 }],
      guards: [{ metric: "error", kind: "rate", minSamples: 100 }, { metric: "latency", kind: "p99", max: 1, minSamples: 1 }, { metric: "$evaluation", kind: "p95", max: 1, minSamples: 0 }],
      onBreach: "panic",
      extra: true,
    });
    expect(response.status).toBe(400);
    const paths = response.json.error.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "steps[0].holdSeconds",
        "steps[2].percent",
        "steps[2].holdSeconds",
        "guards[0].maxRatio",
        "guards[1].kind",
        "guards[2].metric",
        "guards[2].minSamples",
        "onBreach",
        "extra",
      ]),
    );
    // Steps in order once each one is valid.
    const unordered = await put({ steps: [{ percent: 10, holdSeconds: 1 }, { percent: 5, holdSeconds: 1 }, { percent: 5, holdSeconds: 1 }] });
    expect(unordered.json.error.issues).toEqual([
      { path: "steps[1].percent", message: "must be above the previous step's 10" },
      { path: "steps[2].percent", message: "must be above the previous step's 5" },
    ]);
    expect(response.json.error.issues).toContainEqual({ path: "guards[0].maxRatio", message: "a rate guard needs maxRatio, maxAbsolute or both" });
    expect((await put({ steps: [] })).json.error.issues).toEqual([{ path: "steps", message: "must have at least one step" }]);
    expect((await put({ steps: [{ percent: 1, holdSeconds: 1 }], guards: [{ ...errorGuard, maxAbsolute: 2 }] })).json.error.issues).toEqual([
      { path: "guards[0].maxAbsolute", message: "must be at most 1 (a fraction: 0.02 is 2%)" },
    ]);
    expect((await h.call("viewer", "GET", plan)).status).toBe(404);
    expect((await audit()).map((entry) => entry.action)).toEqual(["flag.create"]);
  });

  it("checks the variant against the flag", async () => {
    expect((await put({ ...definition, variant: "nope" })).json.error.issues).toEqual([{ path: "variant", message: "'nope' is not a variant of this flag" }]);
    expect((await put({ ...definition, variant: "off" })).json.error.issues).toEqual([{ path: "variant", message: "must differ from the off variant, which receives the rest" }]);
    await h.call("editor", "POST", "/api/v1/flags", { body: { key: "banner", kind: "string", variants: [{ key: "blue", value: "b" }, { key: "green", value: "g" }] } });
    const banner = (body: unknown) => h.call("editor", "PUT", "/api/v1/flags/banner/environments/production/plan", { body });
    expect((await banner(definition)).json.error.issues).toEqual([{ path: "variant", message: "is required for non-boolean flags" }]);
    expect((await banner({ ...definition, variant: "blue" })).json).toMatchObject({ variant: "blue", state: "draft" });
    expect((await h.call("editor", "PUT", "/api/v1/flags/nope/environments/production/plan", { body: definition })).status).toBe(404);
    expect((await h.call("editor", "PUT", "/api/v1/flags/new-checkout/environments/nope/plan", { body: definition })).status).toBe(404);
  });

  it("replaces a plan only naming its current version, and never a running one", async () => {
    await put(definition);
    const missing = await put({ ...definition, onBreach: "rollback" });
    expect(missing.status).toBe(428);
    expect(missing.json.error.issues).toEqual([{ path: "version", message: "is required" }]);
    const replaced = await put({ ...definition, onBreach: "rollback", version: 1 });
    expect(replaced.json).toMatchObject({ onBreach: "rollback", version: 2 });
    const stale = await put({ ...definition, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.json.error.current).toMatchObject({ onBreach: "rollback", version: 2 });
    expect((await h.call("editor", "PUT", plan, { body: { ...definition, onBreach: "rollback" }, headers: { "If-Match": '"2"' } })).json.version).toBe(2);
    // Saving what is there changes nothing and records nothing.
    expect((await audit()).filter((entry) => entry.action.startsWith("plan.")).map((entry) => entry.action)).toEqual(["plan.update", "plan.create"]);

    await act("start");
    const running = await put({ ...definition, version: 3 });
    expect(running.status).toBe(409);
    expect(running.json.error.message).toBe("a running plan cannot be replaced; pause or abort it first");
    await act("pause");
    expect((await put({ ...definition, version: 4 })).json).toMatchObject({ state: "draft", currentStep: 0, version: 5 });
  });

  it("refuses a version when there is no plan to replace", async () => {
    const response = await put({ ...definition, version: 1 });
    expect(response.status).toBe(409);
    expect(response.json.error.message).toContain("there is no plan");
  });
});

describe("running a plan", () => {
  it("start turns the flag on (as the caller) and sets the first step's rollout (as the plan)", async () => {
    await put(definition);
    expect(config().enabled).toBe(false);
    const started = await act("start", "editor", { reason: "release 42" });
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({ state: "running", currentStep: 0, version: 2, live: { percent: 10, holdMs: 60_000 } });
    expect(config()).toMatchObject({
      enabled: true,
      fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 10_000 }, { variant: "off", weight: 90_000 }] } },
    });
    const [planStart, enable, rollout] = await audit();
    expect(enable).toMatchObject({ action: "flag.config.update", actor: { kind: "user", name: "editor@example.com" }, reason: "turned on to start its rollout plan" });
    expect(rollout).toMatchObject({
      action: "flag.rollout",
      actor: { kind: "system", id: "plan", name: "rollout plan" },
      reason: "rollout plan step 1 of 3: 10%",
      details: { plan: { step: 0, of: 3, percent: 10, variant: "on" }, startedBy: "editor@example.com" },
    });
    expect(planStart).toMatchObject({ action: "plan.start", reason: "release 42", after: { state: "running" } });

    const again = await act("start");
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe("cannot start a running plan; pause or abort it first");
  });

  it("refuses to start on a killed flag, and changes nothing", async () => {
    await put(definition);
    await h.call("editor", "POST", `${production}/kill`, { body: { reason: "incident 7" } });
    const refused = await act("start");
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toBe("flag 'new-checkout' in 'production' is killed (by editor@example.com: incident 7); unkill it before starting its plan");
    expect(refused.json.error.current).toMatchObject({ state: "draft" });
    expect(config()).toMatchObject({ enabled: false, fallthrough: { variant: "on" } });
    expect((await h.call("viewer", "GET", plan)).json.state).toBe("draft");
  });

  it("answers 404 for actions on a flag without a plan, and 409 for actions its state does not allow", async () => {
    expect((await act("start")).status).toBe(404);
    await put(definition);
    for (const action of ["pause", "resume", "abort"]) {
      const response = await act(action);
      expect(response.status).toBe(409);
      expect(response.json.error.message).toMatch(new RegExp(`^cannot ${action} a draft plan`));
    }
    const stale = await act("start", "editor", { version: 7 });
    expect(stale.status).toBe(409);
    expect(stale.json.error.message).toBe("version 7 is stale; the current version is 1");
  });

  it("advances a healthy step after its hold, and completes after the last", async () => {
    await put(definition);
    start(T0);
    report(T0 + 20_000, { on: { evaluations: 200, errors: 2 }, off: { evaluations: 1800, errors: 18 } });
    plans().tick(T0 + 59_000);
    expect(plans().get("new-checkout", "production", T0 + 59_000)).toMatchObject({
      currentStep: 0,
      live: { heldMs: 59_000, nextStepAt: new Date(T0 + 60_000).toISOString(), guards: [{ verdict: "pass", rollout: { evaluations: 200, events: 2, rate: 0.01 } }] },
    });
    plans().tick(T0 + 60_000);
    expect(plans().get("new-checkout", "production", T0 + 60_000)).toMatchObject({ state: "running", currentStep: 1, stepStartedAt: new Date(T0 + 60_000).toISOString() });
    expect(config().fallthrough).toMatchObject({ rollout: { variants: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } });
    const [advance, rollout] = await audit();
    expect(advance).toMatchObject({ action: "plan.advance", actor: { name: "rollout plan" }, details: { guards: [{ verdict: "pass" }] } });
    expect(rollout).toMatchObject({ action: "flag.rollout", reason: "rollout plan step 2 of 3: 50%", details: { guards: [{ verdict: "pass", rollout: { rate: 0.01 } }] } });

    // Metrics windows count whole (10 s here): report well inside each step.
    report(T0 + 90_000, { on: { evaluations: 1000, errors: 10 }, off: { evaluations: 1000, errors: 10 } });
    plans().tick(T0 + 120_000);
    expect(plans().get("new-checkout", "production", T0 + 120_000)).toMatchObject({ currentStep: 2 });
    // At 100% there is no control cohort; the absolute limit still judges.
    report(T0 + 150_000, { on: { evaluations: 2000, errors: 20 } });
    plans().tick(T0 + 180_000);
    const completed = plans().get("new-checkout", "production", T0 + 180_000);
    expect(completed).toMatchObject({ state: "completed", currentStep: 2, live: null, stepStartedAt: null, heldMs: 60_000 });
    expect(config().fallthrough).toMatchObject({ rollout: { variants: [{ variant: "on", weight: 100_000 }, { variant: "off", weight: 0 }] } });
    expect((await audit())[0]).toMatchObject({ action: "plan.complete", details: { guards: [{ verdict: "pass", limit: 0.02 }] } });
  });

  it("holds a step past its hold while a guard is short of samples", async () => {
    await put(definition);
    start(T0);
    report(T0 + 20_000, { on: { evaluations: 99, errors: 0 }, off: { evaluations: 5000, errors: 50 } });
    plans().tick(T0 + 300_000);
    const holding = plans().get("new-checkout", "production", T0 + 300_000);
    expect(holding).toMatchObject({ currentStep: 0, live: { guards: [{ verdict: "waiting" }] } });
    expect(holding.live!.waitingFor).toBe("error rate: waiting for samples (rollout cohort: 99 of 100 evaluations)");
    report(T0 + 310_000, { on: { evaluations: 1, errors: 0 } });
    plans().tick(T0 + 310_000);
    expect(plans().get("new-checkout", "production", T0 + 310_000).currentStep).toBe(1);
  });

  it("kills the flag on a breach, halts, and the audit entries carry the guard and the numbers per cohort", async () => {
    await put(definition);
    start(T0);
    report(T0 + 5_000, { on: { evaluations: 100, errors: 10 }, off: { evaluations: 900, errors: 9 } });
    plans().tick(T0 + 6_000);
    expect(config()).toMatchObject({ killed: true, killedBy: "rollout plan" });
    const halted = plans().get("new-checkout", "production", T0 + 6_000);
    expect(halted).toMatchObject({ state: "halted", live: null, breach: { verdict: "breach", action: "kill", step: 0, percent: 10 } });

    const [halt, kill] = await audit();
    const expected: Partial<PlanBreachView> = {
      guard: errorGuard as PlanBreachView["guard"],
      verdict: "breach",
      rollout: { evaluations: 100, events: 10, rate: 0.1, p95: null },
      control: { evaluations: 900, events: 9, rate: 0.01, p95: null },
      limit: 0.015,
      ratio: 10,
      message: "error rate 10% (10/100) in the rollout cohort is above 2% absolute and 10x the control's 1% (9/900), above 1.5x",
      at: new Date(T0 + 6_000).toISOString(),
      since: new Date(T0).toISOString(),
      until: new Date(T0 + 6_000).toISOString(),
      step: 0,
      percent: 10,
      action: "kill",
    };
    expect(kill).toMatchObject({ action: "flag.kill", actor: { kind: "system", name: "rollout plan" }, details: expected });
    expect(kill!.reason).toBe(`rollout plan guard breached at 10%: ${expected.message}`);
    expect(halt).toMatchObject({ action: "plan.halt", details: expected, after: { state: "halted", breach: expected } });
    // SDKs see the kill.
    const snapshot = (await h.call("server", "GET", "/sdk/v1/flags")).json;
    expect(snapshot.flags.find((flag: { key: string }) => flag.key === "new-checkout")).toMatchObject({ killed: true });

    // A halted plan does not resume; it starts again once the flag is unkilled.
    expect((await act("resume")).status).toBe(409);
    expect((await act("start")).json.error.message).toContain("is killed (by rollout plan: rollout plan guard breached");
    await h.call("editor", "POST", `${production}/unkill`, { body: { reason: "fixed" } });
    expect((await act("start")).json).toMatchObject({ state: "running", currentStep: 0, breach: null });
  });

  it("judges a step from the first metrics window wholly inside it", async () => {
    await put(definition);
    // Before the start: the flag off, every evaluation in control and no error attributed to it.
    report(T0 + 1_000, { off: { evaluations: 5000, errors: 0 } });
    start(T0 + 3_000);
    report(T0 + 15_000, { on: { evaluations: 100, errors: 1 }, off: { evaluations: 900, errors: 9 } });
    const judged = plans().get("new-checkout", "production", T0 + 16_000);
    expect(judged.live!.guards[0]).toMatchObject({ verdict: "pass", control: { evaluations: 900, events: 9, rate: 0.01 } });
  });

  it("lets a step settle before its metrics count: SDK batches arriving just after the start still hold evaluations from before", async () => {
    h = await createHarness({ plans: { settleMs: 5_000 } });
    await h.call("admin", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
    await put(definition);
    start(T0 + 6_000);
    // Sent at T0 + 12 s, counted since T0 + 2 s: mostly before the start, unattributed.
    report(T0 + 12_000, { off: { evaluations: 5000, errors: 0 } });
    report(T0 + 25_000, { on: { evaluations: 100, errors: 1 }, off: { evaluations: 900, errors: 9 } });
    // The first window starting at least 5 s after the start is T0 + 20 s.
    const judged = plans().get("new-checkout", "production", T0 + 26_000);
    expect(judged.live).toMatchObject({ since: new Date(T0 + 20_000).toISOString() });
    expect(judged.live!.guards[0]).toMatchObject({ verdict: "pass", control: { evaluations: 900, rate: 0.01 } });
    report(T0 + 35_000, { on: { evaluations: 100, errors: 50 }, off: { evaluations: 900, errors: 9 } });
    plans().tick(T0 + 36_000);
    expect(plans().get("new-checkout", "production", T0 + 36_000).breach).toMatchObject({ since: new Date(T0 + 20_000).toISOString(), until: new Date(T0 + 36_000).toISOString() });
  });

  it("rolls back to 0% on a breach when the plan says so, without killing", async () => {
    await put({ ...definition, onBreach: "rollback" });
    start(T0);
    report(T0 + 5_000, { on: { evaluations: 100, errors: 10 }, off: { evaluations: 900, errors: 9 } });
    plans().tick(T0 + 6_000);
    expect(config()).toMatchObject({ killed: false, fallthrough: { rollout: { variants: [{ variant: "on", weight: 0 }, { variant: "off", weight: 100_000 }] } } });
    expect(plans().get("new-checkout", "production", T0 + 6_000)).toMatchObject({ state: "halted", breach: { action: "rollback" } });
    const [, rollback] = await audit();
    expect(rollback).toMatchObject({ action: "flag.rollout", actor: { name: "rollout plan" }, details: { action: "rollback", rollout: { rate: 0.1 } } });
  });

  it("keeps the hold served across a pause, and judges from the resume on", async () => {
    await put(definition);
    start(T0);
    const actor = { kind: "user" as const, id: "2", name: "editor@example.com" };
    plans().pause("new-checkout", "production", {}, actor, T0 + 30_000);
    plans().tick(T0 + 500_000);
    expect(plans().get("new-checkout", "production", T0 + 500_000)).toMatchObject({ state: "paused", heldMs: 30_000, live: { heldMs: 30_000, nextStepAt: null } });
    // Errors reported while paused are not the resumed step's business.
    report(T0 + 300_000, { on: { evaluations: 100, errors: 50 }, off: { evaluations: 900, errors: 9 } });
    plans().resume("new-checkout", "production", {}, actor, T0 + 600_000);
    report(T0 + 640_000, { on: { evaluations: 100, errors: 1 }, off: { evaluations: 900, errors: 9 } });
    plans().tick(T0 + 629_000);
    expect(plans().get("new-checkout", "production", T0 + 629_000).currentStep).toBe(0);
    plans().tick(T0 + 650_000);
    expect(plans().get("new-checkout", "production", T0 + 650_000)).toMatchObject({ currentStep: 1, heldMs: 0 });
  });

  it("pauses itself when someone kills the flag, and resumes only once it is unkilled", async () => {
    await put(definition);
    await act("start");
    await h.call("automation", "POST", `${production}/kill`, { body: { reason: "pager fired" } });
    plans().tick();
    expect((await h.call("viewer", "GET", plan)).json.state).toBe("paused");
    expect((await audit())[0]).toMatchObject({ action: "plan.pause", actor: { name: "rollout plan" }, reason: "paused: the flag was killed by pager: pager fired" });
    expect((await act("resume")).json.error.message).toBe("flag 'new-checkout' in 'production' is killed (by pager: pager fired); unkill it before resuming its plan");
    await h.call("editor", "POST", `${production}/unkill`, { body: { reason: "ok" } });
    expect((await act("resume")).json.state).toBe("running");
  });

  it("pauses itself rather than overwrite a rollout someone else changed, and resume restores its step", async () => {
    await put(definition);
    start(T0);
    // An editor takes the rollout back to 0% by hand, without pausing the plan.
    const editor = { kind: "user" as const, id: "2", name: "editor@example.com" };
    h.services.flags.setRollout("new-checkout", "production", { percent: 0, reason: "looks off" }, editor);
    report(T0 + 20_000, { on: { evaluations: 200, errors: 2 }, off: { evaluations: 1800, errors: 18 } });
    plans().tick(T0 + 60_000);
    expect(config().fallthrough).toMatchObject({ rollout: { variants: [{ variant: "on", weight: 0 }, { variant: "off", weight: 100_000 }] } });
    expect(plans().get("new-checkout", "production", T0 + 60_000)).toMatchObject({ state: "paused", currentStep: 0 });
    expect((await audit())[0]).toMatchObject({ action: "plan.pause", actor: { name: "rollout plan" }, reason: "paused: the rollout was changed outside the plan (now 0% of 'on', the plan's step is 10%)" });
    // Resuming is someone choosing the plan again: its step's rollout comes back.
    plans().resume("new-checkout", "production", {}, editor, T0 + 70_000);
    expect(config().fallthrough).toMatchObject({ rollout: { variants: [{ variant: "on", weight: 10_000 }, { variant: "off", weight: 90_000 }] } });
    plans().tick(T0 + 71_000);
    expect(plans().get("new-checkout", "production", T0 + 71_000).state).toBe("running");
  });

  it("abort takes the rollout back to 0%; a new start begins at the first step", async () => {
    await put(definition);
    start(T0);
    plans().tick(T0 + 60_000); // no guard samples: holds
    expect((await put({ steps: definition.steps, guards: [], version: 2 })).status).toBe(409);
    const aborted = await act("abort", "editor", { reason: "wrong build" });
    expect(aborted.json).toMatchObject({ state: "aborted", live: null });
    expect(config().fallthrough).toMatchObject({ rollout: { variants: [{ variant: "on", weight: 0 }, { variant: "off", weight: 100_000 }] } });
    const [abort, rollback] = await audit();
    expect(abort).toMatchObject({ action: "plan.abort", reason: "wrong build", actor: { name: "editor@example.com" } });
    expect(rollback).toMatchObject({ action: "flag.rollout", actor: { name: "rollout plan" }, reason: "rollout plan aborted by editor@example.com: wrong build" });
    expect((await act("start")).json).toMatchObject({ state: "running", currentStep: 0 });
  });
});

describe("a restart", () => {
  it("resumes each plan from the database: the hold counts wall-clock time across the restart", async () => {
    await put({ steps: definition.steps, guards: [] });
    start(T0);
    plans().tick(T0 + 60_000);
    expect(plans().get("new-checkout", "production", T0 + 60_000).currentStep).toBe(1);

    // Another app on the same database, as after a restart of the process.
    const again = createApp({ storage: h.storage, logger: pino({ level: "silent" }), plans: { settleMs: 0 } });
    expect(again.services.plans.get("new-checkout", "production", T0 + 90_000)).toMatchObject({
      state: "running",
      currentStep: 1,
      live: { heldMs: 30_000, nextStepAt: new Date(T0 + 120_000).toISOString() },
    });
    again.services.plans.tick(T0 + 119_000);
    expect(again.services.plans.get("new-checkout", "production", T0 + 119_000).currentStep).toBe(1);
    again.services.plans.tick(T0 + 120_000);
    expect(again.services.plans.get("new-checkout", "production", T0 + 120_000).currentStep).toBe(2);
  });
});

describe("the scheduler", () => {
  it("moves plans by itself at the configured tick", async () => {
    const scheduled = await createHarness({ plans: { tickMs: 20, start: true } });
    try {
      await scheduled.call("admin", "POST", "/api/v1/flags", { body: { key: "new-checkout" } });
      await scheduled.call("editor", "PUT", plan, { body: { steps: [{ percent: 5, holdSeconds: 0 }, { percent: 100, holdSeconds: 0 }] } });
      await scheduled.call("editor", "POST", `${plan}/start`);
      const deadline = Date.now() + 5_000;
      let current: RolloutPlanStatusView;
      do {
        await new Promise((resolve) => setTimeout(resolve, 20));
        current = (await scheduled.call("viewer", "GET", plan)).json;
      } while (current.state !== "completed" && Date.now() < deadline);
      expect(current).toMatchObject({ state: "completed", currentStep: 1 });
    } finally {
      scheduled.services.planScheduler.stop();
    }
  });
});

describe("who may", () => {
  it("read: viewers, and automation tokens scoped to the flag and environment", async () => {
    await put(definition);
    expect((await h.call("viewer", "GET", plan)).status).toBe(200);
    expect((await h.call("automation", "GET", plan)).status).toBe(200);
    expect((await h.call("automation", "GET", "/api/v1/flags/new-checkout/environments/staging/plan")).status).toBe(403);
    expect((await h.call("server", "GET", plan)).status).toBe(403);
    expect((await h.call("anonymous", "GET", plan)).status).toBe(401);
  });

  it("define: editors only; act: editors and scoped automation tokens, audited with the token's name", async () => {
    expect((await put(definition, "automation")).status).toBe(403);
    expect((await put(definition, "viewer")).status).toBe(403);
    await put(definition);
    expect((await act("start", "viewer")).status).toBe(403);
    for (const action of ["start", "pause", "resume", "abort"]) {
      const response = await act(action, "automation", { reason: `pipeline ${action}` });
      expect(response.status, action).toBe(200);
    }
    const entries = (await audit()).filter((entry) => entry.action.startsWith("plan.") && entry.action !== "plan.create");
    expect(entries.map((entry) => [entry.action, entry.actor.kind, entry.actor.name])).toEqual([
      ["plan.abort", "automation", "pager"],
      ["plan.resume", "automation", "pager"],
      ["plan.pause", "automation", "pager"],
      ["plan.start", "automation", "pager"],
    ]);
  });

  it("automation tokens outside their scope learn nothing, not even whether a flag exists", async () => {
    await h.call("admin", "POST", "/api/v1/flags", { body: { key: "other" } });
    await h.call("editor", "PUT", "/api/v1/flags/other/environments/production/plan", { body: definition });
    expect((await h.call("automation", "POST", "/api/v1/flags/other/environments/production/plan/start")).status).toBe(403);
    expect((await h.call("automation", "POST", "/api/v1/flags/nope/environments/production/plan/start", { body: { bad: 1 } })).status).toBe(403);
    expect((await h.call("automation", "POST", "/api/v1/flags/new-checkout/environments/staging/plan/start")).status).toBe(403);
    expect(planActor.name).toBe("rollout plan");
  });
});
