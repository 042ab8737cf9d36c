import { describe, expect, it } from "vitest";
import { bucket } from "./bucket.js";
import { compileFlag } from "./compile.js";
import { evaluate } from "./evaluate.js";
import type { EvaluationContext, FlagDefinition, Segment } from "./schema.js";

function flag(overrides: Partial<FlagDefinition> = {}): FlagDefinition {
  return {
    key: "new-checkout",
    kind: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    salt: "a1b2c3",
    clientVisible: true,
    enabled: true,
    killed: false,
    killReason: null,
    targets: [],
    rules: [
      {
        clauses: [{ attribute: "country", op: "in", values: ["NL", "DE", "FR"], negate: false, caseInsensitive: false }],
        serve: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 25_000 }, { variant: "off", weight: 75_000 }] } },
      },
    ],
    fallthrough: { variant: "off" },
    offVariant: "off",
    version: 1,
    ...overrides,
  };
}

describe("compileFlag", () => {
  it("exposes the key and the flag", () => {
    const f = flag();
    const compiled = compileFlag(f);
    expect(compiled.key).toBe("new-checkout");
    expect(compiled.flag).toBe(f);
  });

  it("serves a rule's rollout with RULE_MATCH and the rule index, by bucket", () => {
    const compiled = compileFlag(flag());
    for (let i = 0; i < 200; i++) {
      const key = `user-${i}`;
      const on = bucket("new-checkout", "a1b2c3", key) < 25_000;
      expect(compiled.evaluate({ key, country: "NL" })).toStrictEqual({ value: on, variant: on ? "on" : "off", reason: "RULE_MATCH", ruleIndex: 0 });
    }
  });

  it("returns frozen results shared between evaluations (no allocation per call)", () => {
    const compiled = compileFlag(flag());
    const a = compiled.evaluate({ key: "x", country: "SE" });
    const b = compiled.evaluate({ key: "y", country: "SE" });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("works when evaluate is detached from its object", () => {
    const { evaluate: detached } = compileFlag(flag());
    expect(detached({ key: "x" }).reason).toBe("FALLTHROUGH");
  });

  it("turns a throwing getter or proxy into ERROR / GENERAL", () => {
    const compiled = compileFlag(flag());
    const throwing = Object.defineProperty({ key: "u1" }, "country", {
      get() {
        throw new Error("boom");
      },
    }) as EvaluationContext;
    expect(compiled.evaluate(throwing)).toStrictEqual({ value: false, variant: "off", reason: "ERROR", errorCode: "GENERAL" });
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
      },
    );
    expect(compiled.evaluate(proxy).errorCode).toBe("GENERAL");
  });

  it("never throws on a flag too broken to compile", () => {
    for (const broken of [null, undefined, 42, "flag", {}, { key: "k", variants: "nope" }, { key: "k", rules: [null], enabled: true, killed: false }]) {
      const compiled = compileFlag(broken as unknown as FlagDefinition);
      expect(compiled.evaluate({ key: "u" })).toMatchObject({ reason: "ERROR" });
      expect(evaluate(broken as unknown as FlagDefinition, { key: "u" })).toMatchObject({ reason: "ERROR", errorCode: "MALFORMED_FLAG" });
    }
  });

  it("accepts a flag without the schema's defaults filled in", () => {
    const raw = { ...flag(), targets: undefined, rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"] }], serve: { variant: "on" } }] };
    expect(compileFlag(raw as unknown as FlagDefinition).evaluate({ country: "NL" })).toStrictEqual({ value: true, variant: "on", reason: "RULE_MATCH", ruleIndex: 0 });
  });

  it("serves the first of duplicate variant keys and the first target listing a key", () => {
    const f = flag({
      kind: "string",
      variants: [
        { key: "a", value: "first" },
        { key: "a", value: "second" },
        { key: "off", value: "off" },
      ],
      targets: [
        { variant: "a", values: ["u1"] },
        { variant: "off", values: ["u1"] },
      ],
    });
    expect(compileFlag(f).evaluate({ key: "u1" })).toStrictEqual({ value: "first", variant: "a", reason: "TARGET_MATCH" });
  });

  it("skips weight-0 variants in a rollout", () => {
    const f = flag({ rules: [], fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 0 }, { variant: "off", weight: 100_000 }] } } });
    const compiled = compileFlag(f);
    for (let i = 0; i < 100; i++) expect(compiled.evaluate({ key: `u${i}` }).variant).toBe("off");
  });

  it("buckets by a numeric attribute through its string form", () => {
    const f = flag({ rules: [], fallthrough: { rollout: { bucketBy: "orgId", variants: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } } });
    const compiled = compileFlag(f);
    expect(compiled.evaluate({ orgId: 42 })).toBe(compiled.evaluate({ orgId: "42" }));
    expect(compiled.evaluate({ orgId: Number.NaN }).errorCode).toBe("TARGETING_KEY_MISSING");
  });

  it("treats objects other than arrays as contexts", () => {
    const compiled = compileFlag(flag({ rules: [] }));
    expect(compiled.evaluate(Object.create(null) as EvaluationContext).reason).toBe("FALLTHROUGH");
    expect(compiled.evaluate(new Map() as unknown as EvaluationContext).reason).toBe("FALLTHROUGH");
    expect(compiled.evaluate(undefined as unknown as EvaluationContext).errorCode).toBe("INVALID_CONTEXT");
  });
});

describe("evaluate", () => {
  const segmented = flag({ rules: [{ clauses: [{ attribute: "", op: "inSegment", values: ["beta"], negate: false, caseInsensitive: false }], serve: { variant: "on" } }] });
  const beta = (included: string[]): Segment[] => [{ key: "beta", included, excluded: [], clauses: [], version: 1 }];

  it("caches per flag object and recompiles when the segments array changes", () => {
    const first = beta(["u1"]);
    expect(evaluate(segmented, { key: "u1" }, first).variant).toBe("on");
    expect(evaluate(segmented, { key: "u1" }, first).variant).toBe("on");
    expect(evaluate(segmented, { key: "u1" }, beta(["u2"])).variant).toBe("off");
    expect(evaluate(segmented, { key: "u1" }).variant).toBe("off");
    expect(evaluate(segmented, { key: "u1" }, first).variant).toBe("on");
  });

  it("agrees with compileFlag", () => {
    const f = flag();
    for (let i = 0; i < 50; i++) {
      const ctx = { key: `user-${i}`, country: i % 2 === 0 ? "NL" : "BE" };
      expect(evaluate(f, ctx)).toStrictEqual(compileFlag(f).evaluate(ctx));
    }
  });
});
