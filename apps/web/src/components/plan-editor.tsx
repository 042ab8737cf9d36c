/**
 * A rollout plan's definition as a draft: its steps, its guards and what a breach does, saved
 * whole (PUT) against the version the edits started from.
 */
import { useId, useRef, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FlagConfigView, FlagView, RolloutPlanStatusView } from "@switchyard/core";
import type { PlanInput } from "@switchyard/core/api-schema";
import { api } from "../api";
import { keys, planPath } from "../queries";
import { MAX_GUARDS, MAX_STEPS, newGuard, newStep, planInputOf, planProblems, type GuardFields, type PlanFields, type StepFields } from "../plan-fields";
import type { Draft } from "../use-draft";
import { conflictState, ConflictPanel, StaleNote } from "./conflict";
import { ErrorNote, FieldError, hasIssues, ReadOnlyHint, unclaimed } from "./feedback";
import { GuardEditor } from "./guard-editor";
import { PlanSummary } from "./plan-status";
import "./editors.css";
import "./plan.css";

/** api()'s methods predate the one resource written whole; PUT goes through it all the same. */


export function PlanEditor({
  flag,
  config,
  plan,
  draft,
  readOnlyReason,
  lockedReason,
}: {
  flag: FlagView;
  config: FlagConfigView;
  /** The plan on the server; null while none is defined. */
  plan: RolloutPlanStatusView | null;
  draft: Draft<PlanFields>;
  readOnlyReason?: string;
  /** Why the plan cannot be replaced now, whoever you are (it is running). */
  lockedReason?: string;
}) {
  const id = useId();
  const queryClient = useQueryClient();
  const environment = config.environment;
  const fields = draft.fields;
  const problems = planProblems(fields);
  const disabledReason = readOnlyReason ?? lockedReason;
  const disabled = disabledReason !== undefined;
  const stepList = useRef<HTMLOListElement>(null);

  const save = useMutation({
    mutationFn: (body: PlanInput) => api<RolloutPlanStatusView>("PUT", planPath(flag.key, environment), { body }),
    onSuccess: (saved) => queryClient.setQueryData(keys.plan(flag.key, environment), saved),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.plans(flag.key) }),
  });
  const error = save.error;
  const conflict = conflictState<RolloutPlanStatusView | null>(error);
  // Edits begun when there was no plan cannot name a version: one defined meanwhile is a conflict already.
  const definedMeanwhile = draft.dirty && draft.baseVersion === undefined && plan !== null ? plan : null;

  const change = (edit: (fields: PlanFields) => Partial<PlanFields>) => draft.edit((current) => ({ ...current, ...edit(current) }));
  const editStep = (index: number, edit: Partial<StepFields>) => change((f) => ({ steps: f.steps.map((s, i) => (i === index ? { ...s, ...edit } : s)) }));
  const editGuard = (index: number, edit: Partial<GuardFields>) => change((f) => ({ guards: f.guards.map((g, i) => (i === index ? { ...g, ...edit } : g)) }));

  function moveStep(index: number, by: -1 | 1) {
    const to = index + by;
    change((f) => {
      const steps = [...f.steps];
      [steps[index], steps[to]] = [steps[to]!, steps[index]!];
      return { steps };
    });
    // Keep the keyboard on the moved step: on the same button, or the other one at either end.
    requestAnimationFrame(() => {
      const buttons = stepList.current?.querySelectorAll<HTMLButtonElement>(`[data-step-index="${to}"] .plan-step-move button`);
      const preferred = buttons?.[by === -1 ? 0 : 1];
      (preferred && !preferred.disabled ? preferred : buttons?.[by === -1 ? 1 : 0])?.focus();
    });
  }

  function discard() {
    draft.discard();
    save.reset();
  }

  function loadCurrent(current: RolloutPlanStatusView | null) {
    if (current) queryClient.setQueryData(keys.plan(flag.key, environment), current);
    discard();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft.dirty || !problems.valid || definedMeanwhile) return;
    save.mutate(planInputOf(fields, flag.kind, draft.baseVersion), { onSuccess: draft.discard });
  }

  // A draft is simply edited (and a running plan cannot be); any other plan is replaced by a new draft.
  const replaces =
    plan === null || plan.state === "draft" || plan.state === "running"
      ? null
      : plan.state === "paused"
        ? "Saving replaces this paused plan with a draft: the rollout stays where it is until you start the new plan, from its step 1."
        : `Saving replaces this ${plan.state} plan with a draft; start it to run it.`;
  const variantChoices = flag.variants.filter((variant) => variant.key !== config.offVariant);

  return (
    // noValidate: planProblems checks every field, in the words the page uses.
    <form className="plan-editor" onSubmit={submit} aria-label="Plan steps and guards" noValidate>
      {draft.stale && plan !== null && !definedMeanwhile && !conflict && <StaleNote changed={`The plan in ${environment} changed`} version={plan.version} />}
      {flag.kind !== "boolean" && (
        <div>
          <label htmlFor={`${id}-variant`}>Variant to roll out</label>
          <select
            id={`${id}-variant`}
            value={fields.variant}
            onChange={(event) => change(() => ({ variant: event.target.value }))}
            disabled={disabled}
            aria-invalid={hasIssues(error, "variant") || undefined}
          >
            {variantChoices.map((variant) => (
              <option key={variant.key} value={variant.key}>
                {variant.key}
              </option>
            ))}
          </select>
          <p className="hint">Everyone else in the rollout gets the off variant, {config.offVariant}.</p>
          <FieldError error={error} path="variant" />
        </div>
      )}

      <fieldset className="plan-steps">
        <legend>Steps</legend>
        <p className="hint">
          Each step sets the rollout to its percent and holds it at least that long. The next step starts once the hold is over and every guard
          has enough samples and passed.
        </p>
        <ol ref={stepList}>
          {fields.steps.map((step, index) => {
            const n = index + 1;
            const field = `${id}-step-${index}`;
            const path = `steps[${index}]`;
            const stepProblems = problems.steps[index]!;
            return (
              <li key={index} className="plan-step" data-step-index={index}>
                <div className="plan-step-fields">
                  <span className="plan-step-name">Step {n}</span>
                  <span className="plan-step-values">
                    <span className="percent-input">
                      <input
                        aria-label={`Step ${n} percent`}
                        inputMode="decimal"
                        value={step.percent}
                        onChange={(event) => editStep(index, { percent: event.target.value })}
                        disabled={disabled}
                        aria-invalid={stepProblems.percent !== undefined || hasIssues(error, `${path}.percent`) || undefined}
                        aria-describedby={`${field}-errors`}
                      />
                      <span aria-hidden="true">%</span>
                    </span>
                    <span className="plan-step-hold">
                      <span aria-hidden="true">for</span>
                      <input
                        aria-label={`Step ${n} hold`}
                        inputMode="numeric"
                        value={step.hold}
                        onChange={(event) => editStep(index, { hold: event.target.value })}
                        disabled={disabled}
                        aria-invalid={stepProblems.hold !== undefined || hasIssues(error, `${path}.holdSeconds`) || undefined}
                        aria-describedby={`${field}-errors`}
                      />
                      <select aria-label={`Step ${n} hold unit`} value={step.unit} onChange={(event) => editStep(index, { unit: event.target.value as StepFields["unit"] })} disabled={disabled}>
                        <option value="minutes">min</option>
                        <option value="seconds">sec</option>
                      </select>
                    </span>
                  </span>
                  <span className="plan-step-move">
                    <button type="button" onClick={() => moveStep(index, -1)} disabled={disabled || index === 0} aria-label={`Move step ${n} up`}>
                      ↑
                    </button>
                    <button type="button" onClick={() => moveStep(index, 1)} disabled={disabled || index === fields.steps.length - 1} aria-label={`Move step ${n} down`}>
                      ↓
                    </button>
                  </span>
                  <button
                    type="button"
                    className="remove"
                    onClick={() => change((f) => ({ steps: f.steps.filter((_, i) => i !== index) }))}
                    disabled={disabled || fields.steps.length === 1}
                    aria-label={`Remove step ${n}`}
                    title={fields.steps.length === 1 ? "A plan needs at least one step" : undefined}
                  >
                    Remove
                  </button>
                </div>
                <div id={`${field}-errors`}>
                  {stepProblems.percent && <p className="field-error">Percent: {stepProblems.percent}</p>}
                  {stepProblems.hold && <p className="field-error">Hold: {stepProblems.hold}</p>}
                  <FieldError error={error} path={`${path}.percent`} />
                  <FieldError error={error} path={`${path}.holdSeconds`} />
                </div>
              </li>
            );
          })}
        </ol>
        <FieldError error={error} path="steps" except={fields.steps.flatMap((_, i) => [`steps[${i}].percent`, `steps[${i}].holdSeconds`])} />
        <button
          type="button"
          onClick={() => change((f) => ({ steps: [...f.steps, newStep(f.steps.at(-1))] }))}
          disabled={disabled || fields.steps.length >= MAX_STEPS}
          title={fields.steps.length >= MAX_STEPS ? `At most ${MAX_STEPS} steps` : disabledReason}
        >
          + Add step
        </button>
      </fieldset>

      <fieldset className="plan-guards">
        <legend>Guards</legend>
        <p className="hint">
          A guard compares a metric your SDKs track (<code>track("error", context)</code>) between the rollout cohort, the contexts served{" "}
          {fields.variant}, and everyone else (control). Nothing is judged until each cohort has the minimum number of evaluations.
        </p>
        {fields.guards.length === 0 && <p className="empty">No guards: each step advances once its hold is over.</p>}
        {fields.guards.map((guard, index) => (
          <GuardEditor
            key={index}
            guard={guard}
            index={index}
            onChange={(edit) => editGuard(index, edit)}
            onRemove={() => change((f) => ({ guards: f.guards.filter((_, i) => i !== index) }))}
            problems={problems.guards[index]!}
            error={error}
            disabled={disabled}
          />
        ))}
        <FieldError error={error} path="guards" except={fields.guards.map((_, i) => `guards[${i}]`)} />
        <button
          type="button"
          onClick={() => change((f) => ({ guards: [...f.guards, newGuard()] }))}
          disabled={disabled || fields.guards.length >= MAX_GUARDS}
          title={fields.guards.length >= MAX_GUARDS ? `At most ${MAX_GUARDS} guards` : disabledReason}
        >
          + Add guard
        </button>
      </fieldset>

      <fieldset className="plan-breach">
        <legend>On a breach</legend>
        <label className="inline">
          <input type="radio" name={`${id}-breach`} checked={fields.onBreach === "kill"} onChange={() => change(() => ({ onBreach: "kill" }))} disabled={disabled} />
          Kill the flag <span className="muted">(every SDK serves {config.offVariant})</span>
        </label>
        <label className="inline">
          <input type="radio" name={`${id}-breach`} checked={fields.onBreach === "rollback"} onChange={() => change(() => ({ onBreach: "rollback" }))} disabled={disabled} />
          Roll back to 0% <span className="muted">(targeting rules still apply)</span>
        </label>
        <p className="hint">Either way the plan halts, and the audit log records the guard's numbers.</p>
        <FieldError error={error} path="onBreach" />
      </fieldset>

      {definedMeanwhile && (
        <ConflictPanel heading={`Not saved: someone defined a plan in ${environment} after you started.`} onLoad={() => loadCurrent(definedMeanwhile)}>
          <PlanSummary plan={definedMeanwhile} />
        </ConflictPanel>
      )}
      {conflict !== null && !definedMeanwhile && (
        <ConflictPanel heading={`Not saved: ${error instanceof Error ? error.message : "the plan changed"}.`} onLoad={() => loadCurrent(conflict)}>
          {conflict && <PlanSummary plan={conflict} />}
        </ConflictPanel>
      )}
      {/* A boolean flag's variant has no field here: its errors, as a missing version's, go in the banner. */}
      <ErrorNote error={unclaimed(error, flag.kind === "boolean" ? ["steps", "guards", "onBreach"] : ["variant", "steps", "guards", "onBreach"])} />
      {replaces && draft.dirty && <p className="note warning">{replaces}</p>}
      <div className="row editor-actions">
        <button type="submit" className="primary" disabled={disabled || !draft.dirty || !problems.valid || save.isPending || definedMeanwhile !== null} title={disabledReason}>
          {save.isPending ? "Saving…" : "Save plan"}
        </button>
        <button type="button" onClick={discard} disabled={!draft.dirty || save.isPending}>
          Discard
        </button>
        {draft.dirty && !problems.valid && <span className="hint">Fix the fields marked above to save.</span>}
        {draft.dirty && problems.valid && (
          <span className="hint">{draft.baseVersion === undefined ? "Not saved yet." : `Unsaved changes, based on version ${draft.baseVersion}.`}</span>
        )}
        {save.isSuccess && !draft.dirty && (
          <span className="hint" role="status">
            Saved.
          </span>
        )}
      </div>
      {lockedReason && !readOnlyReason && <p className="hint read-only">{lockedReason}</p>}
      <ReadOnlyHint reason={readOnlyReason} />
    </form>
  );
}
