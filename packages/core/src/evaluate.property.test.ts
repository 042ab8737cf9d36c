import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucket } from "./bucket.js";
import { compileFlag } from "./compile.js";
import { evaluate } from "./evaluate.js";
import type { Reason } from "./result.js";
import { flagDefinitionSchema, segmentSchema, type Clause, type EvaluationContext, type FlagDefinition, type Segment, type Serve } from "./schema.js";

const REASONS: Reason[] = ["FLAG_NOT_FOUND", "KILLED", "DISABLED", "TARGET_MATCH", "RULE_MATCH", "FALLTHROUGH", "STATIC", "SPLIT", "ERROR"];
// Small pools, so references between parts of a flag hit often and miss sometimes.
const variantKey = fc.oneof({ arbitrary: fc.constantFrom("on", "off", "a", "b"), weight: 12 }, { arbitrary: fc.constant("ghost"), weight: 1 });
const mostly = (value: boolean) => fc.oneof({ arbitrary: fc.constant(value), weight: 5 }, { arbitrary: fc.constant(!value), weight: 1 });
const userKey = fc.constantFrom("u1", "u2", "user-123456", "日本", "😀", "");
const attribute = fc.constantFrom("key", "country", "age", "version", "createdAt", "email", "groups", "__proto__", "constructor", "toString", "targetingKey");
const clauseValue = fc.oneof(
  fc.constantFrom("NL", "nl", "1.2.3", "v2", "2024-01-01T00:00:00Z", "^u\\d+$", "(a+)+", "([", "42", "@example.com", "beta", "u1"),
  fc.string({ maxLength: 8 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
);
const clause: fc.Arbitrary<Clause> = fc.record({
  attribute,
  op: fc.constantFrom(...(["in", "notIn", "contains", "startsWith", "endsWith", "matches", "lt", "lte", "gt", "gte", "semverEq", "semverLt", "semverGt", "before", "after", "exists", "inSegment"] as const)),
  values: fc.array(clauseValue, { maxLength: 4 }),
  negate: fc.boolean(),
  caseInsensitive: fc.boolean(),
});
/** Weights summing to 100000, from sorted cut points. */
const weights = (count: number) =>
  fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: count - 1, maxLength: count - 1 }).map((cuts) => {
    const points = [0, ...cuts.sort((x, y) => x - y), 100_000];
    return points.slice(1).map((p, i) => p - points[i]!);
  });
const serve: fc.Arbitrary<Serve> = fc.oneof(
  variantKey.map((variant) => ({ variant })),
  fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.record({
      rollout: fc.record({
        bucketBy: fc.constantFrom("key", "orgId", "country"),
        variants: fc.tuple(fc.array(variantKey, { minLength: n, maxLength: n }), weights(n)).map(([keys, ws]) => keys.map((variant, i) => ({ variant, weight: ws[i]! }))),
      }),
    }),
  ),
);
const rawFlag = fc.record({
  key: fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,20}$/),
  kind: fc.constantFrom("boolean", "string", "number", "json"),
  variants: fc
    .array(fc.record({ key: variantKey, value: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 3 })
    .chain((extra) => fc.tuple(fc.jsonValue({ maxDepth: 1 }), fc.jsonValue({ maxDepth: 1 })).map(([on, off]) => [{ key: "on", value: on }, { key: "off", value: off }, ...extra])),
  salt: fc.string({ maxLength: 10 }),
  clientVisible: fc.boolean(),
  enabled: mostly(true),
  killed: mostly(false),
  killReason: fc.constant(null),
  targets: fc.array(fc.record({ variant: variantKey, values: fc.array(userKey, { maxLength: 3 }) }), { maxLength: 3 }),
  rules: fc.array(fc.record({ clauses: fc.array(clause, { maxLength: 3 }), serve }), { maxLength: 4 }),
  fallthrough: serve,
  offVariant: fc.oneof({ arbitrary: fc.constant("off"), weight: 8 }, { arbitrary: variantKey, weight: 1 }),
  version: fc.integer({ min: 1, max: 1000 }),
});
const flag: fc.Arbitrary<FlagDefinition> = rawFlag
  .map((f) => flagDefinitionSchema.safeParse(f))
  .filter((parsed) => parsed.success)
  .map((parsed) => parsed.data!);
const segments: fc.Arbitrary<Segment[]> = fc.array(
  fc.record({
    key: fc.constantFrom("beta", "u1", "s"),
    included: fc.array(userKey, { maxLength: 2 }),
    excluded: fc.array(userKey, { maxLength: 2 }),
    clauses: fc.array(clause, { maxLength: 2 }),
    version: fc.constant(1),
  }).map((s) => segmentSchema.parse(s)),
  { maxLength: 3 },
);

