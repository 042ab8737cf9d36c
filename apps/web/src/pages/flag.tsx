/**
 * One flag: its state everywhere, and for the chosen environment the kill switch, serving toggle,
 * rollout, targeting draft and a context to try; then its variants and history.
 */
import { useId, useMemo, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { flagDefinition, segmentDefinition, type FlagConfigView, type FlagView, type SegmentView } from "@switchyard/core";
import { api, ApiRequestError, enc } from "../api";
import { usePermission } from "../auth";
import { flagState } from "../flag-state";
import { environmentsQuery, flagQuery, segmentsQuery } from "../queries";
import { AuditList } from "../components/audit-list";
import { Conflict, useConfigWrite } from "../components/conflict";
import { Empty, ErrorNote, FieldError, Loading } from "../components/feedback";
import { KillBanners, KillSwitch } from "../components/kill-switch";
import { RolloutControl } from "../components/rollout-control";
import { RulesEditor } from "../components/rules-editor";
import { ServeEditor } from "../components/serve-editor";
import { TargetsEditor } from "../components/targets-editor";
import { TryContext } from "../components/try-context";
import { VariantsEditor } from "../components/variants-editor";
import "./flag.css";

export function FlagPage() {
  const { key = "" } = useParams();
  const flag = useQuery(flagQuery(key));
  if (flag.isPending) return <Loading what={`flag ${key}`} />;
  if (flag.error instanceof ApiRequestError && flag.error.status === 404) {
    return (
      <Empty>
        <h1>No flag named {key}</h1>
        <p>
          It may have been mistyped or never created. <Link to="/flags">Back to all flags</Link>
        </p>
      </Empty>
    );
  }
  if (flag.error || !flag.data) {
    return (
      <div className="note error" role="alert">
        Could not load flag {key}: {flag.error instanceof Error ? flag.error.message : "unknown error"}{" "}
        <button type="button" onClick={() => void flag.refetch()}>
          Retry
        </button>
      </div>
    );
  }
  return <FlagDetail flag={flag.data} />;
}

function FlagDetail({ flag }: { flag: FlagView }) {
  const [search] = useSearchParams();
  const environments = useQuery(environmentsQuery).data;
  const edit = usePermission("editor");
  // The server's order when known (creation order), so chips don't jump around between renders.
  const order = environments ? environments.map((environment) => environment.key).filter((key) => key in flag.environments) : Object.keys(flag.environments);
  const requested = search.get("env");
  const environment = requested !== null && requested in flag.environments ? requested : order.includes("production") ? "production" : order[0];

  return (
    <div className="flag-page">
      <header className="flag-header">
        <p className="breadcrumb">
          <Link to="/flags">Flags</Link> <span aria-hidden="true">/</span>
        </p>
        <div className="page-header">
          <h1>{flag.name}</h1>
          <code className="flag-key">{flag.key}</code>
          <span className="tag">{flag.kind}</span>
          {flag.archived && <span className="state off">archived</span>}
        </div>
        {flag.description && <p className="flag-description">{flag.description}</p>}
        {flag.tags.length > 0 && (
          <p className="flag-tags">
            <span className="visually-hidden">Tags: </span>
            {flag.tags.map((tag) => (
              <span key={tag} className="tag">
                {tag}
              </span>
            ))}
          </p>
        )}
      </header>
      <KillBanners flag={flag} />
      {order.length === 0 || environment === undefined ? (
        <Empty>
          This flag is in no environment yet. <Link to="/environments">Create an environment</Link> to configure it.
        </Empty>
      ) : (
        <>
          <nav className="env-tabs" aria-label="Environments">
            {order.map((key) => {
              const state = flagState(flag, flag.environments[key]!);
              return (
                <Link key={key} to={{ search: `?env=${enc(key)}` }} className="env-tab" aria-current={key === environment ? "page" : undefined}>
                  <span className="env-tab-name">{key}</span> <span className={`state ${state.kind}`}>{state.label}</span>
                </Link>
              );
            })}
          </nav>
          {requested !== null && requested !== environment && (
            <p className="note warning">
              This flag has no environment named {requested}; showing {environment}.
            </p>
          )}
          {/* Keyed so a draft or a typed rollout never follows you into another environment. */}
          <EnvironmentPanel key={environment} flag={flag} environment={environment} readOnlyReason={edit.allowed ? undefined : edit.reason} />
        </>
      )}
      <section className="card flag-section" aria-labelledby="flag-variants">
        <h2 id="flag-variants">Variants</h2>
        <VariantsEditor flag={flag} disabled={!edit.allowed} />
      </section>
      <section className="card flag-section" aria-labelledby="flag-history">
        <h2 id="flag-history">History</h2>
        <AuditList flag={flag.key} compact />
      </section>
    </div>
  );
}

function EnvironmentPanel({ flag, environment, readOnlyReason }: { flag: FlagView; environment: string; readOnlyReason?: string }) {
  const config = flag.environments[environment]!;
  const segmentsQ = useQuery(segmentsQuery(environment));
  const segments = useMemo(() => (segmentsQ.data ?? []).map(segmentDefinition), [segmentsQ.data]);
  const state = flagState(flag, config);
  const [draft, setDraft] = useState<Draft | null>(null);
  const saved = useMemo(() => flagDefinition(flag, config), [flag, config]);
  const unsaved = useMemo(() => (isDirty(draft) ? flagDefinition(flag, { ...config, ...draft.edits }) : undefined), [flag, config, draft]);
  return (
    <section className="env-panel" aria-labelledby="env-title">
      <div className="card env-controls">
        <div className="env-controls-main">
          <h2 id="env-title">
            In {environment} <span className={`state ${state.kind}`}>{state.label}</span>
          </h2>
          <ServingToggle flag={flag} config={config} readOnlyReason={readOnlyReason} />
          {config.killed && (
            <p className="note error">
              <strong>Killed:</strong> every SDK in {environment} serves the off variant {config.offVariant}. The kill overrides everything
              below; what you change here applies once the flag is unkilled.
            </p>
          )}
          {readOnlyReason !== undefined && <p className="hint">Read-only: {readOnlyReason}</p>}
        </div>
        <KillSwitch flag={flag} environment={environment} readOnlyReason={readOnlyReason} />
      </div>
      {segmentsQ.error && <ErrorNote error={segmentsQ.error} title={`Could not load the segments of ${environment}; rules on segments cannot be evaluated here.`} />}
      <div className="env-grid">
        <div className="card">
          <RolloutControl flag={flag} environment={environment} segments={segments} readOnlyReason={readOnlyReason} />
        </div>
        <div className="card">
          <TryContext saved={saved} unsaved={unsaved} segments={segments} />
        </div>
      </div>
      <Targeting flag={flag} config={config} segments={segmentsQ.data ?? []} draft={draft} onDraft={setDraft} readOnlyReason={readOnlyReason} />
    </section>
  );
}

function ServingToggle({ flag, config, readOnlyReason }: { flag: FlagView; config: FlagConfigView; readOnlyReason?: string }) {
  const environment = config.environment;
  const toggle = useConfigWrite(flag.key, (body: { enabled: boolean; version: number }) =>
    api<FlagConfigView>("PATCH", `/api/v1/flags/${enc(flag.key)}/environments/${enc(environment)}`, { body }),
  );
  return (
    <div className="serving">
      <button
        type="button"
        role="switch"
        aria-checked={config.enabled}
        className="switch"
        // Not disabled while saving: a disabled button loses keyboard focus.
        onClick={() => toggle.isPending || toggle.mutate({ enabled: !config.enabled, version: config.version })}
        aria-busy={toggle.isPending}
        disabled={readOnlyReason !== undefined}
        title={readOnlyReason}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        Serving in {environment}
      </button>
      <span className="switch-state" aria-hidden="true">
        {config.enabled ? "On" : "Off"}
      </span>
      <Conflict error={toggle.error} environment={environment} onDiscard={() => toggle.reset()} />
      {toggle.error instanceof ApiRequestError && toggle.error.isConflict ? null : <ErrorNote error={toggle.error} />}
    </div>
  );
}

type Editable = Pick<FlagConfigView, "targets" | "rules" | "fallthrough" | "offVariant">;

function editable(config: Editable): Editable {
  return { targets: config.targets, rules: config.rules, fallthrough: config.fallthrough, offVariant: config.offVariant };
}

function sameEditable(a: Editable, b: Editable): boolean {
  return JSON.stringify(editable(a)) === JSON.stringify(editable(b));
}

/** A draft keeps the config it started from: it is saved against that version, and only then. */
interface Draft {
  base: FlagConfigView;
  edits: Editable;
}

/** A draft edited back to where it started is no draft: the page follows the live config again. */
function isDirty(draft: Draft | null): draft is Draft {
  return draft !== null && !sameEditable(draft.edits, draft.base);
}

const claimedPaths = ["targets", "rules", "fallthrough", "offVariant", "reason"];

function Targeting({
  flag,
  config,
  segments,
  draft,
  onDraft,
  readOnlyReason,
}: {
  flag: FlagView;
  config: FlagConfigView;
  segments: SegmentView[];
  draft: Draft | null;
  onDraft: (update: (previous: Draft | null) => Draft | null) => void;
  readOnlyReason?: string;
}) {
  const id = useId();
  const [reason, setReason] = useState("");
  const dirty = isDirty(draft);
  const shown = dirty ? draft.edits : editable(config);
  const stale = dirty && draft.base.version !== config.version;
  const save = useConfigWrite(flag.key, (body: Editable & { version: number; reason?: string }) =>
    api<FlagConfigView>("PATCH", `/api/v1/flags/${enc(flag.key)}/environments/${enc(config.environment)}`, { body }),
  );
  const disabled = readOnlyReason !== undefined;

  function change(edit: Partial<Editable>) {
    // An untouched draft starts again from the live config.
    onDraft((previous) =>
      isDirty(previous)
        ? { base: previous.base, edits: { ...previous.edits, ...edit } }
        : { base: config, edits: { ...editable(config), ...edit } },
    );
  }

  function clear() {
    onDraft(() => null);
    setReason("");
  }

  function discard() {
    clear();
    save.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!dirty) return;
    const trimmed = reason.trim();
    save.mutate({ ...draft.edits, version: draft.base.version, ...(trimmed === "" ? {} : { reason: trimmed }) }, { onSuccess: clear });
  }

  const error = save.error;
  const unclaimed =
    error instanceof ApiRequestError &&
    !error.isConflict &&
    (error.issues.length === 0 || error.issues.some((issue) => !claimedPaths.some((path) => error.issuesFor(path).includes(issue))));
  return (
    <form className="card targeting" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Targeting</h3>
      <p className="hint">Evaluated in order: individual targets, then rules top to bottom, then everyone else.</p>
      {stale && (
        <p className="note warning" role="status">
          This flag changed in {config.environment} since you started editing (now version {config.version}). Your draft is kept;
          saving it will not overwrite that change but show you the current version.
        </p>
      )}
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
          aria-invalid={error instanceof ApiRequestError && error.issuesFor("offVariant").length > 0 ? true : undefined}
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
          <input id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} disabled={disabled || !dirty} placeholder="Why, for the audit log" />
          <FieldError error={error} path="reason" />
        </div>
        <div className="row">
          <button type="submit" className="primary" disabled={disabled || !dirty || save.isPending} title={readOnlyReason}>
            {save.isPending ? "Saving…" : "Save changes"}
          </button>
          <button type="button" onClick={discard} disabled={!dirty || save.isPending}>
            Discard
          </button>
          {dirty && <span className="hint">Unsaved changes, based on version {draft.base.version}.</span>}
          {save.isSuccess && !dirty && (
            <span className="hint" role="status">
              Saved.
            </span>
          )}
        </div>
      </div>
      <Conflict error={error} environment={config.environment} onDiscard={discard} />
      {unclaimed && <ErrorNote error={error} />}
    </form>
  );
}
