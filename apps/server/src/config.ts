/** Server configuration, read from the environment once at start. */
import { z } from "zod";
import { emailSchema } from "@switchyard/core/api-schema";
import { parseOrThrow } from "./http/validate.js";

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4400),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATA_DIR: z.string().min(1).default("./data"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SWITCHYARD_ADMIN_EMAIL: emailSchema.default("admin@localhost"),
  SWITCHYARD_ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
  SWITCHYARD_SECURE_COOKIES: z.enum(["true", "false"]).default("false"),
  SWITCHYARD_CORS_ORIGINS: z.string().default("*"),
  /** The server's URL as clients reach it (behind a proxy, the proxy's), for absolute URLs it hands out; else the request's. */
  SWITCHYARD_PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: "must be an http or https URL" })
    .refine((url) => !/[?#]/.test(url), "must not have a query or fragment")
    .optional(),
  SWITCHYARD_CHANGE_LOG_RETENTION: z.coerce.number().int().min(1).default(10_000),
  SWITCHYARD_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  SWITCHYARD_SEEN_CONTEXTS: z.coerce.number().int().min(0).max(100_000).default(1000),
  /** The built admin UI; served at / when the folder exists. */
  SWITCHYARD_WEB_DIR: z.string().min(1).optional(),
  /** SDK metrics: aggregation window, retention, batches per second per key, names per environment; GET /metrics token. */
  SWITCHYARD_METRICS_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  SWITCHYARD_METRICS_RETENTION_MS: z.coerce.number().int().min(1000).default(7 * 24 * 3600 * 1000),
  SWITCHYARD_METRICS_RATE_LIMIT: z.coerce.number().min(0.01).max(100_000).default(50),
  SWITCHYARD_METRICS_MAX_NAMES: z.coerce.number().int().min(1).max(10_000).default(100),
  SWITCHYARD_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** Webhook secrets derive from it; else DATA_DIR/secret.key, created on first start. */
  SWITCHYARD_SECRET_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  SWITCHYARD_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  SWITCHYARD_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  SWITCHYARD_WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  SWITCHYARD_WEBHOOK_RETENTION_DAYS: z.coerce.number().min(0.001).max(3650).default(30),
  /** How often running rollout plans are judged and advanced. */
  SWITCHYARD_PLAN_TICK_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  /** After a rollout plan's step starts, how long before SDK metrics count for it: about twice the SDKs' metrics interval. */
  SWITCHYARD_PLAN_SETTLE_MS: z.coerce.number().int().min(0).max(3_600_000).default(20_000),
});

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  // An empty variable means unset, as shells and compose files commonly write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = parseOrThrow(configSchema, present);
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    dataDir: parsed.DATA_DIR,
    logLevel: parsed.LOG_LEVEL,
    adminEmail: parsed.SWITCHYARD_ADMIN_EMAIL,
    adminPassword: parsed.SWITCHYARD_ADMIN_PASSWORD,
    secureCookies: parsed.SWITCHYARD_SECURE_COOKIES === "true",
    corsOrigins: parsed.SWITCHYARD_CORS_ORIGINS.split(",").map((origin) => origin.trim()).filter(Boolean),
    publicUrl: parsed.SWITCHYARD_PUBLIC_URL,
    changeLogRetention: parsed.SWITCHYARD_CHANGE_LOG_RETENTION,
    heartbeatMs: parsed.SWITCHYARD_HEARTBEAT_MS,
    seenContextLimit: parsed.SWITCHYARD_SEEN_CONTEXTS,
    webDir: parsed.SWITCHYARD_WEB_DIR,
    metrics: {
      windowMs: parsed.SWITCHYARD_METRICS_WINDOW_MS,
      retentionMs: parsed.SWITCHYARD_METRICS_RETENTION_MS,
      batchesPerSecond: parsed.SWITCHYARD_METRICS_RATE_LIMIT,
      maxMetricNames: parsed.SWITCHYARD_METRICS_MAX_NAMES,
      token: parsed.SWITCHYARD_METRICS_TOKEN,
    },
    secretKey: parsed.SWITCHYARD_SECRET_KEY,
    webhookDelivery: {
      timeoutMs: parsed.SWITCHYARD_WEBHOOK_TIMEOUT_MS,
      maxAttempts: parsed.SWITCHYARD_WEBHOOK_MAX_ATTEMPTS,
      backoffMs: parsed.SWITCHYARD_WEBHOOK_BACKOFF_MS,
      retentionMs: Math.round(parsed.SWITCHYARD_WEBHOOK_RETENTION_DAYS * 24 * 3_600_000),
    },
    plans: { tickMs: parsed.SWITCHYARD_PLAN_TICK_MS, settleMs: parsed.SWITCHYARD_PLAN_SETTLE_MS },
  };
}
