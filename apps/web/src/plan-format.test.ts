import { describe, expect, it } from "vitest";
import { describeGuardStatus, describeLimits, formatDuration, formatHold, formatRate } from "./plan-format";
import { breachView, guardStatusView } from "./plan-fixtures";

describe("plan words", () => {
  it("say durations with their two largest units, rounded up to the second", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(1)).toBe("1 s");
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(272_000)).toBe("4 min 32 s");
    expect(formatDuration(600_000)).toBe("10 min");
    expect(formatDuration(3_900_000)).toBe("1 h 5 min");
    expect(formatDuration(183_600_000)).toBe("2 d 3 h");
    expect(formatHold(0)).toBe("no hold");
  });

  it("say a guard's limits and a breach with the numbers of both cohorts", () => {
    expect(formatRate(0.102)).toBe("10.2%");
    expect(describeLimits({ metric: "error", kind: "rate", maxAbsolute: 0.02, minSamples: 1 })).toBe("max 2%");
    expect(describeLimits({ metric: "latency_ms", kind: "p95", max: 250, minSamples: 1 })).toBe("max 250");
    expect(describeGuardStatus(breachView())).toBe("error rate 10.2% in the rollout cohort vs 1% in control (max 1.5× control and 2%)");
    const atFull = guardStatusView({ control: { evaluations: 0, events: 0, rate: null, p95: null } });
    expect(describeGuardStatus(atFull)).toBe("error rate 1% in the rollout cohort vs no control cohort (max 1.5× control and 2%)");
  });
});
