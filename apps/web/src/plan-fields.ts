/**
 * A rollout plan as the editor holds it: every number as typed, so a half-typed "0." stays on
 * screen, checked with the server's rules and turned into the PUT body only when valid.
 */
import { metricNameProblem, type FlagConfigView, type FlagView, type RolloutPlanView } from "@switchyard/core";
import type { PlanInput } from "@switchyard/core/api-schema";
import { rolloutVariant } from "./flag-state";
import { parsePercent } from "./components/rollout-control";

export type HoldUnit = "minutes" | "seconds";

export interface StepFields {
  percent: string;
  hold: string;
  unit: HoldUnit;
}

/** Both kinds' limits are kept while the kind is switched back and forth; the body takes its kind's. */
export interface GuardFields {
  metric: string;
  kind: "rate" | "p95";
  /** × the control cohort's rate. */
  maxRatio: string;
  /** A percent (the API takes a fraction). */
  maxAbsolute: string;
  max: string;
  minSamples: string;
}

export interface PlanFields {
  variant: string;
  steps: StepFields[];
  guards: GuardFields[];
  onBreach: "kill" | "rollback";
}

export const MAX_STEPS = 20;
export const MAX_GUARDS = 10;
const MAX_HOLD_SECONDS = 30 * 24 * 3600;
const MAX_SAMPLES = 1_000_000_000;
const unitSeconds: Record<HoldUnit, number> = { minutes: 60, seconds: 1 };

/** A number as typed back into a field, without float noise: 0.007 × 100 → "0.7". */
const decimal = (value: number) => String(Number(value.toPrecision(12)));

export function newStep(after: StepFields | undefined): StepFields {
  if (!after) return { percent: "1", hold: "10", unit: "minutes" };
  const previous = Number(after.percent);
  const percent = Number.isFinite(previous) && previous > 0 && previous < 100 ? String(Math.min(100, previous * 2)) : "";
  return { percent, hold: after.hold, unit: after.unit };
}

export function newGuard(): GuardFields {
  return { metric: "", kind: "rate", maxRatio: "1.5", maxAbsolute: "", max: "", minSamples: "1000" };
}

/** What a new plan starts from: 1% → 5% → 25% → 50% → 100%, ten minutes each, watching the `error` rate. */
export function defaultPlanFields(flag: Pick<FlagView, "kind" | "variants">, config: Pick<FlagConfigView, "fallthrough" | "offVariant">): PlanFields {
  return {
    variant: rolloutVariant(flag, config),
    steps: [1, 5, 25, 50, 100].map((percent) => ({ percent: String(percent), hold: "10", unit: "minutes" })),
    guards: [{ metric: "error", kind: "rate", maxRatio: "1.5", maxAbsolute: "2", max: "", minSamples: "1000" }],
    onBreach: "kill",
  };
}

export function planFieldsOf(plan: Pick<RolloutPlanView, "variant" | "steps" | "guards" | "onBreach">): PlanFields {
  return {
    variant: plan.variant,
    steps: plan.steps.map(({ percent, holdSeconds }) =>
      holdSeconds % 60 === 0
        ? { percent: decimal(percent), hold: String(holdSeconds / 60), unit: "minutes" }
        : { percent: decimal(percent), hold: String(holdSeconds), unit: "seconds" },
    ),
    guards: plan.guards.map((guard) => ({
      metric: guard.metric,
      kind: guard.kind,
      maxRatio: guard.kind === "rate" && guard.maxRatio !== undefined ? decimal(guard.maxRatio) : "",
      maxAbsolute: guard.kind === "rate" && guard.maxAbsolute !== undefined ? decimal(guard.maxAbsolute * 100) : "",
      max: guard.kind === "p95" ? decimal(guard.max) : "",
      minSamples: String(guard.minSamples),
    })),
    onBreach: plan.onBreach,
  };
}

export interface StepProblems {
  percent?: string;
  hold?: string;
}
export type GuardProblems = Partial<Record<"metric" | "maxRatio" | "maxAbsolute" | "max" | "minSamples", string>>;

export interface PlanProblems {
  steps: StepProblems[];
  guards: GuardProblems[];
  valid: boolean;
}

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

