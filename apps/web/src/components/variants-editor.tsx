/** A flag's variants: what it can serve. Saved on their own, for every environment at once. */
import { useEffect, useId, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FlagKind, FlagView, JsonValue, Serve, Variant } from "@switchyard/core";
import { keyProblem } from "@switchyard/core";
import type { UpdateFlagInput } from "@switchyard/core/api-schema";
import { api, ApiRequestError, enc } from "../api";
import { keys } from "../queries";
import { ErrorNote, FieldError } from "./feedback";
import "./editors.css";

/** A variant being edited: its value as typed, and the key it was saved under (none when new). */
interface Draft {
  saved: string | null;
  key: string;
  valueText: string;
  name: string;
  description: string;
}

function valueText(kind: FlagKind, value: JsonValue): string {
  if (kind === "string") return typeof value === "string" ? value : JSON.stringify(value);
  if (kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/** The typed text as a value of the flag's kind, or why it is not one. */
export function parseVariantValue(kind: FlagKind, text: string): { value: JsonValue } | { error: string } {
  switch (kind) {
    case "string":
      return { value: text };
    case "number": {
      const value = Number(text);
      return text.trim() !== "" && Number.isFinite(value) ? { value } : { error: "must be a number, such as 3 or 2.5" };
    }
    case "boolean":
      return text === "true" || text === "false" ? { value: text === "true" } : { error: "must be true or false" };
    case "json":
      try {
        return { value: JSON.parse(text) as JsonValue };
      } catch (error) {
        return { error: `is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
      }
  }
}

const draftsOf = (flag: FlagView): Draft[] =>
  flag.variants.map((v) => ({ saved: v.key, key: v.key, valueText: valueText(flag.kind, v.value), name: v.name ?? "", description: v.description ?? "" }));

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

export function VariantsEditor({ flag, disabled }: { flag: FlagView; disabled: boolean }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [drafts, setDrafts] = useState<Draft[]>(() => draftsOf(flag));
  // The version the drafts started from: a save names it, so changes made meanwhile are not overwritten.
  const [baseVersion, setBaseVersion] = useState(flag.version);
  const [dirty, setDirty] = useState(false);
  const fixed = flag.kind === "boolean";

  // Follow changes made elsewhere while nothing is being edited here.
  useEffect(() => {
    if (dirty) return;
    setDrafts(draftsOf(flag));
    setBaseVersion(flag.version);
  }, [flag, dirty]);

  const save = useMutation({
    mutationFn: (variants: Variant[]) => {
      const body: UpdateFlagInput = { variants, version: baseVersion };
      return api<FlagView>("PATCH", `/api/v1/flags/${enc(flag.key)}`, { body });
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.flag(flag.key), updated);
      // The flag's page and every list that shows it.
      void queryClient.invalidateQueries({ queryKey: keys.flags });
      setDrafts(draftsOf(updated));
      setBaseVersion(updated.version);
      setDirty(false);
    },
  });
  const errors = save.error;
  const conflict = save.error instanceof ApiRequestError && save.error.isConflict ? (save.error.current as FlagView) : null;

  const edit = (index: number, change: Partial<Draft>) => {
    setDrafts((current) => current.map((draft, i) => (i === index ? { ...draft, ...change } : draft)));
    setDirty(true);
  };

  const problems = drafts.map((draft, index) => ({
    key: keyProblem(draft.key) ?? (drafts.findIndex((other) => other.key === draft.key) < index ? `duplicate variant key "${draft.key}"` : undefined),
    value: (() => {
      const parsed = parseVariantValue(flag.kind, draft.valueText);
      return "error" in parsed ? parsed.error : undefined;
    })(),
  }));
  const valid = problems.every((problem) => problem.key === undefined && problem.value === undefined);

  function submit() {
    const variants = drafts.map((draft): Variant => {
      const parsed = parseVariantValue(flag.kind, draft.valueText) as { value: JsonValue };
      return { key: draft.key, value: parsed.value, ...(draft.name.trim() && { name: draft.name.trim() }), ...(draft.description.trim() && { description: draft.description.trim() }) };
    });
    save.mutate(variants);
  }

  function loadCurrent(current: FlagView) {
    queryClient.setQueryData(keys.flag(current.key), current);
    setDrafts(draftsOf(current));
    setBaseVersion(current.version);
    setDirty(false);
    save.reset();
  }

  // Server issues no variant field claims, such as an environment that still serves a removed variant.
  const unclaimed = errors instanceof ApiRequestError && !conflict ? errors.issues.filter((issue) => !issue.path.startsWith("variants")) : [];

  return (
    <div className="variants-editor">
      {fixed && <p className="hint">A boolean flag always has its two variants; you can name and describe them.</p>}
      <ol className="variants">
        {drafts.map((draft, index) => {
          const uses = draft.saved === null ? [] : usesOf(flag, draft.saved);
          const locked = fixed || uses.length > 0;
          const path = `variants[${index}]`;
          const field = `${id}-${index}`;
          return (
            <li key={draft.saved ?? `new-${index}`} className="variant card">
              <fieldset>
                <legend>
                  Variant {index + 1}
                  {draft.key && `: ${draft.key}`}
                </legend>
                <div className="variant-grid">
                  <div>
                    <label htmlFor={`${field}-key`}>Key</label>
                    <input
                      id={`${field}-key`}
                      value={draft.key}
                      onChange={(e) => edit(index, { key: e.target.value })}
                      readOnly={locked}
                      disabled={disabled}
                      aria-invalid={problems[index]!.key !== undefined || undefined}
                      aria-describedby={uses.length > 0 ? `${field}-uses` : undefined}
                      autoComplete="off"
                      spellCheck={false}
                    />
                    {problems[index]!.key && <p className="field-error">Key {problems[index]!.key}</p>}
                    <FieldError error={errors} path={`${path}.key`} />
                  </div>
                  <div className={flag.kind === "json" ? "variant-value wide" : "variant-value"}>
                    <label htmlFor={`${field}-value`}>Value{flag.kind === "json" ? " (JSON)" : flag.kind === "number" ? " (number)" : ""}</label>
                    {flag.kind === "json" ? (
                      <textarea
                        id={`${field}-value`}
                        className="mono"
                        rows={Math.min(8, draft.valueText.split("\n").length + 1)}
                        value={draft.valueText}
                        onChange={(e) => edit(index, { valueText: e.target.value })}
                        disabled={disabled}
                        aria-invalid={problems[index]!.value !== undefined || undefined}
                        spellCheck={false}
                      />
                    ) : (
                      <input
                        id={`${field}-value`}
                        value={draft.valueText}
                        onChange={(e) => edit(index, { valueText: e.target.value })}
                        readOnly={fixed}
                        disabled={disabled}
                        inputMode={flag.kind === "number" ? "decimal" : undefined}
                        aria-invalid={problems[index]!.value !== undefined || undefined}
                        autoComplete="off"
                      />
                    )}
                    {problems[index]!.value && <p className="field-error">Value {problems[index]!.value}</p>}
                    <FieldError error={errors} path={`${path}.value`} />
                  </div>
                  <div>
                    <label htmlFor={`${field}-name`}>Name (optional)</label>
                    <input id={`${field}-name`} value={draft.name} onChange={(e) => edit(index, { name: e.target.value })} disabled={disabled} maxLength={200} />
                    <FieldError error={errors} path={`${path}.name`} />
                  </div>
                  <div className="wide">
                    <label htmlFor={`${field}-description`}>Description (optional)</label>
                    <input id={`${field}-description`} value={draft.description} onChange={(e) => edit(index, { description: e.target.value })} disabled={disabled} maxLength={1000} />
                    <FieldError error={errors} path={`${path}.description`} />
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
                    onClick={() => {
                      setDrafts((current) => current.filter((_, i) => i !== index));
                      setDirty(true);
                    }}
                    disabled={disabled || locked || drafts.length === 1}
                    title={uses.length > 0 ? `Still served in ${uses.join("; ")}` : drafts.length === 1 ? "A flag needs at least one variant" : undefined}
                    aria-label={`Remove variant ${index + 1}${draft.key ? ` (${draft.key})` : ""}`}
                  >
                    Remove
                  </button>
                )}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <FieldError error={errors} path="variants" />
      {unclaimed.length > 0 && <ErrorNote error={new ApiRequestError(400, "invalid_request", "The server refused these variants:", unclaimed)} />}
      {save.error && !(errors instanceof ApiRequestError && (errors.issues.length > 0 || errors.isConflict)) && <ErrorNote error={save.error} />}
      {dirty && baseVersion !== flag.version && !conflict && (
        <p className="note warning" role="status">
          Someone changed this flag since you started editing its variants (now version {flag.version}). Your changes are kept; saving them overwrites
          nothing but shows you the current version first.
        </p>
      )}
      {conflict && (
        <div className="note warning conflict" role="alert">
          <strong>Someone else changed this flag while you were editing.</strong> Nothing was saved. Its variants are now:
          <ul>
            {conflict.variants.map((variant) => (
              <li key={variant.key}>
                <code>{variant.key}</code>: <code>{JSON.stringify(variant.value)}</code>
                {variant.name && ` — ${variant.name}`}
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => loadCurrent(conflict)}>
            Discard my changes and load the current version
          </button>
        </div>
      )}
      <div className="row editor-actions">
        {!fixed && (
          <button
            type="button"
            onClick={() => {
              setDrafts((current) => [...current, { saved: null, key: "", valueText: flag.kind === "json" ? "{}" : "", name: "", description: "" }]);
              setDirty(true);
            }}
            disabled={disabled || drafts.length >= 100}
          >
            + Add variant
          </button>
        )}
        <span className="spacer" />
        {dirty && (
          <button
            type="button"
            onClick={() => {
              setDrafts(draftsOf(flag));
              setBaseVersion(flag.version);
              setDirty(false);
              save.reset();
            }}
            disabled={save.isPending}
          >
            Discard changes
          </button>
        )}
        <button type="button" className="primary" onClick={submit} disabled={disabled || !dirty || !valid || save.isPending}>
          {save.isPending ? "Saving…" : "Save variants"}
        </button>
      </div>
    </div>
  );
}
