/**
 * Sample rollout plan views for component tests (beside test-fixtures.ts, in its manner): a plan
 * of 1% → 5% → 25% → 50% → 100% watching the `error` rate, and a guard's numbers.
 */
import type { GuardStatusView, PlanBreachView, PlanGuardView, RolloutPlanStatusView } from "@switchyard/core";

const AT = "2025-01-01T00:00:00.000Z";

export const errorGuard: PlanGuardView = { metric: "error", kind: "rate", maxRatio: 1.5, maxAbsolute: 0.02, minSamples: 1000 };

export function guardStatusView(overrides: Partial<GuardStatusView> = {}): GuardStatusView {
  return {
    guard: errorGuard,
    verdict: "pass",
    rollout: { evaluations: 1200, events: 12, rate: 0.01, p95: null },
    control: { evaluations: 20000, events: 200, rate: 0.01, p95: null },
    limit: 0.015,
    ratio: 1,
    message: "error rate 1% (12/1200) in the rollout cohort is within 1.5% (control 1% (200/20000))",
    ...overrides,
  };
}

/** What the error guard measured when the rollout cohort erred at 10.2% and control at 1%. */
export function breachView(overrides: Partial<PlanBreachView> = {}): PlanBreachView {
  return {
    ...guardStatusView({
      verdict: "breach",
      rollout: { evaluations: 1000, events: 102, rate: 0.102, p95: null },
      control: { evaluations: 19000, events: 190, rate: 0.01, p95: null },
      ratio: 10.2,
      message: "error rate 10.2% (102/1000) in the rollout cohort is above 2% absolute and 10.2x the control's 1% (190/19000), above 1.5x",
    }),
    at: new Date(Date.now() - 2 * 60_000).toISOString(),
    step: 1,
    percent: 5,
    action: "kill",
    since: new Date(Date.now() - 5 * 60_000).toISOString(),
    until: new Date(Date.now() - 2 * 60_000).toISOString(),
    ...overrides,
  };
}

export function planView(overrides: Partial<RolloutPlanStatusView> = {}): RolloutPlanStatusView {
  return {
    flag: "new-checkout",
    environment: "production",
    variant: "on",
    steps: [1, 5, 25, 50, 100].map((percent) => ({ percent, holdSeconds: 600 })),
    guards: [errorGuard],
    onBreach: "kill",
    state: "draft",
    currentStep: 0,
    stepStartedAt: null,
    heldMs: 0,
    breach: null,
    version: 3,
    createdBy: "ann@example.com",
    createdAt: AT,
    updatedAt: AT,
    live: null,
    ...overrides,
  };
}

/** A plan running its step 2 (5%), `heldMs` into a 10-minute hold, as read at `at`. */
export function runningPlanView(heldMs: number, at = new Date().toISOString(), guards = [guardStatusView()]): RolloutPlanStatusView {
  const holdMs = 600_000;
  return planView({
    state: "running",
    currentStep: 1,
    stepStartedAt: new Date(Date.parse(at) - heldMs).toISOString(),
    version: 5,
    live: {
      at,
      percent: 5,
      heldMs,
      holdMs,
      nextStepAt: new Date(Date.parse(at) + holdMs - heldMs).toISOString(),
      guards,
      // Judged from the first metrics window after the step settled.
      since: new Date(Date.parse(at) - Math.max(0, heldMs - 30_000)).toISOString(),
      waitingFor: null,
    },
  });
}
