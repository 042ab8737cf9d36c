/** Credentials: SDK keys and API tokens. Admins only; a secret is shown once, right after creation. */
import { useEffect, useId, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { CredentialKind, CredentialView } from "@switchyard/core";
import { api, enc } from "../api";
import { usePermission } from "../auth";
import { DataTable } from "../components/data-table";
import { Dialog, DialogActions } from "../components/dialog";
import { Empty, ErrorNote, QueryState } from "../components/feedback";
import { credentialsQuery, keys } from "../queries";
import { DateTime } from "../time";
import { CreateCredentialDialog, KIND_ORDER, KINDS, type NewSecret } from "./create-credential-dialog";
import "./credentials.css";

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

function Credentials() {
  const id = useId();
  const credentials = useQuery(credentialsQuery);
  const [kind, setKind] = useState<CredentialKind | "all">("all");
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<CredentialView | null>(null);
  // Component state only: the secret leaves memory when this panel closes.
  const [secret, setSecret] = useState<NewSecret | null>(null);

  return (
    <>
      <div className="page-header">
        <h1>Credentials</h1>
        <div className="header-field">
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
        </div>
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
      <CreateCredentialDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(created) => {
          setCreating(false);
          setSecret(created);
        }}
      />
      <Dialog open={revoking !== null} title={`Revoke “${revoking?.name ?? ""}”?`} onClose={() => setRevoking(null)}>
        {revoking && <RevokeConfirmation credential={revoking} onDone={() => setRevoking(null)} />}
      </Dialog>
    </>
  );
}

function CredentialTable({ credentials, onRevoke }: { credentials: CredentialView[]; onRevoke(credential: CredentialView): void }) {
  return (
    <DataTable
      caption="Credentials"
      className="credentials-table"
      rows={credentials}
      rowKey={(credential) => credential.id}
      rowProps={(credential) => ({ className: credential.revokedAt ? "revoked" : undefined })}
      columns={[
        { header: "Name", cell: (credential) => credential.name, className: "credential-name" },
        { header: "Kind", cell: (credential) => KINDS[credential.kind]?.label ?? credential.kind },
        { header: "Applies to", cell: (credential) => <AppliesTo credential={credential} /> },
        { header: "Created by", cell: (credential) => credential.createdBy },
        { header: "Created", cell: (credential) => <DateTime iso={credential.createdAt} /> },
        { header: "Last used", cell: (credential) => (credential.lastUsedAt ? <DateTime iso={credential.lastUsedAt} /> : <span className="muted">never</span>) },
        {
          header: "Status",
          cell: (credential) =>
            credential.revokedAt ? (
              <span className="status-revoked">
                Revoked <DateTime iso={credential.revokedAt} />
              </span>
            ) : (
              "Active"
            ),
        },
        {
          header: "",
          cell: (credential) =>
            !credential.revokedAt && (
              <button type="button" className="danger-outline" onClick={() => onRevoke(credential)} aria-label={`Revoke ${credential.name}`}>
                Revoke
              </button>
            ),
        },
      ]}
    />
  );
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
function SecretPanel({ secret, onDone }: { secret: NewSecret; onDone(): void }) {
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
      <DialogActions>
        <button type="button" onClick={onDone} data-autofocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
          {revoke.isPending ? "Revoking…" : "Revoke"}
        </button>
      </DialogActions>
    </>
  );
}
