/** Environments: where flags are configured separately (development, staging, production…). */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { EnvironmentView } from "@switchyard/core";
import { keyProblem } from "@switchyard/core";
import type { CreateEnvironmentInput } from "@switchyard/core/api-schema";
import { api } from "../api";
import { usePermission } from "../auth";
import { DataTable } from "../components/data-table";
import { Dialog, DialogActions } from "../components/dialog";
import { Empty, ErrorNote, FieldError, hasIssues, QueryState, ReadOnlyHint, unclaimed } from "../components/feedback";
import { environmentsQuery, keys } from "../queries";
import { DateTime } from "../time";

export function EnvironmentsPage() {
  const environments = useQuery(environmentsQuery);
  const permission = usePermission("admin");
  const [creating, setCreating] = useState(false);

  return (
    <>
      <div className="page-header">
        <h1>Environments</h1>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setCreating(true)} disabled={!permission.allowed} title={permission.reason}>
          New environment
        </button>
      </div>
      <ReadOnlyHint reason={permission.reason} />
      <QueryState query={environments} what="environments">
        {(list) =>
          list.length === 0 ? (
            <Empty>No environments yet.</Empty>
          ) : (
            <DataTable
              caption="Environments"
              rows={list}
              rowKey={(environment) => environment.key}
              columns={[
                { header: "Key", cell: (environment) => <code>{environment.key}</code> },
                { header: "Name", cell: (environment) => environment.name },
                { header: <span title="Counts every change SDKs in this environment have received">Revision</span>, cell: (environment) => environment.revision },
                { header: "Created", cell: (environment) => <DateTime iso={environment.createdAt} /> },
              ]}
            />
          )
        }
      </QueryState>
      <Dialog open={creating} title="New environment" onClose={() => setCreating(false)}>
        <CreateEnvironmentForm existing={environments.data ?? []} onDone={() => setCreating(false)} />
      </Dialog>
    </>
  );
}

function CreateEnvironmentForm({ existing, onDone }: { existing: EnvironmentView[]; onDone(): void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: (body: CreateEnvironmentInput) => api<EnvironmentView>("POST", "/api/v1/environments", { body }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.environments });
      // Every flag gets a config in the new environment.
      void queryClient.invalidateQueries({ queryKey: keys.flags });
      onDone();
    },
  });
  const keyIssue = key === "" ? undefined : (keyProblem(key) ?? (existing.some((env) => env.key === key) ? "is already taken" : undefined));

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ key, ...(name.trim() && { name: name.trim() }) });
  }

  return (
    <form onSubmit={submit}>
      <p className="hint">Every flag gets its own configuration here, off until someone turns it on.</p>
      <label htmlFor={`${id}-key`}>Key</label>
      <input
        id={`${id}-key`}
        value={key}
        onChange={(e) => setKey(e.target.value)}
        required
        maxLength={128}
        data-autofocus
        aria-invalid={keyIssue !== undefined || hasIssues(create.error, "key") || undefined}
        aria-describedby={`${id}-key-hint`}
        autoComplete="off"
        spellCheck={false}
      />
      <p id={`${id}-key-hint`} className={keyIssue ? "field-error" : "hint"}>
        {keyIssue ? `Key ${keyIssue}.` : "Such as staging. SDK keys and URLs use it; it cannot change."}
      </p>
      <FieldError error={create.error} path="key" />
      <label htmlFor={`${id}-name`}>Name (optional)</label>
      <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} placeholder={key} aria-invalid={hasIssues(create.error, "name") || undefined} />
      <FieldError error={create.error} path="name" />
      <ErrorNote error={unclaimed(create.error, ["key", "name"])} />
      <DialogActions>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={create.isPending || key === "" || keyIssue !== undefined}>
          {create.isPending ? "Creating…" : "Create environment"}
        </button>
      </DialogActions>
    </form>
  );
}
