/** The audit log: every change, filtered by flag, environment and actor; filters live in the URL so a view can be shared. */
import { useId, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { AuditList } from "../components/audit-list";
import { environmentsQuery, flagListQuery } from "../queries";
import "./audit.css";

const filterNames = ["flag", "environment", "actor"] as const;

export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const filter = { flag: params.get("flag") ?? "", environment: params.get("environment") ?? "", actor: params.get("actor") ?? "" };
  return (
    <>
      <div className="page-header">
        <h1>Audit log</h1>
      </div>
      <AuditFilters filter={filter} onApply={(next) => setParams(toParams(next))} />
      <AuditList flag={filter.flag} environment={filter.environment} actor={filter.actor} />
    </>
  );
}

type Filter = Record<(typeof filterNames)[number], string>;

function toParams(filter: Filter): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of filterNames) if (filter[name].trim() !== "") params.set(name, filter[name].trim());
  return params;
}

function AuditFilters({ filter, onApply }: { filter: Filter; onApply: (filter: Filter) => void }) {
  const id = useId();
  const [draft, setDraft] = useState(filter);
  // Back, Forward and "Clear filters" change the URL: the fields follow it.
  const signature = JSON.stringify(filter);
  const [shown, setShown] = useState(signature);
  if (shown !== signature) {
    setShown(signature);
    setDraft(filter);
  }
  const environments = useQuery(environmentsQuery);
  const flags = useQuery(flagListQuery(false));
  const active = filterNames.some((name) => filter[name] !== "");

  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(draft);
  }

  return (
    <form className="card audit-filters" onSubmit={submit} aria-label="Filter the audit log">
      <div>
        <label htmlFor={`${id}-flag`}>Flag key</label>
        <input
          id={`${id}-flag`}
          className="mono"
          list={`${id}-flags`}
          value={draft.flag}
          onChange={(event) => setDraft({ ...draft, flag: event.target.value })}
          autoComplete="off"
          spellCheck={false}
        />
        <datalist id={`${id}-flags`}>
          {flags.data?.map((flag) => <option key={flag.key} value={flag.key} />)}
        </datalist>
      </div>
      <div>
        <label htmlFor={`${id}-environment`}>Environment</label>
        <select
          id={`${id}-environment`}
          value={draft.environment}
          // A choice from a list needs no "Apply": it filters at once.
          onChange={(event) => onApply({ ...draft, environment: event.target.value })}
        >
          <option value="">All environments</option>
          {environments.data?.map((environment) => (
            <option key={environment.key} value={environment.key}>
              {environment.name}
            </option>
          ))}
          {filter.environment !== "" && !environments.data?.some((environment) => environment.key === filter.environment) && (
            <option value={filter.environment}>{filter.environment}</option>
          )}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-actor`}>Actor</label>
        <input
          id={`${id}-actor`}
          value={draft.actor}
          onChange={(event) => setDraft({ ...draft, actor: event.target.value })}
          aria-describedby={`${id}-actor-hint`}
          autoComplete="off"
        />
        <p className="hint" id={`${id}-actor-hint`}>
          Exact email or token name
        </p>
      </div>
      <div className="audit-filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        {active && (
          <button type="button" onClick={() => onApply({ flag: "", environment: "", actor: "" })}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}
