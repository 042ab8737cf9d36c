/**
 * Request bodies of the admin and SDK HTTP APIs, as zod schemas. The server validates with them;
 * the UI and CLI share their inferred types. Unknown fields are rejected everywhere.
 *
 * @example
 * import { createFlagInputSchema } from "@switchyard/core/api-schema";
 * const input = createFlagInputSchema.parse({ key: "new-checkout" });
 */
import { z } from "zod";
import {
  clauseSchema,
  flagKindSchema,
  keySchema,
  ruleSchema,
  serveSchema,
  targetSchema,
  variantSchema,
} from "./schema.js";
import { MAX_METRIC_ENTRIES, VALUE_BUCKET_BOUNDS } from "./metric-buckets.js";

const nameSchema = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");
const descriptionSchema = z.string().max(2000, "must be at most 2000 characters");
const reasonSchema = z.string().trim().min(1, "is required").max(1000, "must be at most 1000 characters");
const versionSchema = z.number().int().min(1);
export const tagSchema = keySchema;

export const createFlagInputSchema = z
  .strictObject({
    key: keySchema,
    name: nameSchema.optional(),
    description: descriptionSchema.optional(),
    kind: flagKindSchema.default("boolean"),
    variants: z.array(variantSchema).min(1, "must have at least one variant").max(100).optional(),
    tags: z.array(tagSchema).max(50).default([]),
    clientVisible: z.boolean().default(false),
    salt: z.string().max(128).optional(),
  })
  .refine((input) => input.kind === "boolean" || input.variants !== undefined, {
    message: "are required for string, number and json flags",
    path: ["variants"],
  });
export type CreateFlagInput = z.infer<typeof createFlagInputSchema>;

export const updateFlagInputSchema = z.strictObject({
  name: nameSchema.optional(),
  description: descriptionSchema.optional(),
  variants: z.array(variantSchema).min(1, "must have at least one variant").max(100).optional(),
  tags: z.array(tagSchema).max(50).optional(),
  clientVisible: z.boolean().optional(),
  version: versionSchema.optional(),
  reason: reasonSchema.optional(),
});
export type UpdateFlagInput = z.infer<typeof updateFlagInputSchema>;

export const updateFlagConfigInputSchema = z.strictObject({
  enabled: z.boolean().optional(),
  targets: z.array(targetSchema).max(100).optional(),
  rules: z.array(ruleSchema).max(500).optional(),
  fallthrough: serveSchema.optional(),
  offVariant: keySchema.optional(),
  clientVisible: z.boolean().nullable().optional(),
  version: versionSchema.optional(),
  reason: reasonSchema.optional(),
});
export type UpdateFlagConfigInput = z.infer<typeof updateFlagConfigInputSchema>;

export const killInputSchema = z.strictObject({
  reason: reasonSchema,
  version: versionSchema.optional(),
});
export type KillInput = z.infer<typeof killInputSchema>;

export const rolloutInputSchema = z.strictObject({
  /** Share of contexts served `variant`, in percent with at most three decimals (0.001% steps). */
  percent: z
    .number()
    .min(0, "must be at least 0")
    .max(100, "must be at most 100")
    .refine((percent) => Math.abs(percent * 1000 - Math.round(percent * 1000)) < 1e-6, "must be a multiple of 0.001"),
  /** Index of the rule whose rollout to set; the fallthrough when absent. */
  rule: z.number().int().min(0).optional(),
  /** The variant rolled out; for boolean flags the `true` variant by default. */
  variant: keySchema.optional(),
  version: versionSchema.optional(),
  reason: reasonSchema.optional(),
});
export type RolloutInput = z.infer<typeof rolloutInputSchema>;

export const createEnvironmentInputSchema = z.strictObject({
  key: keySchema,
  name: nameSchema.optional(),
});
export type CreateEnvironmentInput = z.infer<typeof createEnvironmentInputSchema>;

export const createSegmentInputSchema = z.strictObject({
  key: keySchema,
  name: nameSchema.optional(),
  description: descriptionSchema.optional(),
  included: z.array(z.string().max(1024)).max(100_000).default([]),
  excluded: z.array(z.string().max(1024)).max(100_000).default([]),
  clauses: z.array(clauseSchema).max(100).default([]),
});
export type CreateSegmentInput = z.infer<typeof createSegmentInputSchema>;

export const updateSegmentInputSchema = z.strictObject({
  name: nameSchema.optional(),
  description: descriptionSchema.optional(),
  included: z.array(z.string().max(1024)).max(100_000).optional(),
  excluded: z.array(z.string().max(1024)).max(100_000).optional(),
  clauses: z.array(clauseSchema).max(100).optional(),
  version: versionSchema.optional(),
  reason: reasonSchema.optional(),
});
export type UpdateSegmentInput = z.infer<typeof updateSegmentInputSchema>;

