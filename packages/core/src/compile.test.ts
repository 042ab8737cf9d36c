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

  it("deep-freezes served values without freezing or sharing the caller's flag", () => {
    const theme = { background: "#000", accents: ["teal", { name: "pink" }] };
    const f = flag({ kind: "json", variants: [{ key: "on", value: theme }, { key: "off", value: null }], rules: [], fallthrough: { variant: "on" } });
    const result = evaluate(f, { key: "u1" });
    const value = result.value as { background: string; accents: [string, { name: string }] };
    expect(() => {
      value.background = "HACKED";
    }).toThrow(TypeError);
    expect(() => value.accents.push("HACKED")).toThrow(TypeError);
    expect(() => {
      value.accents[1].name = "HACKED";
    }).toThrow(TypeError);
    expect(Object.isFrozen(value.accents[1])).toBe(true);
    // The caller's objects are neither frozen nor reachable through results.
    expect(value).not.toBe(theme);
    expect(Object.isFrozen(theme)).toBe(false);
    expect(Object.isFrozen(theme.accents)).toBe(false);
    theme.background = "#fff";
    (theme.accents[1] as { name: string }).name = "changed";
    expect(evaluate(f, { key: "u2" }).value).toStrictEqual({ background: "#000", accents: ["teal", { name: "pink" }] });
  });

  it("copies a served value whole: shared and cyclic parts, and own __proto__ keys", () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const f = flag({ kind: "json", variants: [{ key: "on", value: cyclic as never }, { key: "off", value: proto as never }], rules: [], fallthrough: { variant: "on" } });
    const value = compileFlag(f).evaluate({ key: "u1" }).value as Record<string, unknown>;
    expect(value).not.toBe(cyclic);
    expect(value.self).toBe(value);
    expect(value.shared).toBe(value.again);
    expect(Object.isFrozen(value.shared)).toBe(true);
    const off = compileFlag({ ...f, enabled: false }).evaluate({ key: "u1" }).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(off)).toBe(Object.prototype);
    expect(Object.keys(off)).toEqual(["__proto__", "a"]);
    expect(Object.isFrozen(Object.getOwnPropertyDescriptor(off, "__proto__")!.value)).toBe(true);
  });

  it("uses a finite numeric context key as its string form for targets, key clauses and bucketing", () => {
    const rollout = flag({ rules: [], fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } } });
    const compiled = compileFlag(rollout);
    for (const n of [0, 42, 12345, -7, 1.5]) {
      expect(compiled.evaluate({ key: n })).toBe(compiled.evaluate({ key: String(n) }));
      expect(compiled.evaluate({ targetingKey: n })).toBe(compiled.evaluate({ key: String(n) }));
    }
    expect(compiled.evaluate({ key: 42 }).reason).toBe("SPLIT");
    for (const missing of [Number.NaN, Number.POSITIVE_INFINITY, true, null, { id: 1 }, [1]]) {
      expect(compiled.evaluate({ key: missing } as unknown as EvaluationContext).errorCode).toBe("TARGETING_KEY_MISSING");
    }
    // A key that is not a usable string or number falls back to targetingKey.
    expect(compiled.evaluate({ key: Number.NaN, targetingKey: 42 })).toBe(compiled.evaluate({ key: "42" }));
    expect(compiled.evaluate({ key: 7, targetingKey: 42 })).toBe(compiled.evaluate({ key: "7" }));

    const targeted = compileFlag(flag({ targets: [{ variant: "on", values: ["42"] }], rules: [] }));
    expect(targeted.evaluate({ key: 42 })).toStrictEqual({ value: true, variant: "on", reason: "TARGET_MATCH" });
    expect(targeted.evaluate({ targetingKey: 42 }).reason).toBe("TARGET_MATCH");

    const keyClause = compileFlag(flag({ rules: [{ clauses: [{ attribute: "key", op: "startsWith", values: ["4"], negate: false, caseInsensitive: false }], serve: { variant: "on" } }] }));
    expect(keyClause.evaluate({ key: 42 })).toStrictEqual({ value: true, variant: "on", reason: "RULE_MATCH", ruleIndex: 0 });

    const segmented = flag({ rules: [{ clauses: [{ attribute: "", op: "inSegment", values: ["beta"], negate: false, caseInsensitive: false }], serve: { variant: "on" } }] });
    const beta: Segment[] = [{ key: "beta", included: ["42"], excluded: [], clauses: [], version: 1 }];
    expect(compileFlag(segmented, beta).evaluate({ key: 42 }).variant).toBe("on");
  });

  it("treats objects other than arrays as contexts", () => {
    const compiled = compileFlag(flag({ rules: [] }));
    expect(compiled.evaluate(Object.create(null) as EvaluationContext).reason).toBe("STATIC");
    expect(compiled.evaluate(new Map() as unknown as EvaluationContext).reason).toBe("STATIC");
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
