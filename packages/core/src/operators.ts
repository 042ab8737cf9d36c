/**
 * Clause operators, compiled. Each turns a clause's values into a test of one attribute value
 * (one element of a list attribute): sets, lowercased strings, regexes, parsed versions and dates
 * are built here once, so a test only compares.
 */
import type { ClauseValue, Operator } from "./schema.js";
import { toInstant } from "./date.js";
import { compileSafePattern, MAX_MATCH_INPUT_LENGTH } from "./safe-pattern.js";
import { compareSemver, parseSemver, type SemVer } from "./semver.js";

/** A test of one attribute value; `null`/`undefined` and list handling happen in the caller. */
export type ValueTest = (value: unknown) => boolean;

/**
 * What `compileOperator` returns for a clause none of whose values is usable (no valid, safe
 * pattern; no number, version or date that parses). Such a clause never matches, negated or not:
 * a broken clause must not turn into "everyone" when negated.
 */
export const UNUSABLE: ValueTest = () => false;

const never: ValueTest = () => false;

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A number from a clause value or attribute: a finite number, or a decimal string such as "42"
 * or "-1.5e3" (no hex, no whitespace, no empty string). Anything else is undefined.
 *
 * @example
 * toNumber("42"); // 42
 * toNumber("0x10"); // undefined
 */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.length <= 64 && DECIMAL.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Clause values that parse for an operator, and those that do not (reported as problems). */
export function parseClauseValue(op: Operator, value: ClauseValue): unknown {
  switch (op) {
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      return toNumber(value);
    case "semverEq":
    case "semverLt":
    case "semverGt":
      return typeof value === "string" ? parseSemver(value) : undefined;
    case "before":
    case "after":
      return toInstant(value);
    default:
      return value;
  }
}

function compileIn(values: readonly ClauseValue[], caseInsensitive: boolean): ValueTest {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  let hasTrue = false;
  let hasFalse = false;
  for (const v of values) {
    if (typeof v === "string") strings.add(caseInsensitive ? v.toLowerCase() : v);
    else if (typeof v === "number") numbers.add(v);
    else if (v === true) hasTrue = true;
    else if (v === false) hasFalse = true;
  }
  if (caseInsensitive) {
    return (value) =>
      typeof value === "string" ? strings.has(value.toLowerCase()) : typeof value === "number" ? numbers.has(value) : value === true ? hasTrue : value === false && hasFalse;
  }
  return (value) =>
    typeof value === "string" ? strings.has(value) : typeof value === "number" ? numbers.has(value) : value === true ? hasTrue : value === false && hasFalse;
}

type StringOp = "contains" | "startsWith" | "endsWith";

function compileStringOp(op: StringOp, values: readonly ClauseValue[], caseInsensitive: boolean): ValueTest {
  const needles = values.filter((v): v is string => typeof v === "string").map((v) => (caseInsensitive ? v.toLowerCase() : v));
  if (needles.length === 0) return never;
  return (value) => {
    if (typeof value !== "string") return false;
    const haystack = caseInsensitive ? value.toLowerCase() : value;
    for (let i = 0; i < needles.length; i++) {
      const needle = needles[i]!;
      if (op === "contains" ? haystack.includes(needle) : op === "startsWith" ? haystack.startsWith(needle) : haystack.endsWith(needle)) return true;
    }
    return false;
  };
}

function compileMatches(values: readonly ClauseValue[], caseInsensitive: boolean): ValueTest {
  const patterns: RegExp[] = [];
  for (const v of values) {
    const re = typeof v === "string" ? compileSafePattern(v, caseInsensitive) : undefined;
    if (re !== undefined) patterns.push(re);
  }
  if (patterns.length === 0) return UNUSABLE;
  return (value) => {
    if (typeof value !== "string" || value.length > MAX_MATCH_INPUT_LENGTH) return false;
    for (let i = 0; i < patterns.length; i++) if (patterns[i]!.test(value)) return true;
    return false;
  };
}

/**
 * Compares against the loosest bound: `x < any value` is `x < max(values)`, and so on. Values
 * that do not parse are dropped; with none left the clause is UNUSABLE.
 */
function compileOrdered<T>(
  parsed: readonly (T | undefined)[],
  toValue: (value: unknown) => T | undefined,
  compare: (a: T, b: T) => number,
  wantBelow: boolean,
  inclusive: boolean,
): ValueTest {
  let bound: T | undefined;
  for (const p of parsed) {
    if (p === undefined) continue;
    if (bound === undefined || (wantBelow ? compare(p, bound) > 0 : compare(p, bound) < 0)) bound = p;
  }
  if (bound === undefined) return UNUSABLE;
  const limit = bound;
  return (value) => {
    const x = toValue(value);
    if (x === undefined) return false;
    const order = compare(x, limit);
    return wantBelow ? order < 0 || (inclusive && order === 0) : order > 0 || (inclusive && order === 0);
  };
}

const compareNumbers = (a: number, b: number): number => a - b;
const toSemver = (value: unknown): SemVer | undefined => (typeof value === "string" ? parseSemver(value) : undefined);

/**
 * Compiles a clause's operator and values into a test of one attribute value. `notIn` compiles
 * like `in`: the caller negates it, so `notIn` means "no element is in the values".
 * `exists` and `inSegment` never reach here (the caller handles them). Returns `UNUSABLE` when
 * no value is usable for the operator.
 *
 * @example
 * compileOperator("gte", [18], false)("21"); // true: numeric strings count as numbers
 */
export function compileOperator(op: Operator, values: readonly ClauseValue[], caseInsensitive: boolean): ValueTest {
  switch (op) {
    case "in":
    case "notIn":
      return compileIn(values, caseInsensitive);
    case "contains":
    case "startsWith":
    case "endsWith":
      return compileStringOp(op, values, caseInsensitive);
    case "matches":
      return compileMatches(values, caseInsensitive);
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      return compileOrdered(values.map(toNumber), toNumber, compareNumbers, op === "lt" || op === "lte", op === "lte" || op === "gte");
    case "semverEq": {
      const versions = values.map((v) => parseClauseValue(op, v) as SemVer | undefined).filter((v): v is SemVer => v !== undefined);
      if (versions.length === 0) return UNUSABLE;
      return (value) => {
        const x = toSemver(value);
        return x !== undefined && versions.some((v) => compareSemver(x, v) === 0);
      };
    }
    case "semverLt":
    case "semverGt":
      return compileOrdered(values.map(toSemver), toSemver, compareSemver, op === "semverLt", false);
    case "before":
    case "after":
      return compileOrdered(values.map(toInstant), toInstant, compareNumbers, op === "before", false);
    default:
      return UNUSABLE;
  }
}
