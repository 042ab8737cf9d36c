/**
 * The targeting of one environment as a draft: individual targets, rules, everyone else and the
 * off variant, saved together against the version the draft started from.
 */
import { useId, useState, type FormEvent } from "react";
import type { FlagConfigView, FlagView, SegmentView } from "@switchyard/core";
import { api, enc } from "../api";
import { Conflict, StaleNote, useConfigWrite } from "../components/conflict";
import { ErrorNote, FieldError, hasIssues, ReadOnlyHint, unclaimed } from "../components/feedback";
import { RulesEditor } from "../components/rules-editor";
import { ServeEditor } from "../components/serve-editor";
import { TargetsEditor } from "../components/targets-editor";
import type { Draft } from "../use-draft";

export type Targeting = Pick<FlagConfigView, "targets" | "rules" | "fallthrough" | "offVariant">;

export function targetingOf(config: FlagConfigView): Targeting {
  return { targets: config.targets, rules: config.rules, fallthrough: config.fallthrough, offVariant: config.offVariant };
}

const FIELDS = ["targets", "rules", "fallthrough", "offVariant", "reason"];

export function TargetingForm({
  flag,
  config,
  segments,
  draft,
  readOnlyReason,
}: {
  flag: FlagView;
  config: FlagConfigView;
  segments: SegmentView[];
  draft: Draft<Targeting>;
  readOnlyReason?: string;
}) {
  const id = useId();
  const [reason, setReason] = useState("");
  const shown = draft.fields;
  const save = useConfigWrite(flag.key, (body: Targeting & { version: number | undefined; reason?: string }) =>
    api<FlagConfigView>("PATCH", `/api/v1/flags/${enc(flag.key)}/environments/${enc(config.environment)}`, { body }),
  );
  const disabled = readOnlyReason !== undefined;
  const change = (edit: Partial<Targeting>) => draft.edit((fields) => ({ ...fields, ...edit }));

  function discard() {
    draft.discard();
    setReason("");
    save.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft.dirty) return;
    const trimmed = reason.trim();
    save.mutate(
      { ...draft.fields, version: draft.baseVersion, ...(trimmed === "" ? {} : { reason: trimmed }) },
      {
        onSuccess: () => {
          draft.discard();
          setReason("");
        },
      },
    );
  }

  const error = save.error;
  return (
    <form className="card targeting" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Targeting</h3>
      <p className="hint">Evaluated in order: individual targets, then rules top to bottom, then everyone else.</p>
      {draft.stale && <StaleNote changed={`This flag changed in ${config.environment}`} version={config.version} />}
      <TargetsEditor targets={shown.targets} onChange={(targets) => change({ targets })} variants={flag.variants} disabled={disabled} error={error} />
      <RulesEditor rules={shown.rules} onChange={(rules) => change({ rules })} variants={flag.variants} segments={segments} disabled={disabled} error={error} />
      <ServeEditor
        serve={shown.fallthrough}
        onChange={(fallthrough) => change({ fallthrough })}
        variants={flag.variants}
        disabled={disabled}
        error={error}
        path="fallthrough"
        label="Everyone else"
      />
      <div>
        <label htmlFor={`${id}-off`}>Off variant</label>
        <select
          id={`${id}-off`}
          value={shown.offVariant}
          onChange={(event) => change({ offVariant: event.target.value })}
          disabled={disabled}
          aria-invalid={hasIssues(error, "offVariant") || undefined}
        >
          {flag.variants.map((variant) => (
            <option key={variant.key} value={variant.key}>
              {variant.key} ({JSON.stringify(variant.value)})
            </option>
          ))}
        </select>
        <p className="hint">Served while the flag is off or killed.</p>
        <FieldError error={error} path="offVariant" />
      </div>
      <div className="save-bar">
        <div className="save-reason">
          <label htmlFor={`${id}-reason`}>Reason (optional)</label>
          <input id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} disabled={disabled || !draft.dirty} placeholder="Why, for the audit log" />
          <FieldError error={error} path="reason" />
        </div>
        <div className="row">
          <button type="submit" className="primary" disabled={disabled || !draft.dirty || save.isPending} title={readOnlyReason}>
            {save.isPending ? "Saving…" : "Save changes"}
          </button>
          <button type="button" onClick={discard} disabled={!draft.dirty || save.isPending}>
            Discard
          </button>
          {draft.dirty && <span className="hint">Unsaved changes, based on version {draft.baseVersion}.</span>}
          {save.isSuccess && !draft.dirty && (
            <span className="hint" role="status">
              Saved.
            </span>
          )}
        </div>
      </div>
      <ReadOnlyHint reason={readOnlyReason} />
      <Conflict error={error} environment={config.environment} onDiscard={discard} />
      <ErrorNote error={unclaimed(error, FIELDS)} />
    </form>
  );
}
