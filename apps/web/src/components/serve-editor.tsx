/** What a rule or the default serves: one variant, or a percentage split over variants. */
import { useEffect, useId, useState } from "react";
import { BUCKET_COUNT, type Serve, type Variant, type WeightedVariant } from "@switchyard/core";
import { formatPercent } from "../flag-state";
import { variantLabel } from "../variants";
import { AttributeInput } from "./attribute-input";
import { FieldError, hasIssues } from "./feedback";
import "./editors.css";

/** Weight units in one percent: weights count 0.001% steps. */
const WEIGHT_PER_PERCENT = BUCKET_COUNT / 100;

/**
 * A percentage as a rollout weight, rounded to the nearest 0.001% step so float noise never
 * leaks into the stored integer.
 *
 * @example
 * percentToWeight(33.333); // 33333
 */
export function percentToWeight(percent: number): number {
  return Math.round(percent * WEIGHT_PER_PERCENT);
}

/**
 * A rollout weight as a percentage.
 *
 * @example
 * weightToPercent(33333); // 33.333
 */
export function weightToPercent(weight: number): number {
  return weight / WEIGHT_PER_PERCENT;
}

/** Weights that split BUCKET_COUNT as evenly as integers allow; the first ones take the remainder. */
export function evenWeights(count: number): number[] {
  const base = Math.floor(BUCKET_COUNT / count);
  const remainder = BUCKET_COUNT - base * count;
  return Array.from({ length: count }, (_, i) => base + (i < remainder ? 1 : 0));
}

export function ServeEditor({
  serve,
  onChange,
  variants,
  disabled,
  error: errors,
  path,
  label,
}: {
  serve: Serve;
  onChange(serve: Serve): void;
  variants: Variant[];
  disabled: boolean;
  error: unknown;
  path: string;
  label: string;
}) {
  const id = useId();
  const isRollout = "rollout" in serve;

  function toVariant() {
    if (!("rollout" in serve)) return;
    const heaviest = serve.rollout.variants.reduce<WeightedVariant | undefined>((best, v) => (best === undefined || v.weight > best.weight ? v : best), undefined);
    onChange({ variant: heaviest?.variant ?? variants[0]?.key ?? "" });
  }

  function toRollout() {
    if ("rollout" in serve) return;
    // Start from what is served now: its variant at 100%, every other at 0%.
    const chosen = variants.some((v) => v.key === serve.variant) ? serve.variant : variants[0]?.key;
    onChange({ rollout: { bucketBy: "key", variants: variants.map((v) => ({ variant: v.key, weight: v.key === chosen ? BUCKET_COUNT : 0 })) } });
  }

  return (
    <fieldset className="serve-editor">
      <legend>{label}</legend>
      <div className="row serve-mode" role="radiogroup" aria-label={`${label}: how`}>
        <label className="inline">
          <input type="radio" name={`${id}-mode`} checked={!isRollout} onChange={toVariant} disabled={disabled} />
          Serve a variant
        </label>
        <label className="inline">
          <input type="radio" name={`${id}-mode`} checked={isRollout} onChange={toRollout} disabled={disabled} />
          Split by percentage
        </label>
      </div>
      {"rollout" in serve ? (
        <RolloutFields rollout={serve.rollout} onChange={(rollout) => onChange({ rollout })} variants={variants} disabled={disabled} errors={errors} path={`${path}.rollout`} label={label} />
      ) : (
        <div>
          <label htmlFor={`${id}-variant`}>Variant</label>
          <select
            id={`${id}-variant`}
            value={serve.variant}
            onChange={(e) => onChange({ variant: e.target.value })}
            disabled={disabled}
            aria-invalid={hasIssues(errors, `${path}.variant`) || undefined}
          >
            {!variants.some((v) => v.key === serve.variant) && <option value={serve.variant}>{serve.variant || "(none)"} — no such variant</option>}
            {variants.map((variant) => (
              <option key={variant.key} value={variant.key}>
                {variantLabel(variant)}
              </option>
            ))}
          </select>
        </div>
      )}
      <FieldError error={errors} path={path} />
    </fieldset>
  );
}

type Rollout = Extract<Serve, { rollout: unknown }>["rollout"];

