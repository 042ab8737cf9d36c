/**
 * The database schema: the single source of truth for storage. Migrations in ../../drizzle are
 * generated from it with `pnpm --filter @switchyard/server db:generate` and applied at start.
 * JSON columns hold values already validated by the wire schemas of @switchyard/core.
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { Clause, JsonValue, Rule, Serve, Target, Variant } from "@switchyard/core";

export const environments = sqliteTable("environments", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  key: text("key").notNull().unique(),
  name: text("name").notNull(),
  /** Bumped by every change to anything the environment's SDKs see; the stream's event id. */
  revision: integer("revision").notNull().default(0),
  createdAt: integer("created_at").notNull(),
});

export const flags = sqliteTable("flags", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  key: text("key").notNull().unique(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  kind: text("kind", { enum: ["boolean", "string", "number", "json"] }).notNull(),
  variants: text("variants", { mode: "json" }).$type<Variant[]>().notNull(),
  tags: text("tags", { mode: "json" }).$type<string[]>().notNull(),
  salt: text("salt").notNull(),
  clientVisible: integer("client_visible", { mode: "boolean" }).notNull(),
  archived: integer("archived", { mode: "boolean" }).notNull().default(false),
  version: integer("version").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const flagConfigs = sqliteTable(
  "flag_configs",
  {
    flagId: integer("flag_id").notNull().references(() => flags.id),
    environmentId: integer("environment_id").notNull().references(() => environments.id),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    killed: integer("killed", { mode: "boolean" }).notNull(),
    killReason: text("kill_reason"),
    killedBy: text("killed_by"),
    killedAt: integer("killed_at"),
    targets: text("targets", { mode: "json" }).$type<Target[]>().notNull(),
    rules: text("rules", { mode: "json" }).$type<Rule[]>().notNull(),
    fallthrough: text("fallthrough", { mode: "json" }).$type<Serve>().notNull(),
    offVariant: text("off_variant").notNull(),
    clientVisible: integer("client_visible", { mode: "boolean" }),
    version: integer("version").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.flagId, t.environmentId] })],
);

export const segments = sqliteTable(
  "segments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    environmentId: integer("environment_id").notNull().references(() => environments.id),
    key: text("key").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    included: text("included", { mode: "json" }).$type<string[]>().notNull(),
    excluded: text("excluded", { mode: "json" }).$type<string[]>().notNull(),
    clauses: text("clauses", { mode: "json" }).$type<Clause[]>().notNull(),
    version: integer("version").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("segments_environment_key").on(t.environmentId, t.key)],
);

export const actorKinds = ["user", "admin_token", "automation", "system"] as const;
export type ActorKind = (typeof actorKinds)[number];

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actorKind: text("actor_kind", { enum: actorKinds }).notNull(),
    actorId: text("actor_id").notNull(),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    resourceKind: text("resource_kind").notNull(),
    resourceKey: text("resource_key").notNull(),
    flagKey: text("flag_key"),
    environmentKey: text("environment_key"),
    before: text("before", { mode: "json" }).$type<JsonValue>(),
    after: text("after", { mode: "json" }).$type<JsonValue>(),
    reason: text("reason"),
    /** What caused the write when it was not a person: the alert, the guard's measured numbers. */
    details: text("details", { mode: "json" }).$type<JsonValue>(),
  },
  (t) => [
    index("audit_flag").on(t.flagKey, t.id),
    index("audit_environment").on(t.environmentKey, t.id),
    index("audit_actor").on(t.actorName, t.id),
    index("audit_at").on(t.at),
  ],
);

/** One entry per environment revision: what the stream replays to a reconnecting SDK. */
export const changeLog = sqliteTable(
  "change_log",
  {
    environmentId: integer("environment_id").notNull().references(() => environments.id),
    revision: integer("revision").notNull(),
    resourceKind: text("resource_kind", { enum: ["flag", "segment"] }).notNull(),
    resourceKey: text("resource_key").notNull(),
    /** The resource as SDKs see it after the change; null when it was deleted or archived. */
    payload: text("payload", { mode: "json" }).$type<JsonValue>(),
    auditId: integer("audit_id").notNull().references(() => auditLog.id),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.revision] })],
);

export const roles = ["viewer", "editor", "admin"] as const;
export type Role = (typeof roles)[number];

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: roles }).notNull(),
  createdAt: integer("created_at").notNull(),
});

