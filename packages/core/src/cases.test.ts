import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFlag } from "./compile.js";
import { evaluate } from "./evaluate.js";
import { findFlagProblems } from "./problems.js";
import type { EvaluationResult } from "./result.js";
import { flagDefinitionSchema, segmentSchema, type EvaluationContext, type FlagDefinition, type Segment } from "./schema.js";

interface Case {
  name: string;
  flag: FlagDefinition;
  segments?: Segment[];
  context: EvaluationContext;
  expected: EvaluationResult;
  schemaValid?: boolean;
}

const file = JSON.parse(readFileSync(new URL("../cases.json", import.meta.url), "utf8")) as { description: string; cases: Case[] };

describe("cases.json", () => {
  it("has a description and at least 120 uniquely named cases", () => {
    expect(file.description.length).toBeGreaterThan(0);
    expect(file.cases.length).toBeGreaterThanOrEqual(120);
    expect(new Set(file.cases.map((c) => c.name)).size).toBe(file.cases.length);
  });

  it.each(file.cases)("$name", (c) => {
    // toStrictEqual: an absent ruleIndex / errorCode must be absent, not undefined.
    expect(evaluate(c.flag, c.context, c.segments)).toStrictEqual(c.expected);
    expect(compileFlag(c.flag, c.segments).evaluate(c.context)).toStrictEqual(c.expected);
  });

  it("has flags that pass the schema unless marked schemaValid: false", () => {
    for (const c of file.cases) {
      const parsed = flagDefinitionSchema.safeParse(c.flag);
      expect(parsed.success, `${c.name}: ${parsed.error?.message}`).toBe(c.schemaValid !== false);
      // The flags are written out in full: parsing adds no defaults.
      if (parsed.success) expect(parsed.data, c.name).toStrictEqual(c.flag);
      for (const segment of c.segments ?? []) expect(segmentSchema.parse(segment)).toStrictEqual(segment);
    }
  });

  it("has findFlagProblems report every schema-valid flag that evaluates to MALFORMED_FLAG", () => {
    for (const c of file.cases) {
      if (c.schemaValid === false || c.expected.errorCode !== "MALFORMED_FLAG") continue;
      expect(findFlagProblems(c.flag, c.segments ?? []), c.name).not.toHaveLength(0);
    }
  });
});
