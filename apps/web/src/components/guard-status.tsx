/** Each guard of a running plan (or the one that breached): its verdict, and its numbers per cohort against its limits. */
import { useId } from "react";
import type { GuardStatusView } from "@switchyard/core";
import { describeLimits, formatCount, formatDuration, formatRate, guardName, measured, verdictWords } from "../plan-format";
import { DataTable } from "./data-table";
import "./plan.css";

const verdictLooks: Record<GuardStatusView["verdict"], { className: string; icon: string }> = {
  pass: { className: "on", icon: "✓" },
  breach: { className: "killed", icon: "✗" },
  waiting: { className: "off", icon: "…" },
};

function VerdictBadge({ verdict }: { verdict: GuardStatusView["verdict"] }) {
  const look = verdictLooks[verdict];
  return (
    <span className={`state ${look.className}`}>
      <span aria-hidden="true">{look.icon}</span> {verdictWords[verdict]}
    </span>
  );
}

/** `since`: where the numbers start, and `takenAt` when they were taken, on the browser's clock; `since` is ahead while the step settles. */
export function GuardStatuses({ statuses, since, takenAt, now }: { statuses: readonly GuardStatusView[]; since: number | null; takenAt: number; now: number }) {
  if (statuses.length === 0) return <p className="hint">No guards: each step advances once its hold is over.</p>;
  return (
    <div className="plan-guard-statuses">
      <h4>Guards</h4>
      {since !== null && (
        <p className="hint">
          {since > now
            ? `Counting starts in ${formatDuration(since - now)}, once SDK reports hold nothing from before this step.`
            : since > takenAt
              ? "Counting has started: the next update shows its numbers."
              : `Measured over ${formatDuration(takenAt - since)} of this step.`}
        </p>
      )}
      {statuses.map((status, index) => (
        <GuardStatusBlock key={index} status={status} />
      ))}
    </div>
  );
}

type CohortRow = { name: "Rollout" | "Control"; numbers: GuardStatusView["rollout"] };

/** One guard's verdict and its numbers per cohort, against its limits. */
export function GuardStatusBlock({ status }: { status: GuardStatusView }) {
  const id = useId();
  const { guard } = status;
  const rows: CohortRow[] = [
    { name: "Rollout", numbers: status.rollout },
    { name: "Control", numbers: status.control },
  ];
  const breached = status.verdict === "breach";
  return (
    <section className={`plan-guard ${status.verdict}`} aria-labelledby={`${id}-name`}>
      <h5 id={`${id}-name`}>
        {guardName(guard)} <VerdictBadge verdict={status.verdict} />
      </h5>
      <p className="hint">
        Limit: {describeLimits(guard)}
        {guard.kind === "rate" && status.limit !== null && <> (now {formatRate(status.limit)})</>}; judged once each cohort has {guard.minSamples} evaluations.
      </p>
      <DataTable
        caption={`${guardName(guard)} per cohort`}
        className="plan-cohorts"
        rows={rows}
        rowKey={(row) => row.name}
        columns={[
          { header: "Cohort", cell: (row) => row.name },
          { header: "Evaluations", cell: (row) => formatCount(row.numbers.evaluations), className: "number" },
          { header: guard.kind === "rate" ? "Events" : "Values", cell: (row) => formatCount(row.numbers.events), className: "number" },
          {
            header: guard.kind === "rate" ? "Rate" : "p95",
            className: "number",
            cell: (row) =>
              breached && row.name === "Rollout" ? (
                <strong className="plan-breached">
                  {measured(guard, row.numbers)} — above the limit
                </strong>
              ) : (
                measured(guard, row.numbers)
              ),
          },
        ]}
      />
      <p className={breached ? "plan-guard-message breached" : "plan-guard-message"}>{status.message}</p>
    </section>
  );
}