function parseWhole(text: string): number | undefined {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
}

const sentence = (problem: string) => `${problem[0]!.toUpperCase()}${problem.slice(1)}.`;

/** What is wrong with each field, in words, by the rules the server applies (api-schema's planInputSchema). */
export function planProblems(fields: PlanFields): PlanProblems {
  let previous: number | undefined;
  const steps = fields.steps.map((step): StepProblems => {
    const problems: StepProblems = {};
    const parsed = parsePercent(step.percent);
    if (parsed.percent === undefined) problems.percent = parsed.error;
    else if (parsed.percent === 0) problems.percent = "Must be above 0%.";
    else if (previous !== undefined && parsed.percent <= previous) problems.percent = `Must be above the previous step's ${previous}%.`;
    if (parsed.percent !== undefined) previous = parsed.percent;
    const hold = parseWhole(step.hold);
    if (hold === undefined) problems.hold = `Must be a whole number of ${step.unit}.`;
    else if (hold * unitSeconds[step.unit] > MAX_HOLD_SECONDS) problems.hold = "Must be at most 30 days.";
    return problems;
  });
  const guards = fields.guards.map((guard): GuardProblems => {
    const problems: GuardProblems = {};
    const metric = metricNameProblem(guard.metric);
    if (metric !== null) problems.metric = sentence(metric);
    if (guard.kind === "rate") {
      const maxRatio = parseNumber(guard.maxRatio);
      const maxAbsolute = parseNumber(guard.maxAbsolute);
      if (guard.maxRatio.trim() !== "" && (maxRatio === undefined || maxRatio <= 0 || maxRatio > 1000)) problems.maxRatio = "Must be a number above 0, at most 1000.";
      if (guard.maxAbsolute.trim() !== "" && (maxAbsolute === undefined || maxAbsolute < 0 || maxAbsolute > 100)) {
        problems.maxAbsolute = "Must be a percentage from 0 to 100.";
      }
      if (guard.maxRatio.trim() === "" && guard.maxAbsolute.trim() === "") problems.maxRatio = "Set a limit against control, an absolute limit, or both.";
    } else {
      const max = parseNumber(guard.max);
      if (max === undefined || max < 0) problems.max = "Must be a number, at least 0.";
    }
    const minSamples = parseWhole(guard.minSamples);
    if (minSamples === undefined || minSamples < 1 || minSamples > MAX_SAMPLES) problems.minSamples = "Must be a whole number from 1 to 1,000,000,000.";
    return problems;
  });
  const valid =
    fields.steps.length > 0 &&
    fields.steps.length <= MAX_STEPS &&
    fields.guards.length <= MAX_GUARDS &&
    [...steps, ...guards].every((problems) => Object.keys(problems).length === 0);
  return { steps, guards, valid };
}

/**
 * The PUT body of valid fields. A boolean flag's plan leaves the variant to the server (its
 * `true` variant), as a rollout does; `version` is the plan's the edits started from, none for a
 * first plan.
 */
export function planInputOf(fields: PlanFields, flagKind: FlagView["kind"], version: number | undefined): PlanInput {
  const optional = (text: string) => (text.trim() === "" ? undefined : Number(text));
  return {
    ...(flagKind === "boolean" ? {} : { variant: fields.variant }),
    steps: fields.steps.map((step) => ({ percent: Number(step.percent), holdSeconds: Number(step.hold) * unitSeconds[step.unit] })),
    guards: fields.guards.map((guard) => {
      const minSamples = Number(guard.minSamples);
      if (guard.kind === "p95") return { metric: guard.metric, kind: "p95", max: Number(guard.max), minSamples };
      const maxRatio = optional(guard.maxRatio);
      const maxAbsolute = optional(guard.maxAbsolute);
      return {
        metric: guard.metric,
        kind: "rate",
        ...(maxRatio !== undefined && { maxRatio }),
        ...(maxAbsolute !== undefined && { maxAbsolute: Number((maxAbsolute / 100).toPrecision(12)) }),
        minSamples,
      };
    }),
    onBreach: fields.onBreach,
    ...(version !== undefined && { version }),
  };
}
