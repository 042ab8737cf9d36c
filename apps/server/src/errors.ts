/**
 * The closed set of failures the API reports, each mapped to one HTTP status in one place
 * (`errorResponse`), so services throw meaning and never think about transport.
 */
export type ErrorCode =
  | "invalid_request"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "precondition_required"
  | "payload_too_large"
  | "unsupported_media_type"
  | "too_many_requests"
  | "unavailable"
  | "internal";

export interface FieldIssue {
  path: string;
  message: string;
}

const statusByCode: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 415 | 428 | 429 | 500 | 503> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_required: 428,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
    /** For conflicts: the current state, so the caller can merge and retry. */
    readonly current?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get status() {
    return statusByCode[this.code];
  }

  toBody() {
    const error: Record<string, unknown> = { code: this.code, message: this.message, issues: this.issues };
    if (this.current !== undefined) error.current = this.current;
    return { error };
  }
}

export const invalid = (path: string, message: string) => invalidFields([{ path, message }]);

/** A 400 naming every bad field. */
export function invalidFields(issues: FieldIssue[]): ApiError {
  return new ApiError("invalid_request", issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "), issues);
}
export const notFound = (what: string) => new ApiError("not_found", `${what} not found`);
export const forbidden = (message: string) => new ApiError("forbidden", message);
export const unauthenticated = (message = "a valid credential is required") => new ApiError("unauthenticated", message);
export const conflict = (message: string, current: unknown) => new ApiError("conflict", message, [], current);

/** Zod-style paths (["rules", 0, "clauses"]) as the dotted strings clients show next to fields. */
/** `["rules", 0, "clauses", 1, "values"]` → `rules[0].clauses[1].values`, as a JavaScript reader would write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : text === "" ? String(part) : `${text}.${String(part)}`), "");
}
