/**
 * The wire format of Switchyard's flag model, as zod schemas with inferred types.
 *
 * This module is the one place the model is defined. The server validates every write with it,
 * the SDK validates what it receives with it, and the evaluation code imports only its *types*
 * (type imports are erased), so a browser build that evaluates never carries zod.
 *
 * @example
 * import { flagDefinitionSchema } from "@switchyard/core/schema";
 * const flag = flagDefinitionSchema.parse(json);
 */
import { z } from "zod";
import { KEY_PATTERN, KEY_PATTERN_MESSAGE, MAX_KEY_LENGTH } from "./key.js";

/** Number of rollout buckets: weights are in thousandths of a percent (0.001% steps). */
export const BUCKET_COUNT = 100_000;

export const keySchema = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_KEY_LENGTH, `must be at most ${MAX_KEY_LENGTH} characters`)
  .regex(KEY_PATTERN, KEY_PATTERN_MESSAGE);

export const flagKindSchema = z.enum(["boolean", "string", "number", "json"]);
export type FlagKind = z.infer<typeof flagKindSchema>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** How deeply arrays and objects may nest in a JSON value (a top-level array or object is level 1). */
export const MAX_JSON_DEPTH = 32;

const jsonTreeSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonTreeSchema), z.record(z.string(), jsonTreeSchema)]),
);

/**
 * Walks a value without recursion before the recursive schema sees it: too deep a value would
 * overflow the stack there, and zod's record would turn an own `__proto__` key (JSON.parse makes
 * them) into the prototype of its output instead of reporting it.
 */
function checkJsonShape(value: unknown, ctx: z.RefinementCtx): void {
  interface Node {
    readonly value: unknown;
    readonly depth: number;
    readonly parent: Node | null;
    readonly key: string | number;
  }
  const pathOf = (node: Node | null): (string | number)[] => {
    const path: (string | number)[] = [];
    for (let at = node; at !== null && at.parent !== null; at = at.parent) path.push(at.key);
    return path.reverse();
  };
  const pending: Node[] = [{ value, depth: 0, parent: null, key: "" }];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const current = node.value;
    if (typeof current !== "object" || current === null) continue;
    const depth = node.depth + 1;
    if (depth > MAX_JSON_DEPTH) {
      ctx.addIssue({ code: "custom", message: `must be nested at most ${MAX_JSON_DEPTH} levels deep` });
      return;
    }
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) pending.push({ value: current[i], depth, parent: node, key: i });
    } else {
      for (const key of Object.keys(current)) {
        if (key === "__proto__") {
          ctx.addIssue({ code: "custom", message: 'must not have a "__proto__" key', path: [...pathOf(node), key] });
          return;
        }
        pending.push({ value: (current as Record<string, unknown>)[key], depth, parent: node, key });
      }
    }
  }
}

/**
 * Any JSON value, nested at most `MAX_JSON_DEPTH` levels deep, with no `__proto__` keys. The depth
 * and keys are checked iteratively first, so even a value nested 100000 levels deep is rejected
 * cleanly instead of overflowing the stack in the recursive parse.
 */
export const jsonValueSchema: z.ZodType<JsonValue> = z.unknown().superRefine(checkJsonShape).pipe(jsonTreeSchema);

export const variantSchema = z.strictObject({
  key: keySchema,
  value: jsonValueSchema,
  name: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
});
export type Variant = z.infer<typeof variantSchema>;

export const operatorSchema = z.enum([
  "in",
  "notIn",
  "contains",
  "startsWith",
  "endsWith",
  "matches",
  "lt",
  "lte",
  "gt",
  "gte",
  "semverEq",
  "semverLt",
  "semverGt",
  "before",
  "after",
  "exists",
  "inSegment",
]);
export type Operator = z.infer<typeof operatorSchema>;

export const clauseValueSchema = z.union([z.string().max(1024), z.number(), z.boolean()]);
export type ClauseValue = z.infer<typeof clauseValueSchema>;

/**
 * One condition on a context attribute. A clause matches when the attribute matches any of its
 * values (for a list attribute: when any element does). A missing attribute never matches, negated
 * or not, except `exists` negated. `inSegment` ignores `attribute` and takes segment keys.
 */
