/**
 * The "Rollout plan" card of the flag page's environment panel: the plan's live status and its
 * actions, and its editor; or, before there is a plan, what one does and the editor to define it.
 */
import { useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { FlagView, RolloutPlanStatusView } from "@switchyard/core";
import { planQuery } from "../queries";
import { defaultPlanFields, planFieldsOf } from "../plan-fields";
import { useDraft } from "../use-draft";
import { QueryState } from "./feedback";
import { PlanActions } from "./plan-actions";
import { PlanEditor } from "./plan-editor";
import { BreachBanner, PlanStatus } from "./plan-status";

export function RolloutPlanCard({ flag, environment, readOnlyReason }: { flag: FlagView; environment: string; readOnlyReason?: string }) {
  const id = useId();
  const query = useQuery(planQuery(flag.key, environment));
  return (
    <section className="card rollout-plan" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Rollout plan</h3>
      <QueryState query={query} what="the rollout plan">
        {(plan) => <PlanPanel flag={flag} environment={environment} plan={plan} receivedAt={query.dataUpdatedAt} readOnlyReason={readOnlyReason} />}
      </QueryState>
    </section>
  );
}

function PlanPanel({
  flag,
  environment,
  plan,
  receivedAt,
  readOnlyReason,
}: {
  flag: FlagView;
  environment: string;
  plan: RolloutPlanStatusView | null;
  receivedAt: number;
  readOnlyReason?: string;
}) {
  const config = flag.environments[environment]!;
  const draft = useDraft(plan ? planFieldsOf(plan) : defaultPlanFields(flag, config), plan?.version);
  // Open while there is something to prepare; a plan under way shows its status first.
  const [editing, setEditing] = useState(plan === null || plan.state === "draft");
  const lockedReason = plan?.state === "running" ? "A running plan cannot be changed: pause or abort it first." : undefined;

  // One tree whether or not there is a plan, so the editor (and its "Saved.") stays mounted when the first save creates one.
  return (
    <>
      {plan === null ? (
        <p>
          No plan yet in {environment}. A plan raises the rollout step by step, holding each step while guards compare a metric between the
          contexts that get the new variant and everyone else. On a breach it kills the flag or rolls it back to 0%, whether anyone is watching
          or not.
        </p>
      ) : (
        <PlanStatus
          plan={plan}
          receivedAt={receivedAt}
          actions={<PlanActions flag={flag} config={config} plan={plan} readOnlyReason={readOnlyReason} unsaved={draft.dirty} />}
        />
      )}
      <details className="plan-edit" open={editing} onToggle={(event) => setEditing(event.currentTarget.open)}>
        <summary>{plan === null ? "Define a plan" : readOnlyReason || lockedReason ? "The plan's steps and guards" : "Edit the plan"}</summary>
        <PlanEditor flag={flag} config={config} plan={plan} draft={draft} readOnlyReason={readOnlyReason} lockedReason={lockedReason} />
      </details>
    </>
  );
}

/** The banner of a halted plan in `environment`, for the top of the flag page; nothing otherwise. */
export function PlanHaltBanner({ flag, environment }: { flag: string; environment: string }) {
  // The card beside it polls a running plan; a second timer would only double the requests.
  const plan = useQuery({ ...planQuery(flag, environment), refetchInterval: false }).data;
  return plan ? <BreachBanner plan={plan} /> : null;
}
