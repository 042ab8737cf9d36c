import { describe, expect, it } from "vitest";
import { defaultPlanFields, planFieldsOf, planInputOf, planProblems, type PlanFields } from "./plan-fields";
import { configView, flagView } from "./test-fixtures";
import { planView } from "./plan-fixtures";

const defaults = () => defaultPlanFields(flagView(), configView());

describe("plan fields", () => {
  it("start a new plan at 1% → 5% → 25% → 50% → 100%, ten minutes each, killing on an error-rate breach", () => {
    const fields = defaults();
    expect(fields.steps.map((step) => `${step.percent}% ${step.hold} ${step.unit}`)).toEqual(["1% 10 minutes", "5% 10 minutes", "25% 10 minutes", "50% 10 minutes", "100% 10 minutes"]);
    expect(planProblems(fields).valid).toBe(true);
    expect(planInputOf(fields, "boolean", undefined)).toEqual({
      steps: [1, 5, 25, 50, 100].map((percent) => ({ percent, holdSeconds: 600 })),
      guards: [{ metric: "error", kind: "rate", maxRatio: 1.5, maxAbsolute: 0.02, minSamples: 1000 }],
      onBreach: "kill",
    });
  });

  it("round-trip a saved plan: holds in minutes when whole, else seconds; absolute rates as percents", () => {
    const plan = planView({
      steps: [
        { percent: 0.5, holdSeconds: 90 },
        { percent: 12.345, holdSeconds: 3600 },
      ],
      guards: [
        { metric: "error", kind: "rate", maxAbsolute: 0.007, minSamples: 50 },
        { metric: "latency_ms", kind: "p95", max: 250, minSamples: 100 },
      ],
      onBreach: "rollback",
    });
    const fields = planFieldsOf(plan);
    expect(fields.steps).toEqual([
      { percent: "0.5", hold: "90", unit: "seconds" },
      { percent: "12.345", hold: "60", unit: "minutes" },
    ]);
    expect(fields.guards[0]).toMatchObject({ maxRatio: "", maxAbsolute: "0.7" });
    expect(planInputOf(fields, "string", 3)).toEqual({ variant: "on", steps: plan.steps, guards: plan.guards, onBreach: "rollback", version: 3 });
  });

  it("refuse what the server refuses, in words, on the field", () => {
    const fields: PlanFields = {
      ...defaults(),
      steps: [
        { percent: "5", hold: "10", unit: "minutes" },
        { percent: "5", hold: "1.5", unit: "minutes" },
        { percent: "0.0001", hold: "50000", unit: "minutes" },
        { percent: "0", hold: "0", unit: "seconds" },
      ],
      guards: [
        { metric: "has space", kind: "rate", maxRatio: "", maxAbsolute: "", max: "", minSamples: "0" },
        { metric: "error", kind: "rate", maxRatio: "-1", maxAbsolute: "101", max: "", minSamples: "10" },
        { metric: "latency_ms", kind: "p95", maxRatio: "", maxAbsolute: "", max: "", minSamples: "10" },
      ],
    };
    const problems = planProblems(fields);
    expect(problems.valid).toBe(false);
    expect(problems.steps).toEqual([
      {},
      { percent: "Must be above the previous step's 5%.", hold: "Must be a whole number of minutes." },
      { percent: "At most three decimals (steps of 0.001%).", hold: "Must be at most 30 days." },
      { percent: "Must be above 0%." },
    ]);
    expect(problems.guards[0]).toEqual({
      metric: "Must start with a letter or digit and contain only letters, digits, '.', '_' and '-'.",
      maxRatio: "Set a limit against control, an absolute limit, or both.",
      minSamples: "Must be a whole number from 1 to 1,000,000,000.",
    });
    expect(problems.guards[1]).toEqual({ maxRatio: "Must be a number above 0, at most 1000.", maxAbsolute: "Must be a percentage from 0 to 100." });
    expect(problems.guards[2]).toEqual({ max: "Must be a number, at least 0." });
  });

  it("need at least one step", () => {
    expect(planProblems({ ...defaults(), steps: [] }).valid).toBe(false);
  });
});
