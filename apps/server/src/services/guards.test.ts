import { describe, expect, it } from "vitest";
import { VALUE_BUCKET_BOUNDS, valueBucket } from "@switchyard/core";
import type { PlanGuard } from "@switchyard/core/api-schema";
import { judgeGuard } from "./guards.js";
import type { CohortNumbers } from "./metrics.js";

/** A cohort with `evaluations`, `events` metric events, and these values bucketed. */
function cohort(evaluations: number, events: number, values: number[] = []): CohortNumbers {
  const buckets = VALUE_BUCKET_BOUNDS.map(() => 0);
  for (const value of values) buckets[valueBucket(value)]!++;
  return { evaluations, count: events, sum: values.reduce((a, b) => a + b, 0), buckets };
}

const errorGuard: PlanGuard = { metric: "error", kind: "rate", maxRatio: 1.5, maxAbsolute: 0.02, minSamples: 200 };
const latencyGuard: PlanGuard = { metric: "latency_ms", kind: "p95", max: 300, minSamples: 100 };

describe("rate guards", () => {
  it("breach when the rollout errs at 10% against the control's 1%: above 1.5x and above 2%", () => {
    const status = judgeGuard(errorGuard, new Map([["on", cohort(1000, 100)], ["off", cohort(9000, 90)]]), "on", 10);
    expect(status).toMatchObject({
      verdict: "breach",
      rollout: { evaluations: 1000, events: 100, rate: 0.1, p95: null },
      control: { evaluations: 9000, events: 90, rate: 0.01, p95: null },
      ratio: 10,
      // The tighter of 2% absolute and 1.5 x 1%.
      limit: 0.015,
    });
    expect(status.message).toBe("error rate 10% (100/1000) in the rollout cohort is above 2% absolute and 10x the control's 1% (90/9000), above 1.5x");
  });

  it("allow exactly the limits", () => {
    // 1.5% against 1%: exactly 1.5x; 2% exactly at the absolute limit.
    expect(judgeGuard(errorGuard, new Map([["on", cohort(1000, 15)], ["off", cohort(1000, 10)]]), "on", 50)).toMatchObject({ verdict: "pass", ratio: 1.5 });
    const absoluteOnly: PlanGuard = { metric: "error", kind: "rate", maxAbsolute: 0.02, minSamples: 1 };
    expect(judgeGuard(absoluteOnly, new Map([["on", cohort(1000, 20)], ["off", cohort(1000, 90)]]), "on", 50).verdict).toBe("pass");
    expect(judgeGuard(absoluteOnly, new Map([["on", cohort(1000, 21)], ["off", cohort(1000, 90)]]), "on", 50).verdict).toBe("breach");
  });

  it("breach on either limit alone", () => {
    // 3% against 2.5%: within 1.5x, above 2% absolute.
    const absolute = judgeGuard(errorGuard, new Map([["on", cohort(1000, 30)], ["off", cohort(1000, 25)]]), "on", 50);
    expect(absolute).toMatchObject({ verdict: "breach", limit: 0.02 });
    expect(absolute.message).toContain("above 2% absolute");
    expect(absolute.message).not.toContain("x the control's");
    // 1.8% against 1%: within 2%, above 1.5x.
    const ratio = judgeGuard(errorGuard, new Map([["on", cohort(1000, 18)], ["off", cohort(1000, 10)]]), "on", 50);
    expect(ratio).toMatchObject({ verdict: "breach", limit: 0.015, ratio: 1.8 });
    expect(ratio.message).toContain("1.8x the control's 1% (10/1000), above 1.5x");
  });

  it("pass with equal rates", () => {
    const status = judgeGuard(errorGuard, new Map([["on", cohort(500, 5)], ["off", cohort(5000, 50)]]), "on", 10);
    expect(status).toMatchObject({ verdict: "pass", ratio: 1, limit: 0.015, rollout: { rate: 0.01 }, control: { rate: 0.01 } });
    expect(status.message).toBe("error rate 1% (5/500) in the rollout cohort is within 1.5% (control 1% (50/5000))");
  });

  it("give no verdict until both cohorts reach minSamples evaluations, however bad the numbers", () => {
    const rolloutShort = judgeGuard(errorGuard, new Map([["on", cohort(199, 199)], ["off", cohort(5000, 0)]]), "on", 1);
    expect(rolloutShort).toMatchObject({ verdict: "waiting", limit: null, rollout: { evaluations: 199, events: 199, rate: 1 } });
    expect(rolloutShort.message).toBe("error rate: waiting for samples (rollout cohort: 199 of 200 evaluations)");
    const controlShort = judgeGuard(errorGuard, new Map([["on", cohort(5000, 500)], ["off", cohort(10, 0)]]), "on", 99);
    expect(controlShort.verdict).toBe("waiting");
    expect(controlShort.message).toContain("control cohort: 10 of 200 evaluations");
    const nothing = judgeGuard(errorGuard, new Map(), "on", 1);
    expect(nothing).toMatchObject({ verdict: "waiting", rollout: { evaluations: 0, rate: null }, control: { evaluations: 0, rate: null } });
    // Exactly minSamples is enough.
    expect(judgeGuard(errorGuard, new Map([["on", cohort(200, 2)], ["off", cohort(200, 2)]]), "on", 50).verdict).toBe("pass");
  });

  it("count every other variant as the control cohort", () => {
    const cohorts = new Map([["green", cohort(300, 30)], ["blue", cohort(300, 3)], ["red", cohort(700, 7)]]);
    const status = judgeGuard(errorGuard, cohorts, "green", 30);
    expect(status).toMatchObject({ verdict: "breach", control: { evaluations: 1000, events: 10, rate: 0.01 } });
  });

  it("at 100% judge the absolute limit without a control cohort, and skip a ratio-only guard", () => {
    const all = new Map([["on", cohort(1000, 50)]]);
    expect(judgeGuard(errorGuard, all, "on", 100)).toMatchObject({ verdict: "breach", limit: 0.02, ratio: null });
    expect(judgeGuard(errorGuard, new Map([["on", cohort(1000, 5)]]), "on", 100)).toMatchObject({ verdict: "pass", limit: 0.02 });
    const ratioOnly: PlanGuard = { metric: "error", kind: "rate", maxRatio: 1.5, minSamples: 200 };
    const skipped = judgeGuard(ratioOnly, all, "on", 100);
    expect(skipped).toMatchObject({ verdict: "pass", limit: null });
    expect(skipped.message).toContain("no control cohort at 100%");
  });

  it("hold any rollout event against a control rate of 0 with a ratio limit, and say so", () => {
    const ratioOnly: PlanGuard = { metric: "error", kind: "rate", maxRatio: 2, minSamples: 100 };
    const status = judgeGuard(ratioOnly, new Map([["on", cohort(1000, 1)], ["off", cohort(1000, 0)]]), "on", 50);
    expect(status).toMatchObject({ verdict: "breach", ratio: null, limit: 0 });
    expect(status.message).toContain("above 2x the control's 0% (0/1000)");
    expect(judgeGuard(ratioOnly, new Map([["on", cohort(1000, 0)], ["off", cohort(1000, 0)]]), "on", 50).verdict).toBe("pass");
  });
});