const weirdKey = fc.constantFrom("__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "key", "targetingKey", "country", "age", "groups", "orgId", "");
/** Objects whose listed properties throw or return odd things when read. */
const withGetters = fc.array(fc.tuple(weirdKey, fc.boolean(), fc.anything()), { maxLength: 4 }).map((props) => {
  const ctx = {};
  for (const [name, throws, value] of props) {
    Object.defineProperty(ctx, name, {
      enumerable: true,
      configurable: true,
      get() {
        if (throws) throw new Error(`getter ${name}`);
        return value;
      },
    });
  }
  return ctx;
});
// Throws on every string property; symbols answer normally so fast-check can still handle it.
const hostileProxy = fc.constant(null).map(
  () =>
    new Proxy(
      {},
      {
        get(target, name) {
          if (typeof name === "string") throw new Error("trap");
          return Reflect.get(target, name);
        },
        has(target, name) {
          if (typeof name === "string") throw new Error("trap");
          return Reflect.has(target, name);
        },
      },
    ),
);
const context: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true, withBoxedValues: true }),
  fc.dictionary(weirdKey, fc.anything(), { maxKeys: 6 }),
  fc.record({ key: userKey, country: fc.constantFrom("NL", "nl", "DE"), age: fc.oneof(fc.integer(), fc.string()), groups: fc.array(fc.oneof(fc.string(), fc.constant(null))) }),
  withGetters,
  hostileProxy,
);

describe("evaluate (properties)", () => {
  it("never throws and always returns a well-formed result", () => {
    fc.assert(
      fc.property(flag, segments, context, (f, segs, ctx) => {
        const result = evaluate(f, ctx as EvaluationContext, segs);
        expect(REASONS).toContain(result.reason);
        if (result.variant !== null) expect(f.variants.find((v) => v.key === result.variant)?.value).toEqual(result.value);
        else expect(result.value).toBeNull();
        expect(compileFlag(f, segs).evaluate(ctx as EvaluationContext)).toStrictEqual(result);
      }),
      { numRuns: 1500 },
    );
  });

  it("never throws for arbitrary unvalidated input", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (f, ctx, segs) => {
        const result = evaluate(f as FlagDefinition, ctx as EvaluationContext, segs as Segment[]);
        expect(REASONS).toContain(result.reason);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps everyone who was in when a rollout grows (first variant up, second down)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
        fc.string({ maxLength: 8 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 50 }),
        (key, salt, x, y, keys) => {
          const [low, high] = x <= y ? [x, y] : [y, x];
          const at = (onWeight: number) =>
            compileFlag({
              key,
              kind: "boolean",
              variants: [{ key: "on", value: true }, { key: "off", value: false }],
              salt,
              clientVisible: false,
              enabled: true,
              killed: false,
              killReason: null,
              targets: [],
              rules: [],
              fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: onWeight }, { variant: "off", weight: 100_000 - onWeight }] } },
              offVariant: "off",
              version: 1,
            });
          const before = at(low);
          const after = at(high);
          for (const k of keys) if (before.evaluate({ key: k }).variant === "on") expect(after.evaluate({ key: k }).variant).toBe("on");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("buckets are integers in [0, 99999]", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ unit: "binary" }), (k, s, v) => {
        const b = bucket(k, s, v);
        return Number.isInteger(b) && b >= 0 && b <= 99_999;
      }),
      { numRuns: 2000 },
    );
  });

  it("spreads 100,000 keys uniformly: each first-N% share within 1 point of N%, each decile within 1 point of 10%", () => {
    // With n = 100,000 the standard deviation of a share p is sqrt(p(1-p)/n): 0.16 points at
    // p = 50%, 0.095 at 10%. One point is 6 or more deviations, so a failure means real bias.
    for (const [flagKey, salt] of [["new-checkout", "a1b2c3"], ["dark-mode", ""], ["x", "日本"]] as const) {
      const counts = new Array<number>(100).fill(0);
      for (let i = 0; i < 100_000; i++) counts[Math.floor(bucket(flagKey, salt, `user-${i}`) / 1000)]! += 1;
      for (const n of [1, 5, 10, 25, 50]) {
        const share = counts.slice(0, n).reduce((a, b) => a + b, 0) / 1000;
        expect(Math.abs(share - n), `${flagKey}: first ${n}% got ${share}%`).toBeLessThanOrEqual(1);
      }
      for (let d = 0; d < 10; d++) {
        const share = counts.slice(d * 10, d * 10 + 10).reduce((a, b) => a + b, 0) / 1000;
        expect(Math.abs(share - 10), `${flagKey}: decile ${d} got ${share}%`).toBeLessThanOrEqual(1);
      }
    }
  });
});
