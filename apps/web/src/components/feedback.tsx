/**
 * Loading, empty and error states; API errors shown next to the field they name, and the rest in
 * a banner; why a control is read-only.
 */
import type { ReactNode } from "react";
import { ApiRequestError, isUnder } from "../api";

/**
 * The server's messages for `path` and every field under it (`rules` also shows
 * `rules[0].clauses[1].values`, with its path). `except` leaves out fields whose own FieldError
 * shows them, so a container can show the rest without repeating its children.
 */
export function FieldError({ error, path, except = [] }: { error: unknown; path: string; except?: readonly string[] }) {
  if (!(error instanceof ApiRequestError)) return null;
  const issues = error.issuesFor(path).filter((issue) => !except.some((child) => isUnder(issue.path, child)));
  if (issues.length === 0) return null;
  return (
    <p className="field-error" role="alert">
      {issues.map((issue) => (issue.path === path ? issue.message : `${issue.path}: ${issue.message}`)).join("; ")}
    </p>
  );
}

/** Whether the error names `path` or a field under it: for aria-invalid. */
export function hasIssues(error: unknown, path: string): boolean {
  return error instanceof ApiRequestError && error.issuesFor(path).length > 0;
}

/**
 * What of a failed write no field on screen shows, for an `<ErrorNote>`: the whole error when it
 * names no field (a network failure, a 403), else only the issues outside `fields`; null when the
 * fields show everything. A conflict is left to its conflict panel.
 *
 * @example
 * <ErrorNote error={unclaimed(save.error, ["name", "clauses"])} />
 */
export function unclaimed(error: unknown, fields: readonly string[]): unknown {
  if (!(error instanceof ApiRequestError)) return error;
  if (error.isConflict) return null;
  if (error.issues.length === 0) return error;
  const rest = error.issues.filter((issue) => !fields.some((field) => isUnder(issue.path, field)));
  return rest.length === 0 ? null : new ApiRequestError(error.status, error.code, error.message, rest);
}

/** A failed request as a banner: for errors no field on screen claims (see `unclaimed`). */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const issues = error instanceof ApiRequestError ? error.issues : [];
  const heading = title ?? (issues.length > 0 ? "The server refused this:" : undefined);
  return (
    <div className="note error" role="alert">
      {heading && <strong>{heading} </strong>}
      {issues.length === 0 ? (
        error instanceof Error ? error.message : String(error)
      ) : (
        // The message repeats the issues; the list says it better.
        <ul>
          {issues.map((issue) => (
            <li key={issue.path + issue.message}>
              <code>{issue.path}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Why the controls next to it are disabled, when they are: a viewer sees everything and changes nothing. */
export function ReadOnlyHint({ reason }: { reason: string | undefined }) {
  if (reason === undefined) return null;
  return <p className="hint read-only">Read-only: {reason}</p>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/**
 * Renders a query's loading and error states, and its data once there. A refresh that fails keeps
 * the data on screen, with a note: a network blip must not take a page (or what is typed into
 * it) away.
 */
export function QueryState<T>({
  query,
  what,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.data === undefined) return <LoadError what={what} error={query.error} onRetry={() => query.refetch()} />;
  return (
    <>
      {query.error ? <LoadError what={what} error={query.error} onRetry={() => query.refetch()} shown /> : null}
      {children(query.data)}
    </>
  );
}

/** A read that failed, with a way to ask again; `shown`: an older copy is still on screen. */
export function LoadError({ what, error, onRetry, shown = false }: { what: string; error: unknown; onRetry: () => void; shown?: boolean }) {
  return (
    <div className="note error" role="alert">
      Could not {shown ? "refresh" : "load"} {what}: {error instanceof Error ? error.message : "unknown error"}
      {shown && " (showing what was loaded before)"}{" "}
      <button type="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}