function RolloutFields({
  rollout,
  onChange,
  variants,
  disabled,
  errors,
  path,
  label,
}: {
  rollout: Rollout;
  onChange(rollout: Rollout): void;
  variants: Variant[];
  disabled: boolean;
  errors: unknown;
  path: string;
  label: string;
}) {
  const id = useId();
  // Every variant of the flag gets a row; a weighted variant the flag no longer has stays visible.
  const keys = [...variants.map((v) => v.key), ...rollout.variants.map((w) => w.variant).filter((key) => !variants.some((v) => v.key === key))];
  const weightOf = (key: string) => rollout.variants.find((w) => w.variant === key)?.weight ?? 0;
  const total = keys.reduce((sum, key) => sum + weightOf(key), 0);
  const totalOk = total === BUCKET_COUNT;

  function setWeight(key: string, weight: number) {
    onChange({ ...rollout, variants: keys.map((k) => ({ variant: k, weight: k === key ? weight : weightOf(k) })) });
  }

  return (
    <div className="rollout-fields">
      <table className="rollout-table">
        <caption className="visually-hidden">{label}: percentage per variant</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col">Percent</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const variant = variants.find((v) => v.key === key);
            return (
              <tr key={key}>
                <th scope="row" className="variant-name">
                  {variant ? variantLabel(variant) : `${key} — no such variant`}
                </th>
                <td>
                  <PercentInput label={`Percent for ${key}`} weight={weightOf(key)} onChange={(weight) => setWeight(key, weight)} disabled={disabled} describedBy={`${id}-total`} invalid={!totalOk} />
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td id={`${id}-total`} className={totalOk ? "rollout-total" : "rollout-total wrong"}>
              {formatPercent(weightToPercent(total))}
              {totalOk ? " ✓" : " ✗"}
            </td>
          </tr>
        </tfoot>
      </table>
      {!totalOk && (
        <p className="field-error" role="alert">
          The split adds up to {formatPercent(weightToPercent(total))}; it must add up to exactly 100%.
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => onChange({ ...rollout, variants: keys.map((key, i) => ({ variant: key, weight: evenWeights(keys.length)[i]! })) })} disabled={disabled}>
          Split evenly
        </button>
      </div>
      <label htmlFor={`${id}-bucket-by`}>Bucket by attribute</label>
      <AttributeInput
        id={`${id}-bucket-by`}
        value={rollout.bucketBy}
        onChange={(e) => onChange({ ...rollout, bucketBy: e.target.value })}
        onBlur={() => rollout.bucketBy.trim() === "" && onChange({ ...rollout, bucketBy: "key" })}
        disabled={disabled}
        aria-describedby={`${id}-bucket-hint`}
        aria-invalid={hasIssues(errors, `${path}.bucketBy`) || undefined}
      />
      <p id={`${id}-bucket-hint`} className="hint">
        Contexts with the same value of this attribute always get the same variant (usually <code>key</code>).
      </p>
    </div>
  );
}

/**
 * A percent box that keeps what is being typed ("12.", "0.00") and reports a weight whenever the
 * text is a number; it shows the stored weight again when that changes from outside.
 */
function PercentInput({
  label,
  weight,
  onChange,
  disabled,
  describedBy,
  invalid,
}: {
  label: string;
  weight: number;
  onChange(weight: number): void;
  disabled: boolean;
  describedBy: string;
  invalid: boolean;
}) {
  const [text, setText] = useState(String(weightToPercent(weight)));
  useEffect(() => {
    setText((current) => (current.trim() !== "" && percentToWeight(Number(current)) === weight ? current : String(weightToPercent(weight))));
  }, [weight]);
  const parsed = Number(text);
  const outOfRange = text.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || parsed > 100;
  return (
    <span className="percent-input">
      <input
        aria-label={label}
        type="number"
        inputMode="decimal"
        min={0}
        max={100}
        step={0.001}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const percent = Number(e.target.value);
          if (e.target.value.trim() !== "" && Number.isFinite(percent) && percent >= 0 && percent <= 100) onChange(percentToWeight(percent));
        }}
        onBlur={() => setText(String(weightToPercent(weight)))}
        disabled={disabled}
        aria-describedby={describedBy}
        aria-invalid={invalid || outOfRange || undefined}
      />
      <span aria-hidden="true">%</span>
    </span>
  );
}
