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