export const clauseSchema = z.strictObject({
  attribute: z.string().min(1, "must not be empty").max(256),
  op: operatorSchema,
  values: z.array(clauseValueSchema).max(10_000, "must have at most 10000 values").default([]),
  negate: z.boolean().default(false),
  caseInsensitive: z.boolean().default(false),
});
export type Clause = z.infer<typeof clauseSchema>;

export const weightedVariantSchema = z.strictObject({
  variant: keySchema,
  weight: z.number().int().min(0).max(BUCKET_COUNT),
});
export type WeightedVariant = z.infer<typeof weightedVariantSchema>;

/** Serve a fixed variant, or split contexts by bucket over variants whose weights sum to 100000. */
export const serveSchema = z.union([
  z.strictObject({ variant: keySchema }),
  z.strictObject({
    rollout: z.strictObject({
      /** Context attribute hashed into a bucket; defaults to `key`. */
      bucketBy: z.string().min(1).max(256).default("key"),
      variants: z
        .array(weightedVariantSchema)
        .min(1, "must list at least one variant")
        .refine((variants) => variants.reduce((sum, v) => sum + v.weight, 0) === BUCKET_COUNT, {
          message: `weights must sum to ${BUCKET_COUNT} (100%)`,
        }),
    }),
  }),
]);
export type Serve = z.infer<typeof serveSchema>;

export const ruleSchema = z.strictObject({
  id: z.string().max(64).optional(),
  description: z.string().max(1000).optional(),
  clauses: z.array(clauseSchema).max(100),
  serve: serveSchema,
});
export type Rule = z.infer<typeof ruleSchema>;

export const targetSchema = z.strictObject({
  variant: keySchema,
  values: z.array(z.string().max(1024)).max(10_000, "must have at most 10000 context keys"),
});
export type Target = z.infer<typeof targetSchema>;

/** What a flag does in one environment. */
export const environmentConfigSchema = z.strictObject({
  enabled: z.boolean(),
  killed: z.boolean(),
  killReason: z.string().max(1000).nullable().default(null),
  targets: z.array(targetSchema).max(100).default([]),
  rules: z.array(ruleSchema).max(500).default([]),
  fallthrough: serveSchema,
  offVariant: keySchema,
  /** Overrides the flag's `clientVisible` in this environment when set. */
  clientVisible: z.boolean().nullable().default(null),
  version: z.number().int().min(1),
});
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;

/**
 * A flag as evaluated in one environment: the flag's own fields merged with that environment's
 * config. This is what the SDK snapshot carries and what `evaluate` takes.
 */
export const flagDefinitionSchema = z.strictObject({
  key: keySchema,
  kind: flagKindSchema,
  variants: z.array(variantSchema).min(1, "must have at least one variant").max(100),
  salt: z.string().max(128),
  clientVisible: z.boolean(),
  enabled: z.boolean(),
  killed: z.boolean(),
  killReason: z.string().max(1000).nullable().default(null),
  targets: z.array(targetSchema).max(100).default([]),
  rules: z.array(ruleSchema).max(500).default([]),
  fallthrough: serveSchema,
  offVariant: keySchema,
  version: z.number().int().min(1),
});
export type FlagDefinition = z.infer<typeof flagDefinitionSchema>;

/** A reusable audience: explicit context keys plus clauses that must all match. */
export const segmentSchema = z.strictObject({
  key: keySchema,
  name: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
  included: z.array(z.string().max(1024)).max(100_000).default([]),
  excluded: z.array(z.string().max(1024)).max(100_000).default([]),
  clauses: z.array(clauseSchema).max(100).default([]),
  version: z.number().int().min(1),
});
export type Segment = z.infer<typeof segmentSchema>;

/** Everything an environment's server SDKs need: the SDK snapshot. */
export const environmentSnapshotSchema = z.strictObject({
  environment: keySchema,
  revision: z.number().int().min(0),
  flags: z.array(flagDefinitionSchema),
  segments: z.array(segmentSchema),
});
export type EnvironmentSnapshot = z.infer<typeof environmentSnapshotSchema>;

/** A context attribute: a primitive or a list of primitives (matches when any element does). */
export type ContextValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];
/**
 * Who a flag is evaluated for. `key` (or, when `key` is missing or unusable, OpenFeature's
 * `targetingKey`) identifies the subject; a finite number counts as its string form (`42` is "42")
 * for targets, `key` clauses and bucketing, as for any other attribute.
 */
export type EvaluationContext = { key?: string | number; targetingKey?: string | number } & Record<string, unknown>;
