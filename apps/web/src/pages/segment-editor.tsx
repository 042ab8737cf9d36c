/** Creating or editing one segment: its key lists and conditions, saved as a draft; and deleting it. */
import { useEffect, useId, useRef, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Clause, SegmentView } from "@switchyard/core";
import { keyProblem } from "@switchyard/core";
import type { CreateSegmentInput, UpdateSegmentInput } from "@switchyard/core/api-schema";
import { api, enc } from "../api";
import type { Permission } from "../auth";
import { ClauseEditor, emptyClause, operatorLabel } from "../components/clause-editor";
import { conflictState, ConflictPanel, StaleNote } from "../components/conflict";
import { ErrorNote, FieldError, hasIssues, unclaimed } from "../components/feedback";
import { keys } from "../queries";
import { DateTime } from "../time";
import { useDraft } from "../use-draft";
import { DeleteSegmentDialog } from "./delete-segment-dialog";

interface SegmentFields {
  key: string;
  name: string;
  description: string;
  /** One context key per line, as typed. */
  included: string;
  excluded: string;
  clauses: Clause[];
}

const fieldsOf = (segment: SegmentView | null): SegmentFields => ({
  key: segment?.key ?? "",
  name: segment?.name ?? "",
  description: segment?.description ?? "",
  included: segment?.included.join("\n") ?? "",
  excluded: segment?.excluded.join("\n") ?? "",
  clauses: segment?.clauses ?? [],
});

/** One context key per line; blank lines and repeats dropped. */
const keysOf = (text: string) => [...new Set(text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== ""))];

const FIELDS = ["key", "name", "description", "included", "excluded", "clauses"];

