/**
 * The value buckets SDKs and the server agree on for `track(metric, context, value)`: SDKs count
 * values into these buckets, the server adds the counts up per time window, and percentiles are
 * estimated from them. No zod: the browser SDK bundles this file (and key.ts) on its own.
 *
 * @example
 * const buckets = VALUE_BUCKET_BOUNDS.map(() => 0);
 * for (const latency of [87, 120, 95]) buckets[valueBucket(latency)]!++;
 * percentile(buckets, 0.95); // ≈ 120
 */
import { keyProblem } from "./key.js";

/**
 * Inclusive upper bounds: bucket `i` counts the values `v` with `BOUNDS[i - 1] < v <= BOUNDS[i]`
 * (bucket 0 holds everything up to 0, negatives included; the last bound is +Infinity). The finite
 * bounds are 1, 1.5, 2, 3, 5 and 7 times each power of ten from 0.01 to 100 000, so an estimate
 * is never off by more than the ratio of two neighbours (at most 5/3) for values from 0.01 to 700 000.
 */
export const VALUE_BUCKET_BOUNDS: readonly number[] = Object.freeze([
  0,
  // Parsed from decimal text so each bound is the exact double of "0.015", not 1.5 * 0.01.
  ...[-2, -1, 0, 1, 2, 3, 4, 5].flatMap((exponent) => ["1", "1.5", "2", "3", "5", "7"].map((mantissa) => Number(`${mantissa}e${exponent}`))),
  Number.POSITIVE_INFINITY,
]);

/** Entries per list (`evaluations`, `events`) in one SDK metrics batch; SDKs keep below it, the server refuses more. */
export const MAX_METRIC_ENTRIES = 1000;

/**
 * What is wrong with a `track()` metric name, or null when the server accepts it. Names follow
 * the key rule, which also keeps them apart from the server's own `$evaluation`.
 */
export function metricNameProblem(name: string): string | null {
  return keyProblem(name);
}

/** The bucket a value falls into: the first whose bound is at least the value (NaN: the last). */
export function valueBucket(value: number): number {
  let low = 0;
  let high = VALUE_BUCKET_BOUNDS.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (value <= VALUE_BUCKET_BOUNDS[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Estimates the `q` quantile (0 to 1) of the values counted in `buckets` (one count per bound of
 * VALUE_BUCKET_BOUNDS, not cumulative), interpolating linearly inside the bucket it falls in, as
 * Prometheus' `histogram_quantile` does. A quantile in the first bucket gives 0; one in the +Inf
 * bucket gives the highest finite bound. NaN when nothing was counted.
 *
 * @example
 * percentile(cohort.buckets, 0.95) > 300; // p95 latency above 300 ms
 */
export function percentile(buckets: readonly number[], q: number): number {
  const quantile = Math.min(Math.max(q, 0), 1);
  let total = 0;
  for (const count of buckets) total += count;
  if (!(total > 0)) return Number.NaN;
  const rank = quantile * total;
  let below = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i]!;
    if (count > 0 && below + count >= rank) {
      if (i === 0) return 0;
      const upper = VALUE_BUCKET_BOUNDS[i] ?? Number.POSITIVE_INFINITY;
      const lower = VALUE_BUCKET_BOUNDS[i - 1]!;
      if (upper === Number.POSITIVE_INFINITY) return lower;
      return lower + (upper - lower) * Math.max(0, (rank - below) / count);
    }
    below += count;
  }
  return VALUE_BUCKET_BOUNDS[VALUE_BUCKET_BOUNDS.length - 2]!;
}
