/**
 * The 1,000,000 evaluation subjects, shared by every contender.
 *
 * Each contender turns these into its own context objects (see `prepare` in each contender)
 * before anything is timed, so context construction is never part of a measurement. Key strings
 * and country strings are shared between contenders, so no contender pays for a string another
 * did not (e.g. flattening or hashing a different string instance).
 */

/** Countries drawn uniformly; the flag targets the first three, so 3/4 of contexts match the rule. */
export const COUNTRIES = ["NL", "DE", "FR", "US"] as const;
export const TARGETED_COUNTRIES = ["NL", "DE", "FR"] as const;
/** Share of matching contexts the rollout serves `true`: 25%. */
export const ROLLOUT_FRACTION = 0.25;
/** Expected share of `true` over all contexts: 0.75 × 0.25. */
export const EXPECTED_TRUE_FRACTION = (TARGETED_COUNTRIES.length / COUNTRIES.length) * ROLLOUT_FRACTION;

export interface Subjects {
  readonly n: number;
  /** `user-<i>` */
  readonly keys: readonly string[];
  readonly countries: readonly string[];
}

/** mulberry32: a small seeded PRNG, so every run draws the same countries. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeSubjects(n: number, seed = 0x5eed_1234): Subjects {
  const random = mulberry32(seed);
  const keys = new Array<string>(n);
  const countries = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    keys[i] = `user-${i}`;
    countries[i] = COUNTRIES[Math.floor(random() * COUNTRIES.length)]!;
  }
  return { n, keys, countries };
}
