// Evaluation-order, rollout, segment and error cases.
import { booleanFlag, clause as c, keyInBucket, OFF, ON, rollout, rolloutVariant, rule, served } from "./helpers.mjs";

const nl = c("country", "in", ["NL"]);
const everyone = rule([]);

/** A context attribute as a bucketing string: a string, or a finite number's decimal form. */
const asString = (raw) => (typeof raw === "string" ? raw : typeof raw === "number" && Number.isFinite(raw) ? String(raw) : undefined);

function rolloutCases(name, flag, serve, contexts, ruleIndex) {
  const bucketBy = serve.rollout.bucketBy;
  return contexts.map((context, i) => {
    const raw = bucketBy === "key" ? (asString(context.key) ?? asString(context.targetingKey)) : context[bucketBy];
    if (asString(raw) === undefined) throw new Error(`${name}: context has no bucketing value`);
    const variant = rolloutVariant(flag, serve, String(raw));
    const extra = ruleIndex === undefined ? {} : { ruleIndex };
    return { name: `${name} #${i + 1} (${String(raw)})`, flag, context, expected: served(flag, variant, ruleIndex === undefined ? "SPLIT" : "RULE_MATCH", extra) };
  });
}

const users = ["user-1", "user-2", "user-3", "user-42", "user-123456", "ann@example.com", "日本-1", "😀"].map((key) => ({ key, country: "NL" }));

// Order: kill > disabled > targets > rules > fallthrough.
const busy = booleanFlag("busy", {
  targets: [
    { variant: "on", values: ["vip-1", "vip-2"] },
    { variant: "off", values: ["blocked", "vip-2"] },
  ],
  rules: [rule([nl], { variant: "on" }), rule([c("country", "in", ["NL", "DE"])], { variant: "off" }), everyone],
});

const orderCases = [
  { name: "killed: serves off over targets", flag: { ...busy, killed: true, killReason: "errors" }, context: { key: "vip-1" }, expected: { ...OFF, reason: "KILLED", killReason: "errors" } },
  { name: "killed: serves off over rules", flag: { ...busy, killed: true, killReason: "rules" }, context: { key: "u1", country: "NL" }, expected: { ...OFF, reason: "KILLED", killReason: "rules" } },
  { name: "killed: wins over disabled", flag: { ...busy, killed: true, enabled: false, killReason: "disabled" }, context: { key: "u1" }, expected: { ...OFF, reason: "KILLED", killReason: "disabled" } },
  { name: "killed: wins over an invalid context", flag: { ...busy, killed: true, killReason: "context" }, context: null, expected: { ...OFF, reason: "KILLED", killReason: "context" } },
  { name: "disabled: serves off over targets", flag: { ...busy, enabled: false }, context: { key: "vip-1" }, expected: { ...OFF, reason: "DISABLED" } },
  { name: "disabled: serves off over rules", flag: { ...busy, enabled: false }, context: { key: "u1", country: "NL" }, expected: { ...OFF, reason: "DISABLED" } },
  { name: "target: beats rules", flag: busy, context: { key: "blocked", country: "NL" }, expected: { ...OFF, reason: "TARGET_MATCH" } },
  { name: "target: pins a key", flag: busy, context: { key: "vip-1", country: "DE" }, expected: { ...ON, reason: "TARGET_MATCH" } },
  { name: "target: first target listing a key wins", flag: busy, context: { key: "vip-2" }, expected: { ...ON, reason: "TARGET_MATCH" } },
  { name: "target: matches targetingKey", flag: busy, context: { targetingKey: "blocked" }, expected: { ...OFF, reason: "TARGET_MATCH" } },
  { name: "target: matches a numeric key as its string", flag: booleanFlag("numeric-target", { targets: [{ variant: "on", values: ["42"] }] }), context: { key: 42 }, expected: { ...ON, reason: "TARGET_MATCH" } },
  { name: "rules: first matching rule wins", flag: busy, context: { key: "u1", country: "NL" }, expected: { ...ON, reason: "RULE_MATCH", ruleIndex: 0 } },
  { name: "rules: later rule when earlier ones miss", flag: busy, context: { key: "u1", country: "DE" }, expected: { ...OFF, reason: "RULE_MATCH", ruleIndex: 1 } },
  { name: "rules: a rule without clauses matches everyone", flag: busy, context: { key: "u1", country: "FR" }, expected: { ...ON, reason: "RULE_MATCH", ruleIndex: 2 } },
  { name: "rules: all clauses must match", flag: booleanFlag("and", { rules: [rule([nl, c("plan", "in", ["pro"])])] }), context: { key: "u1", country: "NL", plan: "free" }, expected: { ...OFF, reason: "FALLTHROUGH" } },
  { name: "rules: all clauses match", flag: booleanFlag("and", { rules: [rule([nl, c("plan", "in", ["pro"])])] }), context: { key: "u1", country: "NL", plan: "pro" }, expected: { ...ON, reason: "RULE_MATCH", ruleIndex: 0 } },
  { name: "fallthrough: fixed variant, no targeting: static", flag: booleanFlag("plain", { fallthrough: { variant: "on" } }), context: { key: "u1" }, expected: { ...ON, reason: "STATIC" } },
  { name: "fallthrough: works without a context key", flag: booleanFlag("plain"), context: {}, expected: { ...OFF, reason: "STATIC" } },
  { name: "fallthrough: a target for someone else makes it a fallthrough", flag: booleanFlag("targeted-plain", { targets: [{ variant: "on", values: ["vip"] }] }), context: { key: "u1" }, expected: { ...OFF, reason: "FALLTHROUGH" } },
  { name: "fallthrough: a target with no keys is no targeting", flag: booleanFlag("empty-target", { targets: [{ variant: "on", values: [] }] }), context: { key: "u1" }, expected: { ...OFF, reason: "STATIC" } },
];

