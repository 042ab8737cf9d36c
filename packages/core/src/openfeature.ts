/**
 * OpenFeature's names for Switchyard's results: one mapping, shared by the server's OFREP
 * endpoints and the OpenFeature providers, so a flag reads the same through either.
 */
import type { ErrorCode, EvaluationResult, Reason } from "./result.js";

/** The OpenFeature resolution reasons Switchyard produces. */
export type OpenFeatureReason = "STATIC" | "DEFAULT" | "TARGETING_MATCH" | "SPLIT" | "DISABLED" | "ERROR";

/** The OpenFeature error codes Switchyard produces (TYPE_MISMATCH is the caller's to detect). */
export type OpenFeatureErrorCode = "FLAG_NOT_FOUND" | "PARSE_ERROR" | "TARGETING_KEY_MISSING" | "INVALID_CONTEXT" | "GENERAL";

/** OpenFeature flag metadata: primitive values only. */
export type OpenFeatureMetadata = Record<string, string | number | boolean>;

const REASONS: Record<Reason, OpenFeatureReason> = {
  TARGET_MATCH: "TARGETING_MATCH",
  RULE_MATCH: "TARGETING_MATCH",
  SPLIT: "SPLIT",
  KILLED: "DISABLED",
  DISABLED: "DISABLED",
  FALLTHROUGH: "DEFAULT",
  STATIC: "STATIC",
  FLAG_NOT_FOUND: "ERROR",
  ERROR: "ERROR",
};

/**
 * @example
 * openFeatureReason("RULE_MATCH"); // "TARGETING_MATCH"
 */
export function openFeatureReason(reason: Reason): OpenFeatureReason {
  return REASONS[reason] ?? "ERROR";
}

/**
 * The OpenFeature error code of a failed result (`reason` ERROR or FLAG_NOT_FOUND); a flag that
 * cannot be evaluated as stored is OpenFeature's PARSE_ERROR.
 *
 * @example
 * openFeatureErrorCode({ value: false, variant: "off", reason: "ERROR", errorCode: "MALFORMED_FLAG" }); // "PARSE_ERROR"
 */
export function openFeatureErrorCode(result: Pick<EvaluationResult, "reason" | "errorCode">): OpenFeatureErrorCode {
  if (result.reason === "FLAG_NOT_FOUND") return "FLAG_NOT_FOUND";
  const code: ErrorCode = result.errorCode ?? "GENERAL";
  return code === "MALFORMED_FLAG" ? "PARSE_ERROR" : code;
}

/**
 * Metadata for a result: `killed` (and `killReason`) when a kill switch decided it, `ruleIndex`
 * for a rule match. Only what the result itself says: bulk ETags hash these, and an edit that
 * changes no one's value must not look like a change.
 *
 * @example
 * openFeatureMetadata({ reason: "KILLED", killReason: "error spike" }); // { killed: true, killReason: "error spike" }
 */
export function openFeatureMetadata(result: Pick<EvaluationResult, "reason" | "ruleIndex" | "killReason">): OpenFeatureMetadata {
  const metadata: OpenFeatureMetadata = {};
  if (result.reason === "KILLED") {
    metadata.killed = true;
    if (typeof result.killReason === "string") metadata.killReason = result.killReason;
  }
  if (result.reason === "RULE_MATCH" && typeof result.ruleIndex === "number") metadata.ruleIndex = result.ruleIndex;
  return metadata;
}

/**
 * An OpenFeature evaluation context as Switchyard evaluates it: `targetingKey` already serves as
 * the context key, and `Date` values become the ISO strings an OFREP request would carry, so a
 * local provider and the OFREP endpoints see the same context.
 *
 * @example
 * toSwitchyardContext({ targetingKey: "user-1", signedUp: new Date(0) }); // { targetingKey: "user-1", signedUp: "1970-01-01T00:00:00.000Z" }
 */
export function toSwitchyardContext<T extends object>(context: T): T {
  return hasDate(context, 0) ? (JSON.parse(JSON.stringify(context)) as T) : context;
}

function hasDate(value: unknown, depth: number): boolean {
  if (value instanceof Date) return true;
  // Deeper than any context worth evaluating: leave it to the evaluator to judge.
  if (typeof value !== "object" || value === null || depth > 32) return false;
  for (const item of Array.isArray(value) ? value : Object.values(value)) if (hasDate(item, depth + 1)) return true;
  return false;
}
