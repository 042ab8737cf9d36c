/**
 * Where a rollout plan stands: its state, its steps with the current one marked, the time to the
 * next step, and each guard's numbers per cohort; for a halted plan, the breach with its numbers.
 */
import type { ReactNode } from "react";
import type { PlanBreachView, PlanLiveView, PlanStateName, RolloutPlanStatusView, RolloutPlanView } from "@switchyard/core";
import { plural } from "../definition";
import { formatPercent } from "../flag-state";
import { breachEffect, describeCohort, describeGuardStatus, formatDuration, formatHold } from "../plan-format";
import { RelativeTime, useNow } from "../time";
import { GuardStatusBlock, GuardStatuses } from "./guard-status";
import "./plan.css";

const stateLooks: Record<PlanStateName, { className: string; icon: string }> = {
  draft: { className: "off", icon: "○" },
  running: { className: "rollout", icon: "▸" },
  paused: { className: "off", icon: "‖" },
  completed: { className: "on", icon: "✓" },
  aborted: { className: "off", icon: "■" },
  halted: { className: "killed", icon: "⊘" },
};

/** A plan's state in an icon, a colour and its name. */
export function PlanStateBadge({ state }: { state: PlanStateName }) {
  const look = stateLooks[state];
  return (
    <span className={`state ${look.className}`}>
      <span aria-hidden="true">{look.icon}</span> {state}
    </span>
  );
}

/** A plan in one line, for conflict panels: "draft, version 3: 1% → 5% → 100%; 1 guard; kill on a breach". */
export function PlanSummary({ plan }: { plan: RolloutPlanView }) {
  return (
    <p className="plan-summary">
      Now: <PlanStateBadge state={plan.state} /> version {plan.version}: {plan.steps.map((step) => formatPercent(step.percent)).join(" → ")};{" "}
      {plural(plan.guards.length, "guard")}; on a breach, {plan.onBreach === "kill" ? "kill the flag" : "roll back to 0%"}.
    </p>
  );
}

/**
 * `receivedAt`: when the browser got `plan` (the query's dataUpdatedAt), so countdowns run on the
 * browser's clock, whatever the server's. `actions` go under where the plan stands, above the guards' details.
 */
export function PlanStatus({ plan, receivedAt, actions }: { plan: RolloutPlanStatusView; receivedAt: number; actions?: ReactNode }) {
  const now = Math.max(useNow(plan.state === "running" ? 1000 : null), receivedAt);
  const total = plan.steps.length;
  const step = plan.steps[plan.currentStep]!;
  const at = `step ${plan.currentStep + 1} of ${total}`;
  return (
    <div className="plan-status">
      <p className="plan-headline">
        <PlanStateBadge state={plan.state} />{" "}
        {plan.state === "draft" && (
          <span>
            Not started: {plural(total, "step")}, from {formatPercent(plan.steps[0]!.percent)} to {formatPercent(plan.steps.at(-1)!.percent)}.
          </span>
        )}
        {plan.state === "running" && (
          <strong>
            Step {plan.currentStep + 1} of {total} — {formatPercent(step.percent)}
          </strong>
        )}
        {plan.state === "paused" && (
          <strong>
            Paused at {at} — {formatPercent(step.percent)}
          </strong>
        )}
        {plan.state === "completed" && (
          <span>
            Completed at {formatPercent(step.percent)} <RelativeTime iso={plan.updatedAt} />.
          </span>
        )}
        {plan.state === "aborted" && (
          <span>
            Aborted at {at} ({formatPercent(step.percent)}) <RelativeTime iso={plan.updatedAt} />; the rollout was set back to 0%.
          </span>
        )}
        {plan.state === "halted" && (
          <strong>
            Halted at {at} ({formatPercent(step.percent)}){plan.breach && <>: {breachEffect(plan.breach.action)}</>}
            {plan.breach && (
              <>
                {" "}
                <RelativeTime iso={plan.breach.at} />
              </>
            )}
          </strong>
        )}
      </p>
      <StepTrack plan={plan} />
      {plan.state === "running" && plan.live && <Countdown plan={plan} live={plan.live} elapsed={now - receivedAt} />}
      {plan.state === "paused" && plan.live && (
        <p>
          {formatDuration(plan.live.heldMs)} of {formatHold(step.holdSeconds)} held. Resuming continues the hold; guards judge the step from then on.
        </p>
      )}
      {plan.state === "halted" && plan.breach && <BreachReport breach={plan.breach} />}
      {actions}
      {plan.state === "running" && plan.live && (
        <GuardStatuses
          statuses={plan.live.guards}
          since={plan.live.since === null ? null : Date.parse(plan.live.since) - Date.parse(plan.live.at) + receivedAt}
          takenAt={receivedAt}
          now={now}
        />
      )}
    </div>
  );
}

