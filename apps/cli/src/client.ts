/**
 * The admin API over fetch. Every failure becomes a CliError carrying the server's message and
 * the exit code for its status; the token goes only into the Authorization header.
 */
import type { ErrorBodyView } from "@switchyard/core";
import { CliError, exitCodeForStatus, exitCodes, UsageError } from "./errors.js";

export interface ApiClientOptions {
  url: string;
  token: string;
  /** Per request; a hung server must not hang a pipeline. */
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

/** A failed request, with the status and the server's error body for callers that branch on them. */
export class ApiRequestError extends CliError {
  constructor(
    readonly status: number,
    message: string,
    readonly body: ErrorBodyView | undefined,
  ) {
    super(exitCodeForStatus(status), message);
    this.name = "ApiRequestError";
  }
}

export class ApiClient {
  private readonly base: URL;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor({ url, token, timeoutMs = 30_000 }: ApiClientOptions) {
    try {
      this.base = new URL(url.endsWith("/") ? url : `${url}/`);
    } catch {
      throw new UsageError(`the server URL '${url}' is not a URL (set SWITCHYARD_URL or --url, e.g. https://flags.example.com)`);
    }
    if (this.base.protocol !== "http:" && this.base.protocol !== "https:") {
      throw new UsageError(`the server URL must start with http:// or https://`);
    }
    this.token = token;
    this.timeoutMs = timeoutMs;
  }

  get<T>(path: string, query?: RequestOptions["query"]): Promise<T> {
    return this.request<T>("GET", path, { query });
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>("POST", path, { body });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, { body });
  }

  async request<T>(method: string, path: string, { query, body }: RequestOptions = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ""), this.base);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CliError(exitCodes.failure, `cannot reach ${this.base.origin}: ${describeNetworkError(error)}`);
    }
    const text = await response.text();
    const json = parseJson(text);
    if (response.ok) return json as T;
    const errorBody = isErrorBody(json) ? json : undefined;
    throw new ApiRequestError(response.status, describeFailure(method, url.pathname, response.status, errorBody), errorBody);
  }
}

/** `/api/v1/flags/{key}/…` with each segment escaped, so a key can never change the route. */
export function apiPath(...segments: string[]): string {
  return `/api/v1/${segments.map(encodeURIComponent).join("/")}`;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isErrorBody(value: unknown): value is ErrorBodyView {
  const error = (value as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === "string";
}

function describeFailure(method: string, path: string, status: number, body: ErrorBodyView | undefined): string {
  if (!body) return `${method} ${path} failed with HTTP ${status}`;
  const { message, issues } = body.error;
  // The message already joins the field issues for 400s; list them only when it does not.
  const extra = issues.filter((issue) => !message.includes(issue.path)).map((issue) => `${issue.path}: ${issue.message}`);
  return [message, ...extra].join("; ") + ` (HTTP ${status})`;
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "the request timed out";
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
