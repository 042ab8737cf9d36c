// Builders for cases.json. Flags are written out in full (every schema default filled in), so an
// evaluator can run them without parsing them first.
import { referenceBucket } from "../reference-murmur3.mjs";

export const ON = { value: true, variant: "on" };
export const OFF = { value: false, variant: "off" };

/** A boolean flag, on/off, enabled, falling through to off. */
export function booleanFlag(key, overrides = {}) {
  return {
    key,
    kind: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    salt: "salt-1",
    clientVisible: false,
    enabled: true,
    killed: false,
    killReason: null,
    targets: [],
    rules: [],
    fallthrough: { variant: "off" },
    offVariant: "off",
    version: 1,
    ...overrides,
  };
}

export function clause(attribute, op, values, options = {}) {
  return { attribute, op, values, negate: options.negate ?? false, caseInsensitive: options.caseInsensitive ?? false };
}

export function rule(clauses, serve = { variant: "on" }) {
  return { clauses, serve };
}

export function rollout(variants, bucketBy = "key") {
  return { rollout: { bucketBy, variants: variants.map(([variant, weight]) => ({ variant, weight })) } };
}

/** The result of serving a variant of a flag. */
export function served(flag, variant, reason, extra = {}) {
  const found = flag.variants.find((v) => v.key === variant);
  return { value: found.value, variant, reason, ...extra };
}

/** The variant a rollout serves for a bucketing value, computed with the reference hash. */
export function rolloutVariant(flag, serve, value) {
  const b = referenceBucket(flag.key, flag.salt, value);
  let cumulative = 0;
  for (const { variant, weight } of serve.rollout.variants) {
    cumulative += weight;
    if (b < cumulative) return variant;
  }
  throw new Error("weights do not cover the bucket");
}

/** A key "user-N" whose bucket for the flag is `bucket` (for 0.001% rollouts). */
export function keyInBucket(flagKey, salt, bucket) {
  for (let n = 0; n < 10_000_000; n++) {
    if (referenceBucket(flagKey, salt, `user-${n}`) === bucket) return `user-${n}`;
  }
  throw new Error(`no key in bucket ${bucket}`);
}

/**
 * One clause on a boolean flag: a match serves "on" by rule 0, no match falls through to "off".
 * The flag key is derived from the case name so every case has its own.
 */
export function clauseCase(name, theClause, context, matches, segments) {
  const key = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 120);
  const flag = booleanFlag(key, { rules: [rule([theClause])] });
  const expected = matches ? { ...ON, reason: "RULE_MATCH", ruleIndex: 0 } : { ...OFF, reason: "FALLTHROUGH" };
  return { name, flag, ...(segments ? { segments } : {}), context, expected };
}
