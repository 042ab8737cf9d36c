import { describe, expect, it } from "vitest";
import { configView, flagView } from "./test-fixtures";
import { flagState, rolloutVariant } from "./flag-state";

const variants = [
  { key: "a", value: "A" },
  { key: "b", value: "B" },
  { key: "c", value: "C" },
];

describe("flagState", () => {
  it("says killed, off, on, or the rollout's share", () => {
    const flag = flagView();
    expect(flagState(flag, configView({ enabled: true, killed: true }))).toEqual({ kind: "killed", label: "killed" });
    expect(flagState(flag, configView())).toEqual({ kind: "off", label: "off" });
    expect(flagState(flag, configView({ enabled: true }))).toEqual({ kind: "on", label: "on" });
    const tenPercent = { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 10_000 }, { variant: "off", weight: 90_000 }] } };
    expect(flagState(flag, configView({ enabled: true, fallthrough: tenPercent }))).toEqual({ kind: "rollout", label: "10%", percent: 10 });
  });

  it("gives a multi-variant flag's rollout as the share of the variant rolled out, not of its first variant", () => {
    const flag = flagView({ kind: "string", variants });
    const config = configView({
      enabled: true,
      offVariant: "c",
      fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "b", weight: 30_000 }, { variant: "c", weight: 70_000 }] } },
    });
    expect(rolloutVariant(flag, config)).toBe("b");
    expect(flagState(flag, config)).toEqual({ kind: "rollout", label: "30%", percent: 30 });
  });

  it("rolls out the served variant, or else the first that is not the off variant", () => {
    const flag = flagView({ kind: "string", variants });
    expect(rolloutVariant(flag, configView({ offVariant: "a", fallthrough: { variant: "a" } }))).toBe("b");
    expect(rolloutVariant(flag, configView({ offVariant: "c", fallthrough: { variant: "b" } }))).toBe("b");
    expect(rolloutVariant(flagView(), configView())).toBe("on");
  });
});
