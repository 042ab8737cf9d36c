import { describe, expect, it } from "vitest";
import { findFlagProblems, findSegmentProblems } from "./problems.js";
import type { Clause, Segment } from "./schema.js";
import { booleanFlag } from "./test-support/flags.js";

const clause = (op: Clause["op"], values: Clause["values"], attribute = "a"): Clause => ({ attribute, op, values, negate: false, caseInsensitive: false });

const flag = booleanFlag;

const paths = (problems: { path: (string | number)[] }[]) => problems.map((p) => p.path.join("."));

describe("findFlagProblems", () => {
  it("finds nothing in a sound flag", () => {
    const sound = flag({
      targets: [{ variant: "on", values: ["u1"] }],
      rules: [
        {
          clauses: [clause("matches", ["^u\\d+$"]), clause("gte", [18, "21"]), clause("semverGt", ["v1.2"]), clause("before", ["2024-01-01", 0]), clause("inSegment", ["beta"])],
          serve: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 1 }, { variant: "off", weight: 99_999 }] } },
        },
      ],
    });
    const segments: Segment[] = [{ key: "beta", included: [], excluded: [], clauses: [], version: 1 }];
    expect(findFlagProblems(sound, segments)).toEqual([]);
  });

  it("reports every reference to a missing variant", () => {
    const f = flag({
      offVariant: "gone",
      targets: [{ variant: "t", values: ["u1"] }],
      rules: [{ clauses: [], serve: { variant: "r" } }, { clauses: [], serve: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 50_000 }, { variant: "x", weight: 50_000 }] } } }],
      fallthrough: { variant: "ft" },
    });
    expect(paths(findFlagProblems(f))).toEqual(["offVariant", "targets.0.variant", "rules.0.serve.variant", "rules.1.serve.rollout.variants.1.variant", "fallthrough.variant"]);
    expect(findFlagProblems(f)[0]!.message).toBe('variant "gone" does not exist');
  });

  it("reports duplicate variant keys and values that do not fit the kind", () => {
    expect(paths(findFlagProblems(flag({ variants: [{ key: "on", value: true }, { key: "off", value: "no" }, { key: "on", value: false }] })))).toEqual(["variants.1.value", "variants.2.key"]);
    expect(paths(findFlagProblems(flag({ kind: "string", variants: [{ key: "on", value: "a" }, { key: "off", value: 1 }] })))).toEqual(["variants.1.value"]);
    expect(paths(findFlagProblems(flag({ kind: "number", variants: [{ key: "on", value: 1 }, { key: "off", value: null }] })))).toEqual(["variants.1.value"]);
    expect(findFlagProblems(flag({ kind: "json", variants: [{ key: "on", value: { a: [1] } }, { key: "off", value: null }] }))).toEqual([]);
  });

  it("reports unusable clause values at their path", () => {
    const f = flag({
      rules: [
        { clauses: [clause("in", ["x"]), clause("matches", ["(", "(a+)+", "ok", 5, "a".repeat(513)])], serve: { variant: "on" } },
        { clauses: [clause("lt", ["ten", 10]), clause("semverEq", ["1.x", 1]), clause("after", ["tomorrow", 1]), clause("contains", [1]), clause("inSegment", ["ghost", "beta"])], serve: { variant: "on" } },
      ],
    });
    const segments: Segment[] = [{ key: "beta", included: [], excluded: [], clauses: [], version: 1 }];
    expect(paths(findFlagProblems(f, segments))).toEqual([
      "rules.0.clauses.1.values.0",
      "rules.0.clauses.1.values.1",
      "rules.0.clauses.1.values.3",
      "rules.0.clauses.1.values.4",
      "rules.1.clauses.0.values.0",
      "rules.1.clauses.1.values.0",
      "rules.1.clauses.1.values.1",
      "rules.1.clauses.2.values.0",
      "rules.1.clauses.3.values.0",
      "rules.1.clauses.4.values.0",
    ]);
    const messages = findFlagProblems(f, segments).map((p) => p.message);
    expect(messages[0]).toBe("is not a valid regular expression");
    expect(messages[1]).toMatch(/must not repeat a group/);
    expect(messages.at(-1)).toBe('segment "ghost" does not exist');
  });

  it("checks segment keys only when segments are given", () => {
    const f = flag({ rules: [{ clauses: [clause("inSegment", ["ghost"])], serve: { variant: "on" } }] });
    expect(findFlagProblems(f)).toEqual([]);
    expect(paths(findFlagProblems(f, []))).toEqual(["rules.0.clauses.0.values.0"]);
  });
});

describe("findSegmentProblems", () => {
  it("runs the clause checks and forbids inSegment", () => {
    const segment: Segment = { key: "s", included: [], excluded: [], version: 1, clauses: [clause("semverGt", ["x"]), clause("inSegment", ["s"]), clause("in", ["a"])] };
    expect(findSegmentProblems(segment)).toEqual([
      { path: ["clauses", 0, "values", 0], message: "must be a semantic version such as 1.2.3 for semverGt" },
      { path: ["clauses", 1, "op"], message: "inSegment is not allowed inside a segment" },
    ]);
    expect(findSegmentProblems({ ...segment, clauses: [] })).toEqual([]);
  });
});
