import { describe, expect, it } from "vitest";
import { MAX_METRIC_ENTRIES, VALUE_BUCKET_BOUNDS, metricNameProblem, percentile, valueBucket } from "./metric-buckets.js";

const empty = () => VALUE_BUCKET_BOUNDS.map(() => 0);

function bucketsOf(values: number[]): number[] {
  const buckets = empty();
  for (const value of values) buckets[valueBucket(value)]!++;
  return buckets;
}

describe("VALUE_BUCKET_BOUNDS", () => {
  it("rise strictly from 0 to +Infinity, with exact decimal bounds", () => {
    expect(VALUE_BUCKET_BOUNDS[0]).toBe(0);
    expect(VALUE_BUCKET_BOUNDS.at(-1)).toBe(Number.POSITIVE_INFINITY);
    for (let i = 1; i < VALUE_BUCKET_BOUNDS.length; i++) expect(VALUE_BUCKET_BOUNDS[i]).toBeGreaterThan(VALUE_BUCKET_BOUNDS[i - 1]!);
    expect(VALUE_BUCKET_BOUNDS).toContain(0.015);
    expect(VALUE_BUCKET_BOUNDS).toContain(700_000);
    expect(VALUE_BUCKET_BOUNDS).toHaveLength(50);
    expect(Object.isFrozen(VALUE_BUCKET_BOUNDS)).toBe(true);
    expect(MAX_METRIC_ENTRIES).toBe(1000);
  });
});

describe("valueBucket", () => {
  it("gives the first bucket whose bound is at least the value", () => {
    expect(valueBucket(-5)).toBe(0);
    expect(valueBucket(0)).toBe(0);
    expect(valueBucket(0.001)).toBe(1);
    expect(valueBucket(0.01)).toBe(1);
    expect(valueBucket(0.0100001)).toBe(2);
    expect(valueBucket(87)).toBe(VALUE_BUCKET_BOUNDS.indexOf(100));
    expect(valueBucket(100)).toBe(VALUE_BUCKET_BOUNDS.indexOf(100));
    expect(valueBucket(1e9)).toBe(VALUE_BUCKET_BOUNDS.length - 1);
    expect(valueBucket(Number.POSITIVE_INFINITY)).toBe(VALUE_BUCKET_BOUNDS.length - 1);
    for (let i = 0; i < VALUE_BUCKET_BOUNDS.length; i++) expect(valueBucket(VALUE_BUCKET_BOUNDS[i]!)).toBe(i);
  });
});

describe("percentile", () => {
  it("is NaN with nothing counted", () => {
    expect(percentile(empty(), 0.95)).toBeNaN();
    expect(percentile([], 0.5)).toBeNaN();
  });

  it("interpolates inside the bucket the rank falls in", () => {
    // 100 values in (70, 100]: the median sits halfway through that bucket.
    const buckets = bucketsOf(Array.from({ length: 100 }, () => 87));
    expect(percentile(buckets, 0.5)).toBeCloseTo(85, 6);
    expect(percentile(buckets, 1)).toBe(100);
  });

  it("stays within a bucket's width of the true quantile", () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1 + i * 0.5); // 1 .. 500.5
    const buckets = bucketsOf(values);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const truth = values[Math.ceil(q * values.length) - 1]!;
      const estimate = percentile(buckets, q);
      expect(estimate / truth).toBeGreaterThan(0.6);
      expect(estimate / truth).toBeLessThan(5 / 3);
    }
  });

  it("gives 0 in the first bucket and the highest finite bound in the last", () => {
    expect(percentile(bucketsOf([-1, 0, 0]), 0.5)).toBe(0);
    expect(percentile(bucketsOf([5e6, 5e6]), 0.5)).toBe(700_000);
  });

  it("clamps q to 0..1 and skips empty buckets", () => {
    const buckets = bucketsOf([3, 50]);
    expect(percentile(buckets, 2)).toBe(50);
    expect(percentile(buckets, -1)).toBe(2);
    expect(percentile(buckets, 0.5)).toBe(3);
  });
});

describe("metricNameProblem", () => {
  it("follows the key rule, which refuses the server's $evaluation", () => {
    expect(metricNameProblem("latency_ms")).toBeNull();
    expect(metricNameProblem("checkout.error")).toBeNull();
    expect(metricNameProblem("$evaluation")).toMatch(/must start with a letter or digit/);
    expect(metricNameProblem("")).toBe("must not be empty");
    expect(metricNameProblem("x".repeat(129))).toMatch(/at most 128/);
  });
});
