/** Segments: reusable audiences per environment (key lists plus conditions), used by `inSegment` rules. */
import { useEffect, useId, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import type { Clause, EnvironmentView, SegmentView } from "@switchyard/core";
import { keyProblem } from "@switchyard/core";
import type { CreateSegmentInput, UpdateSegmentInput } from "@switchyard/core/api-schema";
import { api, ApiRequestError, enc } from "../api";
import { usePermission } from "../auth";
import { ClauseEditor, emptyClause, operatorLabel } from "../components/clause-editor";
import { Dialog } from "../components/dialog";
import { Empty, ErrorNote, FieldError, QueryState } from "../components/feedback";
import { environmentsQuery, keys, segmentsQuery } from "../queries";
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
      {!permission.allowed && <p className="hint">Read-only: {permission.reason}</p>}
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
    <div className="table-wrap">
      <table className="segments-table">
        <caption className="visually-hidden">Segments in {environment}</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Name</th>
            <th scope="col">Included</th>
            <th scope="col">Excluded</th>
            <th scope="col">Conditions</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {segments.map((segment) => (
            <tr key={segment.key} aria-current={segment.key === selected || undefined}>
              <th scope="row">
                <Link to={`?env=${enc(environment)}&segment=${enc(segment.key)}`} className="mono">
                  {segment.key}
                </Link>
              </th>
              <td>{segment.name}</td>
              <td>{segment.included.length}</td>
              <td>{segment.excluded.length}</td>
              <td>{segment.clauses.length}</td>
              <td>
                <time dateTime={segment.updatedAt}>{new Date(segment.updatedAt).toLocaleString()}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Permission = { allowed: boolean; reason: string | undefined };

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

interface Draft {
  /** The version this draft started from: a save names it, so edits made meanwhile are not overwritten. */
  version: number | null;
  key: string;
  name: string;
  description: string;
  included: string;
  excluded: string;
  clauses: Clause[];
}

const draftOf = (segment: SegmentView | null): Draft => ({
  version: segment?.version ?? null,
  key: segment?.key ?? "",
  name: segment?.name ?? "",
  description: segment?.description ?? "",
  included: segment?.included.join("\n") ?? "",
  excluded: segment?.excluded.join("\n") ?? "",
  clauses: segment?.clauses ?? [],
});

/** One context key per line; blank lines and repeats dropped. */
const keysOf = (text: string) => [...new Set(text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== ""))];

function SegmentEditor({
  environment,
  segment,
  existing,
  canEdit,
  onClose,
  onCreated,
}: {
  environment: string;
  /** null to create one. */
  segment: SegmentView | null;
  existing: SegmentView[];
  canEdit: Permission;
  onClose(): void;
  onCreated?(key: string): void;
}) {
  const id = useId();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(() => draftOf(segment));
  const [dirty, setDirty] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const disabled = !canEdit.allowed;

  useEffect(() => heading.current?.focus(), []);
  // Follow changes made elsewhere while nothing is being edited here.
  useEffect(() => {
    if (!dirty) setDraft(draftOf(segment));
  }, [segment, dirty]);

  const edit = (change: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...change }));
    setDirty(true);
  };

  const save = useMutation({
    mutationFn: () => {
      const fields = {
        name: draft.name.trim() || draft.key,
        description: draft.description,
        included: keysOf(draft.included),
        excluded: keysOf(draft.excluded),
        clauses: draft.clauses,
      };
      if (segment === null) {
        const body: CreateSegmentInput = { key: draft.key, ...fields };
        return api<SegmentView>("POST", `/api/v1/environments/${enc(environment)}/segments`, { body });
      }
      const body: UpdateSegmentInput = { ...fields, version: draft.version ?? segment.version };
      return api<SegmentView>("PATCH", `/api/v1/environments/${enc(environment)}/segments/${enc(segment.key)}`, { body });
    },
    onSuccess: (saved) => {
      replaceInList(saved);
      void queryClient.invalidateQueries({ queryKey: keys.segments(environment) });
      setDraft(draftOf(saved));
      setDirty(false);
      if (segment === null) onCreated?.(saved.key);
    },
  });

  const remove = useMutation({
    mutationFn: () => api<void>("DELETE", `/api/v1/environments/${enc(environment)}/segments/${enc(segment!.key)}`, { ifMatch: segment!.version }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.segments(environment) });
      setConfirmDelete(false);
      onClose();
    },
  });

  const errors = save.error;
  const conflict = save.error instanceof ApiRequestError && save.error.isConflict ? (save.error.current as SegmentView) : null;
  const keyIssue =
    segment === null && draft.key !== ""
      ? (keyProblem(draft.key) ?? (existing.some((other) => other.key === draft.key) ? "is already taken in this environment" : undefined))
      : undefined;

  /** Shows a segment's new state at once, before the list's refetch answers. */
  function replaceInList(next: SegmentView) {
    queryClient.setQueryData(keys.segments(environment), (list: SegmentView[] | undefined) =>
      list && [...list.filter((other) => other.key !== next.key), next].sort((a, b) => a.key.localeCompare(b.key)),
    );
  }

  function loadCurrent(current: SegmentView) {
    replaceInList(current);
    setDraft(draftOf(current));
    setDirty(false);
    save.reset();
    void queryClient.invalidateQueries({ queryKey: keys.segments(environment) });
  }

  return (
    <section className="card segment-editor" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
        {segment === null ? "New segment" : <>Segment <code>{segment.key}</code></>}
      </h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        {segment === null && (
          <>
            <label htmlFor={`${id}-key`}>Key</label>
            <input
              id={`${id}-key`}
              value={draft.key}
              onChange={(e) => edit({ key: e.target.value })}
              required
              maxLength={128}
              disabled={disabled}
              aria-invalid={keyIssue !== undefined || undefined}
              aria-describedby={`${id}-key-hint`}
              autoComplete="off"
              spellCheck={false}
            />
            <p id={`${id}-key-hint`} className={keyIssue ? "field-error" : "hint"}>
              {keyIssue ? `Key ${keyIssue}.` : "Letters, digits, '.', '_' and '-'; rules refer to the segment by this key and it cannot change."}
            </p>
            <FieldError error={errors} path="key" />
          </>
        )}
        <div className="segment-fields">
          <div>
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} value={draft.name} onChange={(e) => edit({ name: e.target.value })} maxLength={200} disabled={disabled} placeholder={draft.key} />
            <FieldError error={errors} path="name" />
          </div>
          <div>
            <label htmlFor={`${id}-description`}>Description</label>
            <input id={`${id}-description`} value={draft.description} onChange={(e) => edit({ description: e.target.value })} maxLength={2000} disabled={disabled} />
            <FieldError error={errors} path="description" />
          </div>
          <KeyList id={`${id}-included`} label="Included context keys" hint="Always in the segment." value={draft.included} onChange={(included) => edit({ included })} disabled={disabled} errors={errors} path="included" />
          <KeyList id={`${id}-excluded`} label="Excluded context keys" hint="Never in the segment, whatever the conditions say (unless included)." value={draft.excluded} onChange={(excluded) => edit({ excluded })} disabled={disabled} errors={errors} path="excluded" />
        </div>
        <fieldset className="segment-clauses">
          <legend>Conditions (all must match)</legend>
          {draft.clauses.length === 0 && <p className="hint">No conditions: only included keys are in the segment.</p>}
          {draft.clauses.map((clause, index) => (
            <div key={index} className="segment-clause">
              <ClauseEditor
                clause={clause}
                onChange={(next) => edit({ clauses: draft.clauses.map((c, i) => (i === index ? next : c)) })}
                segments={null}
                disabled={disabled}
                error={errors}
                path={`clauses[${index}]`}
                label={`Condition ${index + 1}`}
              />
              <button type="button" className="link" onClick={() => edit({ clauses: draft.clauses.filter((_, i) => i !== index) })} disabled={disabled} aria-label={`Remove condition ${index + 1}`}>
                Remove condition
              </button>
            </div>
          ))}
          <button type="button" onClick={() => edit({ clauses: [...draft.clauses, emptyClause()] })} disabled={disabled}>
            + Add condition
          </button>
        </fieldset>
        {segment !== null && dirty && draft.version !== segment.version && !conflict && (
          <p className="note warning" role="status">
            Someone changed this segment since you started editing (now version {segment.version}). Your changes are kept; saving them overwrites nothing
            but shows you the current version first.
          </p>
        )}
        {errors instanceof ApiRequestError && !conflict && errors.issues.length === 0 && <ErrorNote error={errors} />}
        {conflict && <ConflictPanel current={conflict} onLoad={() => loadCurrent(conflict)} />}
        <div className="row editor-actions">
          {segment !== null && (
            <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={disabled} title={canEdit.reason}>
              Delete segment
            </button>
          )}
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            {dirty ? "Cancel" : "Close"}
          </button>
          <button type="submit" className="primary" disabled={disabled || save.isPending || (segment === null && (draft.key === "" || keyIssue !== undefined)) || (segment !== null && !dirty)} title={canEdit.reason}>
            {save.isPending ? "Saving…" : segment === null ? "Create segment" : "Save segment"}
          </button>
        </div>
        {save.isSuccess && !dirty && (
          <p className="note success" role="status">
            Saved.
          </p>
        )}
      </form>
      {segment !== null && (
        <Dialog
          open={confirmDelete}
          title={`Delete segment “${segment.key}”?`}
          onClose={() => {
            setConfirmDelete(false);
            remove.reset();
          }}
        >
          <p>
            It is removed from {environment} at once. Segments still used by a flag's rules cannot be deleted.
          </p>
          {remove.error instanceof ApiRequestError && remove.error.status === 409 ? (
            <div className="note error" role="alert">
              <strong>Still in use. </strong>
              {remove.error.message}. Remove it from those flags' rules first.
            </div>
          ) : (
            <ErrorNote error={remove.error} />
          )}
          <div className="row dialog-actions">
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              {remove.isPending ? "Deleting…" : "Delete segment"}
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function KeyList({
  id,
  label,
  hint,
  value,
  onChange,
  disabled,
  errors,
  path,
}: {
  id: string;
  label: string;
  hint: string;
  value: string;
  onChange(value: string): void;
  disabled: boolean;
  errors: unknown;
  path: string;
}) {
  const count = keysOf(value).length;
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="mono" rows={4} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} aria-describedby={`${id}-hint`} spellCheck={false} />
      <p id={`${id}-hint`} className="hint">
        One per line. {hint} {count === 1 ? "1 key." : `${count} keys.`}
      </p>
      <FieldError error={errors} path={path} />
    </div>
  );
}

function ConflictPanel({ current, onLoad }: { current: SegmentView; onLoad(): void }) {
  return (
    <div className="note warning conflict" role="alert">
      <strong>Someone else changed this segment while you were editing.</strong> Nothing was saved. It is now (version {current.version}, updated{" "}
      <time dateTime={current.updatedAt}>{new Date(current.updatedAt).toLocaleString()}</time>):
      <dl>
        <dt>Name</dt>
        <dd>{current.name}</dd>
        <dt>Description</dt>
        <dd>{current.description || "—"}</dd>
        <dt>Included</dt>
        <dd>{current.included.length} keys</dd>
        <dt>Excluded</dt>
        <dd>{current.excluded.length} keys</dd>
        <dt>Conditions</dt>
        <dd>
          {current.clauses.length === 0
            ? "none"
            : current.clauses
                .map((c) => `${c.attribute} ${c.negate ? "not " : ""}${operatorLabel(c.op)} ${c.values.map(String).join(", ")}`.trim())
                .join("; and ")}
        </dd>
      </dl>
      <button type="button" onClick={onLoad}>
        Discard my changes and load the current version
      </button>
    </div>
  );
}
