/** A flag's state in one environment, in an icon, a colour and words (never the colour alone). */
import type { FlagConfigView, FlagView } from "@switchyard/core";
import { flagState, type FlagState } from "../flag-state";
import { formatDateTime } from "../time";

const stateIcons: Record<FlagState["kind"], string> = { on: "●", off: "○", rollout: "◐", killed: "⊘" };

/** `withKillReason`: a killed flag also shows why, where there is room for it (the flag list). */
export function StateBadge({ flag, config, withKillReason = false }: { flag: Pick<FlagView, "kind" | "variants">; config: FlagConfigView | undefined; withKillReason?: boolean }) {
  if (!config) return <span className="muted" title="Not configured in this environment">—</span>;
  const state = flagState(flag, config);
  if (state.kind === "killed") {
    const when = config.killedAt ? ` on ${formatDateTime(config.killedAt)}` : "";
    const title = `Killed by ${config.killedBy ?? "unknown"}${when}: ${config.killReason ?? "no reason given"}`;
    const badge = (
      <span className="state killed" title={withKillReason ? undefined : title}>
        <span aria-hidden="true">{stateIcons.killed}</span> killed
      </span>
    );
    if (!withKillReason) return badge;
    return (
      <div className="state-killed" title={title}>
        {badge}
        <span className="kill-detail">
          {config.killReason ?? "no reason given"}
          <span className="visually-hidden"> (killed by {config.killedBy ?? "unknown"})</span>
        </span>
      </div>
    );
  }
  return (
    <span className={`state ${state.kind}`} title={state.kind === "rollout" ? `Rolling out to ${state.label} of contexts` : undefined}>
      <span aria-hidden="true">{stateIcons[state.kind]}</span>
      {state.kind === "rollout" && <span className="visually-hidden">rollout</span>} {state.label}
    </span>
  );
}