export const sessions = sqliteTable(
  "sessions",
  {
    /** sha256 of the cookie's secret; the secret itself is never stored. */
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id").notNull().references(() => users.id),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const credentialKinds = ["admin", "server", "client", "automation"] as const;
export type CredentialKind = (typeof credentialKinds)[number];

export interface AutomationScope {
  flags: string[];
  tags: string[];
  environments: string[];
}

export const credentials = sqliteTable("credentials", {
  /** Public id, also embedded in the token so lookup never depends on the secret. */
  id: text("id").primaryKey(),
  kind: text("kind", { enum: credentialKinds }).notNull(),
  name: text("name").notNull(),
  secretHash: text("secret_hash").notNull(),
  /** Server and client keys belong to one environment. */
  environmentId: integer("environment_id").references(() => environments.id),
  /** Admin tokens act with a role. */
  role: text("role", { enum: roles }),
  scope: text("scope", { mode: "json" }).$type<AutomationScope>(),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
});

/**
 * Contexts that SDKs and browsers recently evaluated with, newest kept per environment, so the UI
 * can preview who a rollout or rule would reach. Bounded; written in batches, never per request.
 */
export const seenContexts = sqliteTable(
  "seen_contexts",
  {
    environmentId: integer("environment_id").notNull().references(() => environments.id),
    contextKey: text("context_key").notNull(),
    context: text("context", { mode: "json" }).$type<Record<string, JsonValue>>().notNull(),
    lastSeen: integer("last_seen").notNull(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.contextKey] }), index("seen_contexts_recent").on(t.environmentId, t.lastSeen)],
);

/**
 * Outgoing webhooks. The signing secret is not stored: it is derived from the server's key and
 * the webhook's id (see services/webhooks.ts), shown once at creation.
 */
export const webhooks = sqliteTable("webhooks", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  description: text("description").notNull().default(""),
  /** Audit actions delivered, by prefix (`flag.kill`, `flag.`); `*` for all. */
  events: text("events", { mode: "json" }).$type<string[]>().notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  disabledAt: integer("disabled_at"),
});

export const deliveryStates = ["pending", "delivered", "failed"] as const;

/** One change to send to one webhook: written in the change's own transaction, so none is lost. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    webhookId: text("webhook_id").notNull().references(() => webhooks.id),
    auditId: integer("audit_id").notNull(),
    payload: text("payload", { mode: "json" }).$type<JsonValue>().notNull(),
    state: text("state", { enum: deliveryStates }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    lastAttemptAt: integer("last_attempt_at"),
    responseStatus: integer("response_status"),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [index("webhook_deliveries_due").on(t.state, t.nextAttemptAt), index("webhook_deliveries_webhook").on(t.webhookId, t.id)],
);

/**
 * What SDKs reported, aggregated per fixed time window: evaluation counts (metric `$evaluation`)
 * and `track` events, per flag and served variant. Never raw events.
 */
export const metricWindows = sqliteTable(
  "metric_windows",
  {
    environmentId: integer("environment_id").notNull().references(() => environments.id),
    flagKey: text("flag_key").notNull(),
    variant: text("variant").notNull(),
    metric: text("metric").notNull(),
    windowStart: integer("window_start").notNull(),
    count: integer("count").notNull(),
    sum: real("sum").notNull(),
    /** Counts per value bucket (bounds in services/metrics.ts), for percentiles. */
    buckets: text("buckets", { mode: "json" }).$type<number[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.flagKey, t.variant, t.metric, t.windowStart] }), index("metric_windows_start").on(t.windowStart)],
);

export const planStates = ["draft", "running", "paused", "completed", "aborted", "halted"] as const;
export type PlanState = (typeof planStates)[number];

/** A progressive rollout of one flag in one environment; the server advances it itself. */
export const rolloutPlans = sqliteTable(
  "rollout_plans",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    flagId: integer("flag_id").notNull().references(() => flags.id),
    environmentId: integer("environment_id").notNull().references(() => environments.id),
    /** The variant rolled out (a boolean flag's `true` variant by default). */
    variant: text("variant").notNull(),
    steps: text("steps", { mode: "json" }).$type<{ percent: number; holdSeconds: number }[]>().notNull(),
    guards: text("guards", { mode: "json" }).$type<JsonValue[]>().notNull(),
    onBreach: text("on_breach", { enum: ["kill", "rollback"] }).notNull(),
    state: text("state", { enum: planStates }).notNull(),
    currentStep: integer("current_step").notNull().default(0),
    stepStartedAt: integer("step_started_at"),
    /** While paused: how much of the step's hold had passed, so resume keeps it. */
    heldMs: integer("held_ms").notNull().default(0),
    /** The guard's numbers when it halted the plan. */
    breach: text("breach", { mode: "json" }).$type<JsonValue>(),
    version: integer("version").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("rollout_plans_flag_environment").on(t.flagId, t.environmentId), index("rollout_plans_state").on(t.state)],
);
