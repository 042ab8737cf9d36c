/** Segments: reusable audiences per environment (key lists plus conditions), used by `inSegment` rules. */
import { useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import type { EnvironmentView, SegmentView } from "@switchyard/core";
import { enc } from "../api";
import { usePermission, type Permission } from "../auth";
import { DataTable } from "../components/data-table";
import { Empty, ErrorNote, QueryState, ReadOnlyHint } from "../components/feedback";
import { environmentsQuery, segmentsQuery } from "../queries";
import { DateTime } from "../time";
import { SegmentEditor } from "./segment-editor";
import "./segments.css";

export function SegmentsPage() {
  const environments = useQuery(environmentsQuery);
  return (
    <QueryState query={environments} what="environments">
      {(list) => (list.length === 0 ? <Empty>There are no environments yet: segments belong to one.</Empty> : <Segments environments={list} />)}
    </QueryState>
  );
}

function Segments({ environments }: { environments: EnvironmentView[] }) {
  const id = useId();
  const [params, setParams] = useSearchParams();
  const environment = environments.find((env) => env.key === params.get("env"))?.key ?? environments[0]!.key;
  const selected = params.get("segment");
  const [creating, setCreating] = useState(false);
  const permission = usePermission("editor");
  const segments = useQuery(segmentsQuery(environment));

  const select = (next: { env?: string; segment?: string | null }) => {
    const search = new URLSearchParams({ env: next.env ?? environment });
    const segment = next.segment === undefined ? selected : next.segment;
    if (segment) search.set("segment", segment);
    setParams(search);
  };

  return (
    <>
      <div className="page-header">
        <h1>Segments</h1>
        <div className="header-field">
          <label htmlFor={`${id}-env`} className="inline">
            Environment
          </label>
          <select
            id={`${id}-env`}
            value={environment}
            onChange={(e) => {
              setCreating(false);
              select({ env: e.target.value, segment: null });
            }}
          >
            {environments.map((env) => (
              <option key={env.key} value={env.key}>
                {env.name && env.name !== env.key ? `${env.name} (${env.key})` : env.key}
              </option>
            ))}
          </select>
        </div>
        <span className="spacer" />
        <button
          type="button"
          className="primary"
          onClick={() => {
            select({ segment: null });
            setCreating(true);
          }}
          disabled={!permission.allowed}
          title={permission.reason}
        >
          New segment
        </button>
      </div>
      <ReadOnlyHint reason={permission.reason} />
      <p className="hint">
        A context is in a segment when its key is included, or when its key is not excluded and it matches every condition. A segment without conditions
        holds only its included keys.
      </p>
      <QueryState query={segments} what="segments">
        {(list) => (
          <>
            {list.length === 0 ? (
              <Empty>No segments in {environment} yet.</Empty>
            ) : (
              <SegmentTable segments={list} environment={environment} selected={creating ? null : selected} />
            )}
            {creating ? (
              <SegmentEditor
                key={`new-${environment}`}
                environment={environment}
                segment={null}
                existing={list}
                canEdit={permission}
                onClose={() => setCreating(false)}
                onCreated={(key) => {
                  setCreating(false);
                  select({ segment: key });
                }}
              />
            ) : (
              selected && (
                <SelectedSegment
                  key={`${environment}/${selected}`}
                  environment={environment}
                  segment={list.find((segment) => segment.key === selected)}
                  selectedKey={selected}
                  existing={list}
                  canEdit={permission}
                  onClose={() => select({ segment: null })}
                />
              )
            )}
          </>
        )}
      </QueryState>
    </>
  );
}

function SegmentTable({ segments, environment, selected }: { segments: SegmentView[]; environment: string; selected: string | null }) {
  return (
    <DataTable
      caption={`Segments in ${environment}`}
      className="segments-table"
      rows={segments}
      rowKey={(segment) => segment.key}
      rowProps={(segment) => ({ "aria-current": segment.key === selected || undefined })}
      columns={[
        {
          header: "Key",
          cell: (segment) => (
            <Link to={`?env=${enc(environment)}&segment=${enc(segment.key)}`} className="mono">
              {segment.key}
            </Link>
          ),
        },
        { header: "Name", cell: (segment) => segment.name },
        { header: "Included", cell: (segment) => segment.included.length, className: "number" },
        { header: "Excluded", cell: (segment) => segment.excluded.length, className: "number" },
        { header: "Conditions", cell: (segment) => segment.clauses.length, className: "number" },
        { header: "Updated", cell: (segment) => <DateTime iso={segment.updatedAt} /> },
      ]}
    />
  );
}

function SelectedSegment({
  segment,
  selectedKey,
  ...rest
}: {
  environment: string;
  segment: SegmentView | undefined;
  selectedKey: string;
  existing: SegmentView[];
  canEdit: Permission;
  onClose(): void;
}) {
  if (!segment) return <ErrorNote error={new Error(`There is no segment “${selectedKey}” in ${rest.environment}; it may have been deleted.`)} />;
  return <SegmentEditor segment={segment} {...rest} />;
}
