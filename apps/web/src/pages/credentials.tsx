/** Credentials: SDK keys and API tokens. Admins only; a secret is shown once, right after creation. */
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CreatedCredentialView, CredentialKind, CredentialView, RoleName } from "@switchyard/core";
import { keyProblem } from "@switchyard/core";
import type { CreateCredentialInput } from "@switchyard/core/api-schema";
import { api, ApiRequestError, enc } from "../api";
import { usePermission } from "../auth";
import { ChipInput } from "../components/clause-editor";
import { Dialog } from "../components/dialog";
import { Empty, ErrorNote, FieldError, QueryState } from "../components/feedback";
import { credentialsQuery, environmentsQuery, flagListQuery, keys } from "../queries";
import "../components/editors.css";
import "./credentials.css";

const KINDS: Record<CredentialKind, { label: string; plural: string; hint: string }> = {
  server: { label: "Server SDK key", plural: "Server SDK keys", hint: "For back-end SDKs: reads every flag of one environment, rules included. Keep it secret." },
  client: { label: "Client-side key", plural: "Client-side keys", hint: "For browsers and apps: evaluates client-visible flags of one environment. Safe to ship in a page." },
  automation: { label: "Automation token", plural: "Automation tokens", hint: "For alerting and deploy tools: may only kill, unkill and set rollouts of the flags and environments in its scope." },
  admin: { label: "Admin API token", plural: "Admin API tokens", hint: "For scripts: acts with a role, like a user." },
};
const KIND_ORDER: CredentialKind[] = ["server", "client", "automation", "admin"];

export function CredentialsPage() {
  const permission = usePermission("admin");
  if (!permission.allowed) {
    return (
      <>
        <h1>Credentials</h1>
        <p className="note">Only admins can see credentials. {permission.reason}</p>
      </>
    );
  }
  return <Credentials />;
}

interface Secret {
  credential: CredentialView;
  token: string;
}

function Credentials() {
  const id = useId();
  const credentials = useQuery(credentialsQuery);
  const [kind, setKind] = useState<CredentialKind | "all">("all");
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<CredentialView | null>(null);
  // Component state only: the secret leaves memory when this panel closes.
  const [secret, setSecret] = useState<Secret | null>(null);

  return (
    <>
      <div className="page-header">
        <h1>Credentials</h1>
        <label htmlFor={`${id}-kind`} className="inline">
          Show
        </label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as CredentialKind | "all")}>
          <option value="all">All kinds</option>
          {KIND_ORDER.map((k) => (
            <option key={k} value={k}>
              {KINDS[k].plural}
            </option>
          ))}
        </select>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New credential
        </button>
      </div>
      {secret && <SecretPanel secret={secret} onDone={() => setSecret(null)} />}
      <QueryState query={credentials} what="credentials">
        {(list) => {
          const shown = list.filter((credential) => kind === "all" || credential.kind === kind);
          return shown.length === 0 ? (
            <Empty>{kind === "all" ? "No credentials yet." : `No ${KINDS[kind].plural.toLowerCase()} yet.`}</Empty>
          ) : (
            <CredentialTable credentials={shown} onRevoke={setRevoking} />
          );
        }}
      </QueryState>
      <Dialog open={creating} title="New credential" onClose={() => setCreating(false)} className="credential-dialog">
        <CreateCredentialForm
          onCancel={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
          }}
        />
      </Dialog>
      <Dialog open={revoking !== null} title={`Revoke “${revoking?.name ?? ""}”?`} onClose={() => setRevoking(null)}>
        {revoking && <RevokeConfirmation credential={revoking} onDone={() => setRevoking(null)} />}
      </Dialog>
    </>
  );
}