export function SegmentEditor({
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
  const draft = useDraft(fieldsOf(segment), segment?.version);
  const fields = draft.fields;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const disabled = !canEdit.allowed;

  useEffect(() => heading.current?.focus(), []);

  const edit = (change: Partial<SegmentFields>) => draft.edit((current) => ({ ...current, ...change }));

  /** Shows a segment's new state at once, before the list's refetch answers. */
  function replaceInList(next: SegmentView) {
    queryClient.setQueryData(keys.segments(environment), (list: SegmentView[] | undefined) =>
      list && [...list.filter((other) => other.key !== next.key), next].sort((a, b) => a.key.localeCompare(b.key)),
    );
  }

  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: fields.name.trim() || fields.key,
        description: fields.description,
        included: keysOf(fields.included),
        excluded: keysOf(fields.excluded),
        clauses: fields.clauses,
      };
      if (segment === null) {
        return api<SegmentView>("POST", `/api/v1/environments/${enc(environment)}/segments`, { body: { key: fields.key, ...body } satisfies CreateSegmentInput });
      }
      return api<SegmentView>("PATCH", `/api/v1/environments/${enc(environment)}/segments/${enc(segment.key)}`, {
        body: { ...body, version: draft.baseVersion } satisfies UpdateSegmentInput,
      });
    },
    onSuccess: (saved) => {
      replaceInList(saved);
      void queryClient.invalidateQueries({ queryKey: keys.segments(environment) });
    },
  });

  const conflict = conflictState<SegmentView>(save.error);
  const keyIssue =
    segment === null && fields.key !== ""
      ? (keyProblem(fields.key) ?? (existing.some((other) => other.key === fields.key) ? "is already taken in this environment" : undefined))
      : undefined;

  function submit() {
    save.mutate(undefined, {
      onSuccess: (saved) => {
        draft.discard();
        if (segment === null) onCreated?.(saved.key);
      },
    });
  }

  function loadCurrent(current: SegmentView) {
    replaceInList(current);
    draft.discard();
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
          submit();
        }}
      >
        {segment === null && (
          <>
            <label htmlFor={`${id}-key`}>Key</label>
            <input
              id={`${id}-key`}
              value={fields.key}
              onChange={(e) => edit({ key: e.target.value })}
              required
              maxLength={128}
              disabled={disabled}
              aria-invalid={keyIssue !== undefined || hasIssues(save.error, "key") || undefined}
              aria-describedby={`${id}-key-hint`}
              autoComplete="off"
              spellCheck={false}
            />
            <p id={`${id}-key-hint`} className={keyIssue ? "field-error" : "hint"}>
              {keyIssue ? `Key ${keyIssue}.` : "Letters, digits, '.', '_' and '-'; rules refer to the segment by this key and it cannot change."}
            </p>
            <FieldError error={save.error} path="key" />
          </>
        )}
        <div className="segment-fields">
          <div>
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} value={fields.name} onChange={(e) => edit({ name: e.target.value })} maxLength={200} disabled={disabled} placeholder={fields.key} />
            <FieldError error={save.error} path="name" />
          </div>
          <div>
            <label htmlFor={`${id}-description`}>Description</label>
            <input id={`${id}-description`} value={fields.description} onChange={(e) => edit({ description: e.target.value })} maxLength={2000} disabled={disabled} />
            <FieldError error={save.error} path="description" />
          </div>
          <KeyList id={`${id}-included`} label="Included context keys" hint="Always in the segment." value={fields.included} onChange={(included) => edit({ included })} disabled={disabled} errors={save.error} path="included" />
          <KeyList id={`${id}-excluded`} label="Excluded context keys" hint="Never in the segment, whatever the conditions say (unless included)." value={fields.excluded} onChange={(excluded) => edit({ excluded })} disabled={disabled} errors={save.error} path="excluded" />
        </div>
        <fieldset className="segment-clauses">
          <legend>Conditions (all must match)</legend>
          {fields.clauses.length === 0 && <p className="hint">No conditions: only included keys are in the segment.</p>}
          {fields.clauses.map((clause, index) => (
            <div key={index} className="segment-clause">
              <ClauseEditor
                clause={clause}
                onChange={(next) => edit({ clauses: fields.clauses.map((c, i) => (i === index ? next : c)) })}
                segments={null}
                disabled={disabled}
                error={save.error}
                path={`clauses[${index}]`}
                label={`Condition ${index + 1}`}
              />
              <button type="button" className="link" onClick={() => edit({ clauses: fields.clauses.filter((_, i) => i !== index) })} disabled={disabled} aria-label={`Remove condition ${index + 1}`}>
                Remove condition
              </button>
            </div>
          ))}
          <FieldError error={save.error} path="clauses" except={fields.clauses.map((_, index) => `clauses[${index}]`)} />
          <button type="button" onClick={() => edit({ clauses: [...fields.clauses, emptyClause()] })} disabled={disabled}>
            + Add condition
          </button>
        </fieldset>
        {segment !== null && draft.stale && !conflict && <StaleNote changed="This segment changed" version={segment.version} />}
        <ErrorNote error={unclaimed(save.error, FIELDS)} />
        {conflict && <SegmentConflict current={conflict} onLoad={() => loadCurrent(conflict)} />}
        <div className="row editor-actions">
          {segment !== null && (
            <button type="button" className="danger" onClick={() => setConfirmDelete(true)} disabled={disabled} title={canEdit.reason}>
              Delete segment
            </button>
          )}
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            {draft.dirty ? "Cancel" : "Close"}
          </button>
          <button
            type="submit"
            className="primary"
            disabled={disabled || save.isPending || (segment === null ? fields.key === "" || keyIssue !== undefined : !draft.dirty)}
            title={canEdit.reason}
          >
            {save.isPending ? "Saving…" : segment === null ? "Create segment" : "Save segment"}
          </button>
        </div>
        {save.isSuccess && !draft.dirty && (
          <p className="note success" role="status">
            Saved.
          </p>
        )}
      </form>
      {segment !== null && <DeleteSegmentDialog open={confirmDelete} environment={environment} segment={segment} onClose={() => setConfirmDelete(false)} onDeleted={onClose} />}
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
      <textarea
        id={id}
        className="mono"
        rows={4}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        aria-describedby={`${id}-hint`}
        aria-invalid={hasIssues(errors, path) || undefined}
        spellCheck={false}
      />
      <p id={`${id}-hint`} className="hint">
        One per line. {hint} {count === 1 ? "1 key." : `${count} keys.`}
      </p>
      <FieldError error={errors} path={path} />
    </div>
  );
}

function SegmentConflict({ current, onLoad }: { current: SegmentView; onLoad(): void }) {
  return (
    <ConflictPanel heading="Not saved: this segment changed after you started." onLoad={onLoad}>
      <p>
        It is now version {current.version}, updated <DateTime iso={current.updatedAt} />:
      </p>
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
            : current.clauses.map((c) => `${c.attribute} ${c.negate ? "not " : ""}${operatorLabel(c.op)} ${c.values.map(String).join(", ")}`.trim()).join("; and ")}
        </dd>
      </dl>
    </ConflictPanel>
  );
}
