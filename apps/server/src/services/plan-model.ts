/**
 * A rollout plan's state machine, pure: which action may leave which state, how much of a step's
 * hold has passed, and what a running step does next given its guards' verdicts.
 *
 *   draft ──start──▶ running ◀──resume── paused
 *     ▲                │  └────pause────▶  │
 *     │ PUT            ├─ last hold over ─▶ completed
 *     │                ├─ guard breach ──▶ halted
 *     └─────────────── └─ abort (or from paused) ─▶ aborted
 *
 * completed, aborted and halted plans may be started again from their first step, or replaced.
 */
import type { GuardStatusView, PlanBreachView, PlanGuardView, PlanLiveView, PlanStepView, RolloutPlanView } from "@switchyard/core";
import type { PlanGuard } from "@switchyard/core/api-schema";
import type { PlanState, rolloutPlans } from "../db/schema.js";
import { conflict } from "../errors.js";

export type PlanRow = typeof rolloutPlans.$inferSelect;
export type PlanAction = "start" | "pause" | "resume" | "abort";

const leavesFrom: Record<PlanAction, readonly PlanState[]> = {
  start: ["draft", "completed", "aborted", "halted"],
  pause: ["running"],
  resume: ["paused"],
  abort: ["running", "paused"],
};

const hints: Partial<Record<PlanState, string>> = {
  running: "pause or abort it first",
  paused: "resume or abort it",
  halted: "start it again, from its first step, once the cause is fixed",
  completed: "start it again to repeat it",
  aborted: "start it again, from its first step",
  draft: "start it first",
};

/** Refuses an action the plan's state does not allow, with the plan as it is now. */
export function assertAction(action: PlanAction, state: PlanState, current: unknown): void {
  if (leavesFrom[action].includes(state)) return;
  throw conflict(`cannot ${action} a ${state} plan; ${hints[state] ?? ""}`.trim(), current);
}

/** A running plan's PUT would pull the ground from under the scheduler; any other state may be replaced. */
export function assertReplaceable(state: PlanState, current: unknown): void {
  if (state === "running") throw conflict("a running plan cannot be replaced; pause or abort it first", current);
}

export function guardsOf(row: Pick<PlanRow, "guards">): PlanGuard[] {
  return row.guards as PlanGuard[];
}

/** Wall-clock hold served by the current step: before its last pause, plus since it last (re)started. */
export function heldMs(row: Pick<PlanRow, "state" | "heldMs" | "stepStartedAt">, now: number): number {
  const running = row.state === "running" && row.stepStartedAt !== null ? Math.max(0, now - row.stepStartedAt) : 0;
  return row.heldMs + running;
}

export function holdMsOf(row: Pick<PlanRow, "steps" | "currentStep">): number {
  return row.steps[row.currentStep]!.holdSeconds * 1000;
}

export type StepDecision =
  | { kind: "breach"; status: GuardStatusView }
  | { kind: "advance"; step: number }
  | { kind: "complete" }
  | { kind: "hold"; waitingFor: string | null };

/**
 * What a running step does now. A breach acts at once, whatever the hold; a step advances only
 * when its hold is over and every guard has judged it and passed — a guard still short of
 * samples holds the step, since advancing unjudged is exactly what guards are there to prevent.
 */
export function decideStep(row: Pick<PlanRow, "state" | "heldMs" | "stepStartedAt" | "steps" | "currentStep">, statuses: readonly GuardStatusView[], now: number): StepDecision {
  const breach = statuses.find((status) => status.verdict === "breach");
  if (breach) return { kind: "breach", status: breach };
  if (heldMs(row, now) < holdMsOf(row)) return { kind: "hold", waitingFor: null };
  const waiting = statuses.filter((status) => status.verdict === "waiting");
  if (waiting.length > 0) return { kind: "hold", waitingFor: waiting.map((status) => status.message).join("; ") };
  return row.currentStep + 1 < row.steps.length ? { kind: "advance", step: row.currentStep + 1 } : { kind: "complete" };
}

export function toPlanView(row: PlanRow, flagKey: string, environmentKey: string): RolloutPlanView {
  return {
    flag: flagKey,
    environment: environmentKey,
    variant: row.variant,
    steps: row.steps as PlanStepView[],
    guards: guardsOf(row) as PlanGuardView[],
    onBreach: row.onBreach,
    state: row.state,
    currentStep: row.currentStep,
    stepStartedAt: row.stepStartedAt === null ? null : new Date(row.stepStartedAt).toISOString(),
    heldMs: row.heldMs,
    breach: (row.breach as PlanBreachView | null) ?? null,
    version: row.version,
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** Where a running or paused plan stands; `statuses` are the guards judged now over the metrics since `since` (running only). */
export function liveView(row: PlanRow, statuses: readonly GuardStatusView[], since: number | null, now: number): PlanLiveView | null {
  if (row.state !== "running" && row.state !== "paused") return null;
  const held = heldMs(row, now);
  const holdMs = holdMsOf(row);
  const decision = row.state === "running" ? decideStep(row, statuses, now) : null;
  return {
    at: new Date(now).toISOString(),
    percent: row.steps[row.currentStep]!.percent,
    heldMs: held,
    holdMs,
    nextStepAt: row.state === "running" ? new Date(now + Math.max(0, holdMs - held)).toISOString() : null,
    guards: [...statuses],
    since: row.state === "running" && since !== null ? new Date(since).toISOString() : null,
    waitingFor: decision?.kind === "hold" ? decision.waitingFor : null,
  };
}

/** Everything a PUT sets: the definition, and the state of a plan not yet started. */
export function sameDefinition(row: PlanRow, next: Pick<PlanRow, "variant" | "steps" | "guards" | "onBreach">): boolean {
  const definition = (plan: Pick<PlanRow, "variant" | "steps" | "guards" | "onBreach">) => JSON.stringify([plan.variant, plan.steps, plan.guards, plan.onBreach]);
  return row.state === "draft" && definition(row) === definition(next);
}