function CredentialTable({ credentials, onRevoke }: { credentials: CredentialView[]; onRevoke(credential: CredentialView): void }) {
  return (
    <div className="table-wrap">
      <table className="credentials-table">
        <caption className="visually-hidden">Credentials</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Applies to</th>
            <th scope="col">Created by</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {credentials.map((credential) => (
            <tr key={credential.id} className={credential.revokedAt ? "revoked" : undefined}>
              <th scope="row" className="credential-name">
                {credential.name}
              </th>
              <td>{KINDS[credential.kind]?.label ?? credential.kind}</td>
              <td>
                <AppliesTo credential={credential} />
              </td>
              <td>{credential.createdBy}</td>
              <td>
                <Time iso={credential.createdAt} />
              </td>
              <td>{credential.lastUsedAt ? <Time iso={credential.lastUsedAt} /> : <span className="muted">never</span>}</td>
              <td>
                {credential.revokedAt ? (
                  <span className="status-revoked">
                    Revoked <Time iso={credential.revokedAt} />
                  </span>
                ) : (
                  "Active"
                )}
              </td>
              <td>
                {!credential.revokedAt && (
                  <button type="button" className="danger-outline" onClick={() => onRevoke(credential)} aria-label={`Revoke ${credential.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{new Date(iso).toLocaleString()}</time>;
}

function AppliesTo({ credential }: { credential: CredentialView }) {
  if (credential.environment) return <span className="mono">{credential.environment}</span>;
  if (credential.role) return <>role {credential.role}</>;
  if (credential.scope) {
    const { flags, tags, environments } = credential.scope;
    return (
      <span className="scope">
        {flags.length > 0 && <span>flags {flags.join(", ")}</span>}
        {tags.length > 0 && <span>tags {tags.join(", ")}</span>}
        <span>in {environments.join(", ")}</span>
      </span>
    );
  }
  return <span className="muted">—</span>;
}

/** The new secret, once: copy it or lose it. */
function SecretPanel({ secret, onDone }: { secret: Secret; onDone(): void }) {
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [status, setStatus] = useState("");
  useEffect(() => heading.current?.focus(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret.token);
      setStatus("Copied");
    } catch {
      // No clipboard access (an insecure origin, a denied permission): select it for Ctrl+C.
      field.current?.focus();
      field.current?.select();
      setStatus("Selected: press Ctrl+C (⌘C on a Mac) to copy");
    }
  }

  return (
    <section className="note success secret-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
        {KINDS[secret.credential.kind]?.label ?? "Credential"} “{secret.credential.name}” created
      </h2>
      <p>
        <strong>Copy it now; it will not be shown again.</strong>
      </p>
      <label htmlFor={`${id}-token`}>Token</label>
      <div className="row secret-row">
        <input id={`${id}-token`} ref={field} className="mono secret" value={secret.token} readOnly onFocus={(e) => e.target.select()} spellCheck={false} />
        <button type="button" className="primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      <p role="status" aria-live="polite" className="copy-status">
        {status}
      </p>
    </section>
  );
}

function CreateCredentialForm({ onCancel, onCreated }: { onCancel(): void; onCreated(secret: Secret): void }) {
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

  const knownPaths = ["name", "kind", "environment", "role", "scope"];
  const unclaimed = create.error instanceof ApiRequestError && create.error.issues.every((issue) => !knownPaths.some((path) => issue.path === path || issue.path.startsWith(`${path}.`)));
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
      <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} autoFocus placeholder="checkout-service production" aria-invalid={fieldInvalid(create.error, "name")} />
      <FieldError error={create.error} path="name" />

      {(kind === "server" || kind === "client") && (
        <>
          <label htmlFor={`${id}-environment`}>Environment</label>
          <select id={`${id}-environment`} value={environmentKey} onChange={(e) => setEnvironment(e.target.value)} required aria-invalid={fieldInvalid(create.error, "environment")}>
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
          <ChipInput<string> id={`${id}-flags`} values={scopeFlags} onChange={setScopeFlags} parse={parseKey} disabled={false} suggestions={flagKeys} placeholder="Add a flag key…" invalid={fieldInvalid(create.error, "scope.flags")} />
          <FieldError error={create.error} path="scope.flags" />
          <label htmlFor={`${id}-tags`}>Tags</label>
          <ChipInput<string> id={`${id}-tags`} values={scopeTags} onChange={setScopeTags} parse={parseKey} disabled={false} suggestions={tags} placeholder="Add a tag…" invalid={fieldInvalid(create.error, "scope.tags")} />
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
          {scopeMissing && <p className="hint">Name at least one flag or tag, and tick at least one environment.</p>}
        </fieldset>
      )}

      {(unclaimed || !(create.error instanceof ApiRequestError)) && <ErrorNote error={create.error} />}
      <div className="row dialog-actions">
        <span className="spacer" />
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={create.isPending || name.trim() === "" || scopeMissing}>
          {create.isPending ? "Creating…" : "Create credential"}
        </button>
      </div>
    </form>
  );
}

function parseKey(text: string): { value: string } | { error: string } {
  const problem = keyProblem(text);
  return problem === null ? { value: text } : { error: `“${text}” ${problem}` };
}

function fieldInvalid(error: unknown, path: string): true | undefined {
  return (error instanceof ApiRequestError && error.issuesFor(path).length > 0) || undefined;
}

function RevokeConfirmation({ credential, onDone }: { credential: CredentialView; onDone(): void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api<CredentialView>("POST", `/api/v1/credentials/${enc(credential.id)}/revoke`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.credentials });
      onDone();
    },
  });
  return (
    <>
      <p>
        {KINDS[credential.kind]?.label ?? "This credential"} “{credential.name}” stops working at once: requests with it are refused and its open streams close.
        This cannot be undone; create a new one to replace it.
      </p>
      <ErrorNote error={revoke.error} />
      <div className="row dialog-actions">
        <span className="spacer" />
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
          {revoke.isPending ? "Revoking…" : "Revoke"}
        </button>
      </div>
    </>
  );
}