// Rollouts: computed from the reference bucket, never hand-written.
const quarter = rollout([["on", 25_000], ["off", 75_000]]);
const ruleQuarter = booleanFlag("new-checkout", { salt: "a1b2c3", rules: [rule([c("country", "in", ["NL", "DE", "FR"])], quarter)] });
const fallQuarter = booleanFlag("quarter", { fallthrough: quarter });
const all = booleanFlag("everyone", { fallthrough: rollout([["on", 100_000], ["off", 0]]) });
const none = booleanFlag("nobody", { fallthrough: rollout([["on", 0], ["off", 100_000]]) });
const tiny = booleanFlag("canary", { salt: "c4n4ry", fallthrough: rollout([["on", 1], ["off", 99_999]]) });
const bucketZeroKey = keyInBucket(tiny.key, tiny.salt, 0);
const threeWay = {
  ...booleanFlag("checkout-copy"),
  kind: "string",
  variants: [
    { key: "control", value: "Buy now" },
    { key: "short", value: "Buy" },
    { key: "long", value: "Buy now, pay later" },
  ],
  offVariant: "control",
  fallthrough: rollout([["control", 33_334], ["short", 33_333], ["long", 33_333]]),
};
const numbers = {
  ...booleanFlag("page-size"),
  kind: "number",
  variants: [
    { key: "small", value: 10 },
    { key: "large", value: 50 },
  ],
  offVariant: "small",
  fallthrough: rollout([["small", 50_000], ["large", 50_000]], "orgId"),
};
const json = {
  ...booleanFlag("theme"),
  kind: "json",
  variants: [
    { key: "light", value: { background: "#fff", accents: ["blue"] } },
    { key: "dark", value: { background: "#000", accents: ["teal", "pink"] } },
    { key: "none", value: null },
  ],
  offVariant: "none",
  rules: [rule([c("plan", "in", ["pro"])], { variant: "dark" })],
  fallthrough: rollout([["light", 60_000], ["dark", 40_000]]),
};

