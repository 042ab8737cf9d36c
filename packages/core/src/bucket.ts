import { murmur3Continue, murmur3Prefix, type Murmur3State } from "./murmur3.js";

/**
 * Number of rollout buckets: weights are in thousandths of a percent (0.001% steps). The same
 * value as `BUCKET_COUNT` in `./schema.js`, declared here too so evaluation never loads zod.
 *
 * @example
 * const tenPercent = BUCKET_COUNT / 10; // 10000
 */
export const BUCKET_COUNT = 100_000;

/** Buckets values for one flag: the `flagKey.salt.` prefix is hashed once, here. */
export class Bucketer {
  private readonly h1: number;
  private readonly k1: number;
  private readonly shift: number;
  private readonly length: number;

  constructor(flagKey: string, salt: string) {
    const state: Murmur3State = murmur3Prefix(flagKey + "." + salt + ".");
    this.h1 = state.h1;
    this.k1 = state.k1;
    this.shift = state.shift;
    this.length = state.length;
  }

  /** The bucket of `value`, in [0, 99999]. */
  bucket(value: string): number {
    return (murmur3Continue(this.h1, this.k1, this.shift, this.length, value) >>> 0) % BUCKET_COUNT;
  }
}

/**
 * The rollout bucket of a context value for a flag: `murmur3(flagKey + "." + salt + "." + value)
 * % 100000`, an integer in [0, 99999]. A rollout serves the first variant whose cumulative weight
 * exceeds the bucket.
 *
 * @example
 * bucket("new-checkout", "s1", "user-123456"); // 61758: outside a 25% rollout (buckets 0-24999)
 */
export function bucket(flagKey: string, salt: string, value: string): number {
  return new Bucketer(flagKey, salt).bucket(value);
}
