/**
 * Clauses and segments, compiled. A clause looks up one context attribute and tests it; a
 * segment is a key list plus clauses, referenced by `inSegment` clauses.
 */
import type { Clause, Segment } from "./schema.js";
import { compileOperator, UNUSABLE, type ValueTest } from "./operators.js";

/** A context as the evaluator reads it: any non-null, non-array object. */
export type ContextRecord = Readonly<Record<string, unknown>>;

const VALUE = 0;
const EXISTS = 1;
const SEGMENT = 2;
const NEVER = 3;
type ClauseKind = typeof VALUE | typeof EXISTS | typeof SEGMENT | typeof NEVER;

const hasOwn = Object.prototype.hasOwnProperty;
const noTest: ValueTest = () => false;

/** A compiled clause. One class, so the evaluator's property reads stay monomorphic. */
export class CompiledClause {
  constructor(
    readonly kind: ClauseKind,
    readonly attribute: string,
    /**
     * The attribute is `key`, which resolves to the context key (`key` or `targetingKey`, a
     * finite number read as its string form).
     */
    readonly isKey: boolean,
    /**
     * The attribute names something every object inherits (`constructor`, `__proto__`,
     * `toString`...), so only an own property counts as present.
     */
    readonly ownOnly: boolean,
    readonly negate: boolean,
    readonly test: ValueTest,
    readonly segments: readonly CompiledSegment[],
  ) {}
}

/** A compiled segment: explicit keys win over clauses; with no clauses only `included` is in. */
export class CompiledSegment {
  constructor(
    readonly included: ReadonlySet<string>,
    readonly excluded: ReadonlySet<string>,
    readonly clauses: readonly CompiledClause[],
  ) {}
}

/**
 * Compiles one clause. `segments` resolves `inSegment` keys; it is undefined inside a segment,
 * where `inSegment` is not allowed (the clause never matches, so segments cannot recurse).
 *
 * @example
 * const clause = compileClause({ attribute: "country", op: "in", values: ["NL"], negate: false, caseInsensitive: false });
 * matchClause(clause, { country: "NL" }, undefined); // true
 */
export function compileClause(clause: Clause, segments?: ReadonlyMap<string, CompiledSegment>): CompiledClause {
  const attribute = String(clause.attribute);
  const values = Array.isArray(clause.values) ? clause.values : [];
  const isKey = attribute === "key";
  const ownOnly = attribute in Object.prototype;
  // `notIn` is `in`, negated as a whole: a list attribute is "not in" when none of its elements is.
  const negate = (clause.negate === true) !== (clause.op === "notIn");
  const caseInsensitive = clause.caseInsensitive === true;
  if (clause.op === "exists") return new CompiledClause(EXISTS, attribute, isKey, ownOnly, negate, noTest, []);
  if (clause.op === "inSegment") {
    if (segments === undefined) return new CompiledClause(NEVER, attribute, isKey, ownOnly, negate, noTest, []);
    const found: CompiledSegment[] = [];
    for (const key of values) {
      const segment = typeof key === "string" ? segments.get(key) : undefined;
      if (segment !== undefined) found.push(segment);
    }
    return new CompiledClause(SEGMENT, attribute, isKey, ownOnly, negate, noTest, found);
  }
  const test = compileOperator(clause.op, values, caseInsensitive);
  return new CompiledClause(test === UNUSABLE ? NEVER : VALUE, attribute, isKey, ownOnly, negate, test, []);
}

/**
 * Compiles a segment. Its clauses cannot reference other segments.
 *
 * @example
 * const beta = compileSegment({ key: "beta", included: ["u1"], excluded: [], clauses: [], version: 1 });
 * isInSegment(beta, {}, "u1"); // true
 */
export function compileSegment(segment: Segment): CompiledSegment {
  const strings = (list: unknown): string[] => (Array.isArray(list) ? list.filter((v): v is string => typeof v === "string") : []);
  const clauses = Array.isArray(segment.clauses) ? segment.clauses.map((clause) => compileClause(clause)) : [];
  return new CompiledSegment(new Set(strings(segment.included)), new Set(strings(segment.excluded)), clauses);
}

/** Whether a context is in a segment: included key, else not excluded and all clauses match. */
export function isInSegment(segment: CompiledSegment, context: ContextRecord, key: string | undefined): boolean {
  if (key !== undefined) {
    if (segment.included.has(key)) return true;
    if (segment.excluded.has(key)) return false;
  }
  const clauses = segment.clauses;
  if (clauses.length === 0) return false;
  for (let i = 0; i < clauses.length; i++) if (!matchClause(clauses[i]!, context, key)) return false;
  return true;
}

/**
 * Whether a context matches a clause. A missing (undefined or null) attribute never matches,
 * negated or not, except `exists`; a list attribute matches when any element does.
 */
export function matchClause(clause: CompiledClause, context: ContextRecord, key: string | undefined): boolean {
  const kind = clause.kind;
  if (kind === SEGMENT) {
    const segments = clause.segments;
    let inAny = false;
    for (let i = 0; i < segments.length; i++) {
      if (isInSegment(segments[i]!, context, key)) {
        inAny = true;
        break;
      }
    }
    return inAny !== clause.negate;
  }
  if (kind === NEVER) return false;
  const attribute = clause.attribute;
  const value = clause.isKey ? key : clause.ownOnly && !hasOwn.call(context, attribute) ? undefined : context[attribute];
  if (value === undefined || value === null) return kind === EXISTS && clause.negate;
  if (kind === EXISTS) return !clause.negate;
  let matched = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (element !== undefined && element !== null && clause.test(element)) {
        matched = true;
        break;
      }
    }
  } else {
    matched = clause.test(value);
  }
  return matched !== clause.negate;
}
