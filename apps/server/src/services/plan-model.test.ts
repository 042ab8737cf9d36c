import { describe, expect, it } from "vitest";
import type { GuardStatusView } from "@switchyard/core";
import { planStates, type PlanState } from "../db/schema.js";
import { ApiError } from "../errors.js";
import { assertAction, assertReplaceable, decideStep, heldMs, liveView, type PlanAction, type PlanRow } from "./plan-model.js";

const T0 = Date.parse("2026-11-26T08:00:00.000Z");

function plan(change: Partial<PlanRow> = {}): PlanRow {
  return {
    id: 1,
    flagId: 1,
    environmentId: 3,
    variant: "on",
    steps: [
      { percent: 1, holdSeconds: 60 },
      { percent: 50, holdSeconds: 60 },
      { percent: 100, holdSeconds: 30 },
    ],
    guards: [],
    onBreach: "kill",
    state: "running",
    currentStep: 0,
    stepStartedAt: T0,
    heldMs: 0,
    breach: null,
    version: 2,
    createdBy: "editor@example.com",
    createdAt: T0,
    updatedAt: T0,
    ...change,
  };
}

function status(verdict: GuardStatusView["verdict"], message = `a guard: ${verdict}`): GuardStatusView {
  const numbers = { evaluations: 0, events: 0, rate: null, p95: null };
  return { guard: { metric: "error", kind: "rate", maxAbsolute: 0.02, minSamples: 1 }, verdict, rollout: numbers, control: numbers, limit: null, ratio: null, message };
}

function allowed(action: PlanAction, state: PlanState): boolean {
  try {
    assertAction(action, state, null);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);
    return false;
  }
}

describe("plan transitions", () => {
  it("allow exactly: start from draft or a finished plan, pause a running one, resume a paused one, abort either", () => {
    const table = Object.fromEntries(
      (["start", "pause", "resume", "abort"] as const).map((action) => [action, planStates.filter((state) => allowed(action, state))]),
    );
    expect(table).toEqual({
      start: ["draft", "completed", "aborted", "halted"],
      pause: ["running"],
      resume: ["paused"],
      abort: ["running", "paused"],
    });
  });

  it("say what to do instead", () => {
    expect(() => assertAction("start", "running", null)).toThrow("cannot start a running plan; pause or abort it first");
    expect(() => assertAction("resume", "halted", null)).toThrow("cannot resume a halted plan; start it again, from its first step, once the cause is fixed");
  });

  it("replace any plan that is not running", () => {
    expect(() => assertReplaceable("running", null)).toThrow("a running plan cannot be replaced");
    for (const state of planStates.filter((s) => s !== "running")) expect(() => assertReplaceable(state, null)).not.toThrow();
  });
});

describe("holds", () => {
  it("count wall-clock time while running, and keep what was served across a pause", () => {
    expect(heldMs(plan(), T0 + 25_000)).toBe(25_000);
    expect(heldMs(plan({ state: "paused", stepStartedAt: null, heldMs: 25_000 }), T0 + 999_000)).toBe(25_000);
    expect(heldMs(plan({ stepStartedAt: T0 + 100_000, heldMs: 25_000 }), T0 + 110_000)).toBe(35_000);
    // A clock that went back never makes the hold negative.
    expect(heldMs(plan(), T0 - 5_000)).toBe(0);
  });
});

describe("a running step", () => {
  it("halts on a breach at once, before its hold is over", () => {
    const breach = status("breach");
    expect(decideStep(plan(), [status("pass"), breach], T0 + 1)).toEqual({ kind: "breach", status: breach });
  });

  it("holds until its hold is over", () => {
    expect(decideStep(plan(), [status("pass")], T0 + 59_999)).toEqual({ kind: "hold", waitingFor: null });
  });

  it("advances when its hold is over and every guard passed", () => {
    expect(decideStep(plan(), [status("pass"), status("pass")], T0 + 60_000)).toEqual({ kind: "advance", step: 1 });
    expect(decideStep(plan({ guards: [] }), [], T0 + 60_000)).toEqual({ kind: "advance", step: 1 });
  });

  it("keeps holding past its hold while a guard waits for samples, and says which", () => {
    const decision = decideStep(plan(), [status("pass"), status("waiting", "error rate: waiting for samples (rollout cohort: 3 of 200 evaluations)")], T0 + 600_000);
    expect(decision).toEqual({ kind: "hold", waitingFor: "error rate: waiting for samples (rollout cohort: 3 of 200 evaluations)" });
  });

  it("completes after the last step's hold", () => {
    expect(decideStep(plan({ currentStep: 2 }), [status("pass")], T0 + 30_000)).toEqual({ kind: "complete" });
  });
});

describe("the live view", () => {
  it("tells a running plan's next step time and what it waits for", () => {
    const live = liveView(plan({ heldMs: 20_000 }), [status("waiting", "w")], T0 + 2_000, T0 + 10_000);
    expect(live).toEqual({
      at: new Date(T0 + 10_000).toISOString(),
      percent: 1,
      heldMs: 30_000,
      holdMs: 60_000,
      nextStepAt: new Date(T0 + 40_000).toISOString(),
      guards: [status("waiting", "w")],
      since: new Date(T0 + 2_000).toISOString(),
      waitingFor: null,
    });
    expect(liveView(plan(), [status("waiting", "w")], T0, T0 + 61_000)?.waitingFor).toBe("w");
  });

  it("freezes a paused plan and has nothing for a plan that is not under way", () => {
    expect(liveView(plan({ state: "paused", stepStartedAt: null, heldMs: 5_000, currentStep: 1 }), [], null, T0)).toMatchObject({ percent: 50, heldMs: 5_000, nextStepAt: null, guards: [], since: null });
    for (const state of ["draft", "completed", "aborted", "halted"] as const) expect(liveView(plan({ state }), [], T0, T0)).toBeNull();
  });
});
