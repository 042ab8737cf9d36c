/**
 * Rollout plans and their guards in words: the plan card, the halt banner and the audit log all
 * say a guard's numbers the same way.
 */
import type { CohortNumbersView, GuardStatusView, PlanGuardView } from "@switchyard/core";

/** Three significant digits, as the server's guard messages: 0.01234 → "0.0123", 1.5 → "1.5". */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** A count with thousands separators: 200000 → "200,000". */
export function formatCount(count: number): string {
  return count.toLocaleString("en");
}

/** A rate (a fraction) as a percent: 0.102 → "10.2%". */
export function formatRate(rate: number | null): string {
  return rate === null ? "n/a" : `${formatNumber(rate * 100)}%`;
}

/** "error rate", "latency_ms p95". */
export function guardName(guard: PlanGuardView): string {
  return `${guard.metric} ${guard.kind}`;
}

/** What a guard allows the rollout cohort: "max 1.5× control and 2%", "max 250". */
export function describeLimits(guard: PlanGuardView): string {
  if (guard.kind === "p95") return `max ${formatNumber(guard.max)}`;
  const limits = [
    guard.maxRatio !== undefined ? `${formatNumber(guard.maxRatio)}× control` : null,
    guard.maxAbsolute !== undefined ? formatRate(guard.maxAbsolute) : null,
  ].filter((limit): limit is string => limit !== null);
  return `max ${limits.join(" and ")}`;
}

/** A cohort's measured value for the guard: its rate, or its p95. */
export function measured(guard: PlanGuardView, numbers: CohortNumbersView): string {
  if (guard.kind === "rate") return formatRate(numbers.rate);
  return numbers.p95 === null ? "n/a" : formatNumber(numbers.p95);
}

/** "10.2% (102 of 1000)": the value and what it was measured over. */
export function describeCohort(guard: PlanGuardView, numbers: CohortNumbersView): string {
  const over = guard.kind === "rate" ? `${formatCount(numbers.events)} of ${formatCount(numbers.evaluations)}` : `${formatCount(numbers.events)} values`;
  return `${measured(guard, numbers)} (${over})`;
}

/**
 * A guard's verdict with its numbers, in one line:
 * "error rate 10.2% in the rollout cohort vs 1% in control (max 1.5× control and 2%)".
 */
export function describeGuardStatus(status: Pick<GuardStatusView, "guard" | "rollout" | "control">): string {
  const { guard, rollout, control } = status;
  // At 100% everyone is in the rollout cohort.
  const against = control.evaluations === 0 ? "no control cohort" : `${measured(guard, control)} in control`;
  return `${guardName(guard)} ${measured(guard, rollout)} in the rollout cohort vs ${against} (${describeLimits(guard)})`;
}

/** What a plan did on a breach. */
export function breachEffect(action: "kill" | "rollback"): string {
  return action === "kill" ? "flag killed" : "rollout set back to 0%";
}

export const verdictWords: Record<GuardStatusView["verdict"], string> = {
  pass: "within limits",
  breach: "breached",
  waiting: "waiting for samples",
};

/**
 * A duration as a countdown or a hold says it: "45 s", "4 min 32 s", "1 h 5 min", "2 d 3 h".
 * Rounded up to the second, so a countdown reads "1 s" until it is over.
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const parts: [number, string][] = [
    [Math.floor(total / 86_400), "d"],
    [Math.floor((total % 86_400) / 3600), "h"],
    [Math.floor((total % 3600) / 60), "min"],
    [total % 60, "s"],
  ];
  const first = parts.findIndex(([amount]) => amount > 0);
  if (first === -1) return "0 s";
  // The two largest units are precise enough for anything a person waits for.
  return parts
    .slice(first, first + 2)
    .filter(([amount]) => amount > 0)
    .map(([amount, unit]) => `${amount} ${unit}`)
    .join(" ");
}

/** A step's hold: "10 min", "no hold". */
export function formatHold(holdSeconds: number): string {
  return holdSeconds === 0 ? "no hold" : formatDuration(holdSeconds * 1000);
}