export const roleSchema = z.enum(["viewer", "editor", "admin"]);
export type RoleName = z.infer<typeof roleSchema>;

export const automationScopeSchema = z
  .strictObject({
    flags: z.array(keySchema).max(500).default([]),
    tags: z.array(tagSchema).max(100).default([]),
    environments: z.array(keySchema).min(1, "must name at least one environment").max(50),
  })
  .refine((scope) => scope.flags.length + scope.tags.length > 0, {
    message: "must name at least one flag or tag",
    path: ["flags"],
  });

export const createCredentialInputSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("admin"), name: nameSchema, role: roleSchema }),
  z.strictObject({ kind: z.literal("server"), name: nameSchema, environment: keySchema }),
  z.strictObject({ kind: z.literal("client"), name: nameSchema, environment: keySchema }),
  z.strictObject({ kind: z.literal("automation"), name: nameSchema, scope: automationScopeSchema }),
]);
export type CreateCredentialInput = z.infer<typeof createCredentialInputSchema>;

export const loginInputSchema = z.strictObject({
  email: z.string().trim().min(1, "is required").max(320),
  password: z.string().min(1, "is required").max(1024),
});

/** Loose on purpose: local addresses such as admin@localhost are real on private installs. */
export const emailSchema = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^@\s]+@[^@\s]+$/, "must be an email address");

export const createUserInputSchema = z.strictObject({
  email: emailSchema,
  name: nameSchema.optional(),
  password: z.string().min(10, "must be at least 10 characters").max(1024),
  role: roleSchema,
});
export type CreateUserInput = z.infer<typeof createUserInputSchema>;

export const evaluateInputSchema = z.strictObject({
  context: z.record(z.string().max(256), z.unknown()),
  /** Evaluate this flag only. */
  key: keySchema.optional(),
});
export type EvaluateInput = z.infer<typeof evaluateInputSchema>;

// ---------------------------------------------------------------------------------------------
// Rollout plans: `PUT /api/v1/flags/{key}/environments/{env}/plan` and its actions.

/** One step of a plan: the share rolled out, held at least this long before the next. */
export const planStepSchema = z.strictObject({
  /** Percent of contexts served the plan's variant, as a rollout sets it (0.001% steps). */
  percent: z
    .number()
    .gt(0, "must be above 0")
    .max(100, "must be at most 100")
    .refine((percent) => Math.abs(percent * 1000 - Math.round(percent * 1000)) < 1e-6, "must be a multiple of 0.001"),
  /** Wall-clock seconds; the step also waits for every guard to have judged it. */
  holdSeconds: z
    .number()
    .int("must be a whole number of seconds")
    .min(0, "must be at least 0")
    .max(30 * 24 * 3600, "must be at most 30 days"),
});
export type PlanStep = z.infer<typeof planStepSchema>;

const minSamplesSchema = z.number().int("must be a whole number").min(1, "must be at least 1").max(1_000_000_000);

/**
 * Rate of a tracked metric per evaluation (`track("error", ctx)` events / evaluations) in the
 * rollout cohort: at most `maxRatio` times the control cohort's, and at most `maxAbsolute`
 * (a fraction: 0.02 is 2%).
 */
export const rateGuardSchema = z
  .strictObject({
    metric: keySchema,
    kind: z.literal("rate"),
    maxRatio: z.number().gt(0, "must be above 0").max(1000).optional(),
    maxAbsolute: z.number().min(0, "must be at least 0").max(1, "must be at most 1 (a fraction: 0.02 is 2%)").optional(),
    minSamples: minSamplesSchema,
  })
  .refine((guard) => guard.maxRatio !== undefined || guard.maxAbsolute !== undefined, {
    message: "a rate guard needs maxRatio, maxAbsolute or both",
    path: ["maxRatio"],
  });

/** 95th percentile of a tracked metric's values (`track("latency_ms", ctx, 87)`) in the rollout cohort: at most `max`. */
export const p95GuardSchema = z.strictObject({
  metric: keySchema,
  kind: z.literal("p95"),
  max: z.number().min(0, "must be at least 0"),
  minSamples: minSamplesSchema,
});

export const planGuardSchema = z.discriminatedUnion("kind", [rateGuardSchema, p95GuardSchema]);
export type PlanGuard = z.infer<typeof planGuardSchema>;

export const planInputSchema = z.strictObject({
  /** The variant rolled out; for boolean flags the `true` variant by default. */
  variant: keySchema.optional(),
  steps: z
    .array(planStepSchema)
    .min(1, "must have at least one step")
    .max(20, "must have at most 20 steps")
    .superRefine((steps, ctx) => {
      for (let i = 1; i < steps.length; i++) {
        if (steps[i]!.percent <= steps[i - 1]!.percent) {
          ctx.addIssue({ code: "custom", path: [i, "percent"], message: `must be above the previous step's ${steps[i - 1]!.percent}` });
        }
      }
    }),
  guards: z.array(planGuardSchema).max(10, "must have at most 10 guards").default([]),
  /** What a breach does: kill the flag, or set the rollout back to 0%. Either way the plan halts. */
  onBreach: z.enum(["kill", "rollback"]).default("kill"),
  /** The plan's version this replaces; required when a plan exists. */
  version: versionSchema.optional(),
});
export type PlanInput = z.infer<typeof planInputSchema>;