type StepProgress = "done" | "current" | "upcoming";

function progressOf(plan: RolloutPlanView, index: number): StepProgress {
  if (plan.state === "draft") return "upcoming";
  if (plan.state === "completed") return "done";
  return index < plan.currentStep ? "done" : index === plan.currentStep ? "current" : "upcoming";
}

const currentWords: Partial<Record<PlanStateName, string>> = { running: "now", paused: "paused", halted: "halted", aborted: "aborted" };

function StepTrack({ plan }: { plan: RolloutPlanView }) {
  return (
    <ol className={`plan-track ${plan.state}`} aria-label="Steps">
      {plan.steps.map((step, index) => {
        const progress = progressOf(plan, index);
        return (
          <li key={index} className={`plan-track-step ${progress}`} aria-current={progress === "current" ? "step" : undefined}>
            <span className="plan-track-percent">
              {progress === "done" && <span aria-hidden="true">✓ </span>}
              {formatPercent(step.percent)}
            </span>
            <span className="plan-track-hold">{formatHold(step.holdSeconds)}</span>
            {progress === "done" && <span className="visually-hidden"> (done)</span>}
            {progress === "current" && <span className="plan-track-now">{currentWords[plan.state] ?? "current"}</span>}
          </li>
        );
      })}
    </ol>
  );
}

/** `elapsed`: since the browser got `live`. */
function Countdown({ plan, live, elapsed }: { plan: RolloutPlanView; live: PlanLiveView; elapsed: number }) {
  const held = Math.min(live.holdMs, live.heldMs + elapsed);
  const remaining = live.nextStepAt === null ? 0 : Math.max(0, Date.parse(live.nextStepAt) - Date.parse(live.at) - elapsed);
  const next = plan.steps[plan.currentStep + 1];
  const waiting = live.guards.filter((status) => status.verdict === "waiting");
  // The server says why an over hold has not advanced; between two reads, the guards say it.
  const waitingFor = live.waitingFor ?? (remaining === 0 && waiting.length > 0 ? waiting.map((status) => status.message).join("; ") : null);
  return (
    <div className="plan-countdown">
      {remaining > 0 ? (
        <p>
          <strong>
            {next ? `Next step (${formatPercent(next.percent)})` : "Completes"} in {formatDuration(remaining)}
          </strong>
          {waiting.length > 0 && <span className="muted"> — once every guard has enough samples</span>}
        </p>
      ) : waitingFor ? (
        <p className="note warning">
          <strong>Hold over; waiting for samples.</strong> {waitingFor}
        </p>
      ) : (
        <p>
          <strong>Hold over:</strong> {next ? `moving to ${formatPercent(next.percent)}` : "completing"} at the next check.
        </p>
      )}
      {live.holdMs > 0 && (
        <div className="plan-hold">
          <progress max={live.holdMs} value={held} aria-label={`Hold of step ${plan.currentStep + 1}`} />
          <span className="hint">
            {formatDuration(held)} of {formatDuration(live.holdMs)} held
          </span>
        </div>
      )}
    </div>
  );
}

/** A halted plan's breach: what was measured, what the plan did, and how to go on. */
function BreachReport({ breach }: { breach: PlanBreachView }) {
  return (
    <div className="plan-breach-report">
      <p className="note error">
        <strong>{describeGuardStatus(breach)}</strong> — {breachEffect(breach.action)}. Measured over the{" "}
        {formatDuration(Date.parse(breach.until) - Date.parse(breach.since))} before the breach.
      </p>
      <GuardStatusBlock status={breach} />
      <p className="hint">
        Once the cause is fixed{breach.action === "kill" ? ", unkill the flag and" : ","} start the plan again (from step 1), or change it first.
      </p>
    </div>
  );
}

/** A halted plan, for the top of the flag page next to the kill banners: the breach and its numbers. */
export function BreachBanner({ plan }: { plan: RolloutPlanView }) {
  const breach = plan.breach;
  if (plan.state !== "halted" || breach === null) return null;
  return (
    <div className="note error plan-halt-banner" role="status">
      <strong>Rollout plan halted in {plan.environment}:</strong> {describeGuardStatus(breach)} — {breachEffect(breach.action)}.
      <span className="plan-halt-detail">
        At step {breach.step + 1} ({formatPercent(breach.percent)}), <RelativeTime iso={breach.at} />: rollout {describeCohort(breach.guard, breach.rollout)}, control{" "}
        {describeCohort(breach.guard, breach.control)}.
      </span>
    </div>
  );
}
