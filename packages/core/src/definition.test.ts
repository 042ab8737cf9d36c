import { describe, expect, it } from "vitest";
import { flagDefinition, rolloutServe, segmentDefinition } from "./definition.js";

describe("rolloutServe", () => {
  it("gives the variant its share and the off variant the rest, keeping the serve's bucketBy", () => {
    expect(rolloutServe({ variant: "on" }, 12_345, "on", "off")).toEqual({
      rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 12_345 }, { variant: "off", weight: 87_655 }] },
    });
    const byOrg = { rollout: { bucketBy: "orgId", variants: [{ variant: "on", weight: 100_000 }] } };
    expect(rolloutServe(byOrg, 1, "on", "off")).toEqual({
      rollout: { bucketBy: "orgId", variants: [{ variant: "on", weight: 1 }, { variant: "off", weight: 99_999 }] },
    });
  });
});

describe("flagDefinition and segmentDefinition", () => {
  it("take what evaluation needs from a row or view carrying more, the environment's clientVisible winning when set", () => {
    const flag = { key: "f", kind: "boolean" as const, variants: [{ key: "on", value: true }], salt: "s", clientVisible: true, archived: false };
    const config = { enabled: true, killed: false, killReason: null, targets: [], rules: [], fallthrough: { variant: "on" }, offVariant: "on", version: 3, updatedAt: 1 };
    const definition = flagDefinition(flag, { ...config, clientVisible: null });
    expect(definition).toEqual({ key: "f", kind: "boolean", variants: flag.variants, salt: "s", clientVisible: true, ...config, updatedAt: undefined });
    expect(flagDefinition(flag, { ...config, clientVisible: false }).clientVisible).toBe(false);

    const row = { key: "beta", name: "Beta", description: "", included: ["u1"], excluded: [], clauses: [], version: 2, environmentId: 7, createdAt: 1 };
    expect(segmentDefinition(row)).toEqual({ key: "beta", name: "Beta", description: "", included: ["u1"], excluded: [], clauses: [], version: 2 });
  });
});
