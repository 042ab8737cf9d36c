/**
 * One flag: its state everywhere, and for the chosen environment the kill switch, serving toggle,
 * rollout, rollout plan, targeting draft and a context to try; then its variants and history.
 */
import { useMemo } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { flagDefinition, segmentDefinition, type FlagConfigView, type FlagView } from "@switchyard/core";
import { api, ApiRequestError, enc } from "../api";
import { usePermission } from "../auth";
import { environmentsQuery, flagQuery, segmentsQuery } from "../queries";
import { useDraft } from "../use-draft";
import { AuditList } from "../components/audit-list";
import { Conflict, useConfigWrite } from "../components/conflict";
import { Empty, ErrorNote, LoadError, Loading, ReadOnlyHint, unclaimed } from "../components/feedback";
import { KillBanners, KillSwitch } from "../components/kill-switch";
import { RolloutControl } from "../components/rollout-control";
import { PlanHaltBanner, RolloutPlanCard } from "../components/rollout-plan";
import { StateBadge } from "../components/state-badge";
import { TryContext } from "../components/try-context";
import { VariantsEditor } from "../components/variants-editor";
import { TargetingForm, targetingOf } from "./flag-targeting";
import "./flag.css";

export function FlagPage() {
  const { key = "" } = useParams();
  const flag = useQuery(flagQuery(key));
  if (flag.isPending) return <Loading what={`flag ${key}`} />;
  if (flag.data === undefined) {
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
    return <LoadError what={`flag ${key}`} error={flag.error} onRetry={() => void flag.refetch()} />;
  }
  return (
    <>
      {/* A failed refresh keeps the page and any draft on it. */}
      {flag.error && <LoadError what={`flag ${key}`} error={flag.error} onRetry={() => void flag.refetch()} shown />}
      <FlagDetail flag={flag.data} />
    </>
  );
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
      {environment !== undefined && <PlanHaltBanner flag={flag.key} environment={environment} />}
      {order.length === 0 || environment === undefined ? (
        <Empty>
          This flag is in no environment yet. <Link to="/environments">Create an environment</Link> to configure it.
        </Empty>
      ) : (
        <>
          <nav className="env-tabs" aria-label="Environments">
            {order.map((key) => (
              <Link key={key} to={{ search: `?env=${enc(key)}` }} className="env-tab" aria-current={key === environment ? "page" : undefined}>
                <span className="env-tab-name">{key}</span> <StateBadge flag={flag} config={flag.environments[key]} />
              </Link>
            ))}
          </nav>
          {requested !== null && requested !== environment && (
            <p className="note warning">
              This flag has no environment named {requested}; showing {environment}.
            </p>
          )}
          {/* Keyed so a draft or a typed rollout never follows you into another environment. */}
          <EnvironmentPanel key={environment} flag={flag} environment={environment} readOnlyReason={edit.reason} />
        </>
      )}
      <section className="card flag-section" aria-labelledby="flag-variants">
        <h2 id="flag-variants">Variants</h2>
        <VariantsEditor flag={flag} readOnlyReason={edit.reason} />
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
  const draft = useDraft(targetingOf(config), config.version);
  const saved = useMemo(() => flagDefinition(flag, config), [flag, config]);
  const edits = draft.dirty ? draft.fields : null;
  const unsaved = useMemo(() => (edits ? flagDefinition(flag, { ...config, ...edits }) : undefined), [flag, config, edits]);
  return (
    <section className="env-panel" aria-labelledby="env-title">
      <div className="card env-controls">
        <div className="env-controls-main">
          <h2 id="env-title">
            In {environment} <StateBadge flag={flag} config={config} />
          </h2>
          <ServingToggle flag={flag} config={config} readOnlyReason={readOnlyReason} />
          {config.killed && (
            <p className="note error">
              <strong>Killed:</strong> every SDK in {environment} serves the off variant {config.offVariant}. The kill overrides everything
              below; what you change here applies once the flag is unkilled.
            </p>
          )}
          <ReadOnlyHint reason={readOnlyReason} />
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
      <RolloutPlanCard flag={flag} environment={environment} readOnlyReason={readOnlyReason} />
      <TargetingForm flag={flag} config={config} segments={segmentsQ.data ?? []} draft={draft} readOnlyReason={readOnlyReason} />
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
      <Conflict error={toggle.error} environment={environment} onDiscard={() => toggle.reset()} loadLabel="Review the current version" />
      <ErrorNote error={unclaimed(toggle.error, [])} />
    </div>
  );
}
