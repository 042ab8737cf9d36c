/**
 * The one way the UI talks to the server: same-origin fetch with the session cookie, JSON in and
 * out, and every failure turned into an `ApiRequestError` that knows which fields it names.
 */
import type { ErrorBodyView } from "@switchyard/core";

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    /** For a 409: the state on the server now. */
    readonly current?: unknown,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }

  /** Messages for a field and everything under it (`rules` also gets `rules[0].clauses[1].values`). */
  issuesFor(path: string): FieldIssue[] {
    return this.issues.filter((issue) => isUnder(issue.path, path));
  }

  get isConflict() {
    return this.status === 409 && this.current !== undefined;
  }
}

/** Whether a field path is `field` or inside it: `rules[0].values` is under `rules[0]` and `rules`, not under `rule`. */
export function isUnder(path: string, field: string): boolean {
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}

/** Called on a 401 so the app can show the login page; set by the auth provider. */
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(handler: () => void) {
  onUnauthenticated = handler;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** The version the caller saw, for writes without a body (a delete): a newer one is a 409. */
  ifMatch?: number;
}

export async function api<T>(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" }, signal: options.signal };
  if (options.ifMatch !== undefined) init.headers = { ...init.headers, "If-Match": `"${options.ifMatch}"` };
  if (options.body !== undefined) {
    init.headers = { ...init.headers, "Content-Type": "application/json" };
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiRequestError(0, "network", "The server cannot be reached. Check your connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // A proxy's HTML error page, for example: reported below by status.
  }
  if (response.ok) return parsed as T;
  const error = (parsed as ErrorBodyView | undefined)?.error;
  if (response.status === 401 && !path.startsWith("/api/v1/auth/login")) onUnauthenticated();
  throw new ApiRequestError(
    response.status,
    error?.code ?? "http_error",
    error?.message ?? `The server answered ${response.status} ${response.statusText}`.trim(),
    error?.issues ?? [],
    error?.current,
  );
}

/** Builds a query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

export const enc = encodeURIComponent;
