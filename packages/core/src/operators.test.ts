import { describe, expect, it } from "vitest";
import { compileClause, compileSegment, isInSegment, matchClause } from "./clause.js";
import { compileOperator, toNumber, UNUSABLE } from "./operators.js";
import type { Clause, ClauseValue, Operator } from "./schema.js";

function matches(op: Operator, values: ClauseValue[], attribute: unknown, options: Partial<Clause> = {}): boolean {
  const clause = compileClause({ attribute: "a", op, values, negate: false, caseInsensitive: false, ...options }, new Map());
  return matchClause(clause, { key: "k", a: attribute }, "k");
}

describe("toNumber", () => {
  it("takes finite numbers and decimal strings only", () => {
    expect(toNumber(42)).toBe(42);
    expect(toNumber("42")).toBe(42);
    expect(toNumber("-1.5e3")).toBe(-1500);
    expect(toNumber(".5")).toBe(0.5);
    for (const bad of ["", " 42", "42 ", "0x10", "1_000", "Infinity", "NaN", "4 2", "--1", "1e999"]) expect(toNumber(bad), bad).toBeUndefined();
    expect(toNumber(Number.NaN)).toBeUndefined();
    expect(toNumber(true)).toBeUndefined();
  });
});

describe("operators", () => {
  it("in: typed equality per value type", () => {
    expect(matches("in", ["a", 1, true], "a")).toBe(true);
    expect(matches("in", ["a", 1, true], 1)).toBe(true);
    expect(matches("in", ["a", 1, true], true)).toBe(true);
    expect(matches("in", ["a", 1, true], false)).toBe(false);
    expect(matches("in", ["1"], 1)).toBe(false);
    expect(matches("in", [false], false)).toBe(true);
    expect(matches("in", ["Ä"], "ä", { caseInsensitive: true })).toBe(true);
    expect(matches("in", [], "a")).toBe(false);
    expect(matches("in", [], "a", { negate: true })).toBe(true);
  });

  it("notIn is in negated as a whole, also for lists", () => {
    expect(matches("notIn", ["x"], "y")).toBe(true);
    expect(matches("notIn", ["x"], ["y", "x"])).toBe(false);
    expect(matches("notIn", ["x"], ["y", "x"], { negate: true })).toBe(true);
  });

  it("string operators want strings on both sides", () => {
    expect(matches("contains", ["b"], "abc")).toBe(true);
    expect(matches("contains", [1], "a1")).toBe(false);
    expect(matches("startsWith", ["ab"], "abc")).toBe(true);
    expect(matches("startsWith", ["AB"], "abc", { caseInsensitive: true })).toBe(true);
    expect(matches("endsWith", ["bc"], "abc")).toBe(true);
    expect(matches("endsWith", ["bc"], 123)).toBe(false);
    expect(matches("endsWith", ["bc"], 123, { negate: true })).toBe(true);
  });

  it("matches: unusable patterns never match, negated or not", () => {
    expect(compileOperator("matches", ["(a+)+"], false)).toBe(UNUSABLE);
    expect(compileOperator("matches", [], false)).toBe(UNUSABLE);
    expect(matches("matches", ["(a+)+"], "b", { negate: true })).toBe(false);
    expect(matches("matches", ["^b"], "b", { negate: true })).toBe(false);
    expect(matches("matches", ["^b"], "a", { negate: true })).toBe(true);
    expect(matches("matches", ["^a+$"], "a".repeat(4096))).toBe(true);
    expect(matches("matches", ["^a+$"], "a".repeat(4097))).toBe(false);
  });

  it("lt / lte / gt / gte compare numbers against the loosest bound", () => {
    expect(matches("lt", [1, 10], 5)).toBe(true);
    expect(matches("lte", [5], "5")).toBe(true);
    expect(matches("gt", [1, 10], 5)).toBe(true);
    expect(matches("gte", [10], 9.999)).toBe(false);
    expect(matches("gt", ["x", 3], 4)).toBe(true);
    expect(compileOperator("gt", ["x"], false)).toBe(UNUSABLE);
    expect(matches("gt", [3], "4abc")).toBe(false);
  });

  it("semver operators", () => {
    expect(matches("semverEq", ["1.2.0", "2.0.0"], "v2")).toBe(true);
    expect(matches("semverLt", ["1.0.0", "3.0.0"], "2.0.0")).toBe(true);
    expect(matches("semverGt", ["1.0.0", "3.0.0"], "2.0.0")).toBe(true);
    expect(matches("semverGt", ["1.0.0"], "1.0.0")).toBe(false);
    expect(compileOperator("semverEq", ["nope", 1], false)).toBe(UNUSABLE);
    expect(matches("semverEq", ["1.0.0"], ["0.9.0", "1.0.0+b"])).toBe(true);
  });

  it("date operators take ISO strings and epoch milliseconds", () => {
    expect(matches("before", ["2024-01-01"], 0)).toBe(true);
    expect(matches("after", [0], "1970-01-01T00:00:00.001Z")).toBe(true);
    expect(matches("after", [0], "1970-01-01T00:00:00Z")).toBe(false);
    expect(matches("before", ["soon"], 0)).toBe(false);
    expect(compileOperator("before", ["soon"], false)).toBe(UNUSABLE);
  });

  it("exists and missing attributes", () => {
    expect(matches("exists", [], 0)).toBe(true);
    expect(matches("exists", [], undefined)).toBe(false);
    expect(matches("exists", [], null, { negate: true })).toBe(true);
    expect(matches("in", ["a"], undefined, { negate: true })).toBe(false);
    expect(matches("in", ["a"], [null, "a"])).toBe(true);
  });

  it("reads only own properties for names every object inherits", () => {
    const clause = compileClause({ attribute: "toString", op: "exists", values: [], negate: false, caseInsensitive: false }, new Map());
    expect(matchClause(clause, {}, undefined)).toBe(false);
    expect(matchClause(clause, { toString: "x" }, undefined)).toBe(true);
    const proto = compileClause({ attribute: "__proto__", op: "in", values: ["x"], negate: false, caseInsensitive: false }, new Map());
    expect(matchClause(proto, JSON.parse('{"__proto__": "x"}'), undefined)).toBe(true);
    expect(matchClause(proto, {}, undefined)).toBe(false);
  });

  it("inSegment is not allowed inside a segment", () => {
    const segment = compileSegment({ key: "s", included: [], excluded: [], version: 1, clauses: [{ attribute: "x", op: "inSegment", values: ["s"], negate: true, caseInsensitive: false }] });
    expect(isInSegment(segment, { key: "k" }, "k")).toBe(false);
  });
});
