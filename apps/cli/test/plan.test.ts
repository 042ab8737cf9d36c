/** `plan status|start|pause|resume|abort` against the real plan routes. */
import type { AuditEntryView, FlagConfigView, RolloutPlanStatusView } from "@switchyard/core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type Server } from "./support.js";

let s: Server;

beforeAll(async () => {
  s = await startServer();
  await s.h.call("admin", "POST", "/api/v1/flags", { body: { key: "new-checkout", tags: ["checkout"] } });
  await s.h.call("admin", "POST", "/api/v1/flags", { body: { key: "search" } });
});
afterAll(() => s?.close());

const definePlan = (flag: string) =>
  s.h.call("editor", "PUT", `/api/v1/flags/${flag}/environments/production/plan`, {
    body: { steps: [{ percent: 1, holdSeconds: 3600 }, { percent: 100, holdSeconds: 0 }], guards: [{ metric: "error", kind: "rate", maxRatio: 1.5, minSamples: 100 }] },
  });
const production = async (flag: string): Promise<FlagConfigView> => (await s.h.call("admin", "GET", `/api/v1/flags/${flag}/environments/production`)).json;

test("a flag without a plan: status and start exit 4", async () => {
  const status = await s.cli(["plan", "status", "new-checkout"]);
  expect(status.code).toBe(4);
  expect(status.stderr).toContain("rollout plan of flag 'new-checkout' in 'production' not found");
  expect((await s.cli(["plan", "start", "new-checkout"])).code).toBe(4);
});

test("start, pause, resume and abort drive the plan; a move its state does not allow exits 5", async () => {
  expect((await definePlan("new-checkout")).status).toBe(200);

  const start = await s.cli(["plan", "start", "new-checkout", "--env", "production", "--json"]);
  expect(start.stderr).toBe("");
  expect(start.code).toBe(0);
  const started = start.json as RolloutPlanStatusView;
  expect(started).toMatchObject({ flag: "new-checkout", environment: "production", state: "running", currentStep: 0 });
  expect(await production("new-checkout")).toMatchObject({ enabled: true, fallthrough: { rollout: { variants: [{ variant: "on", weight: 1000 }, { weight: 99000 }] } } });

  const again = await s.cli(["plan", "start", "new-checkout"]);
  expect(again.code).toBe(5);
  expect(again.stderr).toContain("cannot start a running plan");

  const status = await s.cli(["plan", "status", "new-checkout"]);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain("new-checkout in production: plan running, step 1 of 2 (1% of contexts get on, hold 3600s)");
  expect(status.stdout).toContain("steps: 1% → 100%; on breach: kill");
  expect(status.stdout).toMatch(/serving 1%; held \d+s of 3600s; next step at /);
  expect(status.stdout).toContain("guard [waiting] error rate: waiting for samples");

  const pause = await s.cli(["plan", "pause", "new-checkout", "--reason", "holiday freeze", "--json"]);
  expect(pause.code).toBe(0);
  expect((pause.json as RolloutPlanStatusView).state).toBe("paused");
  expect((await s.cli(["plan", "pause", "new-checkout"])).code).toBe(5);
  const [entry] = (await s.h.call("admin", "GET", "/api/v1/audit?flag=new-checkout&limit=1")).json.entries as AuditEntryView[];
  expect(entry).toMatchObject({ action: "plan.pause", reason: "holiday freeze", actor: { name: "pipeline" } });

  const resume = await s.cli(["plan", "resume", "new-checkout"]);
  expect(resume.code).toBe(0);
  expect(resume.stdout).toContain("plan running, step 1 of 2");

  const abort = await s.cli(["plan", "abort", "new-checkout", "--json"]);
  expect(abort.code).toBe(0);
  expect((abort.json as RolloutPlanStatusView).state).toBe("aborted");
  expect((await production("new-checkout")).fallthrough).toMatchObject({ rollout: { variants: [{ variant: "on", weight: 0 }, { weight: 100000 }] } });
  expect((await s.cli(["plan", "resume", "new-checkout"])).code).toBe(5);
});

test("an automation token drives the plans of the flags in its scope, and no others (exit 3)", async () => {
  await definePlan("search");
  const token = s.h.token({ kind: "automation", name: "deploy-bot", scope: { flags: ["search"], tags: [], environments: ["production"] } });
  const start = await s.cli(["plan", "start", "search"], { token });
  expect(start.code).toBe(0);
  expect((await s.cli(["plan", "status", "search", "--json"], { token })).json.state).toBe("running");
  expect((await s.cli(["plan", "abort", "search"], { token })).code).toBe(0);
  const outOfScope = await s.cli(["plan", "start", "new-checkout"], { token });
  expect(outOfScope.code).toBe(3);
  expect((await s.cli(["plan", "start", "search", "--env", "staging"], { token })).code).toBe(3);
});
