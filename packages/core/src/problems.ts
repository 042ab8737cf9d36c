/**
 * Semantic checks that a zod schema cannot express, because they relate one part of a flag to
 * another (variant references, value types per kind) or need the evaluator's own parsers
 * (patterns, versions, dates). The server runs them on every write, after the schema.
 */
import type { Clause, FlagDefinition, FlagKind, Segment, Serve } from "./schema.js";
import { list } from "./list.js";
import { parseClauseValue } from "./operators.js";
import { patternProblem } from "./safe-pattern.js";

/**
 * One problem, at a path into the flag or segment.
 *
 * @example
 * const problem: FlagProblem = { path: ["rules", 0, "clauses", 1, "values", 0], message: "is not a valid regular expression" };
 */
export interface FlagProblem {
  path: (string | number)[];
  message: string;
}

type Path = (string | number)[];

const VALUE_KINDS: Record<Exclude<FlagKind, "json">, string> = { boolean: "boolean", string: "string", number: "number" };

const OPERAND_NAMES: Partial<Record<Clause["op"], string>> = {
  lt: "a number",
  lte: "a number",
  gt: "a number",
  gte: "a number",
  semverEq: "a semantic version such as 1.2.3",
  semverLt: "a semantic version such as 1.2.3",
  semverGt: "a semantic version such as 1.2.3",
  before: "an ISO-8601 date (2024-05-01T00:00:00Z) or epoch milliseconds",
  after: "an ISO-8601 date (2024-05-01T00:00:00Z) or epoch milliseconds",
};

/**
 * Checks one clause. `segmentKeys` is the set of known segment keys, undefined when they are not
 * known (nothing to check) and null inside a segment (where `inSegment` is not allowed).
 */
function clauseProblems(clause: Clause, path: Path, segmentKeys: ReadonlySet<string> | null | undefined, out: FlagProblem[]): void {
  const op = clause.op;
  const values = list(clause.values);
  if (op === "inSegment" && segmentKeys === null) {
    out.push({ path: [...path, "op"], message: "inSegment is not allowed inside a segment" });
    return;
  }
  values.forEach((value, index) => {
    const at = [...path, "values", index];
    if (op === "matches") {
      const message = patternProblem(value);
      if (message !== undefined) out.push({ path: at, message });
    } else if (op === "contains" || op === "startsWith" || op === "endsWith") {
      if (typeof value !== "string") out.push({ path: at, message: `must be a string for ${op}` });
    } else if (op === "inSegment") {
      if (typeof value !== "string") out.push({ path: at, message: "must be a segment key" });
      else if (segmentKeys != null && !segmentKeys.has(value)) out.push({ path: at, message: `segment "${value}" does not exist` });
    } else {
      const operand = OPERAND_NAMES[op];
      if (operand !== undefined && parseClauseValue(op, value) === undefined) out.push({ path: at, message: `must be ${operand} for ${op}` });
    }
  });
}

function variantReference(variant: unknown, keys: ReadonlySet<string>, path: Path, out: FlagProblem[]): void {
  if (typeof variant !== "string" || !keys.has(variant)) out.push({ path, message: `variant "${String(variant)}" does not exist` });
}

function serveProblems(serve: Serve, keys: ReadonlySet<string>, path: Path, out: FlagProblem[]): void {
  if ("variant" in serve) {
    variantReference(serve.variant, keys, [...path, "variant"], out);
  } else {
    list(serve.rollout?.variants).forEach((entry, index) => variantReference(entry.variant, keys, [...path, "rollout", "variants", index, "variant"], out));
  }
}

/**
 * Semantic problems of a flag the schema accepted: variant references (offVariant, targets,
 * rules, fallthrough, rollouts) that do not exist, duplicate variant keys, values that do not
 * fit the flag's kind, unusable clause values (invalid or unsafe patterns, versions, dates and
 * numbers that do not parse) and, when `segments` is given, unknown segment keys. Empty when
 * the flag is sound.
 *
 * @example
 * const problems = findFlagProblems(flagDefinitionSchema.parse(body), segments);
 * // [{ path: ["rules", 0, "serve", "variant"], message: 'variant "of" does not exist' }]
 */
export function findFlagProblems(flag: FlagDefinition, segments?: readonly Segment[]): FlagProblem[] {
  const out: FlagProblem[] = [];
  const keys = new Set<string>();
  const expectedType = flag.kind === "json" ? undefined : VALUE_KINDS[flag.kind];
  list(flag.variants).forEach((variant, index) => {
    if (keys.has(variant.key)) out.push({ path: ["variants", index, "key"], message: `duplicate variant key "${variant.key}"` });
    keys.add(variant.key);
    if (expectedType !== undefined && typeof variant.value !== expectedType) {
      out.push({ path: ["variants", index, "value"], message: `must be a ${expectedType} for a ${flag.kind} flag` });
    }
  });
  variantReference(flag.offVariant, keys, ["offVariant"], out);
  list(flag.targets).forEach((target, index) => variantReference(target.variant, keys, ["targets", index, "variant"], out));
  const segmentKeys = segments === undefined ? undefined : new Set(list(segments).map((segment) => segment.key));
  list(flag.rules).forEach((rule, ruleIndex) => {
    list(rule.clauses).forEach((clause, clauseIndex) => clauseProblems(clause, ["rules", ruleIndex, "clauses", clauseIndex], segmentKeys, out));
    serveProblems(rule.serve, keys, ["rules", ruleIndex, "serve"], out);
  });
  serveProblems(flag.fallthrough, keys, ["fallthrough"], out);
  return out;
}

/**
 * Semantic problems of a segment the schema accepted: the same clause checks as flags, and no
 * `inSegment` clauses (segments do not nest). Empty when the segment is sound.
 *
 * @example
 * findSegmentProblems({ key: "beta", included: [], excluded: [], clauses: [{ attribute: "version", op: "semverGt", values: ["x"], negate: false, caseInsensitive: false }], version: 1 });
 * // [{ path: ["clauses", 0, "values", 0], message: "must be a semantic version such as 1.2.3 for semverGt" }]
 */
export function findSegmentProblems(segment: Segment): FlagProblem[] {
  const out: FlagProblem[] = [];
  list(segment.clauses).forEach((clause, index) => clauseProblems(clause, ["clauses", index], null, out));
  return out;
}
