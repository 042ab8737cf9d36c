/** A flag's variants: what it can serve. Saved on their own, for every environment at once. */
import { useId } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FlagView, Serve, Variant } from "@switchyard/core";
import { keyProblem } from "@switchyard/core";
import type { UpdateFlagInput } from "@switchyard/core/api-schema";
import { api, enc } from "../api";
import { keys } from "../queries";
import { useDraft } from "../use-draft";
import { parseVariantValue, variantValueText } from "../variants";
import { conflictState, ConflictPanel, StaleNote } from "./conflict";
import { ErrorNote, FieldError, ReadOnlyHint, unclaimed } from "./feedback";
import "./editors.css";

/** A variant being edited: its value as typed, and the key it was saved under (none when new). */
interface VariantDraft {
  saved: string | null;
  key: string;
  valueText: string;
  name: string;
  description: string;
}

const draftsOf = (flag: FlagView): VariantDraft[] =>
  flag.variants.map((v) => ({ saved: v.key, key: v.key, valueText: variantValueText(flag.kind, v.value), name: v.name ?? "", description: v.description ?? "" }));

const serves = (serve: Serve, key: string) => ("variant" in serve ? serve.variant === key : serve.rollout.variants.some((v) => v.variant === key));

/** Where environments still refer to a variant: it cannot be removed or renamed while they do. */
function usesOf(flag: FlagView, key: string): string[] {
  return Object.values(flag.environments).flatMap((config) => {
    const where = [
      config.offVariant === key && "when off",
      serves(config.fallthrough, key) && "by default",
      ...config.rules.map((rule, i) => serves(rule.serve, key) && `rule ${i + 1}`),
      config.targets.some((target) => target.variant === key) && "targets",
    ].filter((use): use is string => use !== false);
    return where.length > 0 ? [`${config.environment} (${where.join(", ")})`] : [];
  });
}

/** The fields of a variant that show the server's complaints about them. */
const FIELDS = ["key", "value", "name", "description"];

