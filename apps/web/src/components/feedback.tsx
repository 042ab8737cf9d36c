/** Loading, empty and error states, and API errors shown next to the field they name. */
import type { ReactNode } from "react";
import { ApiRequestError } from "../api";

export function FieldError({ error, path }: { error: unknown; path: string }) {
  if (!(error instanceof ApiRequestError)) return null;
  const issues = error.issuesFor(path);
  if (issues.length === 0) return null;
  return (
    <p className="field-error" role="alert">
      {issues.map((issue) => (issue.path === path ? issue.message : `${issue.path}: ${issue.message}`)).join("; ")}
    </p>
  );
}

/** A failed request as a banner: for errors no field on screen claims. */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const issues = error instanceof ApiRequestError ? error.issues : [];
  return (
    <div className="note error" role="alert">
      {title && <strong>{title} </strong>}
      {message}
      {issues.length > 0 && (
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

/** Renders a query's loading and error states, and its data once there. */
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
  if (query.error || query.data === undefined) {
    return (
      <div className="note error" role="alert">
        Could not load {what}: {query.error instanceof Error ? query.error.message : "unknown error"}{" "}
        <button type="button" onClick={() => query.refetch()}>
          Retry
        </button>
      </div>
    );
  }
  return <>{children(query.data)}</>;
}
