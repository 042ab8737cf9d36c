/**
 * Start, pause, resume and abort a rollout plan. Each is sent with the plan's version as shown,
 * so what the page says is what happens; a plan that moved on meanwhile is shown as it is now.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FlagConfigView, FlagView, PlanStateName, RolloutPlanStatusView } from "@switchyard/core";
import { api, ApiRequestError } from "../api";
import { formatPercent } from "../flag-state";
import { keys, planPath } from "../queries";
import { conflictState } from "./conflict";
import { Dialog, DialogActions } from "./dialog";
import { ErrorNote, FieldError, hasIssues, ReadOnlyHint, unclaimed } from "./feedback";

export type PlanAction = "start" | "pause" | "resume" | "abort";

/** The states each action leaves from, as the server's state machine (plan-model.ts) allows. */
const leavesFrom: Record<PlanAction, readonly PlanStateName[]> = {
  start: ["draft", "completed", "aborted", "halted"],
  pause: ["running"],
  resume: ["paused"],
  abort: ["running", "paused"],
};

const wrongState: Record<PlanAction, (state: PlanStateName) => string> = {
  start: (state) => (state === "running" ? "The plan is already running." : "The plan is paused: resume it, or abort it first."),
  pause: () => "Only a running plan can be paused.",
  resume: () => "Only a paused plan can be resumed.",
  abort: () => "Only a running or paused plan can be aborted.",
};

const labels: Record<PlanAction, { idle: string; busy: string }> = {
  start: { idle: "Start", busy: "Starting…" },
  pause: { idle: "Pause", busy: "Pausing…" },
  resume: { idle: "Resume", busy: "Resuming…" },
  abort: { idle: "Abort…", busy: "Aborting…" },
};

interface Situation {
  flag: FlagView;
  config: FlagConfigView;
  plan: RolloutPlanStatusView;
  readOnlyReason: string | undefined;
  /** The editor holds changes not saved: Start would run the saved plan, not what is on screen. */
  unsaved: boolean;
}

/** Why `action` cannot be taken now, or undefined when it can. The role's reason first, then the plan's state, then the flag's. */
export function blockedReason(action: PlanAction, { flag, config, plan, readOnlyReason, unsaved }: Situation): string | undefined {
  if (readOnlyReason !== undefined) return readOnlyReason;
  if (!leavesFrom[action].includes(plan.state)) return wrongState[action](plan.state);
  if (action === "start" || action === "resume") {
    if (flag.archived) return "The flag is archived: unarchive it first.";
    if (config.killed) return `The flag is killed in ${config.environment}: unkill it first.`;
  }
  if (action === "start" && unsaved) return "Save or discard your changes first: Start runs the saved plan.";
  return undefined;
}

/** What the enabled actions would do, in the plan's state. */
function whatHappens(plan: RolloutPlanStatusView, config: FlagConfigView): string {
  const step = plan.steps[plan.currentStep]!;
  switch (plan.state) {
    case "running":
      return `Pause holds the rollout at ${formatPercent(step.percent)}; Abort sets it back to 0% and ends the plan.`;
    case "paused":
      return `Resume continues step ${plan.currentStep + 1} with the hold it had served; Abort sets the rollout back to 0% and ends the plan.`;
    default: {
      const again = plan.state === "draft" ? "Start" : "Start runs the plan again from step 1: it";
      return `${again} sets the rollout to ${formatPercent(plan.steps[0]!.percent)}${config.enabled ? "" : " and turns serving on"}, then follows the steps.`;
    }
  }
}

