/**
 * A rollout plan's guards, judged from the cohort totals the metrics service keeps: pure
 * functions of numbers, so every verdict can be tested with hand-made cohorts.
 *
 * The rollout cohort is the contexts served the plan's variant; the control cohort is everyone
 * else (every other variant, summed). A guard gives no verdict until both cohorts have at least
 * `minSamples` evaluations — at 100% there is no control cohort, so only the rollout's counts.
 */
import type { CohortNumbersView, GuardStatusView } from "@switchyard/core";
import type { PlanGuard } from "@switchyard/core/api-schema";
import { percentile, type CohortNumbers, type MetricsService } from "./metrics.js";

/** What plans need from the metrics service: the cohorts, and the window they are kept in. */
export type CohortSource = Pick<MetricsService, "cohorts" | "options">;

export function judgeGuard(guard: PlanGuard, cohorts: ReadonlyMap<string, CohortNumbers>, variant: string, percent: number): GuardStatusView {
  const rollout = cohorts.get(variant) ?? emptyTotals();
  const control = [...cohorts].filter(([name]) => name !== variant).reduce((total, [, totals]) => addTotals(total, totals), emptyTotals());
  // At 100% nobody is in the control cohort, so waiting for it would wait forever.
  const hasControl = percent < 100;
  const shortOf = [
    rollout.evaluations < guard.minSamples ? `rollout cohort: ${rollout.evaluations} of ${guard.minSamples} evaluations` : null,
    hasControl && control.evaluations < guard.minSamples ? `control cohort: ${control.evaluations} of ${guard.minSamples} evaluations` : null,
  ].filter((text): text is string => text !== null);
  return guard.kind === "rate" ? judgeRate(guard, rollout, control, hasControl, shortOf) : judgeP95(guard, rollout, control, shortOf);
}

function judgeRate(
  guard: Extract<PlanGuard, { kind: "rate" }>,
  rollout: CohortNumbers,
  control: CohortNumbers,
  hasControl: boolean,
  shortOf: string[],
): GuardStatusView {
  const numbers = (totals: CohortNumbers): CohortNumbersView => ({
    evaluations: totals.evaluations,
    events: totals.count,
    rate: totals.evaluations > 0 ? totals.count / totals.evaluations : null,
    p95: null,
  });
  const base = { guard, rollout: numbers(rollout), control: numbers(control) };
  const rolloutRate = base.rollout.rate ?? 0;
  const controlRate = base.control.rate ?? 0;
  // Cross-multiplied, so equal rates give exactly 1 and not 0.9999999999999999.
  const ratio = hasControl && controlRate > 0 ? (rollout.count * control.evaluations) / (rollout.evaluations * control.count) : null;
  const name = `${guard.metric} rate`;
  if (shortOf.length > 0) return { ...base, verdict: "waiting", limit: null, ratio, message: `${name}: waiting for samples (${shortOf.join("; ")})` };

  const ratioLimit = hasControl && guard.maxRatio !== undefined ? guard.maxRatio * controlRate : undefined;
  const limits = [guard.maxAbsolute, ratioLimit].filter((limit): limit is number => limit !== undefined);
  if (limits.length === 0) {
    return { ...base, verdict: "pass", limit: null, ratio, message: `${name}: ${describeRate(rollout)} in the rollout cohort; no control cohort at 100% to compare with` };
  }
  const limit = Math.min(...limits);
  const exceeded = [
    guard.maxAbsolute !== undefined && rolloutRate > guard.maxAbsolute ? `above ${formatRate(guard.maxAbsolute)} absolute` : null,
    ratioLimit !== undefined && (ratio === null ? rolloutRate > 0 : ratio > guard.maxRatio!)
      ? ratio === null
        ? `above ${formatNumber(guard.maxRatio!)}x the control's ${describeRate(control)}`
        : `${formatNumber(ratio)}x the control's ${describeRate(control)}, above ${formatNumber(guard.maxRatio!)}x`
      : null,
  ].filter((text): text is string => text !== null);
  if (exceeded.length > 0) {
    return { ...base, verdict: "breach", limit, ratio, message: `${name} ${describeRate(rollout)} in the rollout cohort is ${exceeded.join(" and ")}` };
  }
  const against = hasControl ? ` (control ${describeRate(control)})` : "";
  return { ...base, verdict: "pass", limit, ratio, message: `${name} ${describeRate(rollout)} in the rollout cohort is within ${formatRate(limit)}${against}` };
}

function judgeP95(guard: Extract<PlanGuard, { kind: "p95" }>, rollout: CohortNumbers, control: CohortNumbers, shortOf: string[]): GuardStatusView {
  // Only calls with a value are bucketed; a p95 is over those.
  const numbers = (totals: CohortNumbers): CohortNumbersView => ({
    evaluations: totals.evaluations,
    events: valuesIn(totals),
    rate: null,
    p95: valuesIn(totals) > 0 ? finiteOrNull(percentile(totals.buckets, 0.95)) : null,
  });
  const base = { guard, rollout: numbers(rollout), control: numbers(control), limit: guard.max, ratio: null };
  const name = `${guard.metric} p95`;
  const missing = base.rollout.events === 0 ? [...shortOf, "rollout cohort: no values reported"] : shortOf;
  if (missing.length > 0) return { ...base, verdict: "waiting", limit: null, message: `${name}: waiting for samples (${missing.join("; ")})` };
  const p95 = base.rollout.p95!;
  const shown = formatNumber(p95);
  const controlP95 = base.control.p95 === null ? "" : ` (control ${formatNumber(base.control.p95)})`;
  if (p95 > guard.max) return { ...base, verdict: "breach", message: `${name} ${shown} in the rollout cohort is above ${formatNumber(guard.max)}${controlP95}` };
  return { ...base, verdict: "pass", message: `${name} ${shown} in the rollout cohort is within ${formatNumber(guard.max)}${controlP95}` };
}

function emptyTotals(): CohortNumbers {
  return { evaluations: 0, count: 0, sum: 0, buckets: [] };
}

function addTotals(a: CohortNumbers, b: CohortNumbers): CohortNumbers {
  const length = Math.max(a.buckets.length, b.buckets.length);
  return {
    evaluations: a.evaluations + b.evaluations,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    buckets: Array.from({ length }, (_, i) => (a.buckets[i] ?? 0) + (b.buckets[i] ?? 0)),
  };
}

const valuesIn = (totals: CohortNumbers) => totals.buckets.reduce((total, count) => total + count, 0);
const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);
const formatNumber = (value: number) => String(Number(value.toPrecision(3)));
const formatRate = (rate: number) => `${formatNumber(rate * 100)}%`;
const describeRate = (totals: CohortNumbers) =>
  totals.evaluations > 0 ? `${formatRate(totals.count / totals.evaluations)} (${totals.count}/${totals.evaluations})` : "n/a (0 evaluations)";
