/**
 * The flag list: every flag's state in every environment at a glance, filtered as you type (the
 * filters live in the URL so a view can be shared), with creating and archiving.
 */
import { useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import type { EnvironmentView, FlagView } from "@switchyard/core";
import { enc } from "../api";
import { usePermission, type Permission } from "../auth";
import { DataTable } from "../components/data-table";
import { Empty, ErrorNote, Loading, QueryState, ReadOnlyHint } from "../components/feedback";
import { StateBadge } from "../components/state-badge";
import { flagState } from "../flag-state";
import { environmentsQuery, flagListQuery } from "../queries";
import { useSearchParam } from "../use-search-param";
import { ArchiveFlagDialog } from "./archive-flag-dialog";
import { CreateFlagDialog } from "./create-flag-dialog";
import "./flags.css";

export const stateFilters = ["any", "on", "off", "rollout", "killed"] as const;
export type StateFilter = (typeof stateFilters)[number];

export interface FlagFilter {
  /** Matched in key, name and description, ignoring case. */
  q: string;
  tag: string;
  state: StateFilter;
  /** The environment the state must hold in; "" for any environment. */
  environment: string;
}

/** The flags that match every filter; a state matches when any environment considered is in it. */
export function filterFlags(flags: FlagView[], filter: FlagFilter, environments: string[]): FlagView[] {
  const q = filter.q.trim().toLowerCase();
  const considered = filter.environment === "" ? environments : [filter.environment];
  return flags.filter((flag) => {
    if (q !== "" && ![flag.key, flag.name, flag.description].some((text) => text.toLowerCase().includes(q))) return false;
    if (filter.tag !== "" && !flag.tags.includes(filter.tag)) return false;
    if (filter.state === "any") return true;
    return considered.some((environment) => {
      const config = flag.environments[environment];
      return config !== undefined && flagState(flag, config).kind === filter.state;
    });
  });
}

const isStateFilter = (value: string): value is StateFilter => (stateFilters as readonly string[]).includes(value);

export function FlagsPage() {
  const [, setParams] = useSearchParams();
  // Typing replaces the history entry instead of adding one per key pressed.
  const [q, setQ] = useSearchParam("q", { replace: true });
  const [tag, setTag] = useSearchParam("tag");
  const [state, setState] = useSearchParam("state");
  const [environment, setEnvironment] = useSearchParam("env");
  const [archivedParam, setArchivedParam] = useSearchParam("archived");
  const showArchived = archivedParam === "1";
  const filter: FlagFilter = { q, tag, state: isStateFilter(state) ? state : "any", environment };

  const active = useQuery(flagListQuery(false));
  const archived = useQuery({ ...flagListQuery(true), enabled: showArchived });
  const environments = useQuery(environmentsQuery);
  const editor = usePermission("editor");
  const [creating, setCreating] = useState(false);
  const [archiving, setArchiving] = useState<FlagView | null>(null);

  const flags = [...(active.data ?? []), ...(showArchived ? (archived.data ?? []) : [])];
  const tags = [...new Set(flags.flatMap((flag) => flag.tags))].sort();

  return (
    <>
      <div className="page-header">
        <h1>Flags</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setCreating(true)} disabled={!editor.allowed} title={editor.reason}>
          Create flag
        </button>
      </div>
      <ReadOnlyHint reason={editor.reason} />
      <QueryState query={environments} what="environments">
        {(environmentList) => (
          <QueryState query={active} what="flags">
            {() => (
              <>
                <Filters
                  filter={filter}
                  tags={tags}
                  environments={environmentList}
                  showArchived={showArchived}
                  onChange={{
                    q: setQ,
                    tag: setTag,
                    state: (value) => setState(value === "any" ? "" : value),
                    environment: setEnvironment,
                    archived: (shown) => setArchivedParam(shown ? "1" : ""),
                  }}
                />
                {showArchived && archived.isPending && <Loading what="archived flags" />}
                {showArchived && archived.error && <ErrorNote error={archived.error} title="Could not load archived flags." />}
                <FlagTable
                  flags={flags}
                  filter={filter}
                  environments={environmentList}
                  canEdit={editor}
                  onCreate={() => setCreating(true)}
                  onClearFilters={() => setParams(showArchived ? { archived: "1" } : {})}
                  onArchive={setArchiving}
                />
              </>
            )}
          </QueryState>
        )}
      </QueryState>
      <CreateFlagDialog open={creating} onClose={() => setCreating(false)} />
      <ArchiveFlagDialog target={archiving} onClose={() => setArchiving(null)} />
    </>
  );
}

