/** Turning an evaluation result into what `isEnabled` and `variant` return. Shared by both entries. */
import type { EvaluationResult, JsonValue } from "@switchyard/core";

/** The result for a key the client does not hold. */
export function notFound(defaultValue: JsonValue): EvaluationResult {
  return { value: defaultValue, variant: null, reason: "FLAG_NOT_FOUND", errorCode: "FLAG_NOT_FOUND" };
}

/** The result for an unexpected failure inside the SDK; callers get their default. */
export function generalError(defaultValue: JsonValue): EvaluationResult {
  return { value: defaultValue, variant: null, reason: "ERROR", errorCode: "GENERAL" };
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * The served value when it is usable: not an error, not missing, and of the default's type
 * (any type when the default is null or undefined). Otherwise the default.
 */
export function servedValue<T>(result: EvaluationResult, defaultValue: T): T {
  if (result.reason === "ERROR" || result.reason === "FLAG_NOT_FOUND") return defaultValue;
  try {
    if (defaultValue !== null && defaultValue !== undefined && kindOf(result.value) !== kindOf(defaultValue)) return defaultValue;
  } catch {
    // A default that cannot be inspected (Array.isArray throws on a revoked Proxy): it is what the caller gets.
    return defaultValue;
  }
  return result.value as T;
}

/** `isEnabled`: the value when it is a boolean, else the default. */
export function enabledValue(result: EvaluationResult, defaultValue: boolean): boolean {
  return typeof result.value === "boolean" && result.reason !== "ERROR" && result.reason !== "FLAG_NOT_FOUND" ? result.value : defaultValue;
}
