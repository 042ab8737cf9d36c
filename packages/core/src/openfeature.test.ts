import { describe, expect, it } from "vitest";
import { compileFlag } from "./compile.js";
import { openFeatureErrorCode, openFeatureMetadata, openFeatureReason, toSwitchyardContext } from "./openfeature.js";
import type { FlagDefinition } from "./schema.js";
import { booleanFlag } from "./test-support/flags.js";

const flag = booleanFlag;
const nl = { attribute: "country", op: "in" as const, values: ["NL"], negate: false, caseInsensitive: false };

describe("OpenFeature mapping", () => {
  it("maps each way a flag decides to OpenFeature's reason", () => {
    const targeted = flag({ targets: [{ variant: "on", values: ["vip"] }], rules: [{ clauses: [nl], serve: { variant: "on" } }] });
    const reasonFor = (definition: FlagDefinition, context: Record<string, unknown>) => openFeatureReason(compileFlag(definition).evaluate(context).reason);
    expect(reasonFor(targeted, { key: "vip" })).toBe("TARGETING_MATCH");
    expect(reasonFor(targeted, { key: "u", country: "NL" })).toBe("TARGETING_MATCH");
    expect(reasonFor(targeted, { key: "u", country: "DE" })).toBe("DEFAULT");
    expect(reasonFor(flag(), { key: "u" })).toBe("STATIC");
    expect(reasonFor(flag({ fallthrough: { rollout: { bucketBy: "key", variants: [{ variant: "on", weight: 100_000 }] } } }), { key: "u" })).toBe("SPLIT");
    expect(reasonFor(flag({ enabled: false }), { key: "u" })).toBe("DISABLED");
    expect(reasonFor(flag({ killed: true }), { key: "u" })).toBe("DISABLED");
    expect(openFeatureReason("FLAG_NOT_FOUND")).toBe("ERROR");
  });

  it("names error codes the way OFREP does", () => {
    expect(openFeatureErrorCode({ reason: "ERROR", errorCode: "MALFORMED_FLAG" })).toBe("PARSE_ERROR");
    expect(openFeatureErrorCode({ reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" })).toBe("TARGETING_KEY_MISSING");
    expect(openFeatureErrorCode({ reason: "ERROR", errorCode: "INVALID_CONTEXT" })).toBe("INVALID_CONTEXT");
    expect(openFeatureErrorCode({ reason: "ERROR" })).toBe("GENERAL");
    expect(openFeatureErrorCode({ reason: "FLAG_NOT_FOUND" })).toBe("FLAG_NOT_FOUND");
  });

  it("says in the metadata when a kill switch decided, and which rule matched", () => {
    expect(openFeatureMetadata(compileFlag(flag({ killed: true, killReason: "error spike" })).evaluate({ key: "u" }))).toEqual({ killed: true, killReason: "error spike" });
    expect(openFeatureMetadata(compileFlag(flag({ killed: true })).evaluate({ key: "u" }))).toEqual({ killed: true });
    expect(openFeatureMetadata({ reason: "RULE_MATCH", ruleIndex: 2 })).toEqual({ ruleIndex: 2 });
    expect(openFeatureMetadata(compileFlag(flag({ enabled: false, killReason: "stale reason" })).evaluate({ key: "u" }))).toEqual({});
  });

  it("turns dates into the ISO strings an OFREP request would carry, and leaves other contexts as they are", () => {
    const plain = { targetingKey: "u1", plan: "pro" };
    expect(toSwitchyardContext(plain)).toBe(plain);
    const dated = { targetingKey: "u1", signedUp: new Date(Date.UTC(2024, 0, 2)), nested: { at: new Date(0) } };
    expect(toSwitchyardContext(dated)).toEqual({ targetingKey: "u1", signedUp: "2024-01-02T00:00:00.000Z", nested: { at: "1970-01-01T00:00:00.000Z" } });
    const signedUp = compileFlag(flag({ rules: [{ clauses: [{ attribute: "signedUp", op: "before", values: ["2025-01-01T00:00:00Z"], negate: false, caseInsensitive: false }], serve: { variant: "off" } }] }));
    expect(signedUp.evaluate(toSwitchyardContext(dated)).reason).toBe("RULE_MATCH");
  });
});