function Filters({
  filter,
  tags,
  environments,
  showArchived,
  onChange,
}: {
  filter: FlagFilter;
  tags: string[];
  environments: EnvironmentView[];
  showArchived: boolean;
  onChange: { q: (q: string) => void; tag: (tag: string) => void; state: (state: string) => void; environment: (key: string) => void; archived: (shown: boolean) => void };
}) {
  const id = useId();
  return (
    <div className="card flag-filters" role="search" aria-label="Filter flags">
      <div className="flag-filter-search">
        <label htmlFor={`${id}-q`}>Search</label>
        <input id={`${id}-q`} type="search" value={filter.q} placeholder="Key, name or description" onChange={(event) => onChange.q(event.target.value)} />
      </div>
      <div>
        <label htmlFor={`${id}-tag`}>Tag</label>
        <select id={`${id}-tag`} value={filter.tag} onChange={(event) => onChange.tag(event.target.value)}>
          <option value="">All tags</option>
          {filter.tag !== "" && !tags.includes(filter.tag) && <option value={filter.tag}>{filter.tag}</option>}
          {tags.map((tag) => (
            <option key={tag} value={tag}>
              {tag}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-state`}>State</label>
        <select id={`${id}-state`} value={filter.state} onChange={(event) => onChange.state(event.target.value)}>
          <option value="any">Any state</option>
          <option value="on">On</option>
          <option value="off">Off</option>
          <option value="rollout">Rolling out</option>
          <option value="killed">Killed</option>
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-env`}>In environment</label>
        <select id={`${id}-env`} value={filter.environment} onChange={(event) => onChange.environment(event.target.value)}>
          <option value="">Any environment</option>
          {filter.environment !== "" && !environments.some((environment) => environment.key === filter.environment) && (
            <option value={filter.environment}>{filter.environment}</option>
          )}
          {environments.map((environment) => (
            <option key={environment.key} value={environment.key}>
              {environment.name}
            </option>
          ))}
        </select>
      </div>
      <label className="inline flag-filter-archived">
        <input type="checkbox" checked={showArchived} onChange={(event) => onChange.archived(event.target.checked)} />
        Show archived
      </label>
    </div>
  );
}

function FlagTable({
  flags,
  filter,
  environments,
  canEdit,
  onCreate,
  onClearFilters,
  onArchive,
}: {
  flags: FlagView[];
  filter: FlagFilter;
  environments: EnvironmentView[];
  canEdit: Permission;
  onCreate: () => void;
  onClearFilters: () => void;
  onArchive: (flag: FlagView) => void;
}) {
  if (flags.length === 0) {
    return (
      <Empty>
        <p>No flags yet — create the first one.</p>
        <button type="button" className="primary" onClick={onCreate} disabled={!canEdit.allowed} title={canEdit.reason}>
          Create flag
        </button>
      </Empty>
    );
  }
  const shown = filterFlags(
    flags,
    filter,
    environments.map((environment) => environment.key),
  );
  return (
    <>
      <p className="flag-count" role="status">
        {shown.length === flags.length ? `${flags.length} ${flags.length === 1 ? "flag" : "flags"}` : `${shown.length} of ${flags.length} flags match`}
      </p>
      {shown.length === 0 ? (
        <Empty>
          <p>No flags match these filters.</p>
          <button type="button" onClick={onClearFilters}>
            Clear filters
          </button>
        </Empty>
      ) : (
        <DataTable
          caption="Flags, with their state in each environment"
          className="flag-table"
          rows={shown}
          rowKey={(flag) => flag.key}
          rowProps={(flag) => ({ className: flag.archived ? "archived" : undefined })}
          columns={[
            {
              header: "Flag",
              className: "flag-cell",
              cell: (flag) => (
                <>
                  <Link to={`/flags/${enc(flag.key)}`} className="mono flag-list-key">
                    {flag.key}
                  </Link>
                  {flag.name !== flag.key && <div className="flag-name">{flag.name}</div>}
                  <div>
                    {flag.archived && <span className="tag archived-tag">archived</span>}
                    {flag.tags.map((tag) => (
                      <span className="tag" key={tag}>
                        {tag}
                      </span>
                    ))}
                  </div>
                </>
              ),
            },
            ...environments.map((environment) => ({
              header: environment.name,
              cell: (flag: FlagView) => <StateBadge flag={flag} config={flag.environments[environment.key]} withKillReason />,
            })),
            {
              header: "",
              className: "flag-actions",
              cell: (flag) => (
                <button
                  type="button"
                  onClick={() => onArchive(flag)}
                  disabled={!canEdit.allowed}
                  title={canEdit.reason}
                  aria-label={`${flag.archived ? "Unarchive" : "Archive"} ${flag.key}`}
                >
                  {flag.archived ? "Unarchive" : "Archive"}
                </button>
              ),
            },
          ]}
        />
      )}
    </>
  );
}