export function VariantsEditor({ flag, readOnlyReason }: { flag: FlagView; readOnlyReason?: string }) {
  const id = useId();
  const queryClient = useQueryClient();
  const draft = useDraft(draftsOf(flag), flag.version);
  const drafts = draft.fields;
  const disabled = readOnlyReason !== undefined;
  const fixed = flag.kind === "boolean";

  const save = useMutation({
    mutationFn: (body: UpdateFlagInput) => api<FlagView>("PATCH", `/api/v1/flags/${enc(flag.key)}`, { body }),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.flag(flag.key), updated);
      // Every list that shows it.
      void queryClient.invalidateQueries({ queryKey: keys.flags });
    },
  });
  const conflict = conflictState<FlagView>(save.error);

  const edit = (index: number, change: Partial<VariantDraft>) => draft.edit((current) => current.map((d, i) => (i === index ? { ...d, ...change } : d)));

  const problems = drafts.map((d, index) => {
    const parsed = parseVariantValue(flag.kind, d.valueText);
    return {
      key: keyProblem(d.key) ?? (drafts.findIndex((other) => other.key === d.key) < index ? `duplicate variant key "${d.key}"` : undefined),
      value: "error" in parsed ? parsed.error : undefined,
    };
  });
  const valid = problems.every((problem) => problem.key === undefined && problem.value === undefined);

  function submit() {
    const variants = drafts.map((d): Variant => {
      const parsed = parseVariantValue(flag.kind, d.valueText);
      return {
        key: d.key,
        value: "value" in parsed ? parsed.value : d.valueText,
        ...(d.name.trim() && { name: d.name.trim() }),
        ...(d.description.trim() && { description: d.description.trim() }),
      };
    });
    save.mutate({ variants, version: draft.baseVersion }, { onSuccess: draft.discard });
  }

  function discard() {
    draft.discard();
    save.reset();
  }

  function loadCurrent(current: FlagView) {
    queryClient.setQueryData(keys.flag(current.key), current);
    discard();
  }

  return (
    <div className="variants-editor">
      {fixed && <p className="hint">A boolean flag always has its two variants; you can name and describe them.</p>}
      <ol className="variants">
        {drafts.map((d, index) => {
          const uses = d.saved === null ? [] : usesOf(flag, d.saved);
          const locked = fixed || uses.length > 0;
          const path = `variants[${index}]`;
          const field = `${id}-${index}`;
          return (
            <li key={d.saved ?? `new-${index}`} className="variant card">
              <fieldset>
                <legend>
                  Variant {index + 1}
                  {d.key && `: ${d.key}`}
                </legend>
                <div className="variant-grid">
                  <div>
                    <label htmlFor={`${field}-key`}>Key</label>
                    <input
                      id={`${field}-key`}
                      value={d.key}
                      onChange={(e) => edit(index, { key: e.target.value })}
                      readOnly={locked}
                      disabled={disabled}
                      aria-invalid={problems[index]!.key !== undefined || undefined}
                      aria-describedby={uses.length > 0 ? `${field}-uses` : undefined}
                      autoComplete="off"
                      spellCheck={false}
                    />
                    {problems[index]!.key && <p className="field-error">Key {problems[index]!.key}</p>}
                    <FieldError error={save.error} path={`${path}.key`} />
                  </div>
                  <div className={flag.kind === "json" ? "variant-value wide" : "variant-value"}>
                    <label htmlFor={`${field}-value`}>Value{flag.kind === "json" ? " (JSON)" : flag.kind === "number" ? " (number)" : ""}</label>
                    {flag.kind === "json" ? (
                      <textarea
                        id={`${field}-value`}
                        className="mono"
                        rows={Math.min(8, d.valueText.split("\n").length + 1)}
                        value={d.valueText}
                        onChange={(e) => edit(index, { valueText: e.target.value })}
                        disabled={disabled}
                        aria-invalid={problems[index]!.value !== undefined || undefined}
                        spellCheck={false}
                      />
                    ) : (
                      <input
                        id={`${field}-value`}
                        value={d.valueText}
                        onChange={(e) => edit(index, { valueText: e.target.value })}
                        readOnly={fixed}
                        disabled={disabled}
                        inputMode={flag.kind === "number" ? "decimal" : undefined}
                        aria-invalid={problems[index]!.value !== undefined || undefined}
                        autoComplete="off"
                      />
                    )}
                    {problems[index]!.value && <p className="field-error">Value {problems[index]!.value}</p>}
                    <FieldError error={save.error} path={`${path}.value`} />
                  </div>
                  <div>
                    <label htmlFor={`${field}-name`}>Name (optional)</label>
                    <input id={`${field}-name`} value={d.name} onChange={(e) => edit(index, { name: e.target.value })} disabled={disabled} maxLength={200} />
                    <FieldError error={save.error} path={`${path}.name`} />
                  </div>
                  <div className="wide">
                    <label htmlFor={`${field}-description`}>Description (optional)</label>
                    <input id={`${field}-description`} value={d.description} onChange={(e) => edit(index, { description: e.target.value })} disabled={disabled} maxLength={1000} />
                    <FieldError error={save.error} path={`${path}.description`} />
                  </div>
                </div>
                {uses.length > 0 && !fixed && (
                  <p id={`${field}-uses`} className="hint" title={uses.join("; ")}>
                    In use in {uses.length > 3 ? `${uses.slice(0, 3).join("; ")} and ${uses.length - 3} more environments` : uses.join("; ")}: its key cannot
                    change and it cannot be removed until nothing serves it.
                  </p>
                )}
                {!fixed && (
                  <button
                    type="button"
                    className="remove"
                    onClick={() => draft.edit((current) => current.filter((_, i) => i !== index))}
                    disabled={disabled || locked || drafts.length === 1}
                    title={readOnlyReason ?? (uses.length > 0 ? `Still served in ${uses.join("; ")}` : drafts.length === 1 ? "A flag needs at least one variant" : undefined)}
                    aria-label={`Remove variant ${index + 1}${d.key ? ` (${d.key})` : ""}`}
                  >
                    Remove
                  </button>
                )}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <FieldError error={save.error} path="variants" except={drafts.flatMap((_, index) => FIELDS.map((field) => `variants[${index}].${field}`))} />
      {/* Such as an environment that still serves a removed variant. */}
      <ErrorNote error={unclaimed(save.error, ["variants"])} />
      {draft.stale && !conflict && <StaleNote changed="This flag changed" version={flag.version} />}
      {conflict && (
        <ConflictPanel heading="Not saved: this flag changed after you started editing its variants." onLoad={() => loadCurrent(conflict)}>
          <p>Its variants are now:</p>
          <ul>
            {conflict.variants.map((variant) => (
              <li key={variant.key}>
                <code>{variant.key}</code>: <code>{JSON.stringify(variant.value)}</code>
                {variant.name && ` — ${variant.name}`}
              </li>
            ))}
          </ul>
        </ConflictPanel>
      )}
      <ReadOnlyHint reason={readOnlyReason} />
      <div className="row editor-actions">
        {!fixed && (
          <button
            type="button"
            onClick={() => draft.edit((current) => [...current, { saved: null, key: "", valueText: flag.kind === "json" ? "{}" : "", name: "", description: "" }])}
            disabled={disabled || drafts.length >= 100}
            title={readOnlyReason}
          >
            + Add variant
          </button>
        )}
        <span className="spacer" />
        {draft.dirty && (
          <button type="button" onClick={discard} disabled={save.isPending}>
            Discard changes
          </button>
        )}
        <button type="button" className="primary" onClick={submit} disabled={disabled || !draft.dirty || !valid || save.isPending} title={readOnlyReason}>
          {save.isPending ? "Saving…" : "Save variants"}
        </button>
      </div>
    </div>
  );
}
