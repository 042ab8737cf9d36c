/** One guard of a plan being edited: the metric, how it is measured, its limits and the samples it waits for. */
import { useId } from "react";
import type { GuardFields, GuardProblems } from "../plan-fields";
import { FieldError, hasIssues } from "./feedback";

export function GuardEditor({
  guard,
  index,
  onChange,
  onRemove,
  problems,
  error,
  disabled,
}: {
  guard: GuardFields;
  index: number;
  onChange(edit: Partial<GuardFields>): void;
  onRemove(): void;
  problems: GuardProblems;
  error: unknown;
  disabled: boolean;
}) {
  const id = useId();
  const path = `guards[${index}]`;
  const invalid = (field: keyof GuardProblems) => problems[field] !== undefined || hasIssues(error, `${path}.${field}`) || undefined;
  const fieldError = (field: keyof GuardProblems) => (
    <>
      {problems[field] && <p className="field-error">{problems[field]}</p>}
      <FieldError error={error} path={`${path}.${field}`} />
    </>
  );
  return (
    <fieldset className="plan-guard-fields">
      <legend>Guard {index + 1}</legend>
      <div className="plan-guard-grid">
        <div>
          <label htmlFor={`${id}-metric`}>Metric</label>
          <input id={`${id}-metric`} value={guard.metric} onChange={(e) => onChange({ metric: e.target.value })} disabled={disabled} aria-invalid={invalid("metric")} autoComplete="off" spellCheck={false} placeholder="error" />
          {fieldError("metric")}
        </div>
        <div>
          <label htmlFor={`${id}-kind`}>Measure</label>
          <select id={`${id}-kind`} value={guard.kind} onChange={(e) => onChange({ kind: e.target.value as GuardFields["kind"] })} disabled={disabled}>
            <option value="rate">Rate of events</option>
            <option value="p95">p95 of values</option>
          </select>
        </div>
        {guard.kind === "rate" ? (
          <>
            <div>
              <label htmlFor={`${id}-ratio`}>Max × control</label>
              <input id={`${id}-ratio`} inputMode="decimal" value={guard.maxRatio} onChange={(e) => onChange({ maxRatio: e.target.value })} disabled={disabled} aria-invalid={invalid("maxRatio")} placeholder="1.5" />
              {fieldError("maxRatio")}
            </div>
            <div>
              <label htmlFor={`${id}-absolute`}>Max rate (%)</label>
              <input id={`${id}-absolute`} inputMode="decimal" value={guard.maxAbsolute} onChange={(e) => onChange({ maxAbsolute: e.target.value })} disabled={disabled} aria-invalid={invalid("maxAbsolute")} placeholder="2" />
              {fieldError("maxAbsolute")}
            </div>
          </>
        ) : (
          <div>
            <label htmlFor={`${id}-max`}>Max p95</label>
            <input id={`${id}-max`} inputMode="decimal" value={guard.max} onChange={(e) => onChange({ max: e.target.value })} disabled={disabled} aria-invalid={invalid("max")} placeholder="250" />
            {fieldError("max")}
          </div>
        )}
        <div>
          <label htmlFor={`${id}-samples`}>Min samples</label>
          <input id={`${id}-samples`} inputMode="numeric" value={guard.minSamples} onChange={(e) => onChange({ minSamples: e.target.value })} disabled={disabled} aria-invalid={invalid("minSamples")} />
          {fieldError("minSamples")}
        </div>
      </div>
      <p className="hint">{describeGuardFields(guard)}</p>
      <FieldError error={error} path={path} except={["metric", "maxRatio", "maxAbsolute", "max", "minSamples"].map((field) => `${path}.${field}`)} />
      <button type="button" className="remove" onClick={onRemove} disabled={disabled} aria-label={`Remove guard ${index + 1}`}>
        Remove guard
      </button>
    </fieldset>
  );
}

/** The guard being typed, in a sentence: what breaches it. */
function describeGuardFields(guard: GuardFields): string {
  const metric = guard.metric.trim() || "the metric";
  const samples = `once each cohort has ${guard.minSamples.trim() || "…"} evaluations`;
  if (guard.kind === "p95") return `Breaches when the rollout cohort's p95 of ${metric} is above ${guard.max.trim() || "…"}, ${samples}.`;
  const limits = [guard.maxRatio.trim() && `above ${guard.maxRatio.trim()}× the control's`, guard.maxAbsolute.trim() && `above ${guard.maxAbsolute.trim()}%`].filter(Boolean);
  if (limits.length === 0) return `Breaches when the rollout cohort's ${metric} rate is above … (set a limit), ${samples}.`;
  return `Breaches when the rollout cohort's ${metric} rate is ${limits.join(" or ")}, ${samples}.`;
}
