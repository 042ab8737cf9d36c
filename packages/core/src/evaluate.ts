import type { EvaluationResult } from "./result.js";
import type { EvaluationContext, FlagDefinition, Segment } from "./schema.js";
import { compileFlag, type CompiledFlag } from "./compile.js";

interface CacheEntry {
  readonly segments: readonly Segment[] | undefined;
  readonly compiled: CompiledFlag;
}

// Keyed by flag object: a new flag version is a new object (snapshots and patches replace flags),
// and the entry goes away with it.
const cache = new WeakMap<FlagDefinition, CacheEntry>();

const NOT_AN_OBJECT: EvaluationResult = Object.freeze({ value: null, variant: null, reason: "ERROR", errorCode: "MALFORMED_FLAG" });

/**
 * Evaluates a flag for a context. Compiles the flag on first use and caches the compiled form,
 * so repeated calls cost about as much as `compileFlag(flag).evaluate(context)` on a kept
 * compiled flag. Never throws.
 *
 * The cache is keyed by identity: by the `flag` object, and by the identity of the `segments`
 * array passed with it (a different array recompiles; the same array does not). Nothing inside
 * is compared, so when a definition changes, pass new objects: a new flag object for a changed
 * flag (rules, targets, variants...) and a new segments array when any segment changes. Changes
 * made in place to a flag, its nested objects, the segments array or a segment in it after the
 * first evaluation are not seen.
 *
 * @example
 * const result = evaluate(flag, { key: "user-123", country: "NL" }, segments);
 * if (result.reason === "ERROR") console.warn(result.errorCode);
 */
export function evaluate(flag: FlagDefinition, context: EvaluationContext, segments?: readonly Segment[]): EvaluationResult {
  if (typeof flag !== "object" || flag === null) return NOT_AN_OBJECT;
  let entry = cache.get(flag);
  if (entry === undefined || entry.segments !== segments) {
    entry = { segments, compiled: compileFlag(flag, segments) };
    cache.set(flag, entry);
  }
  return entry.compiled.evaluate(context);
}