export function PlanActions(situation: Situation) {
  const { flag, config, plan } = situation;
  const id = useId();
  const queryClient = useQueryClient();
  const [aborting, setAborting] = useState(false);
  const act = useMutation({
    mutationFn: ({ action, reason }: { action: PlanAction; reason?: string }) =>
      api<RolloutPlanStatusView>("POST", `${planPath(flag.key, config.environment)}/${action}`, { body: { version: plan.version, ...(reason ? { reason } : {}) } }),
    onSuccess: (status) => queryClient.setQueryData(keys.plan(flag.key, config.environment), status),
    onError: (error) => {
      // Refused because the plan moved on (or the flag did): show it as it is now.
      const current = conflictState<RolloutPlanStatusView | null>(error);
      if (current) queryClient.setQueryData(keys.plan(flag.key, config.environment), current);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: keys.plans(flag.key) });
      // Start, advance and abort set the flag's rollout; start may turn it on.
      void queryClient.invalidateQueries({ queryKey: keys.flag(flag.key) });
    },
  });
  const running = act.isPending ? act.variables.action : null;
  const blocked = (action: PlanAction) => blockedReason(action, situation);
  // Reasons a reader could not guess from the state: the kill, unsaved edits.
  const notable = (["start", "resume"] as const).filter((action) => leavesFrom[action].includes(plan.state)).map(blocked).find((reason) => reason !== undefined && reason !== situation.readOnlyReason);

  const button = (action: PlanAction, className?: string) => (
    <button
      type="button"
      className={className}
      onClick={() => (action === "abort" ? setAborting(true) : act.mutate({ action }))}
      disabled={blocked(action) !== undefined || act.isPending}
      title={blocked(action)}
      aria-describedby={`${id}-what`}
    >
      {running === action ? labels[action].busy : labels[action].idle}
    </button>
  );

  return (
    <div className="plan-actions">
      <div className="row">
        {button("start", "primary")}
        {button("pause")}
        {button("resume")}
        {button("abort", "danger")}
      </div>
      <p id={`${id}-what`} className="hint">
        {whatHappens(plan, config)}
      </p>
      {notable && <p className="note warning">{notable}</p>}
      <ReadOnlyHint reason={situation.readOnlyReason} />
      {!aborting && <ActionError error={act.error} />}
      <AbortDialog
        open={aborting}
        onClose={() => {
          setAborting(false);
          act.reset();
        }}
        situation={situation}
        onAbort={(reason, done) => act.mutate({ action: "abort", reason }, { onSuccess: done })}
        pending={act.isPending}
        error={act.error}
      />
    </div>
  );
}

function ActionError({ error }: { error: unknown }) {
  if (error instanceof ApiRequestError && error.isConflict) {
    return (
      <p className="note warning" role="alert">
        <strong>Not done:</strong> {error.message}. The plan is shown as it is now.
      </p>
    );
  }
  return <ErrorNote error={unclaimed(error, ["reason"])} />;
}

function AbortDialog({
  open,
  onClose,
  situation,
  onAbort,
  pending,
  error,
}: {
  open: boolean;
  onClose: () => void;
  situation: Situation;
  onAbort: (reason: string | undefined, done: () => void) => void;
  pending: boolean;
  error: unknown;
}) {
  const id = useId();
  const [reason, setReason] = useState("");
  const { flag, config, plan } = situation;
  const environment = config.environment;

  function close() {
    setReason("");
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    onAbort(reason.trim() || undefined, close);
  }

  const gone = blockedReason("abort", { ...situation, readOnlyReason: undefined });
  return (
    <Dialog open={open} onClose={close} title={`Abort the rollout plan of ${flag.key} in ${environment}?`}>
      <form onSubmit={submit} className="stack">
        <p>
          The rollout of <strong>{plan.variant}</strong> goes back to <strong>0%</strong> now (from {formatPercent(plan.steps[plan.currentStep]!.percent)}):
          everyone else gets the off variant {config.offVariant}; targeting rules still apply. The plan ends; you can start it again from step 1.
        </p>
        {gone && (
          <p className="note warning" role="status">
            {gone}
          </p>
        )}
        <div>
          <label htmlFor={`${id}-reason`}>Reason (optional)</label>
          <input id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} aria-invalid={hasIssues(error, "reason") || undefined} placeholder="For the audit log" />
          <FieldError error={error} path="reason" />
        </div>
        <ActionError error={error} />
        <DialogActions>
          <button type="button" onClick={close} data-autofocus>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={pending || gone !== undefined}>
            {pending ? "Aborting…" : "Abort plan"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
