/**
 * The fallthrough rollout of one environment: a slider and an exact number kept in sync, and a
 * preview of who would get the variant, evaluated in the browser by the SDKs' own core.
 */
import { useId, useMemo, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { compileFlag, flagDefinition, rolloutServe, type FlagConfigView, type FlagView, type Segment, type SeenContextView } from "@switchyard/core";
import { api, enc } from "../api";
import { formatPercent, rolloutVariant } from "../flag-state";
import { servedPercent } from "../definition";
import { seenContextsQuery } from "../queries";
import { Conflict, useConfigWrite } from "./conflict";
import { ErrorNote, FieldError, hasIssues, Loading, unclaimed } from "./feedback";

/** A typed percentage, or why it is not one the server accepts (0..100 in 0.001 steps). */
export function parsePercent(text: string): { percent: number; error?: undefined } | { percent?: undefined; error: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { error: "Enter a percentage from 0 to 100." };
  const percent = Number(trimmed);
  if (!Number.isFinite(percent)) return { error: "Must be a number, such as 12.5." };
  if (percent < 0 || percent > 100) return { error: "Must be between 0 and 100." };
  if (Math.abs(percent * 1000 - Math.round(percent * 1000)) > 1e-6) return { error: "At most three decimals (steps of 0.001%)." };
  return { percent };
}

/** How many of `contexts` the flag, with the fallthrough rolled out to `percent`, serves `variant`. */
export function countServed(
  flag: FlagView,
  config: FlagConfigView,
  segments: readonly Segment[],
  contexts: readonly SeenContextView[],
  percent: number,
  variant: string,
): number {
  // Counted as if serving: the question is who the rollout reaches, not whether the flag is on.
  const definition = {
    ...flagDefinition(flag, config),
    enabled: true,
    killed: false,
    fallthrough: rolloutServe(config.fallthrough, Math.round(percent * 1000), variant, config.offVariant),
  };
  const compiled = compileFlag(definition, segments);
  return contexts.filter((seen) => compiled.evaluate(seen.context).variant === variant).length;
}

export function RolloutControl({
  flag,
  environment,
  segments,
  readOnlyReason,
}: {
  flag: FlagView;
  environment: string;
  segments: readonly Segment[];
  readOnlyReason?: string;
}) {
  const id = useId();
  const config = flag.environments[environment]!;
  const choices = flag.variants.filter((variant) => variant.key !== config.offVariant);
  const defaultVariant = rolloutVariant(flag, config);
  const [chosenVariant, setChosenVariant] = useState<string | null>(null);
  const variant = chosenVariant ?? defaultVariant;
  const current = servedPercent(config.fallthrough, variant);
  // Untouched (null) follows the live config, so a change made elsewhere shows up.
  const [text, setText] = useState<string | null>(null);
  const shown = text ?? String(Number(current.toFixed(3)));
  const parsed = parsePercent(shown);
  const draftPercent = parsed.percent ?? current;

  const apply = useConfigWrite(flag.key, async (body: { percent: number; version: number; variant?: string }) => {
    const answer = await api<{ config: FlagConfigView }>("POST", `/api/v1/flags/${enc(flag.key)}/environments/${enc(environment)}/rollout`, { body });
    return answer.config;
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (parsed.percent === undefined) return;
    apply.mutate(
      { percent: parsed.percent, version: config.version, ...(flag.kind === "boolean" ? {} : { variant }) },
      { onSuccess: () => setText(null) },
    );
  }

  const disabled = readOnlyReason !== undefined;
  const unchanged = parsed.percent === current;
  return (
    // noValidate: parsePercent checks the number, in the words the page uses.
    <form className="rollout-control" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>Rollout</h3>
      <p className="rollout-now">
        Now: <strong>{formatPercent(current)}</strong> of everyone else get <strong>{variant}</strong>
        <span className="muted"> (contexts no target or rule picks)</span>
      </p>
      {flag.kind !== "boolean" && (
        <div>
          <label htmlFor={`${id}-variant`}>Variant to roll out</label>
          <select id={`${id}-variant`} value={variant} onChange={(event) => setChosenVariant(event.target.value)} disabled={disabled}>
            {choices.map((choice) => (
              <option key={choice.key} value={choice.key}>
                {choice.key}
              </option>
            ))}
          </select>
          <p className="hint">The rest get the off variant, {config.offVariant}.</p>
          <FieldError error={apply.error} path="variant" />
        </div>
      )}
      <div className="rollout-inputs">
        <input
          type="range"
          min={0}
          max={100}
          step={0.001}
          value={draftPercent}
          onChange={(event) => setText(event.target.value)}
          aria-label="Rollout percentage slider"
          aria-valuetext={formatPercent(draftPercent)}
          disabled={disabled}
          title={readOnlyReason}
        />
        <div className="rollout-number">
          <label htmlFor={`${id}-percent`} className="visually-hidden">
            Rollout percentage
          </label>
          <input
            id={`${id}-percent`}
            type="number"
            min={0}
            max={100}
            step={0.001}
            inputMode="decimal"
            value={shown}
            onChange={(event) => setText(event.target.value)}
            aria-invalid={parsed.error !== undefined || hasIssues(apply.error, "percent") || undefined}
            aria-describedby={`${id}-percent-error`}
            disabled={disabled}
            title={readOnlyReason}
          />
          <span aria-hidden="true">%</span>
        </div>
      </div>
      <div id={`${id}-percent-error`}>
        {parsed.error !== undefined && (
          <p className="field-error" role="alert">
            {parsed.error}
          </p>
        )}
        <FieldError error={apply.error} path="percent" />
      </div>
      <RolloutPreview flag={flag} config={config} segments={segments} percent={draftPercent} variant={variant} />
      <div className="row">
        <button type="submit" className="primary" disabled={disabled || parsed.percent === undefined || unchanged || apply.isPending} title={readOnlyReason}>
          {apply.isPending ? "Applying…" : "Apply"}
        </button>
        {text !== null && (
          <button type="button" onClick={() => setText(null)}>
            Reset
          </button>
        )}
        {apply.isSuccess && text === null && (
          <span className="hint" role="status">
            Applied: {formatPercent(current)} in {environment}.
          </span>
        )}
      </div>
      <Conflict
        error={apply.error}
        environment={environment}
        onDiscard={() => {
          setText(null);
          apply.reset();
        }}
      />
      <ErrorNote error={unclaimed(apply.error, ["percent", "variant"])} />
    </form>
  );
}

function RolloutPreview({
  flag,
  config,
  segments,
  percent,
  variant,
}: {
  flag: FlagView;
  config: FlagConfigView;
  segments: readonly Segment[];
  percent: number;
  variant: string;
}) {
  const seen = useQuery(seenContextsQuery(config.environment));
  const contexts = seen.data;
  const count = useMemo(
    () => (contexts && contexts.length > 0 ? countServed(flag, config, segments, contexts, percent, variant) : 0),
    [flag, config, segments, contexts, percent, variant],
  );
  if (seen.isPending) return <Loading what="recently seen contexts" />;
  if (seen.error || !contexts) {
    return (
      <p className="note error rollout-preview">
        Preview unavailable: could not load recently seen contexts ({seen.error instanceof Error ? seen.error.message : "unknown error"}).{" "}
        <button type="button" onClick={() => void seen.refetch()}>
          Retry
        </button>
      </p>
    );
  }
  if (contexts.length === 0) {
    return (
      <p className="note rollout-preview">
        No contexts seen yet in {config.environment} — SDKs and browsers report them as they evaluate.
      </p>
    );
  }
  return (
    <p className="note rollout-preview" aria-live="polite">
      <strong>
        {count} of the {contexts.length}
      </strong>{" "}
      recently seen contexts would get <strong>{variant}</strong> at {formatPercent(percent)}
      {(!config.enabled || config.killed) && <span className="muted"> once serving (it is {config.killed ? "killed" : "off"} now)</span>}.
    </p>
  );
}
