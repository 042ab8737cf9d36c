import { describe, expect, it } from "vitest";
import { compileFlag, flagDefinition, rolloutServe, segmentDefinition, type EvaluationContext, type EvaluationResult, type FlagConfigView, type FlagDefinition, type FlagView, type Segment } from "@switchyard/core";
import { summarizeConfig, withConfig } from "./definition";
import { configView as sampleConfig, flagView as sampleFlag } from "./test-fixtures";

/** A serving config in production; the shared cases override the rest. */
const configView = (overrides: Partial<FlagConfigView> = {}) => sampleConfig({ enabled: true, version: 3, ...overrides });
const flagView = (config: FlagConfigView, overrides: Partial<FlagView> = {}) => sampleFlag(overrides, config);

const tenPercent = rolloutServe({ variant: "on" }, 10000, "on", "off");

describe("flagDefinition", () => {
  it("evaluates like the SDK: a rule on country serving a 10% rollout, everyone else the fallthrough", () => {
    const config = configView({
      rules: [{ clauses: [{ attribute: "country", op: "in", values: ["NL"], negate: false, caseInsensitive: false }], serve: tenPercent }],
      fallthrough: { variant: "off" },
    });
    const compiled = compileFlag(flagDefinition(flagView(config), config));

    expect(compiled.evaluate({ key: "user-1", country: "DE" })).toEqual({ value: false, variant: "off", reason: "FALLTHROUGH" });
    const dutch = Array.from({ length: 2000 }, (_, i) => compiled.evaluate({ key: `user-${i}`, country: "NL" }));
    expect(dutch.every((result) => result.reason === "RULE_MATCH" && result.ruleIndex === 0)).toBe(true);
    const on = dutch.filter((result) => result.variant === "on").length;
    expect(on).toBeGreaterThan(140);
    expect(on).toBeLessThan(260);
  });

  it("takes the environment's clientVisible over the flag's, and the flag's when unset", () => {
    expect(flagDefinition(flagView(configView()), configView()).clientVisible).toBe(false);
    expect(flagDefinition(flagView(configView(), { clientVisible: true }), configView()).clientVisible).toBe(true);
    expect(flagDefinition(flagView(configView(), { clientVisible: true }), configView({ clientVisible: false })).clientVisible).toBe(false);
  });

  // The shared cases: split each case's definition into the API's views and back, then evaluate.
  const shared = import.meta.glob<{ cases: { name: string; flag: FlagDefinition; segments?: Segment[]; context: EvaluationContext; expected: EvaluationResult; schemaValid?: boolean }[] }>(
    "../../../packages/core/cases.json",
    { eager: true, import: "default" },
  );
  const cases = Object.values(shared)[0]!.cases.filter((c) => c.schemaValid !== false);

  it("round-trips every valid case of packages/core/cases.json and evaluates it as expected", () => {
    expect(cases.length).toBeGreaterThan(100);
    for (const c of cases) {
      const { key, kind, variants, salt, clientVisible, enabled, killed, killReason, targets, rules, fallthrough, offVariant, version } = c.flag;
      const config = configView({ enabled, killed, killReason, targets, rules, fallthrough, offVariant, version, clientVisible: null });
      const flag = flagView(config, { key, kind, variants, salt, clientVisible });
      const segments = (c.segments ?? []).map((segment) =>
        segmentDefinition(segment),
      );
      const definition = flagDefinition(flag, config);
      expect(definition, c.name).toEqual({ ...c.flag, killReason: c.flag.killReason ?? null, targets: c.flag.targets ?? [], rules: c.flag.rules ?? [] });
      expect(compileFlag(definition, segments).evaluate(c.context), c.name).toEqual(c.expected);
    }
  });
});

describe("summarizeConfig", () => {
  it("says whether it serves, the fallthrough, and how many rules and target lists", () => {
    const config = configView({ fallthrough: tenPercent, rules: [{ clauses: [], serve: { variant: "on" } }] });
    expect(summarizeConfig(config)).toBe("serving, everyone else: on 10% / off 90%, 1 rule");
    expect(summarizeConfig(configView({ enabled: false, targets: [{ variant: "on", values: ["a"] }] }))).toBe("off, everyone else: on, 0 rules, 1 target list");
  });
});

describe("withConfig", () => {
  it("replaces one environment's config and keeps the others", () => {
    const production = configView();
    const staging = configView({ environment: "staging" });
    const flag = { ...flagView(production), environments: { production, staging } };
    const next = withConfig(flag, { ...production, version: 4 });
    expect(next.environments.production!.version).toBe(4);
    expect(next.environments.staging).toBe(staging);
  });
});