/** start, pause, resume, abort: a version is accepted, not required, as for kill. */
export const planActionInputSchema = z.strictObject({
  reason: reasonSchema.optional(),
  version: versionSchema.optional(),
});
export type PlanActionInput = z.infer<typeof planActionInputSchema>;

// ---------------------------------------------------------------------------------------------
// Outgoing webhooks and the Alertmanager receiver.

/** An audit action prefix a webhook receives (`flag.kill`, `flag.`), or `*` for every change. */
export const webhookEventSchema = z
  .string()
  .regex(/^(\*|[a-z][a-z0-9_.-]{0,99})$/, "must be '*' or an action prefix such as 'flag.kill' or 'flag.'");

export const createWebhookInputSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, message: "must be an http or https URL" }).max(2000, "must be at most 2000 characters"),
  description: descriptionSchema.optional(),
  events: z.array(webhookEventSchema).min(1, "must name at least one event").max(50).default(["*"]),
});
export type CreateWebhookInput = z.infer<typeof createWebhookInputSchema>;

const labelSetSchema = z.record(z.string().max(1024), z.string().max(16_384));

/**
 * One alert of Alertmanager's webhook payload (version 4). Not strict, unlike our own schemas:
 * Alertmanager adds fields over time and a receiver must not start refusing alerts when it does.
 */
export const alertmanagerAlertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: labelSetSchema,
  annotations: labelSetSchema.default({}),
  startsAt: z.string().max(64),
  endsAt: z.string().max(64).optional(),
  generatorURL: z.string().max(4096).default(""),
  /** Stable per label set: what ties a resolved alert to the kill its firing caused. */
  fingerprint: z.string().min(1, "is required").max(128),
});
export type AlertmanagerAlert = z.infer<typeof alertmanagerAlertSchema>;

/** `POST /api/v1/integrations/alertmanager`: what Alertmanager's `webhook_configs` send. */
export const alertmanagerPayloadSchema = z.object({
  version: z.literal("4", "must be \"4\" (Alertmanager's webhook payload version)"),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().max(1024).optional(),
  groupKey: z.string().max(16_384).optional(),
  alerts: z.array(alertmanagerAlertSchema).max(1000, "must have at most 1000 alerts"),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

// ---------------------------------------------------------------------------------------------
// SDK metrics: `POST /sdk/v1/metrics`.

const metricCountSchema = z.number().int("must be a whole number").min(0, "must be at least 0").max(1_000_000_000, "must be at most 1000000000");

/** How often an SDK served one variant of one flag since its last batch. */
export const evaluationCountSchema = z.strictObject({
  flag: keySchema,
  variant: keySchema,
  count: metricCountSchema,
});

/**
 * `track()` calls of one metric, for the contexts one variant of one flag served. `buckets` has
 * one count per bound of VALUE_BUCKET_BOUNDS (not cumulative) and counts only the calls that
 * gave a value, so its total is at most `count`; `sum` adds those values.
 */
export const eventAggregateSchema = z
  .strictObject({
    metric: keySchema,
    flag: keySchema,
    variant: keySchema,
    count: metricCountSchema,
    /** Finite: zod refuses Infinity, which `JSON.parse("1e999")` gives. */
    sum: z.number(),
    buckets: z.array(metricCountSchema).length(VALUE_BUCKET_BOUNDS.length, `must have ${VALUE_BUCKET_BOUNDS.length} counts, one per value bucket`),
  })
  .refine((event) => event.buckets.reduce((total, count) => total + count, 0) <= event.count, {
    message: "must add up to at most count (only calls with a value are bucketed)",
    path: ["buckets"],
  });

/** One batch of what an SDK counted since its last one. */
export const metricsBatchInputSchema = z.strictObject({
  /** Who sent it, e.g. `switchyard-node/0.1.0`. */
  sdk: z.string().min(1, "must not be empty").max(100, "must be at most 100 characters"),
  evaluations: z.array(evaluationCountSchema).max(MAX_METRIC_ENTRIES, `must have at most ${MAX_METRIC_ENTRIES} entries`).default([]),
  events: z.array(eventAggregateSchema).max(MAX_METRIC_ENTRIES, `must have at most ${MAX_METRIC_ENTRIES} entries`).default([]),
});
export type MetricsBatchInput = z.infer<typeof metricsBatchInputSchema>;