describe("p95 guards", () => {
  const fast = Array.from({ length: 100 }, (_, i) => 50 + i); // 50..149 ms
  const slow = Array.from({ length: 100 }, (_, i) => (i < 90 ? 100 : 900)); // a tenth at 900 ms

  it("breach when the rollout's p95 is above the limit, reporting the control's too", () => {
    const status = judgeGuard(latencyGuard, new Map([["on", cohort(200, 100, slow)], ["off", cohort(2000, 100, fast)]]), "on", 10);
    expect(status.verdict).toBe("breach");
    expect(status.limit).toBe(300);
    expect(status.rollout.p95).toBeGreaterThan(700);
    expect(status.rollout.p95).toBeLessThanOrEqual(1000);
    expect(status.rollout.events).toBe(100);
    expect(status.control.p95).toBeGreaterThan(100);
    expect(status.control.p95).toBeLessThanOrEqual(150);
    expect(status.rollout.rate).toBeNull();
    expect(status.message).toMatch(/^latency_ms p95 \d+ in the rollout cohort is above 300 \(control \d+(\.\d+)?\)$/);
  });

  it("pass when the rollout's p95 is within the limit", () => {
    const status = judgeGuard(latencyGuard, new Map([["on", cohort(200, 100, fast)], ["off", cohort(2000, 100, slow)]]), "on", 10);
    expect(status.verdict).toBe("pass");
    expect(status.rollout.p95).toBeLessThanOrEqual(150);
  });

  it("wait for minSamples evaluations in both cohorts and for values in the rollout", () => {
    expect(judgeGuard(latencyGuard, new Map([["on", cohort(99, 99, slow)], ["off", cohort(2000, 100, fast)]]), "on", 10).verdict).toBe("waiting");
    expect(judgeGuard(latencyGuard, new Map([["on", cohort(200, 100, slow)], ["off", cohort(99, 99, fast)]]), "on", 10).verdict).toBe("waiting");
    // Events tracked without a value carry no latency.
    const valueless = judgeGuard(latencyGuard, new Map([["on", cohort(200, 100)], ["off", cohort(2000, 100, fast)]]), "on", 10);
    expect(valueless).toMatchObject({ verdict: "waiting", rollout: { events: 0, p95: null } });
    expect(valueless.message).toContain("no values reported");
    // At 100% the rollout's own samples suffice.
    expect(judgeGuard(latencyGuard, new Map([["on", cohort(200, 100, slow)]]), "on", 100).verdict).toBe("breach");
  });
});
