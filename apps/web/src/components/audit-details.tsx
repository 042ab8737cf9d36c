/**
 * What caused a machine's write, as an audit entry's `details` holds it: the Alertmanager alert
 * that killed a flag, the guard numbers that halted a plan, the step a plan set. Compact, in the
 * entry; anything else as JSON behind a disclosure.
 */
import type { GuardStatusView, JsonValue, PlanBreachView } from "@switchyard/core";
import { formatPercent } from "../flag-state";
import { breachEffect, describeCohort, describeGuardStatus, verdictWords } from "../plan-format";

type JsonObject = { [key: string]: JsonValue };

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: JsonValue | undefined): string | undefined => (typeof value === "string" && value.trim() !== "" ? value : undefined);

function isGuardStatus(value: JsonValue | undefined): value is JsonObject & GuardStatusView {
  return isObject(value) && isObject(value.guard) && isObject(value.rollout) && isObject(value.control) && typeof value.verdict === "string";
}

function isBreach(value: JsonValue): value is JsonObject & PlanBreachView {
  return isGuardStatus(value) && typeof value.step === "number" && typeof value.percent === "number" && (value.action === "kill" || value.action === "rollback");
}

/** Only web links: a generatorURL comes from whoever can post alerts, and `javascript:` must not become a link. */
function safeLink(value: JsonValue | undefined): string | undefined {
  const url = text(value);
  if (url === undefined) return undefined;
  try {
    return ["http:", "https:"].includes(new URL(url).protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

export function AuditDetails({ details }: { details: JsonValue }) {
  if (isObject(details) && details.source === "alertmanager") return <AlertDetails alert={details} />;
  if (isBreach(details)) return <BreachDetails breach={details} />;
  if (isObject(details) && (isObject(details.plan) || Array.isArray(details.guards))) {
    const guards = Array.isArray(details.guards) ? details.guards.filter(isGuardStatus) : [];
    const step = isObject(details.plan) ? details.plan : null;
    return (
      <div className="audit-details">
        {step && typeof step.step === "number" && typeof step.percent === "number" && (
          <p>
            Plan step {step.step + 1}
            {typeof step.of === "number" && ` of ${step.of}`}: {formatPercent(step.percent)}
            {text(step.variant) && <> get {text(step.variant)}</>}
            {text(details.startedBy) && <span className="muted"> (started by {text(details.startedBy)})</span>}
          </p>
        )}
        {guards.length > 0 && <GuardLines guards={guards} />}
      </div>
    );
  }
  return (
    <details className="audit-details json">
      <summary>Details</summary>
      <pre>{JSON.stringify(details, null, 2)}</pre>
    </details>
  );
}

function AlertDetails({ alert }: { alert: JsonObject }) {
  const labels = isObject(alert.labels) ? alert.labels : {};
  const annotations = isObject(alert.annotations) ? alert.annotations : {};
  const summary = text(annotations.summary) ?? text(annotations.description);
  const link = safeLink(alert.generatorURL);
  const shown = Object.entries(labels).filter(([name]) => name !== "alertname");
  return (
    <div className="audit-details alert">
      <p>
        <span className="tag">Alertmanager</span> <strong>{text(labels.alertname) ?? "unnamed alert"}</strong>
        {text(alert.status) && <span className="muted"> ({text(alert.status)})</span>}
        {summary && <>: {summary}</>}
      </p>
      {shown.length > 0 && (
        <ul className="audit-labels" aria-label="Alert labels">
          {shown.map(([name, value]) => (
            <li key={name}>
              <code>
                {name}={typeof value === "string" ? value : JSON.stringify(value)}
              </code>
            </li>
          ))}
        </ul>
      )}
      {link && (
        <a href={link} target="_blank" rel="noreferrer">
          Open the alert's source<span className="visually-hidden"> (opens in a new tab)</span>
        </a>
      )}
    </div>
  );
}

function BreachDetails({ breach }: { breach: PlanBreachView }) {
  return (
    <div className="audit-details breach">
      <p>
        <strong>
          Guard breached at step {breach.step + 1} ({formatPercent(breach.percent)}):
        </strong>{" "}
        {describeGuardStatus(breach)} — {breachEffect(breach.action)}.
      </p>
      <p className="muted">
        Rollout {describeCohort(breach.guard, breach.rollout)} · control {describeCohort(breach.guard, breach.control)}
      </p>
    </div>
  );
}

function GuardLines({ guards }: { guards: GuardStatusView[] }) {
  return (
    <ul className="audit-guards" aria-label="Guards">
      {guards.map((status, index) => (
        <li key={index}>
          <span className={`verdict ${status.verdict}`}>{verdictWords[status.verdict]}</span>: {describeGuardStatus(status)}
        </li>
      ))}
    </ul>
  );
}