const rolloutFlowCases = [
  ...rolloutCases("rule rollout 25%", ruleQuarter, quarter, users, 0),
  ...rolloutCases("fallthrough rollout 25%", fallQuarter, quarter, users.slice(0, 4)),
  ...rolloutCases("100% rollout", all, all.fallthrough, users.slice(0, 2)),
  ...rolloutCases("0% rollout", none, none.fallthrough, users.slice(0, 2)),
  { name: "0.001% rollout: the key in bucket 0 is in", flag: tiny, context: { key: bucketZeroKey }, expected: { ...ON, reason: "SPLIT" } },
  ...rolloutCases("0.001% rollout: others are out", tiny, tiny.fallthrough, users.slice(0, 2)),
  ...rolloutCases("multivariate string split", threeWay, threeWay.fallthrough, users.slice(0, 6)),
  ...rolloutCases("number variants bucketed by orgId", numbers, numbers.fallthrough, [{ key: "u1", orgId: "acme" }, { key: "u1", orgId: "globex" }, { key: "u2", orgId: 42 }]),
  ...rolloutCases("json variants", json, json.fallthrough, users.slice(0, 3)),
  { name: "json variants: rule serves an object", flag: json, context: { key: "u1", plan: "pro" }, expected: served(json, "dark", "RULE_MATCH", { ruleIndex: 0 }) },
  ...rolloutCases("rollout by targetingKey", fallQuarter, quarter, [{ targetingKey: "user-1" }, { targetingKey: "user-3" }]),
  { name: "rollout: no context key", flag: fallQuarter, context: { country: "NL" }, expected: { ...OFF, reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" } },
  // A finite numeric key (or targetingKey) counts as its decimal string, like any bucketBy attribute.
  ...rolloutCases("rollout by a numeric key", fallQuarter, quarter, [{ key: 12345 }, { key: 42 }, { targetingKey: 7 }]),
  { name: "rollout: boolean key", flag: fallQuarter, context: { key: true }, expected: { ...OFF, reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" } },
  ...rolloutCases("rollout: a boolean key falls back to targetingKey", fallQuarter, quarter, [{ key: false, targetingKey: "user-3" }]),
  { name: "rule rollout: no context key keeps the rule index", flag: ruleQuarter, context: { country: "NL" }, expected: { ...OFF, reason: "ERROR", ruleIndex: 0, errorCode: "TARGETING_KEY_MISSING" } },
  { name: "rollout: missing bucketBy attribute", flag: numbers, context: { key: "u1" }, expected: served(numbers, "small", "ERROR", { errorCode: "TARGETING_KEY_MISSING" }) },
  { name: "rollout: boolean bucketBy attribute", flag: numbers, context: { key: "u1", orgId: true }, expected: served(numbers, "small", "ERROR", { errorCode: "TARGETING_KEY_MISSING" }) },
];

// Segments.
const segments = [
  { key: "beta", name: "Beta testers", included: ["user-1"], excluded: ["user-2"], clauses: [c("email", "endsWith", ["@example.com"])], version: 1 },
  { key: "dutch", included: [], excluded: [], clauses: [nl], version: 3 },
  { key: "listed", included: ["user-9"], excluded: [], clauses: [], version: 1 },
];
const segmentFlag = (values, options) => booleanFlag("segmented", { rules: [rule([c("segment", "inSegment", values, options)])] });
const inRule = { ...ON, reason: "RULE_MATCH", ruleIndex: 0 };
const missed = { ...OFF, reason: "FALLTHROUGH" };
const segmentCases = [
  { name: "segment: included key is in", flag: segmentFlag(["beta"]), segments, context: { key: "user-1" }, expected: inRule },
  { name: "segment: excluded key is out even when clauses match", flag: segmentFlag(["beta"]), segments, context: { key: "user-2", email: "b@example.com" }, expected: missed },
  { name: "segment: clauses match", flag: segmentFlag(["beta"]), segments, context: { key: "user-3", email: "c@example.com" }, expected: inRule },
  { name: "segment: clauses do not match", flag: segmentFlag(["beta"]), segments, context: { key: "user-3", email: "c@other.com" }, expected: missed },
  { name: "segment: clauses match without a context key", flag: segmentFlag(["dutch"]), segments, context: { country: "NL" }, expected: inRule },
  { name: "segment: without clauses only included keys are in", flag: segmentFlag(["listed"]), segments, context: { key: "user-8" }, expected: missed },
  { name: "segment: without clauses, included key", flag: segmentFlag(["listed"]), segments, context: { key: "user-9" }, expected: inRule },
  { name: "segment: in any listed segment", flag: segmentFlag(["listed", "dutch"]), segments, context: { key: "u5", country: "NL" }, expected: inRule },
  { name: "segment: unknown segment key is not in", flag: segmentFlag(["ghost"]), segments, context: { key: "user-1" }, expected: missed },
  { name: "segment: no segments given", flag: segmentFlag(["beta"]), context: { key: "user-1" }, expected: missed },
  { name: "segment negated: not in matches", flag: segmentFlag(["beta"], { negate: true }), segments, context: { key: "user-2" }, expected: inRule },
  { name: "segment negated: in does not match", flag: segmentFlag(["beta"], { negate: true }), segments, context: { key: "user-1" }, expected: missed },
];

// Errors.
const offValue = (flag, extra) => served(flag, flag.offVariant, "ERROR", extra);
const ghostRule = booleanFlag("ghost-rule", { rules: [rule([nl], { variant: "ghost" })] });
const ghostFall = booleanFlag("ghost-fall", { fallthrough: { variant: "ghost" } });
const ghostTarget = booleanFlag("ghost-target", { targets: [{ variant: "ghost", values: ["u1"] }] });
const ghostRollout = booleanFlag("ghost-rollout", { fallthrough: rollout([["on", 50_000], ["ghost", 50_000]]) });
const noOff = booleanFlag("no-off", { offVariant: "gone", rules: [rule([nl], { variant: "ghost" })] });
const shortWeights = booleanFlag("short-weights", { fallthrough: rollout([["on", 50_000], ["off", 49_999]]) });
const errorCases = [
  { name: "malformed: rule serves a missing variant", flag: ghostRule, context: { key: "u1", country: "NL" }, expected: offValue(ghostRule, { ruleIndex: 0, errorCode: "MALFORMED_FLAG" }) },
  { name: "malformed: only the path that is taken matters", flag: ghostRule, context: { key: "u1", country: "DE" }, expected: { ...OFF, reason: "FALLTHROUGH" } },
  { name: "malformed: fallthrough serves a missing variant", flag: ghostFall, context: { key: "u1" }, expected: offValue(ghostFall, { errorCode: "MALFORMED_FLAG" }) },
  { name: "malformed: target serves a missing variant", flag: ghostTarget, context: { key: "u1" }, expected: offValue(ghostTarget, { errorCode: "MALFORMED_FLAG" }) },
  { name: "malformed: rollout lists a missing variant", flag: ghostRollout, context: { key: "u1" }, expected: offValue(ghostRollout, { errorCode: "MALFORMED_FLAG" }) },
  { name: "malformed: missing off variant when killed", flag: { ...noOff, killed: true }, context: { key: "u1" }, expected: { value: null, variant: null, reason: "ERROR", errorCode: "MALFORMED_FLAG" } },
  { name: "malformed: missing off variant and missing served variant", flag: noOff, context: { key: "u1", country: "NL" }, expected: { value: null, variant: null, reason: "ERROR", ruleIndex: 0, errorCode: "MALFORMED_FLAG" } },
  { name: "malformed: missing off variant does not affect other paths", flag: noOff, context: { key: "u1" }, expected: { ...OFF, reason: "FALLTHROUGH" } },
  { name: "malformed: weights that do not sum to 100000", schemaValid: false, flag: shortWeights, context: { key: "u1" }, expected: offValue(shortWeights, { errorCode: "MALFORMED_FLAG" }) },
  { name: "invalid context: null", flag: busy, context: null, expected: { ...OFF, reason: "ERROR", errorCode: "INVALID_CONTEXT" } },
  { name: "invalid context: array", flag: busy, context: [{ key: "u1" }], expected: { ...OFF, reason: "ERROR", errorCode: "INVALID_CONTEXT" } },
  { name: "invalid context: string", flag: busy, context: "user-1", expected: { ...OFF, reason: "ERROR", errorCode: "INVALID_CONTEXT" } },
  { name: "invalid context: number", flag: busy, context: 42, expected: { ...OFF, reason: "ERROR", errorCode: "INVALID_CONTEXT" } },
];

export const flowCases = [...orderCases, ...rolloutFlowCases, ...segmentCases, ...errorCases];
