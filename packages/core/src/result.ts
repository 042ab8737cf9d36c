import type { JsonValue } from "./schema.js";

/** Why an evaluation gave its value. A closed set, mapped one-to-one by the OpenFeature providers. */
export type Reason =
  | "FLAG_NOT_FOUND"
  | "KILLED"
  | "DISABLED"
  | "TARGET_MATCH"
  | "RULE_MATCH"
  /** No target or rule matched: the flag's fallthrough variant. */
  | "FALLTHROUGH"
  /** The flag has no targets and no rules: everyone gets its fallthrough variant. */
  | "STATIC"
  | "SPLIT"
  | "ERROR";

/** What went wrong when `reason` is `ERROR` (or `FLAG_NOT_FOUND`). */
export type ErrorCode =
  | "FLAG_NOT_FOUND"
  | "TARGETING_KEY_MISSING"
  | "INVALID_CONTEXT"
  | "MALFORMED_FLAG"
  | "GENERAL";

/** The outcome of one evaluation: plain data, never an exception. */
export interface EvaluationResult<T = JsonValue> {
  value: T;
  /** The served variant's key; null when no variant could be served. */
  variant: string | null;
  reason: Reason;
  /** Index of the matching rule when `reason` is `RULE_MATCH`. */
  ruleIndex?: number;
  /** Why the flag was killed, when `reason` is `KILLED` and a reason was given. */
  killReason?: string;
  errorCode?: ErrorCode;
}
