/**
 * OFREP's wire shapes, pure: reading an evaluation request, a Switchyard result as an OFREP
 * success or failure (through core's one OpenFeature mapping), and the bulk response's ETag.
 */
import {
  openFeatureErrorCode,
  openFeatureMetadata,
  openFeatureReason,
  type CompiledFlag,
  type EvaluationContext,
  type EvaluationResult,
  type JsonValue,
  type OpenFeatureErrorCode,
  type OpenFeatureMetadata,
  type OpenFeatureReason,
} from "@switchyard/core";
import { evaluateInputSchema } from "@switchyard/core/api-schema";
import { sha256 } from "../auth/secrets.js";
import { issuesOf } from "../http/validate.js";
import { evaluateFor } from "../services/visibility.js";

export interface OfrepSuccess {
  key: string;
  value: JsonValue;
  reason: OpenFeatureReason;
  variant?: string;
  metadata: OpenFeatureMetadata;
}

/** A request-level failure (bulk 400); a flag's failure adds its `key`. */
export interface OfrepError {
  errorCode: OpenFeatureErrorCode;
  errorDetails: string;
}

export type OfrepFailure = OfrepError & { key: string };

/** The status of a single evaluation's failure. */
export const failureStatus: Record<OpenFeatureErrorCode, 400 | 404 | 500> = {
  FLAG_NOT_FOUND: 404,
  TARGETING_KEY_MISSING: 400,
  INVALID_CONTEXT: 400,
  PARSE_ERROR: 400,
  GENERAL: 500,
};

// The context schema of `POST /sdk/v1/evaluate`, so both endpoints accept the same contexts.
const contextSchema = evaluateInputSchema.shape.context;

/**
 * `{"context": {...}}`; an empty body or a missing context is the empty context. Other fields are
 * ignored: this is OpenFeature's protocol, and its requests may grow.
 */
export function parseEvaluationRequest(text: string): { context: EvaluationContext } | { error: OfrepError } {
  let body: unknown = {};
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      return { error: { errorCode: "PARSE_ERROR", errorDetails: "body: is not valid JSON" } };
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { error: { errorCode: "PARSE_ERROR", errorDetails: 'body: must be a JSON object such as {"context": {...}}' } };
  }
  const parsed = contextSchema.optional().safeParse((body as { context?: unknown }).context);
  if (!parsed.success) {
    const errorDetails = issuesOf(parsed.error, ["context"]).map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    return { error: { errorCode: "INVALID_CONTEXT", errorDetails } };
  }
  return { context: (parsed.data ?? {}) as EvaluationContext };
}

export const flagNotFound = (key: string): OfrepFailure => ({ key, errorCode: "FLAG_NOT_FOUND", errorDetails: `flag ${key} not found` });

/** One flag evaluated for OFREP: its value (a disabled or killed flag's is the off variant's), or why there is none. */
export function evaluateForOfrep(kind: "server_key" | "client_key", flag: CompiledFlag, context: EvaluationContext): OfrepSuccess | OfrepFailure {
  const result = evaluateFor(kind, flag, context);
  if (result.reason === "ERROR" || result.reason === "FLAG_NOT_FOUND") {
    const errorCode = openFeatureErrorCode(result);
    return { key: flag.key, errorCode, errorDetails: errorDetails(flag, result, errorCode) };
  }
  return {
    key: flag.key,
    value: result.value,
    reason: openFeatureReason(result.reason),
    // Served results always have a variant; only error results lack one.
    variant: result.variant ?? undefined,
    metadata: openFeatureMetadata(result),
  };
}

function errorDetails(flag: CompiledFlag, result: EvaluationResult, errorCode: OpenFeatureErrorCode): string {
  switch (errorCode) {
    case "TARGETING_KEY_MISSING": {
      const where = result.ruleIndex === undefined ? "fallthrough" : `rule ${result.ruleIndex}`;
      const attribute = bucketByOf(flag, result.ruleIndex);
      const what = attribute === "key" ? "the targeting key (targetingKey or key)" : `the attribute "${attribute}"`;
      return `flag ${flag.key} splits its ${where} by ${what}, which the context lacks`;
    }
    case "PARSE_ERROR":
      return `flag ${flag.key} is malformed and cannot be evaluated`;
    case "INVALID_CONTEXT":
      return "context: must be a JSON object";
    case "FLAG_NOT_FOUND":
      return `flag ${flag.key} not found`;
    case "GENERAL":
      return `flag ${flag.key} could not be evaluated`;
  }
}

/** The context attribute a rollout buckets by: of rule `ruleIndex`, else of the fallthrough. */
function bucketByOf(flag: CompiledFlag, ruleIndex: number | undefined): string {
  const serve = ruleIndex === undefined ? flag.flag.fallthrough : flag.flag.rules[ruleIndex]?.serve;
  return serve !== undefined && "rollout" in serve ? serve.rollout.bucketBy : "key";
}

/** A strong validator of the exact body bytes: equal bodies, equal ETags, whatever else changed. */
export function bodyEtag(body: string): string {
  return `"${sha256(body)}"`;
}

/** `If-None-Match` against our ETag: `*`, a list, and weak (`W/`) forms, compared weakly as RFC 9110 says. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
