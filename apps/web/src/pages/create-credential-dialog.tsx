/** Creating a credential: its kind, name and what it applies to. The secret goes to the caller once, never into a cache. */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreatedCredentialView, CredentialKind, CredentialView, RoleName } from "@switchyard/core";
import { keyProblem } from "@switchyard/core";
import type { CreateCredentialInput } from "@switchyard/core/api-schema";
import { api } from "../api";
import { ChipInput } from "../components/chip-input";
import { Dialog, DialogActions } from "../components/dialog";
import { ErrorNote, FieldError, hasIssues, unclaimed } from "../components/feedback";
import { environmentsQuery, flagListQuery, keys } from "../queries";

export const KINDS: Record<CredentialKind, { label: string; plural: string; hint: string }> = {
  server: { label: "Server SDK key", plural: "Server SDK keys", hint: "For back-end SDKs: reads every flag of one environment, rules included. Keep it secret." },
  client: { label: "Client-side key", plural: "Client-side keys", hint: "For browsers and apps: evaluates client-visible flags of one environment. Safe to ship in a page." },
  automation: { label: "Automation token", plural: "Automation tokens", hint: "For alerting and deploy tools: may only kill, unkill and set rollouts of the flags and environments in its scope." },
  admin: { label: "Admin API token", plural: "Admin API tokens", hint: "For scripts: acts with a role, like a user." },
};
export const KIND_ORDER: CredentialKind[] = ["server", "client", "automation", "admin"];

/** A credential just created, with the secret shown this once. */
export interface NewSecret {
  credential: CredentialView;
  token: string;
}

const FIELDS = ["name", "kind", "environment", "role", "scope"];

export function CreateCredentialDialog({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(secret: NewSecret): void }) {
  return (
    <Dialog open={open} title="New credential" onClose={onClose} className="credential-dialog">
      <CreateCredentialForm onCancel={onClose} onCreated={onCreated} />
    </Dialog>
  );
}

function CreateCredentialForm({ onCancel, onCreated }: { onCancel(): void; onCreated(secret: NewSecret): void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const environments = useQuery(environmentsQuery);
  const flags = useQuery(flagListQuery(false));
  const [kind, setKind] = useState<CredentialKind>("server");
  const [name, setName] = useState("");
  const [environment, setEnvironment] = useState("");
  const [role, setRole] = useState<RoleName>("viewer");
  const [scopeFlags, setScopeFlags] = useState<string[]>([]);
  const [scopeTags, setScopeTags] = useState<string[]>([]);
  const [scopeEnvironments, setScopeEnvironments] = useState<string[]>([]);
  const environmentKey = environment || environments.data?.[0]?.key || "";

  const create = useMutation({
    mutationFn: async (body: CreateCredentialInput) => {
      const { token, ...credential } = await api<CreatedCredentialView>("POST", "/api/v1/credentials", { body });
      // Handed straight to the panel and never returned: mutation results are kept in the
      // client's cache, and a secret must not be.
      onCreated({ credential, token });
      return credential;
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.credentials }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const named = name.trim();
    if (kind === "admin") create.mutate({ kind, name: named, role });
    else if (kind === "automation") create.mutate({ kind, name: named, scope: { flags: scopeFlags, tags: scopeTags, environments: scopeEnvironments } });
    else create.mutate({ kind, name: named, environment: environmentKey });
  }

  const flagKeys = flags.data?.map((flag) => flag.key) ?? [];
  const tags = [...new Set(flags.data?.flatMap((flag) => flag.tags) ?? [])].sort();
  const scopeMissing = kind === "automation" && (scopeEnvironments.length === 0 || scopeFlags.length + scopeTags.length === 0);

  return (
    <form onSubmit={submit} className="credential-form">
      <label htmlFor={`${id}-kind`}>Kind</label>
      <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as CredentialKind)} aria-describedby={`${id}-kind-hint`}>
        {KIND_ORDER.map((k) => (
          <option key={k} value={k}>
            {KINDS[k].label}
          </option>
        ))}
      </select>
      <p id={`${id}-kind-hint`} className="hint">
        {KINDS[kind].hint}
      </p>
      <FieldError error={create.error} path="kind" />

      <label htmlFor={`${id}-name`}>Name</label>
      <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} data-autofocus placeholder="checkout-service production" aria-invalid={hasIssues(create.error, "name") || undefined} />
      <FieldError error={create.error} path="name" />

      {(kind === "server" || kind === "client") && (
        <>
          <label htmlFor={`${id}-environment`}>Environment</label>
          <select id={`${id}-environment`} value={environmentKey} onChange={(e) => setEnvironment(e.target.value)} required aria-invalid={hasIssues(create.error, "environment") || undefined}>
            {environments.data?.map((env) => (
              <option key={env.key} value={env.key}>
                {env.key}
              </option>
            ))}
          </select>
          <FieldError error={create.error} path="environment" />
        </>
      )}

      {kind === "admin" && (
        <>
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as RoleName)}>
            <option value="viewer">viewer: reads everything</option>
            <option value="editor">editor: changes flags and segments</option>
            <option value="admin">admin: also environments, credentials and users</option>
          </select>
          <FieldError error={create.error} path="role" />
        </>
      )}

      {kind === "automation" && (
        <fieldset className="scope-fields">
          <legend>Scope</legend>
          <p className="hint">The flags it may act on, by key and/or by tag (at least one), in the environments ticked below.</p>
          <label htmlFor={`${id}-flags`}>Flags</label>
          <ChipInput<string> id={`${id}-flags`} values={scopeFlags} onChange={setScopeFlags} parse={parseKey} disabled={false} suggestions={flagKeys} placeholder="Add a flag key…" invalid={hasIssues(create.error, "scope.flags")} />
          <FieldError error={create.error} path="scope.flags" />
          <label htmlFor={`${id}-tags`}>Tags</label>
          <ChipInput<string> id={`${id}-tags`} values={scopeTags} onChange={setScopeTags} parse={parseKey} disabled={false} suggestions={tags} placeholder="Add a tag…" invalid={hasIssues(create.error, "scope.tags")} />
          <FieldError error={create.error} path="scope.tags" />
          <fieldset>
            <legend>Environments</legend>
            {environments.data?.map((env) => (
              <label key={env.key} className="inline">
                <input
                  type="checkbox"
                  checked={scopeEnvironments.includes(env.key)}
                  onChange={(e) => setScopeEnvironments((current) => (e.target.checked ? [...current, env.key] : current.filter((key) => key !== env.key)))}
                />
                {env.key}
              </label>
            ))}
          </fieldset>
          <FieldError error={create.error} path="scope.environments" />
          <FieldError error={create.error} path="scope" except={["scope.flags", "scope.tags", "scope.environments"]} />
          {scopeMissing && <p className="hint">Name at least one flag or tag, and tick at least one environment.</p>}
        </fieldset>
      )}

      <ErrorNote error={unclaimed(create.error, FIELDS)} title="The credential was not created." />
      <DialogActions>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={create.isPending || name.trim() === "" || scopeMissing}>
          {create.isPending ? "Creating…" : "Create credential"}
        </button>
      </DialogActions>
    </form>
  );
}

function parseKey(text: string): { value: string } | { error: string } {
  const problem = keyProblem(text);
  return problem === null ? { value: text } : { error: `“${text}” ${problem}` };
}
